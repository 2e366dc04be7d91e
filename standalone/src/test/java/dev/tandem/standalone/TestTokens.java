package dev.tandem.standalone;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * Token issuers for tests, signing with vertx-auth-jwt as a real issuer would: an HS256 secret,
 * or an RSA or EC key pair whose public half goes into the server's keys file.
 */
final class TestTokens {

  final String alg;
  final String kid;
  final KeyPair pair;
  private final JWTAuth signer;

  private TestTokens(Vertx vertx, String alg, String kid, KeyPair pair, String secret) {
    this.alg = alg;
    this.kid = kid;
    this.pair = pair;
    PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm(alg)
        .setBuffer(pair == null ? secret : pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    if (kid != null) {
      key.setId(kid);
    }
    this.signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key));
  }

  static TestTokens hs256(Vertx vertx, String secret) {
    return new TestTokens(vertx, "HS256", null, null, secret);
  }

  static TestTokens rs256(Vertx vertx, String kid) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return new TestTokens(vertx, "RS256", kid, g.generateKeyPair(), null);
  }

  static TestTokens es256(Vertx vertx, String kid) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return new TestTokens(vertx, "ES256", kid, g.generateKeyPair(), null);
  }

  /** The public key as a keys-file entry: {@code kid: K} then the PEM block. */
  String keysFileEntry() {
    return (kid == null ? "" : "kid: " + kid + "\n") + pem("PUBLIC KEY", pair.getPublic().getEncoded());
  }

  static String pem(String what, byte[] der) {
    return "-----BEGIN " + what + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + what + "-----\n";
  }

  /** Claims for {@code sub} with {@code grants}, expiring in {@code ttl} seconds, for audience tandem. */
  static JsonObject claims(String sub, JsonObject grants, long ttl) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("sub", sub).put("aud", "tandem").put("iss", AccessTest.ISSUER).put("exp", now + ttl)
        .put("tandem", grants);
  }

  /** A signed token with exactly {@code claims} (no claim added by the library). */
  String sign(JsonObject claims) {
    JWTOptions o = new JWTOptions().setAlgorithm(alg).setNoTimestamp(true);
    if (kid != null) {
      o.setHeader(new JsonObject().put("kid", kid));
    }
    return signer.generateToken(claims, o);
  }

  String token(String sub, JsonObject grants, long ttl) {
    return sign(claims(sub, grants, ttl));
  }
}
