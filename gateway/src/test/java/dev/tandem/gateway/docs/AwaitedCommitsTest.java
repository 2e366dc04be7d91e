package dev.tandem.gateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.schemas.DocKey;
import org.junit.jupiter.api.Test;

/** A document is awaited while any submit on it waits, however the waits end. */
class AwaitedCommitsTest {

  private static final DocKey A = new DocKey("notes", "a");
  private static final DocKey B = new DocKey("notes", "b");

  @Test
  void aDocumentIsAwaitedUntilItsLastWaiterIsGone() {
    AwaitedCommits<String> waits = new AwaitedCommits<>();
    waits.put(new AwaitedCommits.Key(A, "ann", 1), "ann-1");
    waits.put(new AwaitedCommits.Key(A, "ann", 1), "ann-1 again");
    waits.put(new AwaitedCommits.Key(A, "bob", 1), "bob-1");
    waits.put(new AwaitedCommits.Key(B, "bob", 2), "bob-2");
    assertEquals(3, waits.size());
    assertTrue(waits.awaits(A));

    assertEquals("ann-1 again", waits.remove(new AwaitedCommits.Key(A, "ann", 1)));
    assertNull(waits.remove(new AwaitedCommits.Key(A, "ann", 1)), "removed once");
    assertTrue(waits.awaits(A), "bob still waits on a");

    waits.removeIf("bob", v -> v.startsWith("bob"));
    assertFalse(waits.awaits(A));
    assertFalse(waits.awaits(B));
    assertEquals(0, waits.size());
  }

  /** A connection closing drops its own waits, and not those its client now has on a new connection under the same id. */
  @Test
  void removingBySrcTouchesOnlyThatSrcAndWhatThePredicatePicks() {
    AwaitedCommits<String> waits = new AwaitedCommits<>();
    waits.put(new AwaitedCommits.Key(A, "ann", 1), "old connection");
    waits.put(new AwaitedCommits.Key(B, "ann", 2), "new connection");
    waits.put(new AwaitedCommits.Key(A, "bob", 1), "old connection");
    waits.removeIf("ann", "old connection"::equals);
    assertEquals(2, waits.size());
    assertNull(waits.remove(new AwaitedCommits.Key(A, "ann", 1)));
    assertEquals("old connection", waits.remove(new AwaitedCommits.Key(A, "bob", 1)), "another src is untouched");
    assertTrue(waits.awaits(B));
    waits.removeIf("ann", v -> true);
    assertEquals(0, waits.size());
    assertFalse(waits.awaits(B));
    waits.removeIf("nobody", v -> true);
  }
}
