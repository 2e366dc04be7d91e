package dev.tandem.ot.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.OtException;
import java.util.function.Supplier;

/** What a Java call did: a result, or the message of the OtException it threw. */
public record Outcome(JsonNode ok, String err) {

  /** Runs {@code call}; any exception other than OtException fails the test. */
  public static Outcome of(Supplier<JsonNode> call) {
    try {
      return new Outcome(call.get(), null);
    } catch (OtException e) {
      return new Outcome(null, e.getMessage());
    } catch (RuntimeException e) {
      throw new AssertionError("an exception other than OtException escaped: " + e, e);
    }
  }

  public boolean failed() {
    return err != null;
  }
}
