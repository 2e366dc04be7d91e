package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.history.cli.HistoryCli;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.Records;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * History from the Kafka log: ShareDB's fetchSnapshot and fetchSnapshotByTimestamp, the ops
 * stream over HTTP, the analysts' CLI (replay, export, verify, stats) and whole-content PUT.
 */
@Timeout(180)
class HistoryTest {

  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static TestCluster cluster;
  private static Vertx vertx;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, 1, 2);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
    cluster.close();
  }

  private static WsClient connect() throws Exception {
    return WsClient.shareDb(vertx, cluster.port(0));
  }

  /** A document edited step by step; what it was at each version and when. */
  private record Seen(long v, String text, long after) {}

  private static List<Seen> editSteps(WsClient c, String id, int steps) throws Exception {
    List<Seen> seen = new ArrayList<>();
    c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 0).put("seq", 1)
        .put("create", new JsonObject().put("type", TEXT).put("data", "")));
    c.next("op");
    String text = "";
    seen.add(new Seen(1, text, System.currentTimeMillis()));
    for (int i = 0; i < steps; i++) {
      Thread.sleep(15);
      String word = "w" + i + " ";
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 1 + i).put("seq", 2 + i)
          .put("op", i == 0 ? new JsonArray().add(word) : new JsonArray().add(text.length()).add(word)));
      JsonObject ack = c.next("op");
      assertFalse(ack.containsKey("error"), ack.encode());
      text += word;
      Thread.sleep(15);
      seen.add(new Seen(2 + i, text, System.currentTimeMillis()));
    }
    return seen;
  }

  @Test
  void snapshotsAtVersionsAndTimesAreWhatClientsSaw() throws Exception {
    String id = "h-" + UUID.randomUUID();
    try (WsClient c = connect()) {
      List<Seen> seen = editSteps(c, id, 12);
      for (Seen s : List.of(seen.get(0), seen.get(3), seen.get(7), seen.get(12))) {
        c.send(new JsonObject().put("a", "nf").put("id", 7).put("c", "notes").put("d", id).put("v", s.v()));
        JsonObject r = c.next("nf");
        assertFalse(r.containsKey("error"), r.encode());
        assertEquals(s.v(), r.getLong("v"));
        assertEquals(s.text(), r.getString("data"));
        assertEquals(TEXT, r.getString("type"));
        c.send(new JsonObject().put("a", "nt").put("id", 8).put("c", "notes").put("d", id).put("ts", s.after()));
        JsonObject t = c.next("nt");
        assertEquals(s.v(), t.getLong("v"), t.encode());
        assertEquals(s.text(), t.getString("data"));
      }
      // Before the document was created, and past its end.
      c.send(new JsonObject().put("a", "nf").put("id", 9).put("c", "notes").put("d", id).put("v", 0));
      JsonObject before = c.next("nf");
      assertEquals(0, before.getLong("v"));
      assertTrue(before.getValue("type") == null, before.encode());
      c.send(new JsonObject().put("a", "nf").put("id", 10).put("c", "notes").put("d", id).put("v", 99));
      assertEquals("ERR_OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT", c.next("nf").getJsonObject("error").getString("code"));

      // The ops over HTTP, as JSON lines.
      HttpResponse<String> ops = get("/v1/docs/notes/" + id + "/ops?from=2&to=6");
      assertEquals(200, ops.statusCode(), ops.body());
      String[] lines = ops.body().trim().split("\n");
      assertEquals(4, lines.length, ops.body());
      for (int i = 0; i < lines.length; i++) {
        JsonObject line = new JsonObject(lines[i]);
        assertEquals(2 + i, line.getLong("version"));
        assertEquals("op", line.getString("kind"));
        assertTrue(line.containsKey("timestamp") && line.containsKey("src") && line.containsKey("seq"));
      }
      assertEquals(404, get("/v1/docs/notes/no-such-doc/ops").statusCode());
      assertEquals(400, get("/v1/docs/notes/" + id + "/ops?from=x").statusCode());
      assertEquals(400, get("/v1/docs/notes/" + id + "/ops?from=5&to=2").statusCode());
    }
  }

  @Test
  void opsRecordWhoMadeThem() throws Exception {
    String id = "who-" + UUID.randomUUID();
    try (WsClient ann = WsClient.shareDb(vertx, cluster.port(0), "/v1/docs?user=ann.lee")) {
      editSteps(ann, id, 2);
    }
    HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.port(0)
        + "/v1/docs/notes/" + id + "?user=import-bot")).header("X-Tandem-User", "forged").PUT(HttpRequest.BodyPublishers.ofString("w0 w1 w2"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, put.statusCode(), put.body());
    String[] lines = get("/v1/docs/notes/" + id + "/ops?from=0").body().trim().split("\n");
    List<String> users = new ArrayList<>();
    for (String line : lines) {
      users.add(new JsonObject(line).getString("user"));
    }
    // In dev mode a request without a token names itself with ?user=; X-Tandem-User is not trusted.
    assertEquals(List.of("ann.lee", "ann.lee", "ann.lee", "import-bot"), users);
    Run stats = cli("stats");
    assertTrue(stats.out.contains("ann.lee") && stats.out.contains("import-bot"), stats.out);

    // A malformed name (too long, or not plain: a space, a bidi override) is refused, on a connection and a request.
    assertThrows(Exception.class, () -> new WsClient(vertx, cluster.port(0), "/v1/docs?user=ann%E2%80%AEnimda").close());
    assertEquals(400, put("/v1/docs/notes/" + id + "?user=ann%20lee", "w0").statusCode());
    String tooLong = "x".repeat(65);
    assertThrows(Exception.class, () -> new WsClient(vertx, cluster.port(0), "/v1/docs?user=" + tooLong).close());
    assertEquals(400, put("/v1/docs/notes/" + id + "?user=" + tooLong, "w0").statusCode());
  }

  @Test
  void theCliReplaysExportsCountsAndVerifies() throws Exception {
    String id = "cli-" + UUID.randomUUID();
    try (WsClient c = connect()) {
      List<Seen> seen = editSteps(c, id, 6);
      Run replay = cli("replay", "--doc", "notes/" + id, "--version", "4");
      assertEquals(0, replay.exit, replay.err);
      assertEquals(seen.get(3).text(), new JsonObject(replay.out).getString("data"));
      Run at = cli("replay", "--doc", "notes/" + id, "--at", java.time.Instant.ofEpochMilli(seen.get(5).after()).toString());
      assertEquals(seen.get(5).text(), new JsonObject(at.out).getString("data"), at.err);
      Run export = cli("export", "--doc", "notes/" + id, "--format", "csv");
      assertEquals(0, export.exit, export.err);
      assertEquals(1 + 7, export.out.trim().split("\n").length, export.out);
      Run stats = cli("stats");
      assertEquals(0, stats.exit, stats.err);
      assertTrue(stats.out.contains("notes/" + id), stats.out);
      Run ok = cli("verify");
      assertEquals(0, ok.exit, ok.out + ok.err);
      assertTrue(ok.out.startsWith("OK"), ok.out);

      // Clear errors: an unknown document, a version past the end, a broker that is not there.
      Run unknown = cli("replay", "--doc", "notes/nothing-" + id);
      assertEquals(2, unknown.exit);
      assertTrue(unknown.err.contains("no document"), unknown.err);
      Run past = cli("replay", "--doc", "notes/" + id, "--version", "50");
      assertEquals(2, past.exit);
      assertTrue(past.err.contains("past the end"), past.err);
      Run nobody = run("replay", "--kafka", "127.0.0.1:1", "--doc", "notes/" + id);
      assertEquals(2, nobody.exit);
      assertTrue(nobody.err.contains("does not answer"), nobody.err);

      // A version gap written behind ot-service's back: verify names it.
      c.send(new JsonObject().put("a", "s").put("c", "notes").put("d", id));
      c.next("s");
      try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", cluster.bootstrap),
          new StringSerializer(), new ByteArraySerializer())) {
        CommittedOp gap = new CommittedOp(1, "op", "notes", id, 9, "forger", 1, new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree("[\"x\"]"), null, null, System.currentTimeMillis(), null);
        p.send(new ProducerRecord<>(cluster.topics.committed(), "notes/" + id, Records.encode(gap))).get();
      }
      Run gap = cli("verify");
      assertEquals(1, gap.exit, gap.out + gap.err);
      assertTrue(gap.err.contains("notes/" + id + ": version gap: expected v7, found v9"), gap.err);

      // The gateway, which saw the forged v9 arrive, reloads once, finds ot-service at v7 and
      // drops the record: it does not reload in a loop, and the document goes on at v7.
      long deadline = System.currentTimeMillis() + 10_000;
      while (meter("tandem_gateway_records_foreign_total") < 1 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(meter("tandem_gateway_records_foreign_total") >= 1, "the forged record was not dropped");
      double loads = meter("tandem_gateway_docs_loads_total");
      Thread.sleep(1_000);
      assertEquals(loads, meter("tandem_gateway_docs_loads_total"), "the gateway reloads in a loop");
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", id).put("v", 7).put("seq", 8)
          .put("op", new JsonArray().add("after ")));
      JsonObject ack = c.next("op");
      assertEquals(7, ack.getLong("v"), ack.encode());
      assertFalse(ack.containsKey("error"), ack.encode());
      assertEquals("after " + seen.get(6).text(), new JsonObject(get("/v1/docs/notes/" + id).body()).getString("data"));
    }
  }

  @Test
  void verifyNamesACorruptedRecord() throws Exception {
    try (TestCluster other = TestCluster.start(1, 1, 1); WsClient c = new WsClient(vertx, other.port(0))) {
      c.next("init");
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", "a").put("v", 0).put("seq", 1)
          .put("create", new JsonObject().put("type", TEXT).put("data", "x")));
      c.next("op");
      Run clean = run("verify", "--kafka", other.bootstrap, "--topic-prefix", other.topics.prefix(), "--quiet");
      assertEquals(0, clean.exit, clean.err);
      try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", other.bootstrap),
          new StringSerializer(), new ByteArraySerializer())) {
        p.send(new ProducerRecord<>(other.topics.committed(), "notes/a", "{\"schema\":1,\"kind\":\"op\",".getBytes())).get();
      }
      Run broken = run("verify", "--kafka", other.bootstrap, "--topic-prefix", other.topics.prefix(), "--quiet");
      assertEquals(1, broken.exit, broken.out + broken.err);
      assertTrue(broken.err.contains("FAULT: corrupted record at " + other.topics.committed() + "-0@"), broken.err);
    }
  }

  @Test
  void aWholeContentPutWhileClientsEditKeepsEveryonesWork() throws Exception {
    NodeScript.Result r = NodeScript.start("standalone/src/test/node/put-while-editing.js", Map.of(), cluster.url(0),
        "http://127.0.0.1:" + cluster.port(0)).await(Duration.ofSeconds(90));
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().startsWith("OK"), r.output());

    // Plain tools: create by PUT, read back, a no-op PUT, a wrong base version, a non-text document.
    String id = "put-" + UUID.randomUUID();
    HttpResponse<String> created = put("/v1/docs/notes/" + id, "hello");
    assertEquals(201, created.statusCode(), created.body());
    assertEquals(1, new JsonObject(created.body()).getLong("v"));
    HttpResponse<String> edited = put("/v1/docs/notes/" + id, "hello, world");
    assertEquals(2, new JsonObject(edited.body()).getLong("v"), edited.body());
    assertEquals("hello, world", new JsonObject(get("/v1/docs/notes/" + id).body()).getString("data"));
    assertFalse(new JsonObject(put("/v1/docs/notes/" + id, "hello, world").body()).getBoolean("changed"));
    assertEquals(409, put("/v1/docs/notes/" + id + "?v=7", "x").statusCode());
  }

  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--kafka", cluster.bootstrap, "--topic-prefix", cluster.topics.prefix(), "--quiet"));
    return run(all.toArray(String[]::new));
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = HistoryCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  /** A meter without labels, as the gateway's {@code /metrics} shows it. */
  private static double meter(String name) throws Exception {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$")
        .matcher(get("/metrics").body());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.port(0) + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> put(String path, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.port(0) + path))
        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
