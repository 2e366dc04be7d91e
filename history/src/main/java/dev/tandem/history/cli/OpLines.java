package dev.tandem.history.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.history.DocHistory.LoggedOp;
import dev.tandem.schemas.CommittedOp;
import java.time.Instant;

/** One committed op as an export line: version, src, seq, user, timestamp, kind and the op. */
public final class OpLines {

  private OpLines() {}

  public static ObjectNode line(LoggedOp logged) {
    CommittedOp op = logged.op();
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("version", op.v());
    o.put("src", op.src());
    o.put("seq", op.seq());
    if (op.user() != null) {
      o.put("user", op.user());
    } else {
      o.putNull("user");
    }
    o.put("timestamp", Instant.ofEpochMilli(op.ts()).toString());
    o.put("kind", op.kind());
    switch (op.kind()) {
      case "create" -> o.set("op", HistoryCli.JSON.valueToTree(op.create()));
      case "del" -> o.put("op", true);
      default -> o.set("op", op.op());
    }
    return o;
  }

  static String csv(ObjectNode line) {
    return String.join(",", line.get("version").asText(), quote(line.get("src").asText()), line.get("seq").asText(),
        line.get("user").isNull() ? "" : quote(line.get("user").asText()), line.get("timestamp").asText(),
        line.get("kind").asText(), quote(line.get("op").toString()));
  }

  static String quote(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
