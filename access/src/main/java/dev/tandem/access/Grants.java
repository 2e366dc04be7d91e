package dev.tandem.access;

import io.vertx.core.json.JsonObject;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The grants of a token, from its claim {@code tandem}:
 * {@code {"docs": {"COLLECTION/ID-GLOB": "read"|"write"}, "rooms": {"ROOM-GLOB": "join"}}}.
 * A document is named {@code collection/id}; the most specific matching pattern decides (the
 * most literal characters, then the fewest stars, then the first in the token), so
 * {@code "notes/*": "write"} with {@code "notes/secret": "read"} leaves that one read-only.
 */
public final class Grants {

  /** Patterns per claim, and their number, are bounded: a token is a hostile input too. */
  static final int MAX_PATTERNS = 256;
  static final int MAX_PATTERN_LENGTH = 512;

  /** Everything: the anonymous user of {@code dev} mode. */
  public static final Grants ALL = new Grants(Map.of(new Glob("*"), DocLevel.WRITE), Map.of(new Glob("*"), true));
  /** Nothing at all. */
  public static final Grants NONE = new Grants(Map.of(), Map.of());

  private static final Comparator<Glob> SPECIFIC = Comparator.comparingInt(Glob::literals).reversed()
      .thenComparingInt(Glob::stars);

  private final Map<Glob, DocLevel> docs;
  private final Map<Glob, Boolean> rooms;

  private Grants(Map<Glob, DocLevel> docs, Map<Glob, Boolean> rooms) {
    this.docs = docs;
    this.rooms = rooms;
  }

  /** The grants in {@code claim} (absent: none); {@link IllegalArgumentException} for a malformed claim. */
  public static Grants parse(Object claim) {
    if (claim == null) {
      return NONE;
    }
    if (!(claim instanceof JsonObject o)) {
      throw new IllegalArgumentException("claim tandem must be an object");
    }
    for (String field : o.fieldNames()) {
      if (!field.equals("docs") && !field.equals("rooms")) {
        throw new IllegalArgumentException("claim tandem has docs and rooms only, not " + field);
      }
    }
    Map<Glob, DocLevel> docs = new LinkedHashMap<>();
    patterns(o.getValue("docs"), "docs").forEach((pattern, level) -> docs.put(pattern, switch (level) {
      case "read" -> DocLevel.READ;
      case "write" -> DocLevel.WRITE;
      default -> throw new IllegalArgumentException("a document grant is read or write, not " + level);
    }));
    Map<Glob, Boolean> rooms = new LinkedHashMap<>();
    patterns(o.getValue("rooms"), "rooms").forEach((pattern, level) -> {
      if (!level.equals("join")) {
        throw new IllegalArgumentException("a room grant is join, not " + level);
      }
      rooms.put(pattern, true);
    });
    return new Grants(java.util.Collections.unmodifiableMap(docs), java.util.Collections.unmodifiableMap(rooms));
  }

  private static Map<Glob, String> patterns(Object value, String what) {
    Map<Glob, String> out = new LinkedHashMap<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof JsonObject o)) {
      throw new IllegalArgumentException("tandem." + what + " must be an object of pattern to grant");
    }
    if (o.size() > MAX_PATTERNS) {
      throw new IllegalArgumentException("tandem." + what + " has more than " + MAX_PATTERNS + " patterns");
    }
    for (Map.Entry<String, Object> e : o) {
      if (e.getKey().length() > MAX_PATTERN_LENGTH || !(e.getValue() instanceof String s)) {
        throw new IllegalArgumentException("tandem." + what + " maps patterns of up to " + MAX_PATTERN_LENGTH
            + " characters to a string");
      }
      out.put(new Glob(e.getKey()), s);
    }
    return out;
  }

  /** What the token allows on document {@code collection/id}. */
  public DocLevel doc(String collection, String id) {
    return decide(docs, collection + "/" + id).orElse(DocLevel.NONE);
  }

  /** Whether the token allows joining {@code room}. */
  public boolean mayJoin(String room) {
    return decide(rooms, room).orElse(false);
  }

  /** Whether the token grants any room: TURN credentials are only for those who may call. */
  public boolean anyRoom() {
    return !rooms.isEmpty();
  }

  private static <T> Optional<T> decide(Map<Glob, T> grants, String name) {
    Glob best = null;
    for (Glob g : grants.keySet()) {
      if (g.matches(name) && (best == null || SPECIFIC.compare(g, best) < 0)) {
        best = g;
      }
    }
    return best == null ? Optional.empty() : Optional.of(grants.get(best));
  }

  /** The grants as the claim would write them, for the web client to show what it may do. */
  public JsonObject toJson() {
    JsonObject d = new JsonObject();
    docs.forEach((g, l) -> d.put(g.pattern(), l.name().toLowerCase(java.util.Locale.ROOT)));
    JsonObject r = new JsonObject();
    rooms.keySet().forEach(g -> r.put(g.pattern(), "join"));
    return new JsonObject().put("docs", d).put("rooms", r);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
