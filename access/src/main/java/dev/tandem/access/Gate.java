package dev.tandem.access;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The door every WebSocket handshake and HTTP request passes: the {@code Host} must be served
 * (DNS rebinding), a browser's {@code Origin} must be allowed for sockets and state-changing
 * requests, and the token (or, in {@code dev}, its absence) decides who the request acts for.
 * Plain Java over headers, so it is tested without a server.
 */
public final class Gate {

  /** What kind of request passes: origins are checked for sockets and changes, not for reads. */
  public enum Kind { SOCKET, READ, CHANGE }

  public static final String USER_HEADER = "X-Tandem-User";
  public static final String ACCESS_DENIED = "ERR_ACCESS_DENIED";
  public static final String UNAUTHORIZED = "ERR_UNAUTHORIZED";
  public static final String FORBIDDEN_ORIGIN = "ERR_FORBIDDEN_ORIGIN";
  public static final String UNKNOWN_HOST = "ERR_UNKNOWN_HOST";
  public static final String BAD_REQUEST = "ERR_MESSAGE_BADLY_FORMED";

  private final AccessConfig config;
  private final TokenVerifier verifier;
  private final boolean tls;

  public Gate(AccessConfig config, TokenVerifier verifier, boolean tls) {
    this.config = config;
    this.verifier = verifier;
    this.tls = tls;
  }

  public AccessConfig config() {
    return config;
  }

  public TokenVerifier verifier() {
    return verifier;
  }

  /** The decision for a request with {@code headers} to {@code uri}. */
  public Admission admit(MultiMap headers, String uri, Kind kind, long nowMillis) {
    return admit(headers.get("Host"), headers, uri, kind, nowMillis);
  }

  /**
   * The same with the {@code host} the request names (its {@code Host} header, or its
   * {@code :authority} over HTTP/2, where there is no Host header).
   */
  public Admission admit(String host, MultiMap headers, String uri, Kind kind, long nowMillis) {
    if (host == null || !hostServed(host)) {
      return new Admission.Refused(403, UNKNOWN_HOST, "this server does not serve the host " + host);
    }
    if (kind != Kind.READ) {
      String origin = headers.get("Origin");
      if (origin != null && !originAllowed(origin, host)) {
        return new Admission.Refused(403, FORBIDDEN_ORIGIN, "pages from origin " + origin + " may not "
            + (kind == Kind.SOCKET ? "open sockets here" : "change documents here"));
      }
    }
    Optional<String> token;
    try {
      token = BearerToken.find(headers, uri);
    } catch (IllegalArgumentException e) {
      return new Admission.Refused(401, UNAUTHORIZED, e.getMessage());
    }
    Principal p;
    if (token.isPresent()) {
      try {
        p = verifier.verify(token.get(), nowMillis);
      } catch (TokenRefused e) {
        return new Admission.Refused(401, UNAUTHORIZED, e.getMessage());
      }
    } else if (config.mode() == AuthMode.DEV) {
      try {
        p = Principal.anonymous(devUser(uri).orElse("anonymous"));
      } catch (IllegalArgumentException e) {
        return new Admission.Refused(400, BAD_REQUEST, e.getMessage());
      }
    } else {
      return new Admission.Refused(401, UNAUTHORIZED, "a token is required (Authorization: Bearer, the "
          + "subprotocol " + BearerToken.PREFIX + "TOKEN, or ?access_token=)");
    }
    if (config.trustUserHeader() && headers.get(USER_HEADER) != null) {
      try {
        String user = UserNames.claimed(headers.get(USER_HEADER));
        p = new Principal(user, p.name(), p.grants(), p.expires(), p.token());
      } catch (IllegalArgumentException e) {
        return new Admission.Refused(400, BAD_REQUEST, e.getMessage());
      }
    }
    return new Admission.Admitted(p);
  }

  private static Optional<String> devUser(String uri) {
    if (!uri.contains("user=")) {
      return Optional.empty();
    }
    List<String> q = new QueryStringDecoder(uri).parameters().get("user");
    if (q == null || q.isEmpty()) {
      return Optional.empty();
    }
    if (q.size() > 1) {
      throw new IllegalArgumentException("name the user once");
    }
    return Optional.of(UserNames.plain(q.get(0)));
  }

  /** Whether {@code hostHeader} (name and optional port) is one this server is configured for. */
  public boolean hostServed(String hostHeader) {
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (config.publicHosts().contains(h)) {
      return true;
    }
    return config.publicHosts().contains(hostName(h));
  }

  private static String hostName(String h) {
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(1, end);
    }
    int colon = h.lastIndexOf(':');
    return colon < 0 || h.indexOf(':') != colon ? h : h.substring(0, colon);
  }

  /** The configured origins, or else exactly this server's own ({@code scheme://Host}). */
  public boolean originAllowed(String origin, String hostHeader) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    if (!config.allowedOrigins().isEmpty()) {
      return config.allowedOrigins().stream().anyMatch(a -> a.equalsIgnoreCase(o) || a.equals("*") && !o.equals("null"));
    }
    return o.equals((tls ? "https://" : "http://") + hostHeader.trim().toLowerCase(Locale.ROOT));
  }
}
