package dev.tandem.access;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Optional;

/**
 * Where a client puts its token: {@code Authorization: Bearer T} (HTTP), the WebSocket
 * subprotocol {@code tandem.bearer.T} offered beside {@value #SUBPROTOCOL} (browsers cannot set
 * headers on a WebSocket), or {@code ?access_token=T}. Never logged: {@link #redact} takes it out
 * of a URI before one is written anywhere.
 */
public final class BearerToken {

  /** The subprotocol the server selects when a client offers it. */
  public static final String SUBPROTOCOL = "tandem.v1";
  public static final String PREFIX = "tandem.bearer.";

  private BearerToken() {}

  /** The token of a request; {@link IllegalArgumentException} when it names several. */
  public static Optional<String> find(MultiMap headers, String uri) {
    Optional<String> found = Optional.empty();
    String authorization = headers.get("Authorization");
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw new IllegalArgumentException("Authorization takes a Bearer token");
      }
      found = one(found, authorization.substring(7).trim());
    }
    for (String offered : headers.getAll("Sec-WebSocket-Protocol")) {
      for (String p : offered.split(",")) {
        String s = p.trim();
        if (s.startsWith(PREFIX)) {
          found = one(found, s.substring(PREFIX.length()));
        }
      }
    }
    if (uri.contains("access_token")) {
      List<String> q = new QueryStringDecoder(uri).parameters().get("access_token");
      if (q != null) {
        for (String t : q) {
          found = one(found, t);
        }
      }
    }
    return found;
  }

  private static Optional<String> one(Optional<String> found, String token) {
    if (found.isPresent() && !found.get().equals(token)) {
      throw new IllegalArgumentException("a request carries one token, not several");
    }
    return Optional.of(token);
  }

  /** {@code uri} with any {@code access_token} value replaced, for logs. */
  public static String redact(String uri) {
    return uri == null ? null : uri.replaceAll("(?i)(access_token=)[^&#]*", "$1(hidden)");
  }
}
