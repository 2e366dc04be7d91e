package dev.tandem.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JWKS keys file: keys chosen by kid, a rewrite takes effect, a broken rewrite keeps the old keys. */
class KeysFileTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  private static String b64(BigInteger n, int bytes) {
    byte[] raw = n.toByteArray();
    byte[] out = new byte[bytes];
    int copy = Math.min(raw.length, bytes);
    System.arraycopy(raw, raw.length - copy, out, bytes - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
  }

  private static JsonObject ecJwk(KeyPair pair, String kid) {
    ECPublicKey k = (ECPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "EC").put("crv", "P-256").put("kid", kid).put("use", "sig")
        .put("x", b64(k.getW().getAffineX(), 32)).put("y", b64(k.getW().getAffineY(), 32));
  }

  private static JsonObject rsaJwk(KeyPair pair, String kid) {
    RSAPublicKey k = (RSAPublicKey) pair.getPublic();
    byte[] n = k.getModulus().toByteArray();
    int skip = n[0] == 0 ? 1 : 0;
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", "RS256").put("use", "sig")
        .put("n", Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOfRange(n, skip, n.length)))
        .put("e", Base64.getUrlEncoder().withoutPadding().encodeToString(k.getPublicExponent().toByteArray()));
  }

  private static String sign(KeyPair pair, String alg, String kid) {
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm(alg).setBuffer(pem).setId(kid)));
    return signer.generateToken(new JsonObject().put("sub", "ann").put("aud", "tandem"),
        new JWTOptions().setAlgorithm(alg).setExpiresInSeconds(600).setHeader(new JsonObject().put("kid", kid)));
  }

  @Test
  void aJwksIsReadByKidAndRotates(@TempDir Path dir) throws Exception {
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGen.generateKeyPair();
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    KeyPair next = ecGen.generateKeyPair();
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, new JsonObject().put("keys", new JsonArray().add(ecJwk(ec, "e1")).add(rsaJwk(rsa, "r1")))
        .encode());
    AccessConfig c = AccessConfig.fromEnv(Map.of("TANDEM_AUTH", "jwt", "TANDEM_JWT_KEYS", file.toString()), "127.0.0.1");
    TokenVerifier v = new TokenVerifier(vertx, c);
    long now = System.currentTimeMillis();
    assertEquals("ann", v.verify(sign(ec, "ES256", "e1"), now).user());
    assertEquals("ann", v.verify(sign(rsa, "RS256", "r1"), now).user());
    String later = sign(next, "ES256", "e2");
    assertThrows(TokenRefused.class, () -> v.verify(later, now));

    Files.writeString(file, new JsonObject().put("keys", new JsonArray().add(ecJwk(next, "e2"))).encode());
    assertTrue(v.reloadIfChanged(file));
    assertEquals("ann", v.verify(later, now).user());
    String old = sign(ec, "ES256", "e1");
    assertThrows(TokenRefused.class, () -> v.verify(old, now), "a key taken out of the file no longer verifies");

    Files.writeString(file, "{\"keys\": [ broken");
    assertFalse(v.reloadIfChanged(file));
    assertEquals("ann", v.verify(later, now).user(), "a broken rewrite keeps the keys in force");
  }
}
