package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The standalone server, stopped and started again on the same data directory. */
@Timeout(240)
class RestartTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static WsClient connect(Standalone s) throws Exception {
    WsClient c = new WsClient(vertx, s.port());
    c.next("init");
    return c;
  }

  @Test
  void bringsEveryDocumentBackAtItsVersionAndEditable(@TempDir Path dir) throws Exception {
    StandaloneConfig config = StandaloneConfig.parse(new String[] {"--port", "0", "--data-dir", dir.toString(),
        "--partitions", "2"}, Map.of());
    try (Standalone first = Standalone.start(config, Map.of())) {
      assertEquals(200, health(first));
      try (WsClient c = connect(first)) {
        c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", "kept").put("v", 0).put("seq", 1)
            .put("create", new JsonObject().put("type", "text-unicode").put("data", "one")));
        c.next("op");
        for (int i = 0; i < 150; i++) {
          c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", "kept").put("v", 1 + i).put("seq", 2 + i)
              .put("op", new JsonArray().add(3 + i).add(".")));
          c.next("op");
        }
        c.send(new JsonObject().put("a", "op").put("c", "boards").put("d", "b1").put("v", 0).put("seq", 500)
            .put("create", new JsonObject().put("type", "json0").put("data", new JsonObject().put("n", 1))));
        c.next("op");
        c.send(new JsonObject().put("a", "op").put("c", "boards").put("d", "b1").put("v", 1).put("seq", 501)
            .put("op", new JsonArray().add(new JsonObject().put("p", new JsonArray().add("n")).put("na", 41))));
        c.next("op");
      }
    }
    try (Standalone second = Standalone.start(config, Map.of()); WsClient c = connect(second)) {
      assertEquals(200, health(second));
      c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", "kept"));
      JsonObject text = c.next("f").getJsonObject("data");
      assertEquals(151, text.getLong("v"));
      assertEquals("one" + ".".repeat(150), text.getString("data"));
      c.send(new JsonObject().put("a", "f").put("c", "boards").put("d", "b1"));
      JsonObject board = c.next("f").getJsonObject("data");
      assertEquals(2, board.getLong("v"));
      assertEquals(42, board.getJsonObject("data").getInteger("n"));
      c.send(new JsonObject().put("a", "op").put("c", "notes").put("d", "kept").put("v", 151).put("seq", 1)
          .put("op", new JsonArray().add("!")));
      JsonObject ack = c.next("op");
      assertFalse(ack.containsKey("error"), ack.encode());
      assertEquals(151, ack.getLong("v"));
    }
  }

  private static int health(Standalone s) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode();
  }
}
