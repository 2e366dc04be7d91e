package dev.tandem.otservice.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tandem.otservice.store.PartitionStore;
import dev.tandem.schemas.Checkpoint;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import dev.tandem.schemas.SnapshotRecord;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a {@link PartitionStore} up to date with its partition of {@code tandem.snapshots}: reads
 * from the store's applied offset to the topic's stable end and keeps, per key, the newest record
 * (the highest version for a document, the highest offset for the checkpoint), in batches written
 * with their offset. On the same disk that reads what was written since this instance last wrote
 * or restored; from an empty store it reads the whole compacted partition once.
 */
final class StoreRestorer {

  private static final Logger LOG = LoggerFactory.getLogger(StoreRestorer.class);
  private static final JsonFactory JSON = new JsonFactory();
  /** Records per store write: large enough to amortize, small enough to bound memory. */
  private static final int BATCH = 1000;

  /** What a restore did, for the rebuild's log line. */
  record Restored(long from, long end, int records) {}

  private final Runnable beat;

  StoreRestorer(Runnable beat) {
    this.beat = beat;
  }

  Restored restore(PartitionReader reader, TopicPartition snapshots, PartitionStore store) {
    long from = store.applied();
    Map<String, Long> newest = new HashMap<>();
    PartitionStore.Batch[] batch = {store.batch()};
    int[] count = {0};
    long end = reader.scan(snapshots, from, r -> {
      apply(store, batch[0], newest, r, snapshots);
      count[0]++;
      if (batch[0].size() >= BATCH) {
        batch[0].commit(r.offset() + 1);
        batch[0] = store.batch();
        newest.clear();
        beat.run();
      }
    });
    if (end < from) {
      // The store is ahead of the topic: it was made from another topic of the same name.
      LOG.warn("the store in {} is ahead of {} (offset {} > end {}): it belongs to another topic; restoring from 0",
          store.dir(), snapshots, from, end);
      batch[0].close();
      store.clear();
      return restore(reader, snapshots, store);
    }
    batch[0].commit(end);
    return new Restored(from, end, count[0]);
  }

  private void apply(PartitionStore store, PartitionStore.Batch batch, Map<String, Long> newest,
      ConsumerRecord<String, byte[]> r, TopicPartition tp) {
    if (r.value() == null || r.key() == null) {
      return;
    }
    try {
      long rank;
      if (Checkpoint.KEY.equals(r.key())) {
        rank = Records.decode(r.value(), Checkpoint.class).offset();
      } else {
        SnapshotRecord s = Records.decode(r.value(), SnapshotRecord.class);
        if (!s.key().value().equals(r.key())) {
          throw new IllegalArgumentException("its key " + r.key() + " is not its document " + s.key());
        }
        rank = s.v();
      }
      Long known = newest.get(r.key());
      if (known == null) {
        known = stored(store, r.key()).orElse(null);
      }
      if (known == null || known <= rank) {
        batch.put(r.key(), r.value());
        newest.put(r.key(), rank);
      }
    } catch (MalformedRecordException | IllegalArgumentException e) {
      LOG.warn("skipping malformed snapshot record at {}-{}: {}", tp, r.offset(), e.getMessage());
    }
  }

  /** The version (or, for the checkpoint, the offset) of what the store holds under {@code key}. */
  private static Optional<Long> stored(PartitionStore store, String key) {
    return store.get(key).flatMap(bytes -> topLevelLong(bytes, Checkpoint.KEY.equals(key) ? "offset" : "v"));
  }

  /** Reads one top-level number without decoding the document it comes with. */
  private static Optional<Long> topLevelLong(byte[] json, String field) {
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals(field) && t == JsonToken.VALUE_NUMBER_INT) {
          return Optional.of(p.getLongValue());
        }
        p.skipChildren();
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
