package dev.tandem.bench;

import dev.tandem.access.AccessConfig;
import dev.tandem.access.DocLevel;
import dev.tandem.access.Grants;
import dev.tandem.access.Principal;
import dev.tandem.access.TokenRefused;
import dev.tandem.access.TokenVerifier;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What access control costs: token verification per connection (HS256, RS256, ES256, and a
 * remembered token), the grant decision per message, and ops throughput of the standalone
 * server with auth off ({@code dev}, no token) and on ({@code jwt}, a token per writer).
 *
 * <p>Usage (after {@code mvn package}):
 * {@code java -cp bench/target/tandem-bench.jar dev.tandem.bench.AuthBench [--quick]}
 */
public final class AuthBench {

  private static final String SECRET = "a-bench-secret-of-at-least-32-bytes!!";

  private AuthBench() {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--quick");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      verification(vertx, quick ? 2_000 : 20_000);
      decisions(quick ? 1_000_000 : 10_000_000);
      throughput(vertx, quick);
    } finally {
      vertx.close();
    }
  }

  private static void verification(Vertx vertx, int n) throws Exception {
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGen.generateKeyPair();
    Path keys = Files.createTempFile("bench-keys", ".pem");
    Files.writeString(keys, "kid: r\n" + pem("PUBLIC KEY", rsa.getPublic().getEncoded()) + "kid: e\n"
        + pem("PUBLIC KEY", ec.getPublic().getEncoded()));
    AccessConfig config = AccessConfig.fromEnv(Map.of("TANDEM_AUTH", "jwt", "TANDEM_JWT_SECRET", SECRET,
        "TANDEM_JWT_KEYS", keys.toString()), "127.0.0.1");
    TokenVerifier verifier = new TokenVerifier(vertx, config);
    JWTAuth hs = signer(vertx, new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET));
    JWTAuth rs = signer(vertx, new PubSecKeyOptions().setAlgorithm("RS256").setId("r")
        .setBuffer(pem("PRIVATE KEY", rsa.getPrivate().getEncoded())));
    JWTAuth es = signer(vertx, new PubSecKeyOptions().setAlgorithm("ES256").setId("e")
        .setBuffer(pem("PRIVATE KEY", ec.getPrivate().getEncoded())));
    for (Object[] kind : new Object[][] {{"HS256", hs, null}, {"RS256", rs, "r"}, {"ES256", es, "e"}}) {
      List<String> tokens = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        JWTOptions o = new JWTOptions().setAlgorithm((String) kind[0]).setExpiresInSeconds(3600);
        if (kind[2] != null) {
          o.setHeader(new JsonObject().put("kid", kind[2]));
        }
        tokens.add(((JWTAuth) kind[1]).generateToken(new JsonObject().put("sub", "user-" + i).put("aud", "tandem")
            .put("tandem", new JsonObject().put("docs", new JsonObject().put("notes/*", "write"))), o));
      }
      // A warm-up on another verifier; then each token is new to a fresh one: every call verifies a signature.
      long now = System.currentTimeMillis();
      for (int i = 0; i < Math.min(n, 1000); i++) {
        verifier.verify(tokens.get(i), now);
      }
      TokenVerifier fresh = new TokenVerifier(vertx, config);
      long t = System.nanoTime();
      for (String token : tokens) {
        fresh.verify(token, now);
      }
      double perConn = (System.nanoTime() - t) / 1e3 / n;
      long c = System.nanoTime();
      for (int r = 0; r < 10; r++) {
        fresh.verify(tokens.get(tokens.size() - 1), now);
      }
      double cached = (System.nanoTime() - c) / 1e3 / 10;
      System.out.printf(Locale.ROOT, "token verification %s: %.1f us per connection (a remembered token: %.2f us)%n",
          kind[0], perConn, cached);
    }
    Files.deleteIfExists(keys);
  }

  private static void decisions(int n) throws TokenRefused {
    for (int patterns : new int[] {1, 10, 100}) {
      JsonObject docs = new JsonObject();
      for (int i = 0; i < patterns - 1; i++) {
        docs.put("team-" + i + "/*", "read");
      }
      docs.put("notes/*", "write");
      Principal p = new Principal("ann", java.util.Optional.empty(), Grants.parse(new JsonObject().put("docs", docs)),
          java.util.Optional.empty(), java.util.Optional.empty());
      long sink = 0;
      for (int i = 0; i < n / 10; i++) {
        sink += p.doc("notes", "doc-" + (i & 1023)).ordinal();
      }
      long t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += p.doc("notes", "doc-" + (i & 1023)).allows(DocLevel.WRITE) ? 1 : 0;
      }
      double ns = (System.nanoTime() - t) / (double) n;
      System.out.printf(Locale.ROOT, "grant decision per message, %d patterns: %.0f ns (%d)%n", patterns, ns,
          sink % 2);
    }
  }

  private static void throughput(Vertx vertx, boolean quick) throws Exception {
    Path jar = Path.of("").toAbsolutePath().resolve("standalone/target/tandem.jar");
    if (!Files.exists(jar)) {
      System.out.println("throughput: build first (" + jar + " is missing)");
      return;
    }
    LoadGen.Scenario s = new LoadGen.Scenario("100 docs x 2 writers", 100, 2, quick ? 3 : 8, quick ? 5 : 20, 0);
    JWTAuth hs = signer(vertx, new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET));
    String token = hs.generateToken(new JsonObject().put("sub", "bench").put("aud", "tandem")
        .put("tandem", new JsonObject().put("docs", new JsonObject().put("load/*", "write"))),
        new JWTOptions().setExpiresInSeconds(3600));
    // Off, on, on, off: a machine whose load drifts during the runs biases neither side.
    Map<String, String> offEnv = Map.of("TANDEM_AUTH", "dev");
    Map<String, String> onEnv = Map.of("TANDEM_AUTH", "jwt", "TANDEM_JWT_SECRET", SECRET);
    String onPath = "/v1/docs?access_token=" + token;
    double off = run(vertx, jar, offEnv, "/v1/docs", s);
    double on = run(vertx, jar, onEnv, onPath, s);
    on = (on + run(vertx, jar, onEnv, onPath, s)) / 2;
    off = (off + run(vertx, jar, offEnv, "/v1/docs", s)) / 2;
    System.out.printf(Locale.ROOT, "ops throughput (mean of two runs each): auth off %.0f ops/s, auth on %.0f ops/s"
        + " (%+.1f%%); machine load average %.1f%n", off, on, (on - off) / off * 100,
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static double run(Vertx vertx, Path jar, Map<String, String> env, String path, LoadGen.Scenario s)
      throws Exception {
    Path data = Files.createTempDirectory("tandem-authbench-");
    int port = LoadBench.freePort();
    ProcessBuilder pb = new ProcessBuilder("java", "-Xmx512m", "-jar", jar.toString(), "--port", String.valueOf(port),
        "--data-dir", data.toString(), "--partitions", "2").redirectErrorStream(true)
        .redirectOutput(data.resolve("server.log").toFile());
    pb.environment().putAll(env);
    Process server = pb.start();
    try {
      LoadBench.awaitHealthy(port);
      LoadGen.Result r = new LoadGen(vertx, env.get("TANDEM_AUTH"), "127.0.0.1", port).withPath(path).run(s);
      System.out.println(r);
      if (r.errors() > 0) {
        throw new IllegalStateException(r.errors() + " errors with " + env.get("TANDEM_AUTH"));
      }
      return r.opsPerSecond();
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  private static JWTAuth signer(Vertx vertx, PubSecKeyOptions key) {
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key));
  }

  private static String pem(String what, byte[] der) {
    return "-----BEGIN " + what + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + what + "-----\n";
  }
}
