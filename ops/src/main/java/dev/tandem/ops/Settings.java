package dev.tandem.ops;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A service's settings as it reads them: environment variables (or the flags that stand for them),
 * each checked once, with an error that names the variable, what it takes and what it got.
 * Every name asked for is remembered, so a deployment can be checked against what the services
 * actually read.
 */
public final class Settings {

  private final Map<String, String> values;
  private final Set<String> read;

  public Settings(Map<String, String> values) {
    this(values, Collections.synchronizedSet(new TreeSet<>()));
  }

  /** The process's environment. */
  public static Settings fromEnvironment() {
    return new Settings(System.getenv());
  }

  /**
   * These settings with {@code value} for {@code name} when it is unset, for a default that
   * differs by service (each service's own HTTP port); the names read are shared.
   */
  public Settings withDefault(String name, String value) {
    if (optional(name).isPresent()) {
      return this;
    }
    java.util.Map<String, String> m = new java.util.HashMap<>(values);
    m.put(name, value);
    return new Settings(m, read);
  }

  private Settings(Map<String, String> values, Set<String> read) {
    this.values = Map.copyOf(values);
    this.read = read;
  }

  /** Every name read so far, sorted. */
  public Set<String> namesRead() {
    synchronized (read) {
      return Set.copyOf(read);
    }
  }

  /** The value, or empty when unset or blank. */
  public Optional<String> optional(String name) {
    read.add(name);
    String v = values.get(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  public String text(String name, String fallback) {
    return optional(name).orElse(fallback);
  }

  /** A comma-separated list; blank entries dropped. */
  public List<String> list(String name, String fallback) {
    return java.util.Arrays.stream(text(name, fallback).split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .toList();
  }

  public int integer(String name, int fallback, int min, int max) {
    return (int) whole(name, fallback, min, max);
  }

  public long whole(String name, long fallback, long min, long max) {
    Optional<String> v = optional(name);
    if (v.isEmpty()) {
      return fallback;
    }
    long n;
    try {
      n = Long.parseLong(v.get());
    } catch (NumberFormatException e) {
      throw invalid(name, v.get(), "a whole number from " + min + " to " + max);
    }
    if (n < min || n > max) {
      throw invalid(name, v.get(), "a whole number from " + min + " to " + max);
    }
    return n;
  }

  /** A duration given in milliseconds, at least {@code minMillis}. */
  public Duration millis(String name, long fallbackMillis, long minMillis) {
    return Duration.ofMillis(whole(name, fallbackMillis, minMillis, Long.MAX_VALUE / 1_000_000));
  }

  /** A duration given in seconds, at least {@code minSeconds}. */
  public Duration seconds(String name, long fallbackSeconds, long minSeconds) {
    return Duration.ofSeconds(whole(name, fallbackSeconds, minSeconds, Long.MAX_VALUE / 1_000_000_000));
  }

  /** {@code true} or {@code false}, nothing else. */
  public boolean flag(String name, boolean fallback) {
    Optional<String> v = optional(name);
    if (v.isEmpty()) {
      return fallback;
    }
    return switch (v.get().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(name, v.get(), "true or false");
    };
  }

  /** One of {@code choices} (compared without case), returned in lower case. */
  public String choice(String name, String fallback, List<String> choices) {
    String v = text(name, fallback).toLowerCase(Locale.ROOT);
    if (!choices.contains(v)) {
      throw invalid(name, v, "one of " + String.join(", ", choices));
    }
    return v;
  }

  private static IllegalArgumentException invalid(String name, String value, String expected) {
    String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
    return new IllegalArgumentException(name + " takes " + expected + ", got \"" + shown + "\"");
  }
}
