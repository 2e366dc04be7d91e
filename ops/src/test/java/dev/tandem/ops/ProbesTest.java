package dev.tandem.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ProbesTest {

  @Test
  void liveAndReadyAnswerFromTheirChecksAndADrainTurnsOnlyReadinessDown() throws Exception {
    Vertx vertx = Vertx.vertx();
    Telemetry telemetry = new Telemetry();
    try {
      AtomicBoolean loop = new AtomicBoolean(true);
      AtomicBoolean rebuilt = new AtomicBoolean(false);
      Probes probes = new Probes().liveness("loop", loop::get).readiness("rebuilt", rebuilt::get);
      OpsServer server = new OpsServer("127.0.0.1", 0, probes, telemetry);
      vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
      HttpClient http = HttpClient.newHttpClient();
      int port = server.actualPort();
      assertEquals(200, status(http, port, "/health/live"));
      assertEquals(503, status(http, port, "/health/ready"));
      rebuilt.set(true);
      assertEquals(200, status(http, port, "/health/ready"));
      assertEquals(200, status(http, port, "/health"));
      // A check added after the server started counts too.
      AtomicBoolean late = new AtomicBoolean(false);
      probes.readiness("late", late::get);
      assertEquals(503, status(http, port, "/health/ready"));
      late.set(true);
      probes.drain();
      HttpResponse<String> ready = get(http, port, "/health/ready");
      assertEquals(503, ready.statusCode());
      assertTrue(ready.body().contains("\"id\":\"accepting\",\"status\":\"DOWN\""), ready.body());
      assertEquals(200, status(http, port, "/health/live"));
      loop.set(false);
      HttpResponse<String> live = get(http, port, "/health/live");
      assertEquals(503, live.statusCode());
      assertEquals("DOWN", new JsonObject(live.body()).getString("status"));
      HttpResponse<String> metrics = get(http, port, "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("jvm_memory_used_bytes"), metrics.body());
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
      telemetry.close();
    }
  }

  @Test
  void aDetachedRegistryTakesAPartsMetersAndNoneOfTheJvms() {
    Telemetry detached = Telemetry.detached();
    detached.registry().counter("tandem.test.things").increment();
    String scrape = detached.scrape();
    assertTrue(scrape.contains("tandem_test_things_total 1.0"), scrape);
    assertTrue(!scrape.contains("jvm_"), scrape);
    detached.close();
  }

  private static int status(HttpClient http, int port, String path) throws Exception {
    return get(http, port, path).statusCode();
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
