package dev.tandem.access;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies tokens with vertx-auth-jwt against every configured key: {@code TANDEM_JWT_SECRET}
 * (HS256), the keys file (RS256/ES256 by {@code kid}) and, in {@code dev} mode, the server's own
 * dev secret (kid {@value DevTokens#KID}). Signature, {@code exp}, {@code nbf}, {@code aud} and
 * {@code iss} are the library's checks; {@code sub}, {@code exp}, {@code name} and the grants
 * are checked here. A verified token is remembered until its expiry or the next key change,
 * so a connection costs one verification, not two (handshake and socket).
 */
public final class TokenVerifier {

  private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);
  /** A token is a header value: beyond this it is refused before any parsing. */
  public static final int MAX_TOKEN_CHARS = 8192;
  private static final int CACHE = 4096;

  private final Vertx vertx;
  private final AccessConfig config;
  private final Map<String, Principal> verified = new ConcurrentHashMap<>();
  private volatile JWTAuth auth;
  private volatile String keysText = "";

  public TokenVerifier(Vertx vertx, AccessConfig config) {
    this.vertx = vertx;
    this.config = config;
    config.keysFile().ifPresent(f -> keysText = read(f).orElseThrow(() ->
        new IllegalArgumentException("TANDEM_JWT_KEYS " + f + " cannot be read")));
    this.auth = build(keysText);
  }

  /** Watches the keys file, re-reading it (on a worker) when its content changes. */
  public void watchKeys() {
    config.keysFile().ifPresent(f -> vertx.setPeriodic(config.keysPoll().toMillis(), id ->
        vertx.executeBlocking(() -> reloadIfChanged(f), false)));
  }

  /** Re-reads the keys file now when its content changed; true when the keys changed. */
  public boolean reloadIfChanged(Path file) {
    Optional<String> text = read(file);
    if (text.isEmpty() || text.get().equals(keysText)) {
      return false;
    }
    try {
      JWTAuth next = build(text.get());
      keysText = text.get();
      auth = next;
      verified.clear();
      LOG.info("JWT keys re-read from {}", file);
      return true;
    } catch (RuntimeException e) {
      LOG.warn("JWT keys file {} is not usable ({}); keeping the keys it had", file, e.getMessage());
      return false;
    }
  }

  private static Optional<String> read(Path f) {
    try {
      return Optional.of(Files.readString(f));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private JWTAuth build(String keys) {
    JWTOptions checks = new JWTOptions().setAudience(java.util.List.of(config.audience()));
    config.issuer().ifPresent(checks::setIssuer);
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(checks);
    config.jwtSecret().ifPresent(s -> options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(s)));
    if (config.mode() == AuthMode.DEV) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.devSecret())
          .setId(DevTokens.KID));
    }
    if (!keys.isBlank()) {
      KeySource.addTo(options, keys);
    }
    return JWTAuth.create(vertx, options);
  }

  /** The principal {@code token} names, or what is wrong with it. Never blocks. */
  public Principal verify(String token, long nowMillis) throws TokenRefused {
    if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      throw new TokenRefused("a token has 1 to " + MAX_TOKEN_CHARS + " characters");
    }
    Principal known = verified.get(token);
    if (known != null) {
      if (known.expires().get().toEpochMilli() > nowMillis) {
        return known;
      }
      verified.remove(token);
      throw new TokenRefused("the token has expired");
    }
    Future<User> f;
    try {
      f = auth.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      throw new TokenRefused("the token is not a well-formed JWT");
    }
    if (!f.isComplete()) {
      throw new IllegalStateException("vertx-auth-jwt verifies synchronously; this version does not");
    }
    if (f.failed()) {
      throw new TokenRefused(reason(f.cause()));
    }
    Principal p = principal(f.result().attributes().getJsonObject("accessToken"), token);
    if (verified.size() >= CACHE) {
      verified.clear();
    }
    verified.put(token, p);
    return p;
  }

  private static String reason(Throwable e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("expired")) {
      return "the token has expired or is not valid yet (exp, nbf)";
    }
    if (m.contains("audience")) {
      return "the token is not for this service (aud)";
    }
    if (m.contains("issuer")) {
      return "the token is not from the expected issuer (iss)";
    }
    if (m.contains("format") || m.contains("Invalid") && !m.contains("Signature")) {
      return "the token is not a well-formed JWT";
    }
    return "the token's signature does not verify with any key of this server";
  }

  private Principal principal(JsonObject claims, String token) throws TokenRefused {
    if (claims == null) {
      throw new TokenRefused("the token has no claims");
    }
    if (!(claims.getValue("sub") instanceof String sub)) {
      throw new TokenRefused("the token names no user (sub)");
    }
    if (!(claims.getValue("exp") instanceof Number exp)) {
      throw new TokenRefused("the token has no expiry (exp)");
    }
    Object name = claims.getValue("name");
    if (name != null && !(name instanceof String)) {
      throw new TokenRefused("the token's name is not a string");
    }
    try {
      return new Principal(UserNames.claimed(sub), Optional.ofNullable((String) name).map(UserNames::claimed),
          Grants.parse(claims.getValue("tandem")), Optional.of(Instant.ofEpochSecond(exp.longValue())),
          Optional.of(token));
    } catch (IllegalArgumentException e) {
      throw new TokenRefused(e.getMessage());
    }
  }
}
