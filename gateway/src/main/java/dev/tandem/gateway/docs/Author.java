package dev.tandem.gateway.docs;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Optional;

/**
 * Who makes a connection's or a request's edits, as far as the gateway knows: the
 * {@code X-Tandem-User} header an authenticating proxy in front of Tandem sets, else the
 * {@code user} query parameter a client names itself with. Recorded with every op (history,
 * per-user stats); it grants nothing. At most {@value #MAX_LENGTH} characters, no control
 * characters, no lone surrogates.
 */
public final class Author {

  public static final String HEADER = "X-Tandem-User";
  static final int MAX_LENGTH = 64;

  private Author() {}

  /** The user, empty when none is named; {@link IllegalArgumentException} for a malformed one. */
  public static Optional<String> of(MultiMap headers, String uri) {
    String header = headers.get(HEADER);
    if (header != null) {
      return Optional.of(check(header));
    }
    List<String> query = new QueryStringDecoder(uri).parameters().get("user");
    if (query == null || query.isEmpty()) {
      return Optional.empty();
    }
    if (query.size() > 1) {
      throw new IllegalArgumentException("name the user once");
    }
    return Optional.of(check(query.get(0)));
  }

  private static String check(String user) {
    if (user.isBlank() || user.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("a user name has 1 to " + MAX_LENGTH + " characters");
    }
    if (user.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("a user name has no control characters");
    }
    if (RequestDecoder.loneSurrogate(user)) {
      throw new IllegalArgumentException("a user name is valid Unicode (no lone surrogates)");
    }
    return user;
  }
}
