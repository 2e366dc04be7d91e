package dev.tandem.signal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * TURN credentials in coturn's REST form ({@code use-auth-secret}): the username is
 * {@code expiry:user} (expiry in Unix seconds), the password base64(HMAC-SHA1(secret, username)).
 * coturn, sharing the secret, recomputes the password and refuses expired usernames.
 */
public final class TurnCredentials {

  private final String secret;
  private final Duration ttl;
  private final List<String> turnUrls;
  private final List<String> stunUrls;

  public TurnCredentials(String secret, Duration ttl, List<String> turnUrls, List<String> stunUrls) {
    this.secret = secret;
    this.ttl = ttl;
    this.turnUrls = List.copyOf(turnUrls);
    this.stunUrls = List.copyOf(stunUrls);
  }

  public boolean enabled() {
    return secret != null && !secret.isEmpty();
  }

  /** A username for {@code user} valid until {@code nowMillis + ttl}. */
  public String username(String user, long nowMillis) {
    return username(user, nowMillis, Long.MAX_VALUE);
  }

  /** A username for {@code user} valid for the TTL, and never more than {@code maxSeconds}. */
  public String username(String user, long nowMillis, long maxSeconds) {
    long expiry = nowMillis / 1000 + ttlSeconds(maxSeconds);
    return expiry + ":" + user.replace(":", "_");
  }

  private long ttlSeconds(long maxSeconds) {
    return Math.max(0, Math.min(ttl.toSeconds(), maxSeconds));
  }

  public String password(String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA1 is not available", e);
    }
  }

  /** {@code {username, password, ttl, uris, iceServers}} for {@code GET /v1/turn-credentials}. */
  public ObjectNode response(String user, long nowMillis) {
    return response(user, nowMillis, Long.MAX_VALUE);
  }

  /** The same, valid for at most {@code maxSeconds} (what is left of the caller's token). */
  public ObjectNode response(String user, long nowMillis, long maxSeconds) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    if (enabled()) {
      String username = username(user, nowMillis, maxSeconds);
      o.put("username", username);
      o.put("password", password(username));
      o.put("ttl", ttlSeconds(maxSeconds));
      ArrayNode uris = o.putArray("uris");
      turnUrls.forEach(uris::add);
    }
    o.set("iceServers", iceServers(user, nowMillis, maxSeconds));
    return o;
  }

  /** RTCPeerConnection's {@code iceServers}: STUN, then TURN with credentials when a secret is set. */
  public ArrayNode iceServers(String user, long nowMillis) {
    return iceServers(user, nowMillis, Long.MAX_VALUE);
  }

  /** The same, TURN credentials valid for at most {@code maxSeconds}. */
  public ArrayNode iceServers(String user, long nowMillis, long maxSeconds) {
    ArrayNode servers = JsonNodeFactory.instance.arrayNode();
    if (!stunUrls.isEmpty()) {
      ArrayNode urls = servers.addObject().putArray("urls");
      stunUrls.forEach(urls::add);
    }
    if (enabled() && !turnUrls.isEmpty()) {
      String username = username(user, nowMillis, maxSeconds);
      ObjectNode turn = servers.addObject();
      ArrayNode urls = turn.putArray("urls");
      turnUrls.forEach(urls::add);
      turn.put("username", username);
      turn.put("credential", password(username));
    }
    return servers;
  }
}
