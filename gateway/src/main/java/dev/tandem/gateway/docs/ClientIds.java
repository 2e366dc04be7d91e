package dev.tandem.gateway.docs;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client ids ({@code src}) this gateway hands out, and the proof that a client owns one.
 *
 * <p>Each connection gets a secret id {@code ALIAS.MAC}: ALIAS is random, MAC is HMAC-SHA256 of
 * ALIAS under the gateway key, truncated to 128 bits, base64url. The log, the history and every
 * message other clients see carry only ALIAS, so what a client can copy from the fan-out proves
 * nothing; only the connection that was given the secret id (a sharedb client sends it back in
 * {@code hs} on reconnect, and as the {@code src} of an op it resends) can claim ALIAS again.
 * Gateways sharing the key accept each other's ids. Thread-safe.
 */
public final class ClientIds {

  private static final int ALIAS_BYTES = 12;
  private static final int MAC_BYTES = 16;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  /** An identity a connection may act as: the alias others see and the secret only it knows. */
  public record Identity(String alias, String secret) {}

  public ClientIds(String key) {
    this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** A fresh identity. */
  public Identity issue() {
    byte[] a = new byte[ALIAS_BYTES];
    random.nextBytes(a);
    String alias = B64.encodeToString(a);
    return new Identity(alias, alias + "." + B64.encodeToString(mac(alias)));
  }

  /** The identity {@code secret} proves, or empty when it is not a secret id this key issued. */
  public Optional<Identity> prove(String secret) {
    int dot = secret.indexOf('.');
    if (dot <= 0 || secret.length() > 64) {
      return Optional.empty();
    }
    String alias = secret.substring(0, dot);
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(secret.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return MessageDigest.isEqual(mac(alias), given) ? Optional.of(new Identity(alias, secret)) : Optional.empty();
  }

  private byte[] mac(String alias) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return Arrays.copyOf(m.doFinal(alias.getBytes(StandardCharsets.UTF_8)), MAC_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
    }
  }
}
