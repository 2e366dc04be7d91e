package dev.tandem.access;

/**
 * A grant pattern: {@code *} matches any run of characters (none included), every other
 * character only itself. Matching is linear in practice and never backtracks exponentially
 * (the classic greedy-star walk), so a hostile pattern or name costs at most their product.
 *
 * @param pattern the pattern as written in the token
 */
public record Glob(String pattern) {

  public Glob {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("a pattern is not empty");
    }
  }

  /** Characters that are not {@code *}: the more, the more specific the pattern. */
  public int literals() {
    return (int) pattern.chars().filter(c -> c != '*').count();
  }

  /** Stars in the pattern: with equal literals, fewer stars is more specific. */
  public int stars() {
    return pattern.length() - literals();
  }

  public boolean matches(String name) {
    int p = 0;
    int n = 0;
    int star = -1;
    int mark = 0;
    while (n < name.length()) {
      if (p < pattern.length() && pattern.charAt(p) != '*' && pattern.charAt(p) == name.charAt(n)) {
        p++;
        n++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = n;
      } else if (star >= 0) {
        p = star + 1;
        n = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
