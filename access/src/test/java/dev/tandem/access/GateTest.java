package dev.tandem.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The door's decisions without a server: modes, hosts, origins, identity, token transport. */
class GateTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static Gate gate(Map<String, String> env, String listen) {
    AccessConfig c = AccessConfig.fromEnv(env, listen);
    return new Gate(c, new TokenVerifier(vertx, c), false);
  }

  private static MultiMap headers(String... kv) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < kv.length; i += 2) {
      m.add(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void devOnlyOnLoopbackUnlessExplicit() {
    assertEquals(AuthMode.DEV, AccessConfig.fromEnv(Map.of(), "127.0.0.1").mode());
    assertEquals(AuthMode.DEV, AccessConfig.fromEnv(Map.of(), "localhost").mode());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccessConfig.fromEnv(Map.of(), "0.0.0.0"));
    assertTrue(e.getMessage().contains("TANDEM_AUTH=dev"), e.getMessage());
    assertEquals(AuthMode.DEV, AccessConfig.fromEnv(Map.of("TANDEM_AUTH", "dev"), "0.0.0.0").mode());
    assertEquals(AuthMode.JWT, AccessConfig.fromEnv(Map.of("TANDEM_JWT_SECRET", "x".repeat(32)), "0.0.0.0").mode());
    assertThrows(IllegalArgumentException.class, () -> AccessConfig.fromEnv(Map.of("TANDEM_AUTH", "open"), "127.0.0.1"));
    assertThrows(IllegalArgumentException.class, () -> AccessConfig.fromEnv(
        Map.of("TANDEM_AUTH", "jwt", "TANDEM_JWT_SECRET", "short"), "127.0.0.1"));
  }

  @Test
  void devServesRequestsWithoutATokenAsAnAnonymousUserWithEveryGrant() {
    Gate g = gate(Map.of(), "127.0.0.1");
    Admission a = g.admit(headers("Host", "127.0.0.1:8080"), "/v1/docs?user=ann", Gate.Kind.SOCKET, 0);
    Principal p = ((Admission.Admitted) a).principal();
    assertEquals("ann", p.user());
    assertEquals(DocLevel.WRITE, p.doc("any", "doc"));
    assertEquals("anonymous", ((Admission.Admitted) g.admit(headers("Host", "localhost"), "/v1/docs", Gate.Kind.READ, 0))
        .principal().user());
    Admission bidi = g.admit(headers("Host", "localhost"), "/v1/docs?user=ann%E2%80%AEx", Gate.Kind.SOCKET, 0);
    assertEquals(400, ((Admission.Refused) bidi).status());
    // A token, when present, is enforced in dev too.
    Admission bad = g.admit(headers("Host", "localhost", "Authorization", "Bearer nope"), "/v1/docs", Gate.Kind.READ, 0);
    assertEquals(401, ((Admission.Refused) bad).status());
  }

  @Test
  void aDevTokenCarriesItsGrants() {
    AccessConfig c = AccessConfig.fromEnv(Map.of(), "127.0.0.1");
    Gate g = new Gate(c, new TokenVerifier(vertx, c), false);
    String t = new DevTokens(vertx, c).mint("ann", new io.vertx.core.json.JsonObject()
        .put("docs", new io.vertx.core.json.JsonObject().put("notes/*", "read")), 60);
    Principal p = ((Admission.Admitted) g.admit(headers("Host", "localhost"), "/v1/docs?access_token=" + t,
        Gate.Kind.SOCKET, System.currentTimeMillis())).principal();
    assertEquals("ann", p.user());
    assertEquals(DocLevel.READ, p.doc("notes", "x"));
    assertEquals(DocLevel.NONE, p.doc("board", "x"));
    assertFalse(p.grants().anyRoom());
  }

  @Test
  void jwtRefusesARequestWithoutAToken() {
    Gate g = gate(Map.of("TANDEM_AUTH", "jwt", "TANDEM_JWT_SECRET", "x".repeat(32)), "127.0.0.1");
    Admission a = g.admit(headers("Host", "localhost"), "/v1/docs?user=ann", Gate.Kind.SOCKET, 0);
    assertEquals(401, ((Admission.Refused) a).status());
  }

  @Test
  void hostsAreThoseConfigured() {
    Gate g = gate(Map.of(), "127.0.0.1");
    assertTrue(g.hostServed("localhost:8080"));
    assertTrue(g.hostServed("127.0.0.1"));
    assertTrue(g.hostServed("[::1]:8080"));
    assertFalse(g.hostServed("evil.test"));
    assertFalse(g.hostServed("evil.test:8080"));
    Gate pub = gate(Map.of("TANDEM_PUBLIC_HOSTS", "docs.example.com"), "127.0.0.1");
    assertTrue(pub.hostServed("docs.example.com:443"));
    assertFalse(pub.hostServed("localhost"));
    Admission a = g.admit(headers("Host", "evil.test"), "/v1/docs", Gate.Kind.READ, 0);
    assertEquals(403, ((Admission.Refused) a).status());
  }

  @Test
  void originsDefaultToTheServersOwn() {
    Gate g = gate(Map.of(), "127.0.0.1");
    assertTrue(g.originAllowed("http://localhost:8080", "localhost:8080"));
    assertFalse(g.originAllowed("http://localhost:9999", "localhost:8080"));
    assertFalse(g.originAllowed("null", "localhost:8080"));
    assertFalse(g.originAllowed("https://localhost:8080", "localhost:8080"));
    Gate listed = gate(Map.of("TANDEM_ALLOWED_ORIGINS", "https://app.example.com, http://localhost:3000"), "127.0.0.1");
    assertTrue(listed.originAllowed("https://app.example.com", "localhost:8080"));
    assertFalse(listed.originAllowed("http://localhost:8080", "localhost:8080"));
    Admission a = g.admit(headers("Host", "localhost:8080", "Origin", "http://evil.test"), "/v1/docs", Gate.Kind.SOCKET, 0);
    assertEquals(403, ((Admission.Refused) a).status());
    // A read carries no origin check: it changes nothing and a token is not sent by the browser on its own.
    assertTrue(g.admit(headers("Host", "localhost:8080", "Origin", "http://evil.test"), "/v1/docs/a/b", Gate.Kind.READ, 0)
        instanceof Admission.Admitted);
  }

  @Test
  void theUserHeaderIsHonouredOnlyWhenTrusted() {
    Gate untrusted = gate(Map.of(), "127.0.0.1");
    assertEquals("anonymous", ((Admission.Admitted) untrusted.admit(headers("Host", "localhost", Gate.USER_HEADER, "ann"),
        "/", Gate.Kind.READ, 0)).principal().user());
    Gate trusted = gate(Map.of("TANDEM_TRUST_USER_HEADER", "true"), "127.0.0.1");
    assertEquals("ann", ((Admission.Admitted) trusted.admit(headers("Host", "localhost", Gate.USER_HEADER, "ann"),
        "/", Gate.Kind.READ, 0)).principal().user());
  }

  @Test
  void aTokenIsFoundInEachTransportAndNeverTwiceDifferently() {
    assertEquals("t1", BearerToken.find(headers("Authorization", "Bearer t1"), "/").orElseThrow());
    assertEquals("t2", BearerToken.find(headers("Sec-WebSocket-Protocol", "tandem.v1, tandem.bearer.t2"), "/").orElseThrow());
    assertEquals("t3", BearerToken.find(headers(), "/v1/docs?access_token=t3").orElseThrow());
    assertThrows(IllegalArgumentException.class, () -> BearerToken.find(headers("Authorization", "Bearer a"),
        "/?access_token=b"));
    assertThrows(IllegalArgumentException.class, () -> BearerToken.find(headers("Authorization", "Basic a"), "/"));
    assertEquals("/v1/docs?access_token=(hidden)&user=ann", BearerToken.redact("/v1/docs?access_token=secret&user=ann"));
  }

  @Test
  void claimedNamesMayBeAnyUnicodeButNoFormatCharacters() {
    assertEquals("Zoë 李", UserNames.claimed("Zoë 李"));
    assertThrows(IllegalArgumentException.class, () -> UserNames.claimed("ann\u202Eboss"));
    assertThrows(IllegalArgumentException.class, () -> UserNames.claimed("a\u200Db"));
    assertThrows(IllegalArgumentException.class, () -> UserNames.claimed("a\nb"));
    assertThrows(IllegalArgumentException.class, () -> UserNames.plain("аnn"));
  }
}
