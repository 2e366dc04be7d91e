package dev.tandem.otservice.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionStoreTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void keepsRecordsAndTheAppliedOffsetAcrossAReopen(@TempDir Path dir) {
    try (SnapshotStores stores = new SnapshotStores(dir, "t")) {
      PartitionStore s = stores.partition(3);
      assertEquals(0, s.applied());
      s.batch().put("notes/a", b("one")).put("notes/b", b("two")).commit(17);
      s.batch().put("notes/a", b("three")).commit(12); // an older offset never moves it back
      assertEquals(17, s.applied());
    }
    try (SnapshotStores stores = new SnapshotStores(dir, "t")) {
      PartitionStore s = stores.partition(3);
      assertEquals(17, s.applied());
      assertArrayEquals(b("three"), s.get("notes/a").orElseThrow());
      assertArrayEquals(b("two"), s.get("notes/b").orElseThrow());
      assertTrue(s.get("notes/c").isEmpty());
      assertEquals(0, stores.partition(4).applied(), "each partition has a store of its own");
    }
  }

  @Test
  void clearingStartsAgainAtOffsetZero(@TempDir Path dir) {
    try (SnapshotStores stores = new SnapshotStores(dir, "t")) {
      PartitionStore s = stores.partition(0);
      s.batch().put("notes/a", b("one")).commit(5);
      s.clear();
      assertEquals(0, s.applied());
      assertTrue(s.get("notes/a").isEmpty());
    }
    try (SnapshotStores stores = new SnapshotStores(dir, "t")) {
      assertEquals(0, stores.partition(0).applied());
    }
  }

  @Test
  void refusesASecondOpenOfTheSameStoreWithAClearError(@TempDir Path dir) {
    try (SnapshotStores one = new SnapshotStores(dir, "t"); SnapshotStores two = new SnapshotStores(dir, "t")) {
      one.partition(0);
      PartitionStore.StoreException e = org.junit.jupiter.api.Assertions.assertThrows(
          PartitionStore.StoreException.class, () -> two.partition(0));
      assertTrue(e.getMessage().contains("TANDEM_OT_STATE_DIR"), e.getMessage());
    }
  }
}
