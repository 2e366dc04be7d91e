package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.ot.testkit.RepoRoot;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server over TLS (a test certificate made with the openssl CLI): https and wss
 * on its one port, the certificate re-read when its files change, and the web client end to end
 * in Chromium (text, the call, a foreign origin refused, read-only and denied documents shown).
 */
@Timeout(300)
class SecureWebClientTest {

  @TempDir
  static Path dir;
  private static Standalone server;
  private static Path cert;
  private static Path key;

  @BeforeAll
  static void start() throws Exception {
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    selfSigned("tandem-test-1", cert, key);
    StandaloneConfig config = StandaloneConfig.parse(new String[] {"--port", "0", "--data-dir", dir.resolve("data").toString(),
        "--partitions", "2", "--tls-cert", cert.toString(), "--tls-key", key.toString()}, Map.of());
    server = Standalone.start(config, Map.of());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A self-signed certificate for 127.0.0.1 and localhost, by the openssl CLI. */
  private static void selfSigned(String cn, Path certFile, Path keyFile) throws Exception {
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=" + cn, "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout", keyFile.toString(), "-out", certFile.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
  }

  /** The certificate the server presents now (trusting anything: the test only reads it). */
  private static X509Certificate presented() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
      @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
      @Override public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, new SecureRandom());
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  void servesWssAndHttpsOnItsOnePortAndRereadsTheCertificate() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (WsClient c = new WsClient(vertx, new WebSocketConnectOptions().setSsl(true).setHost("127.0.0.1")
        .setPort(server.port()).setURI("/v1/docs?user=ann"))) {
      c.handshake();
      c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", "tls").put("id", 1));
      assertEquals(null, c.next("f").getJsonObject("error"));
    } finally {
      vertx.close();
    }
    BigInteger before = presented().getSerialNumber();
    assertTrue(presented().getSubjectX500Principal().getName().contains("tandem-test-1"));
    Path nextCert = dir.resolve("next-cert.pem");
    Path nextKey = dir.resolve("next-key.pem");
    selfSigned("tandem-test-2", nextCert, nextKey);
    Files.copy(nextKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(nextCert, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    long deadline = System.currentTimeMillis() + 20_000;
    while (presented().getSerialNumber().equals(before) && System.currentTimeMillis() < deadline) {
      Thread.sleep(250);
    }
    assertNotEquals(before, presented().getSerialNumber(), "the new certificate is served");
    assertTrue(presented().getSubjectX500Principal().getName().contains("tandem-test-2"));
  }

  private static java.net.http.HttpResponse<String> post(String body, String... headers) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
      @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
      @Override public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, new SecureRandom());
    java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("https://localhost:" + server.port() + "/v1/dev/token"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return java.net.http.HttpClient.newBuilder().sslContext(ctx).build().send(b.build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void devModeMintsTokensForItsOwnOriginOnly() throws Exception {
    var ok = post("{\"user\":\"ann\",\"ttl\":60}", "Origin", "https://localhost:" + server.port());
    assertEquals(200, ok.statusCode(), ok.body());
    JsonObject minted = new JsonObject(ok.body());
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertEquals(List.of(), dev.tandem.schemas.SchemaCatalog.validate("auth/dev-token-response.json",
        json.readTree(ok.body())));
    assertEquals(List.of(), dev.tandem.schemas.SchemaCatalog.validate("auth/dev-token-request.json",
        json.readTree("{\"user\":\"ann\",\"ttl\":60,\"tandem\":{\"docs\":{\"notes/*\":\"read\"}}}")));
    assertEquals("ann", minted.getString("user"));
    assertTrue(minted.getLong("exp") <= System.currentTimeMillis() / 1000 + 61);
    assertEquals(403, post("{\"user\":\"ann\"}", "Origin", "https://evil.test").statusCode());
    assertEquals(400, post("{\"user\":\"ann lee\"}").statusCode());
    assertEquals(400, post("{\"user\":\"ann\",\"tandem\":{\"docs\":\"all\"}}").statusCode());
    assertEquals(400, post("{\"user\":\"ann\",\"ttl\":999999}").statusCode());
  }

  @Test
  void theWebClientWorksOverTlsAndShowsWhatItsTokenAllows() throws Exception {
    Path shots = RepoRoot.find().resolve("standalone/target/screenshots");
    Files.createDirectories(shots);
    NodeScript.Result r = NodeScript.start("standalone/src/test/node/secure-web-client.js", Map.of(),
        "https://127.0.0.1:" + server.port(), shots.toString()).await(Duration.ofSeconds(200));
    System.out.println(r.output());
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("OK"), r.output());
    List<String> lines = r.output().lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("foreign origin: ")), r.output());
  }
}
