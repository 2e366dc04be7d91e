package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tandem.access.AccessConfig;
import dev.tandem.gateway.GatewayConfig;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.signal.SignalingConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Access control against a real gateway and signaling on one server in {@code jwt} mode, with
 * an HS256 secret and a keys file (RS256 and ES256 by kid): every door refused without a token
 * and with each kind of bad token, every operation allowed or refused as the grants say,
 * expiry and refresh mid-session, key rotation, origins and hosts, identity from the token.
 */
@Timeout(180)
class AccessTest {

  static final String ISSUER = "https://issuer.test";
  private static final String SECRET = "a-test-secret-of-at-least-32-bytes!!";
  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static TestCluster cluster;
  private static Vertx vertx;
  private static Path keys;
  private static TestTokens hs;
  private static TestTokens rsa;
  private static TestTokens ec;
  private static int port;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** docs: notes/* write, notes/secret read, board/team-42 read; rooms: call:team-*. */
  private static JsonObject grants() {
    return new JsonObject()
        .put("docs", new JsonObject().put("notes/*", "write").put("notes/secret", "read").put("board/team-42", "read"))
        .put("rooms", new JsonObject().put("call:team-*", "join"));
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    hs = TestTokens.hs256(vertx, SECRET);
    rsa = TestTokens.rs256(vertx, "rsa-1");
    ec = TestTokens.es256(vertx, "ec-1");
    keys = Files.createTempFile("tandem-keys", ".pem");
    Files.writeString(keys, rsa.keysFileEntry() + ec.keysFileEntry());
    AccessConfig access = AccessConfig.fromEnv(Map.of("TANDEM_AUTH", "jwt", "TANDEM_JWT_SECRET", SECRET,
        "TANDEM_JWT_KEYS", keys.toString(), "TANDEM_JWT_ISSUER", ISSUER, "TANDEM_AUTH_EXPIRY_NOTICE_S", "2",
        "TANDEM_JWT_KEYS_POLL_MS", "200"), "127.0.0.1");
    cluster = new TestCluster(2);
    cluster.addOtService();
    SignalingConfig sig = SignalingConfig.fromEnv(Map.of()).withTurn("turn-secret", Duration.ofSeconds(3600),
        List.of("turn:127.0.0.1:3478"), List.of("stun:127.0.0.1:3478"));
    cluster.addGateway(GatewayConfig.fromEnv(Map.of()), sig, access);
    port = cluster.port(0);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close();
    cluster.close();
    Files.deleteIfExists(keys);
  }

  // ---- helpers ----

