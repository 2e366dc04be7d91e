package dev.tandem.ot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tandem.ot.EditLocks.Lock;
import dev.tandem.ot.json.Json0Type;
import org.junit.jupiter.api.Test;

class EditLocksTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OtType JSON0 = Json0Type.INSTANCE;
  private static final OtType TEXT = OtTypes.byNameOrUri("text-unicode").orElseThrow();

  private static JsonNode j(String s) {
    try {
      return JSON.readTree(s.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  private static Lock path(String id, String src, String p, long expires) {
    return new Lock(id, src, src, src.toUpperCase(), j(p), -1, -1, expires);
  }

  private static Lock range(String id, String src, int start, int end) {
    return new Lock(id, src, src, null, JsonNodeFactory.instance.arrayNode(), start, end, 1000);
  }

  @Test
  void aPathLockBlocksWhatChangesTheElementNotWhatShiftsIt() {
    EditLocks locks = EditLocks.NONE.with(path("l", "ann", "['cards', 2]", 1000));
    assertTrue(locks.blocking(JSON0, j("[{'p':['cards',2,'title'],'od':'a','oi':'b'}]"), "bob", 0).isPresent());
    assertTrue(locks.blocking(JSON0, j("[{'p':['cards',2],'ld':{}}]"), "bob", 0).isPresent());
    assertTrue(locks.blocking(JSON0, j("[{'p':['cards'],'od':[],'oi':[]}]"), "bob", 0).isPresent());
    assertTrue(locks.blocking(JSON0, j("[{'p':['cards',2,'text',0],'si':'x'}]"), "bob", 0).isPresent());
    assertTrue(locks.blocking(JSON0, j("[{'p':['cards',2],'lm':0}]"), "bob", 0).isPresent());
    assertTrue(locks.blocking(JSON0, j("[{'p':['cards',2,'tags',0],'li':'x'}]"), "bob", 0).isPresent());
    // Inserting at its index or before it, moving another card, editing another card: free.
    assertFalse(locks.blocking(JSON0, j("[{'p':['cards',2],'li':{}}]"), "bob", 0).isPresent());
    assertFalse(locks.blocking(JSON0, j("[{'p':['cards',0],'li':{}}]"), "bob", 0).isPresent());
    assertFalse(locks.blocking(JSON0, j("[{'p':['cards',0],'lm':4}]"), "bob", 0).isPresent());
    assertFalse(locks.blocking(JSON0, j("[{'p':['cards',3,'title'],'od':'a','oi':'b'}]"), "bob", 0).isPresent());
    assertFalse(locks.blocking(JSON0, j("[{'p':['title'],'oi':'x'}]"), "bob", 0).isPresent());
    // The holder, and everyone once it expired.
    assertFalse(locks.blocking(JSON0, j("[{'p':['cards',2],'ld':{}}]"), "ann", 0).isPresent());
    assertFalse(locks.blocking(JSON0, j("[{'p':['cards',2],'ld':{}}]"), "bob", 1000).isPresent());
  }

  @Test
  void aPathLockFollowsItsElementAndEndsWithIt() {
    EditLocks locks = EditLocks.NONE.with(path("l", "ann", "['cards', 2]", 1000));
    assertEquals(j("['cards', 3]"), locks.transform(JSON0, j("[{'p':['cards',0],'li':{}}]")).all().get(0).path());
    assertEquals(j("['cards', 1]"), locks.transform(JSON0, j("[{'p':['cards',0],'ld':{}}]")).all().get(0).path());
    assertEquals(j("['cards', 0]"), locks.transform(JSON0, j("[{'p':['cards',2],'lm':0}]")).all().get(0).path());
    assertTrue(locks.transform(JSON0, j("[{'p':['cards',2],'ld':{}}]")).isEmpty());
    assertTrue(locks.transform(JSON0, j("[{'p':['cards'],'od':[],'oi':[]}]")).isEmpty());
    assertEquals(j("['cards', 2]"), locks.transform(JSON0, j("[{'p':['cards',2,'x'],'na':1}]")).all().get(0).path());
  }

  @Test
  void aRangeBlocksDeletesInItAndTypingInsideButNotAroundIt() {
    EditLocks locks = EditLocks.NONE.with(range("r", "ann", 4, 8));
    assertTrue(locks.blocking(TEXT, j("[5,'x']"), "bob", 0).isPresent());
    assertTrue(locks.blocking(TEXT, j("[7,{'d':3}]"), "bob", 0).isPresent());
    assertTrue(locks.blocking(TEXT, j("[2,{'d':3}]"), "bob", 0).isPresent());
    assertFalse(locks.blocking(TEXT, j("[4,'x']"), "bob", 0).isPresent());
    assertFalse(locks.blocking(TEXT, j("[8,'x']"), "bob", 0).isPresent());
    assertFalse(locks.blocking(TEXT, j("[8,{'d':2}]"), "bob", 0).isPresent());
    assertFalse(locks.blocking(TEXT, j("[1,{'d':3}]"), "bob", 0).isPresent());
    Lock moved = locks.transform(TEXT, j("[4,'ab']")).all().get(0);
    assertEquals(6, moved.start());
    assertEquals(10, moved.end());
    moved = locks.transform(TEXT, j("[8,'ab']")).all().get(0);
    assertEquals(4, moved.start());
    assertEquals(8, moved.end());
    moved = locks.transform(TEXT, j("[{'d':6}]")).all().get(0);
    assertEquals(0, moved.start());
    assertEquals(2, moved.end());
  }

  @Test
  void locksConflictWhenTheyOverlapAndTheTableRoundTrips() {
    EditLocks locks = EditLocks.NONE.with(path("l", "ann", "['shapes','s1']", 1000)).with(path("m", "ann", "['t']", 1000));
    EditLocks ranges = EditLocks.NONE.with(range("r", "ann", 4, 8));
    assertTrue(locks.conflict(path("x", "bob", "['shapes']", 2000), 0).isPresent());
    assertTrue(locks.conflict(path("x", "bob", "['shapes','s1','text']", 2000), 0).isPresent());
    assertFalse(locks.conflict(path("x", "bob", "['shapes','s2']", 2000), 0).isPresent());
    assertFalse(locks.conflict(path("x", "ann", "['shapes','s1']", 2000), 0).isPresent(), "the holder's own");
    assertTrue(ranges.conflict(range("x", "bob", 7, 9), 0).isPresent());
    assertFalse(ranges.conflict(range("x", "bob", 8, 9), 0).isPresent());
    assertTrue(ranges.conflict(path("x", "bob", "[]", 2000), 0).isPresent(), "the whole text document");
    assertEquals(2, locks.with(path("l", "ann", "['shapes','s2']", 3000)).size(), "a renewal replaces");
    assertEquals(ranges.all(), EditLocks.fromJson(ranges.toJson()).all());
    assertEquals(1, locks.without("ann", "l").size());
    assertTrue(locks.without("ann", null).isEmpty());
    assertEquals(locks.all(), EditLocks.fromJson(locks.toJson()).all());
    assertEquals(1000, locks.nextExpiry());
    assertTrue(locks.live(1000).isEmpty());
  }
}
