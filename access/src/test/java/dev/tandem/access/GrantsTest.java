package dev.tandem.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Grant patterns: globs, write implying read, the most specific pattern deciding, malformed claims refused. */
class GrantsTest {

  private static Grants grants(String json) {
    return Grants.parse(new JsonObject(json));
  }

  @Test
  void theMostSpecificPatternWins() {
    Grants g = grants("{\"docs\":{\"notes/*\":\"write\",\"notes/secret\":\"read\",\"*\":\"read\",\"notes/secret-*\":\"write\"}}");
    assertEquals(DocLevel.WRITE, g.doc("notes", "plan"));
    assertEquals(DocLevel.READ, g.doc("notes", "secret"));
    assertEquals(DocLevel.WRITE, g.doc("notes", "secret-2"));
    assertEquals(DocLevel.READ, g.doc("board", "x"));
    Grants narrower = grants("{\"docs\":{\"notes/*\":\"read\",\"notes/team-*\":\"write\"}}");
    assertEquals(DocLevel.WRITE, narrower.doc("notes", "team-42"));
    assertEquals(DocLevel.READ, narrower.doc("notes", "teammate"));
    assertEquals(DocLevel.NONE, narrower.doc("board", "team-42"));
  }

  @Test
  void writeImpliesReadAndNothingImpliesWrite() {
    assertTrue(DocLevel.WRITE.allows(DocLevel.READ));
    assertFalse(DocLevel.READ.allows(DocLevel.WRITE));
    assertFalse(DocLevel.NONE.allows(DocLevel.READ));
  }

  @Test
  void roomsAreGrantedByPattern() {
    Grants g = grants("{\"rooms\":{\"call:team-*\":\"join\"}}");
    assertTrue(g.mayJoin("call:team-42"));
    assertFalse(g.mayJoin("call:other"));
    assertTrue(g.anyRoom());
    assertFalse(grants("{\"docs\":{}}").anyRoom());
    assertFalse(Grants.NONE.mayJoin("x"));
    assertTrue(Grants.ALL.mayJoin("anything"));
  }

  @Test
  void malformedClaimsAreRefused() {
    for (String bad : new String[] {"{\"docs\":\"all\"}", "{\"docs\":{\"a/*\":\"admin\"}}", "{\"rooms\":{\"r\":\"read\"}}",
        "{\"docs\":{\"a/*\":1}}", "{\"other\":{}}", "{\"docs\":{\"\":\"read\"}}"}) {
      assertThrows(IllegalArgumentException.class, () -> grants(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> Grants.parse("write"));
    JsonObject many = new JsonObject();
    for (int i = 0; i <= Grants.MAX_PATTERNS; i++) {
      many.put("c/" + i, "read");
    }
    assertThrows(IllegalArgumentException.class, () -> Grants.parse(new JsonObject().put("docs", many)));
  }

  /** The glob walk against java.util.regex as a slow, obvious reference, on random patterns and names. */
  @Test
  void globsMatchAsTheReferenceDoes() {
    Random r = new Random(13);
    String alphabet = "ab*/";
    for (int i = 0; i < 20_000; i++) {
      String p = random(r, alphabet, 1 + r.nextInt(6));
      String n = random(r, "ab/", r.nextInt(8));
      String regex = Pattern.quote(p).replace("*", "\\E.*\\Q");
      assertEquals(n.matches(regex), new Glob(p).matches(n), p + " ~ " + n);
    }
  }

  @Test
  void aHostilePatternCostsNoBacktrackingBlowUp() {
    Glob g = new Glob("*a*a*a*a*a*a*a*a*a*a*b");
    long t = System.nanoTime();
    assertFalse(g.matches("a".repeat(5000)));
    assertTrue((System.nanoTime() - t) < 2_000_000_000L);
  }

  private static String random(Random r, String alphabet, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
