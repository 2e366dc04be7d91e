package dev.tandem.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.IOException;

/**
 * Reads and writes Tandem's Kafka records as JSON. Reading checks every record: a record from
 * a foreign or broken producer becomes a {@link MalformedRecordException}, never a half-read
 * value.
 */
public final class Records {

  /** The mapper for records: unknown fields are refused, so a misspelt field is found at once. */
  public static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private Records() {}

  public static byte[] encode(Object record) {
    try {
      return JSON.writeValueAsBytes(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + record, e);
    }
  }

  public static <T> T decode(byte[] bytes, Class<T> type) {
    if (bytes == null) {
      throw new MalformedRecordException(type.getSimpleName() + ": the record has no value");
    }
    try {
      return JSON.readValue(bytes, type);
    } catch (ValueInstantiationException e) {
      throw new MalformedRecordException(type.getSimpleName() + ": " + rootMessage(e), e);
    } catch (JsonProcessingException e) {
      throw new MalformedRecordException(type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new MalformedRecordException(type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** A Kafka record that is not what its topic promises. */
  public static final class MalformedRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MalformedRecordException(String message) {
      super(message);
    }

    public MalformedRecordException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
