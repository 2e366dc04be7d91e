package dev.tandem.ot.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The npm OT types in a Node child process ({@code ot-types/src/test/node/oracle.js}), asked
 * in batches of calls over stdin and stdout, one JSON line each.
 */
public final class NodeOracle implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One call: the type, the function and its arguments. */
  public record Call(String type, String fn, List<JsonNode> args) {}

  /** One answer: the result, or the error message when the npm type threw. */
  public record Answer(JsonNode ok, String err) {
    public boolean failed() {
      return err != null;
    }
  }

  private final Process process;
  private final BufferedWriter in;
  private final BufferedReader out;

  public NodeOracle() {
    Path root = RepoRoot.find();
    if (!Files.isDirectory(root.resolve("node_modules/ot-json0"))) {
      throw new IllegalStateException("npm packages are missing: run `npm ci` in " + root);
    }
    try {
      process = new ProcessBuilder("node", "ot-types/src/test/node/oracle.js")
          .directory(root.toFile())
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node (is Node.js installed?)", e);
    }
    in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Answers to {@code calls}, in order. */
  public List<Answer> ask(List<Call> calls) {
    CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> write(calls));
    List<Answer> answers = new ArrayList<>(calls.size());
    try {
      for (int i = 0; i < calls.size(); i++) {
        String line = out.readLine();
        if (line == null) {
          throw new IllegalStateException("node oracle exited early");
        }
        JsonNode res = JSON.readTree(line);
        if (res.get("id").asInt() != i) {
          throw new IllegalStateException("node oracle answered out of order: " + line);
        }
        answers.add(new Answer(res.get("ok"), res.has("err") ? res.get("err").asText() : null));
      }
      writing.join();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return answers;
  }

  private void write(List<Call> calls) {
    try {
      for (int i = 0; i < calls.size(); i++) {
        Call c = calls.get(i);
        ObjectNode req = JSON.createObjectNode().put("id", i).put("type", c.type()).put("fn", c.fn());
        ArrayNode args = req.putArray("args");
        c.args().forEach(args::add);
        in.write(JSON.writeValueAsString(req));
        in.write('\n');
      }
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws Exception {
    in.close();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
