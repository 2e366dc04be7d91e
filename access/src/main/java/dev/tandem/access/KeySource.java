package dev.tandem.access;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The verification keys of a {@code TANDEM_JWT_KEYS} file, added to vertx-auth-jwt's options: a
 * JWKS ({@code {"keys": [...]}}, each key chosen by its {@code kid}), or PEM public keys
 * ({@code -----BEGIN PUBLIC KEY-----}), RSA (RS256) or EC P-256 (ES256), each optionally
 * preceded by a line {@code kid: NAME}. A key without a {@code kid} verifies tokens without one.
 */
final class KeySource {

  private static final Pattern PEM = Pattern.compile(
      "(?:^|\\n)(?:kid:\\s*(\\S+)\\s*\\n)?\\s*(-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\\s]+-----END PUBLIC KEY-----)");

  private KeySource() {}

  /** Adds the keys in {@code text} to {@code options}; {@link IllegalArgumentException} when it holds none. */
  static int addTo(JWTAuthOptions options, String text) {
    String t = text.trim();
    if (t.startsWith("{")) {
      JsonArray keys = new JsonObject(t).getJsonArray("keys");
      if (keys == null || keys.isEmpty()) {
        throw new IllegalArgumentException("the JWKS has no keys");
      }
      for (Object k : keys) {
        JsonObject jwk = ((JsonObject) k).copy();
        if (!jwk.containsKey("alg")) {
          jwk.put("alg", "EC".equals(jwk.getString("kty")) ? "ES256" : "RS256");
        }
        options.addJwk(jwk);
      }
      return keys.size();
    }
    Matcher m = PEM.matcher(t.replace("\r", ""));
    int n = 0;
    while (m.find()) {
      String pem = m.group(2);
      PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm(algorithm(pem)).setBuffer(pem);
      if (m.group(1) != null) {
        key.setId(m.group(1));
      }
      options.addPubSecKey(key);
      n++;
    }
    if (n == 0) {
      throw new IllegalArgumentException("no JWKS and no PEM public key in the keys file");
    }
    return n;
  }

  /** RS256 for an RSA key, ES256 for an EC key: what the key can verify. */
  private static String algorithm(String pem) {
    byte[] der = Base64.getMimeDecoder().decode(pem.replace("-----BEGIN PUBLIC KEY-----", "")
        .replace("-----END PUBLIC KEY-----", ""));
    for (String[] kind : new String[][] {{"RSA", "RS256"}, {"EC", "ES256"}}) {
      try {
        KeyFactory.getInstance(kind[0]).generatePublic(new X509EncodedKeySpec(der));
        return kind[1];
      } catch (java.security.GeneralSecurityException e) {
        // not this kind; try the next
      }
    }
    throw new IllegalArgumentException("a PEM public key in the keys file is neither RSA nor EC");
  }
}