  private static WebSocketConnectOptions ws(String path) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path);
  }

  private static WsClient docs(String token) throws Exception {
    return new WsClient(vertx, ws("/v1/docs").addSubProtocol("tandem.v1").addSubProtocol("tandem.bearer." + token))
        .handshake();
  }

  /** The status a refused handshake got (0 when it was accepted). */
  private static int handshakeStatus(WebSocketConnectOptions options) {
    try {
      new WsClient(vertx, options).close();
      return 0;
    } catch (Exception e) {
      Throwable t = e;
      while (t != null && !(t instanceof UpgradeRejectedException)) {
        t = t.getCause();
      }
      if (t == null) {
        fail("the handshake to " + options.getURI() + " failed without a status: " + e);
      }
      return ((UpgradeRejectedException) t).getStatus();
    }
  }

  private static HttpResponse<String> http(String method, String path, String token, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A raw HTTP/1.1 request with exactly these headers; the status line's code. */
  private static int raw(String requestHead) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(requestHead.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        line.append((char) c);
      }
      return Integer.parseInt(line.toString().split(" ")[1]);
    }
  }

  /** {@code m}, checked against the JSON Schema {@code auth/NAME.json} of the contract. */
  private static JsonObject valid(String schema, JsonObject m) throws Exception {
    assertEquals(List.of(), dev.tandem.schemas.SchemaCatalog.validate("auth/" + schema + ".json",
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(m.encode())), schema + ": " + m.encode());
    return m;
  }

  private static JsonObject reply(WsClient c, String a) throws Exception {
    return c.next(m -> a.equals(m.getString("a")));
  }

  private static void assertDenied(JsonObject m, String doc) {
    assertNotNull(m.getJsonObject("error"), "expected ERR_ACCESS_DENIED, got " + m);
    assertEquals("ERR_ACCESS_DENIED", m.getJsonObject("error").getString("code"), m.encode());
    assertTrue(m.getJsonObject("error").getString("message").contains(doc), m.encode());
  }

  private static String id() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  private static JsonObject create(String c, String d, long seq) {
    return new JsonObject().put("a", "op").put("c", c).put("d", d).put("v", 0).put("seq", seq)
        .put("create", new JsonObject().put("type", TEXT).put("data", "hi"));
  }

  private static JsonObject edit(String c, String d, long v, long seq, String text) {
    return new JsonObject().put("a", "op").put("c", c).put("d", d).put("v", v).put("seq", seq)
        .put("op", new JsonArray().add(text));
  }

  /** Bad tokens of every kind, each with what makes it bad. */
  private static Map<String, String> badTokens() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("garbage", "not-a-jwt");
    bad.put("expired", hs.sign(TestTokens.claims("ann", grants(), -60)));
    bad.put("not yet valid", hs.sign(TestTokens.claims("ann", grants(), 600).put("nbf", now + 300)));
    bad.put("wrong audience", hs.sign(TestTokens.claims("ann", grants(), 600).put("aud", "other")));
    bad.put("no audience", hs.sign(TestTokens.claims("ann", grants(), 600).put("aud", (String) null)));
    bad.put("wrong issuer", hs.sign(TestTokens.claims("ann", grants(), 600).put("iss", "https://evil.test")));
    bad.put("wrongly signed (another secret)", TestTokens.hs256(vertx, "another-secret-of-at-least-32-bytes!!")
        .token("ann", grants(), 600));
    bad.put("wrongly signed (unknown RSA key, known kid)", rsaImpostor().token("ann", grants(), 600));
    bad.put("no sub", hs.sign(TestTokens.claims("ann", grants(), 600).put("sub", (String) null)));
    bad.put("no exp", hs.sign(TestTokens.claims("ann", grants(), 600).put("exp", (Long) null)));
    bad.put("malformed grants", hs.sign(TestTokens.claims("ann", new JsonObject().put("docs", "all"), 600)));
    bad.put("bidi override in sub", hs.sign(TestTokens.claims("ann\u202Eboss", grants(), 600)));
    bad.put("alg none", unsigned());
    return bad;
  }

  private static TestTokens impostor;

  private static TestTokens rsaImpostor() throws Exception {
    if (impostor == null) {
      impostor = TestTokens.rs256(vertx, "rsa-1");
    }
    return impostor;
  }

  private static String unsigned() {
    java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
    String head = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String body = b64.encodeToString(TestTokens.claims("ann", grants(), 600).encode().getBytes(StandardCharsets.UTF_8));
    return head + "." + body + ".";
  }

  // ---- tests ----

  @Test
  void everyDoorRefusesAMissingOrBadToken() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("no token", null);
    cases.putAll(badTokens());
    int refusals = 0;
    for (var c : cases.entrySet()) {
      String t = c.getValue();
      String why = c.getKey();
      WebSocketConnectOptions docsWs = ws("/v1/docs");
      WebSocketConnectOptions sigWs = ws("/v1/signal");
      if (t != null) {
        docsWs.addSubProtocol("tandem.v1").addSubProtocol("tandem.bearer." + t);
        sigWs.setURI("/v1/signal?access_token=" + java.net.URLEncoder.encode(t, StandardCharsets.UTF_8));
      }
      assertEquals(401, handshakeStatus(docsWs), why + ": /v1/docs");
      assertEquals(401, handshakeStatus(sigWs), why + ": /v1/signal");
      assertEquals(401, http("GET", "/v1/docs/notes/a", t, null).statusCode(), why + ": GET");
      assertEquals(401, http("GET", "/v1/docs/notes/a/ops", t, null).statusCode(), why + ": GET ops");
      assertEquals(401, http("PUT", "/v1/docs/notes/a", t, "x").statusCode(), why + ": PUT");
      HttpResponse<String> turn = http("GET", "/v1/turn-credentials", t, null);
      assertEquals(401, turn.statusCode(), why + ": TURN");
      assertEquals("ERR_UNAUTHORIZED", valid("http-error", new JsonObject(turn.body())).getJsonObject("error")
          .getString("code"));
      refusals += 6;
    }
    System.out.println("refusal cases tested at the doors: " + refusals + " (" + cases.size() + " kinds of token)");
  }

  @Test
  void eachKindOfKeyIsAcceptedOverEachTransport() throws Exception {
    for (TestTokens issuer : List.of(hs, rsa, ec)) {
      String t = issuer.token("kim", grants(), 600);
      try (WsClient c = docs(t)) {
        assertEquals("tandem.v1", c.subProtocol(), issuer.alg);
      }
      assertEquals(0, handshakeStatus(ws("/v1/docs?access_token=" + t)), issuer.alg);
      assertEquals(0, handshakeStatus(ws("/v1/docs").addHeader("Authorization", "Bearer " + t)), issuer.alg);
      assertTrue(http("GET", "/v1/docs/notes/" + id(), t, null).statusCode() < 400, issuer.alg);
    }
  }

  @Test
  void grantsDecideEveryDocumentOperation() throws Exception {
    valid("token-claims", TestTokens.claims("ann", grants(), 600));
    String t = hs.token("ann", grants(), 600);
    String mine = "n-" + id();
    try (WsClient c = docs(t)) {
      // write on notes/*: create and edit
      c.send(create("notes", mine, 1));
      assertEquals(null, reply(c, "op").getJsonObject("error"));
      c.send(edit("notes", mine, 1, 2, "x"));
      assertEquals(null, reply(c, "op").getJsonObject("error"));
      // read only on notes/secret (more specific than notes/*): fetch yes, create/edit/delete no
      c.send(new JsonObject().put("a", "f").put("c", "notes").put("d", "secret"));
      assertEquals(null, reply(c, "f").getJsonObject("error"));
      c.send(create("notes", "secret", 3));
      assertDenied(reply(c, "op"), "notes/secret");
      c.send(new JsonObject().put("a", "op").put("c", "board").put("d", "team-42").put("v", 0).put("seq", 4)
          .put("del", true));
      assertDenied(reply(c, "op"), "board/team-42");
      // nothing on other/doc: every read door
      for (String a : List.of("f", "s", "nf", "nt")) {
        c.send(new JsonObject().put("a", a).put("c", "other").put("d", "doc").put("id", 7));
        assertDenied(reply(c, a), "other/doc");
      }
      c.send(new JsonObject().put("a", "bs").put("c", "notes").put("b", new JsonArray().add(mine).add("secret")));
      assertEquals(null, reply(c, "bs").getJsonObject("error"));
      c.send(new JsonObject().put("a", "bf").put("c", "other").put("b", new JsonArray().add("doc")));
      assertDenied(reply(c, "bf"), "other/doc");
      // presence: read on the channel's document
      c.send(new JsonObject().put("a", "ps").put("ch", "other.doc").put("seq", 1));
      assertDenied(reply(c, "ps"), "other/doc");
      c.send(new JsonObject().put("a", "p").put("ch", "other.doc").put("id", "p1").put("p", new JsonObject())
          .put("pv", 1).put("c", "other").put("d", "doc").put("v", 0));
      assertDenied(reply(c, "p"), "other/doc");
      c.send(new JsonObject().put("a", "ps").put("ch", "notes.secret").put("seq", 2));
      assertEquals(null, reply(c, "ps").getJsonObject("error"));
      // the connection is kept through every refusal
      c.send(new JsonObject().put("a", "pp"));
      assertNotNull(reply(c, "pp"));
    }
    // HTTP: GET needs read, PUT write
    String put = "p-" + id();
    assertEquals(201, http("PUT", "/v1/docs/notes/" + put, t, "hello").statusCode());
    HttpResponse<String> denied = http("PUT", "/v1/docs/notes/secret", t, "mine now");
    assertEquals(403, denied.statusCode());
    assertTrue(denied.body().contains("ERR_ACCESS_DENIED") && denied.body().contains("notes/secret"), denied.body());
    assertEquals(200, http("GET", "/v1/docs/notes/secret", t, null).statusCode());
    assertEquals(403, http("GET", "/v1/docs/other/doc", t, null).statusCode());
    assertEquals(403, http("GET", "/v1/docs/other/doc/ops", t, null).statusCode());
    assertEquals(200, http("GET", "/v1/docs/notes/" + put + "/ops", t, null).statusCode());
  }

  @Test
  void historyNamesTheTokensSubAndIgnoresAForgedUserHeader() throws Exception {
    String t = hs.token("ann", grants(), 600);
    String d = "h-" + id();
    try (WsClient c = new WsClient(vertx, ws("/v1/docs?user=mallory").addSubProtocol("tandem.v1")
        .addSubProtocol("tandem.bearer." + t).addHeader("X-Tandem-User", "mallory")).handshake()) {
      c.send(create("notes", d, 1));
      assertEquals(null, reply(c, "op").getJsonObject("error"));
    }
    assertEquals(200, http("PUT", "/v1/docs/notes/" + d + "?user=mallory", t, "changed", "X-Tandem-User", "mallory")
        .statusCode());
    List<String> users = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 20_000;
    while (users.size() < 2 && System.currentTimeMillis() < deadline) {
      users.clear();
      for (CommittedOp op : cluster.eventLog().getOrDefault("notes/" + d, List.of())) {
        users.add(op.user());
      }
    }
    assertEquals(List.of("ann", "ann"), users);
  }

  @Test
  void presenceShowsTheTokensUserAndNameNotWhatTheValueClaims() throws Exception {
    String d = "pr-" + id();
    String ann = hs.sign(TestTokens.claims("ann", grants(), 600).put("name", "Ann Example"));
    String bob = hs.token("bob", grants(), 600);
    try (WsClient a = docs(ann); WsClient b = docs(bob)) {
      b.send(new JsonObject().put("a", "ps").put("ch", "notes." + d).put("seq", 1));
      assertEquals(null, reply(b, "ps").getJsonObject("error"));
      a.send(new JsonObject().put("a", "p").put("ch", "notes." + d).put("id", "caret").put("pv", 1)
          .put("p", new JsonObject().put("index", 0).put("name", "mallory")));
      JsonObject seen = b.next(m -> "p".equals(m.getString("a")) && "caret".equals(m.getString("id")));
      assertEquals(new JsonObject().put("id", "ann").put("name", "Ann Example"), seen.getJsonObject("user"), seen.encode());
      assertEquals("mallory", seen.getJsonObject("p").getString("name"), "the value itself is relayed as given");
      // A token without a name: the user alone.
      b.send(new JsonObject().put("a", "ps").put("ch", "notes.o-" + d).put("seq", 2));
      a.send(new JsonObject().put("a", "ps").put("ch", "notes.o-" + d).put("seq", 2));
      reply(a, "ps");
      b.send(new JsonObject().put("a", "p").put("ch", "notes.o-" + d).put("id", "wave").put("pv", 1)
          .put("p", new JsonObject()));
      JsonObject waved = a.next(m -> "p".equals(m.getString("a")) && "wave".equals(m.getString("id")));
      assertEquals(new JsonObject().put("id", "bob"), waved.getJsonObject("user"), waved.encode());
    }
  }

  @Test
  void signalingJoinAndTurnNeedARoomGrant() throws Exception {
    String t = hs.token("ann", grants(), 600);
    try (WsClient s = new WsClient(vertx, ws("/v1/signal").addSubProtocol("tandem.v1")
        .addSubProtocol("tandem.bearer." + t))) {
      s.send(new JsonObject().put("type", "join").put("room", "call:other"));
      JsonObject e = s.next(m -> "error".equals(m.getString("type")));
      assertEquals("FORBIDDEN", e.getString("code"));
      s.send(new JsonObject().put("type", "join").put("room", "call:team-7").put("meta", new JsonObject()
          .put("pad", "x".repeat(3000))));
      assertEquals("TOO_LARGE", s.next(m -> "error".equals(m.getString("type"))).getString("code"));
      s.send(new JsonObject().put("type", "join").put("room", "call:team-7")
          .put("meta", new JsonObject().put("name", "Ann").put("user", "mallory")));
      JsonObject joined = s.next(m -> "joined".equals(m.getString("type")));
      JsonObject turn = joined.getJsonArray("iceServers").getJsonObject(1);
      assertTrue(turn.getString("username").endsWith(":ann"), turn.encode());
      try (WsClient bob = new WsClient(vertx, ws("/v1/signal").addSubProtocol("tandem.v1")
          .addSubProtocol("tandem.bearer." + hs.token("bob", grants(), 600)))) {
        bob.send(new JsonObject().put("type", "join").put("room", "call:team-7"));
        JsonObject meta = bob.next(m -> "joined".equals(m.getString("type"))).getJsonArray("peers").getJsonObject(0)
            .getJsonObject("meta");
        assertEquals("ann", meta.getString("user"), "the user is the token's, not what the peer said");
        assertEquals("Ann", meta.getString("name"));
      }
    }
    HttpResponse<String> creds = http("GET", "/v1/turn-credentials", hs.token("ann", grants(), 120), null);
    assertEquals(200, creds.statusCode());
    JsonObject body = new JsonObject(creds.body());
    assertTrue(body.getString("username").endsWith(":ann"));
    assertTrue(body.getLong("ttl") <= 120, body.encode());
    long expiry = Long.parseLong(body.getString("username").split(":")[0]);
    assertTrue(expiry <= System.currentTimeMillis() / 1000 + 121, body.encode());
    JsonObject docsOnly = new JsonObject().put("docs", new JsonObject().put("notes/*", "write"));
    HttpResponse<String> none = http("GET", "/v1/turn-credentials", hs.token("ann", docsOnly, 600), null);
    assertEquals(403, none.statusCode());
    assertTrue(none.body().contains("FORBIDDEN"), none.body());
  }

  @Test
  void aRefreshedTokenKeepsTheSessionGoingWithoutALostOp() throws Exception {
    String d = "r-" + id();
    long exp = System.currentTimeMillis() / 1000 + 6;
    try (WsClient c = docs(hs.sign(TestTokens.claims("ann", grants(), 6).put("exp", exp)))) {
      c.send(new JsonObject().put("a", "s").put("c", "notes").put("d", d));
      reply(c, "s");
      c.send(create("notes", d, 1));
      assertEquals(null, reply(c, "op").getJsonObject("error"));
      JsonObject notice = valid("expiring", reply(c, "auth"));
      assertTrue(notice.getLong("expiring") <= 3, notice.encode());
      c.send(new JsonObject().put("a", "auth").put("token", hs.token("ann", grants(), 600)));
      JsonObject accepted = valid("accepted", reply(c, "auth"));
      assertEquals("ann", accepted.getString("user"));
      Thread.sleep(Math.max(0, exp * 1000 + 1000 - System.currentTimeMillis()));
      assertFalse(c.isClosed(), "past the first token's exp");
      c.send(edit("notes", d, 1, 2, "after the old token's exp "));
      JsonObject ack = reply(c, "op");
      assertEquals(null, ack.getJsonObject("error"), ack.encode());
      assertEquals(2, (long) ack.getLong("seq"));
    }
    assertEquals(2, cluster.eventLog().get("notes/" + d).size());
  }

  @Test
  void theNpmSharedbClientIsDeniedARefusedDocumentAndRefreshesWithoutALostOp() throws Exception {
    NodeScript.Result r = NodeScript.start("standalone/src/test/node/sharedb-auth.js", Map.of(), cluster.url(0),
        hs.token("ann", grants(), 4), hs.token("ann", grants(), 600), "npm-" + id()).await(Duration.ofSeconds(90));
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("OK"), r.output());
  }

  @Test
  void anUnrefreshedTokenClosesTheSocketWith4401() throws Exception {
    try (WsClient c = docs(hs.token("ann", grants(), 3))) {
      CompletableFuture<Short> code = new CompletableFuture<>();
      c.whenClosed(code::complete);
      assertNotNull(reply(c, "auth").getLong("expiring"));
      assertEquals((short) 4401, code.get(10, TimeUnit.SECONDS));
    }
  }

  private static JsonObject validSignal(String schema, JsonObject m) throws Exception {
    assertEquals(List.of(), dev.tandem.schemas.SchemaCatalog.validate("signaling/" + schema + ".json",
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(m.encode())), schema + ": " + m.encode());
    return m;
  }

  @Test
  void signalingHonoursExpiryAndRefreshToo() throws Exception {
    WebSocketConnectOptions o = ws("/v1/signal").addSubProtocol("tandem.v1");
    try (WsClient s = new WsClient(vertx, o.addSubProtocol("tandem.bearer." + hs.token("ann", grants(), 3)))) {
      CompletableFuture<Short> code = new CompletableFuture<>();
      s.whenClosed(code::complete);
      s.send(new JsonObject().put("type", "join").put("room", "call:team-exp"));
      // The notice may come before or after the join's answer.
      java.util.Set<String> seen = new java.util.HashSet<>();
      while (seen.size() < 2) {
        JsonObject m = s.next(x -> "joined".equals(x.getString("type")) || "auth".equals(x.getString("type")));
        if ("auth".equals(m.getString("type"))) {
          validSignal("auth-status", m);
        }
        seen.add(m.getString("type"));
      }
      assertEquals((short) 4401, code.get(10, TimeUnit.SECONDS));
    }
    WebSocketConnectOptions o2 = ws("/v1/signal").addSubProtocol("tandem.v1");
    try (WsClient s = new WsClient(vertx, o2.addSubProtocol("tandem.bearer." + hs.token("ann", grants(), 600)))) {
      s.send(new JsonObject().put("type", "join").put("room", "call:team-a"));
      s.next(m -> "joined".equals(m.getString("type")));
      JsonObject fewer = new JsonObject().put("rooms", new JsonObject().put("call:other", "join"));
      JsonObject refresh = new JsonObject().put("type", "auth").put("token", hs.token("ann", fewer, 600));
      validSignal("auth", refresh);
      s.send(refresh);
      validSignal("auth-status", s.next(m -> "auth".equals(m.getString("type"))));
      JsonObject left = validSignal("error", s.next(m -> "error".equals(m.getString("type"))));
      assertEquals("FORBIDDEN", left.getString("code"));
      assertEquals("call:team-a", left.getString("room"));
      s.send(new JsonObject().put("type", "broadcast").put("room", "call:team-a").put("data", new JsonObject()));
      assertEquals("NOT_IN_ROOM", s.next(m -> "error".equals(m.getString("type"))).getString("code"));
      s.send(new JsonObject().put("type", "auth").put("token", "garbage"));
      assertEquals("UNAUTHORIZED", s.next(m -> "error".equals(m.getString("type"))).getString("code"));
    }
  }

  @Test
  void aRefreshWithFewerGrantsEndsWhatItNoLongerCovers() throws Exception {
    String d = "f-" + id();
    try (WsClient c = docs(hs.token("ann", grants(), 600))) {
      c.send(create("notes", d, 1));
      reply(c, "op");
      c.send(new JsonObject().put("a", "s").put("c", "notes").put("d", d));
      reply(c, "s");
      c.send(new JsonObject().put("a", "ps").put("ch", "notes." + d).put("seq", 1));
      reply(c, "ps");
      JsonObject fewer = new JsonObject().put("docs", new JsonObject().put("notes/secret", "read"));
      c.send(new JsonObject().put("a", "auth").put("token", hs.token("ann", fewer, 600)));
      JsonObject accepted = reply(c, "auth");
      assertEquals("read", accepted.getJsonObject("tandem").getJsonObject("docs").getString("notes/secret"));
      assertDenied(c.next(m -> "op".equals(m.getString("a")) && d.equals(m.getString("d"))), "notes/" + d);
      assertDenied(reply(c, "pu"), "notes/" + d);
      // and now the doors are the new token's
      c.send(edit("notes", d, 1, 2, "no"));
      assertDenied(reply(c, "op"), "notes/" + d);
      // a token for someone else is refused; the connection stays
      c.send(new JsonObject().put("a", "auth").put("token", hs.token("bob", grants(), 600)));
      assertEquals("ERR_ACCESS_DENIED", valid("refused", reply(c, "auth")).getJsonObject("error").getString("code"));
      c.send(new JsonObject().put("a", "auth").put("token", "garbage"));
      assertEquals("ERR_UNAUTHORIZED", valid("refused", reply(c, "auth")).getJsonObject("error").getString("code"));
    }
  }

  @Test
  void keysRotateByRewritingTheKeysFileWhileClientsStayConnected() throws Exception {
    TestTokens next = TestTokens.rs256(vertx, "rsa-2");
    String old = rsa.token("ann", grants(), 600);
    try (WsClient connected = docs(old)) {
      Files.writeString(keys, next.keysFileEntry() + ec.keysFileEntry());
      String fresh = next.token("ann", grants(), 600);
      long deadline = System.currentTimeMillis() + 10_000;
      while (handshakeStatus(ws("/v1/docs?access_token=" + fresh)) != 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(0, handshakeStatus(ws("/v1/docs?access_token=" + fresh)), "the new key is in force");
      assertEquals(401, handshakeStatus(ws("/v1/docs?access_token=" + old)), "the old key is gone");
      // the connected client goes on, and refreshes with a token of the new key
      connected.send(new JsonObject().put("a", "pp"));
      assertNotNull(reply(connected, "pp"));
      connected.send(new JsonObject().put("a", "auth").put("token", fresh));
      assertEquals("ann", reply(connected, "auth").getString("user"));
    } finally {
      Files.writeString(keys, rsa.keysFileEntry() + ec.keysFileEntry());
    }
  }

  @Test
  void foreignOriginsAndUnknownHostsAreRefused() throws Exception {
    String t = hs.token("ann", grants(), 600);
    WebSocketConnectOptions evil = ws("/v1/docs?access_token=" + t).addHeader("Origin", "http://evil.test");
    assertEquals(403, handshakeStatus(evil));
    assertEquals(403, handshakeStatus(ws("/v1/signal?access_token=" + t).addHeader("Origin", "null")));
    assertEquals(0, handshakeStatus(ws("/v1/docs?access_token=" + t).addHeader("Origin", "http://127.0.0.1:" + port)));
    assertEquals(403, http("PUT", "/v1/docs/notes/o-" + id(), t, "x", "Origin", "http://evil.test").statusCode());
    assertEquals(200, http("GET", "/v1/docs/notes/secret", t, null, "Origin", "http://evil.test").statusCode(),
        "reads carry no Origin check (nothing changes; the token is not a cookie)");
    assertEquals(403, raw("GET / HTTP/1.1\r\nHost: rebound.evil.test\r\nConnection: close\r\n\r\n"));
    assertEquals(403, raw("GET /v1/docs?access_token=" + t + " HTTP/1.1\r\nHost: rebound.evil.test\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n\r\n"));
    assertEquals(200, raw("GET / HTTP/1.1\r\nHost: localhost:" + port + "\r\nConnection: close\r\n\r\n"));
    // jwt mode mints no tokens.
    assertEquals(404, http("POST", "/v1/dev/token", null, "{\"user\":\"ann\"}").statusCode());
  }
}
