package dev.tandem.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.ot.text.TextOp;
import dev.tandem.ot.text.TextOpCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * An editing trace in josephg's editing-traces format: {@code txns[].patches[]} are
 * {@code [position, deleted, inserted]} in code points, applied in order from
 * {@code startContent} to {@code endContent}. Each patch becomes one text-unicode op.
 */
public record EditTrace(String name, String startContent, String endContent, List<JsonNode> jsonOps) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Loads {@code NAME.json.gz} from {@code dir}. */
  public static EditTrace load(Path dir, String name) {
    Path file = dir.resolve(name + ".json.gz");
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 1 << 16);
        JsonParser p = JSON.getFactory().createParser(in)) {
      String start = "";
      String end = null;
      List<JsonNode> ops = new ArrayList<>();
      expect(p.nextToken(), JsonToken.START_OBJECT, file);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "startContent" -> start = p.getText();
          case "endContent" -> end = p.getText();
          case "txns" -> readTxns(p, ops);
          default -> p.skipChildren();
        }
      }
      if (end == null) {
        throw new IllegalArgumentException(file + " has no endContent");
      }
      return new EditTrace(name, start, end, ops);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trace " + file, e);
    }
  }

  private static void readTxns(JsonParser p, List<JsonNode> ops) throws IOException {
    while (p.nextToken() == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (!field.equals("patches")) {
          p.skipChildren();
          continue;
        }
        while (p.nextToken() == JsonToken.START_ARRAY) {
          p.nextToken();
          int pos = p.getIntValue();
          p.nextToken();
          int del = p.getIntValue();
          p.nextToken();
          String ins = p.getText();
          p.nextToken();
          ops.add(patch(pos, del, ins));
        }
      }
    }
  }

  /** The text-unicode op for one patch. */
  static JsonNode patch(int pos, int del, String ins) {
    var op = JSON.createArrayNode();
    if (pos > 0) {
      op.add(pos);
    }
    if (del > 0) {
      op.addObject().put("d", del);
    }
    if (!ins.isEmpty()) {
      op.add(ins);
    }
    return op;
  }

  /** The ops in typed form. */
  public List<TextOp> typedOps() {
    List<TextOp> out = new ArrayList<>(jsonOps.size());
    jsonOps.forEach(op -> out.add(TextOpCodec.parse(op)));
    return out;
  }

  private static void expect(JsonToken got, JsonToken want, Path file) {
    if (got != want) {
      throw new IllegalArgumentException(file + ": expected " + want + " but found " + got);
    }
  }

  /** The traces folder: {@code -Dtandem.traces}, {@code TANDEM_TRACES}, or {@code ../shared/traces}. */
  public static Path defaultDir() {
    String dir = System.getProperty("tandem.traces", System.getenv("TANDEM_TRACES"));
    if (dir != null) {
      return Path.of(dir);
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      Path candidate = p.resolveSibling("shared").resolve("traces");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
      p = p.getParent();
    }
    return Path.of("../shared/traces");
  }
}
