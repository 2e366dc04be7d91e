package dev.tandem.access;

/**
 * The names a user goes by. A {@code ?user=} (dev only) is plain: 1 to 64 of ASCII letters,
 * digits and {@code . _ @ -}, so nobody passes for someone else with look-alike letters or a
 * bidi override. A token's {@code sub} and {@code name} come from a trusted issuer and may be
 * any Unicode, but never control or format characters (bidi overrides, zero-width joiners) or
 * lone surrogates, and at most 256 characters.
 */
public final class UserNames {

  static final int MAX_PLAIN = 64;
  static final int MAX_CLAIMED = 256;

  private UserNames() {}

  /** A name a client gives itself; {@link IllegalArgumentException} when it is not plain. */
  public static String plain(String user) {
    if (user == null || user.isEmpty() || user.length() > MAX_PLAIN) {
      throw new IllegalArgumentException("a user name has 1 to " + MAX_PLAIN + " characters");
    }
    for (int i = 0; i < user.length(); i++) {
      char c = user.charAt(i);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || ".-_@".indexOf(c) >= 0;
      if (!ok) {
        throw new IllegalArgumentException("a user name has only ASCII letters, digits and . _ @ -");
      }
    }
    return user;
  }

  /** A name from a token or a trusted proxy; {@link IllegalArgumentException} when unsafe to show. */
  public static String claimed(String user) {
    if (user == null || user.isBlank() || user.length() > MAX_CLAIMED) {
      throw new IllegalArgumentException("a user name has 1 to " + MAX_CLAIMED + " characters");
    }
    for (int i = 0; i < user.length(); i++) {
      char c = user.charAt(i);
      int type = Character.getType(c);
      if (type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
          || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
        throw new IllegalArgumentException("a user name has no control or format characters");
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= user.length() || !Character.isLowSurrogate(user.charAt(i + 1))) {
          throw new IllegalArgumentException("a user name is valid Unicode");
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        throw new IllegalArgumentException("a user name is valid Unicode");
      }
    }
    return user;
  }
}
