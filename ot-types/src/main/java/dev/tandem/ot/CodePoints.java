package dev.tandem.ot;

/**
 * Counting and slicing Java strings in Unicode code points, the unit text-unicode uses for
 * every offset (an emoji is one, however many UTF-16 units it takes).
 */
public final class CodePoints {

  private CodePoints() {}

  /**
   * The number of code points in {@code s}, or -1 when it holds an unpaired surrogate (such
   * text has no well-defined code point offsets, so the types refuse it).
   */
  public static int countWellFormed(CharSequence s) {
    int n = s.length();
    int count = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return -1;
        }
        i++;
      }
      count++;
    }
    return count;
  }

  /** The number of code points in {@code s}, which must be well formed. */
  public static int count(String s) {
    return s.codePointCount(0, s.length());
  }

  /** The UTF-16 index {@code codePoints} code points after {@code from} in {@code s}. */
  public static int offset(CharSequence s, int from, int codePoints) {
    int i = from;
    for (int k = 0; k < codePoints; k++) {
      i += Character.isHighSurrogate(s.charAt(i)) ? 2 : 1;
    }
    return i;
  }

  /** The code points {@code [start, end)} of {@code s}. */
  public static String slice(String s, int start, int end) {
    int from = offset(s, 0, start);
    int to = offset(s, from, end - start);
    return s.substring(from, to);
  }
}
