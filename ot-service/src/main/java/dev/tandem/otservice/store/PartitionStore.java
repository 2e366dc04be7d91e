package dev.tandem.otservice.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * One partition of {@code tandem.snapshots} materialized on local disk: for every document its
 * latest snapshot record (the bytes as they are in the topic), the partition's latest checkpoint,
 * and {@link #applied()}, the offset of the topic up to which everything is in the store. The
 * topic is the store's changelog, as in Kafka Streams: a restart on the same disk reads only the
 * topic's tail from {@link #applied()}; a store that is missing starts at 0.
 *
 * <p>Keys are {@code collection/id}; the offset lives under a key no document can have (an empty
 * key: {@code DocKey} refuses empty collections). Writes go through RocksDB's write-ahead log
 * without fsync: a process crash loses nothing, a machine crash may lose the latest writes together
 * with the offset after them, so the store is always a prefix of the topic. One thread uses it.
 */
public final class PartitionStore implements AutoCloseable {

  private static final byte[] APPLIED = new byte[0];

  private final RocksDB db;
  private final WriteOptions writes = new WriteOptions();
  private final Path dir;
  private long applied;

  PartitionStore(RocksDB db, Path dir) throws RocksDBException {
    this.db = db;
    this.dir = dir;
    byte[] a = db.get(APPLIED);
    this.applied = a == null ? 0 : ByteBuffer.wrap(a).getLong();
  }

  /** Where the store is on disk. */
  public Path dir() {
    return dir;
  }

  /** The offset of the snapshots partition after the last record the store has applied. */
  public long applied() {
    return applied;
  }

  /** The latest stored record under {@code key} (a document's snapshot, or the checkpoint). */
  public Optional<byte[]> get(String key) {
    try {
      return Optional.ofNullable(db.get(bytes(key)));
    } catch (RocksDBException e) {
      throw new StoreException("reading " + key + " from " + dir, e);
    }
  }

  /** A batch of records in topic order, written with the offset after them, all or nothing. */
  public Batch batch() {
    return new Batch();
  }

  /** Removes everything: the store starts again at offset 0. */
  public void clear() {
    try (WriteBatch b = new WriteBatch(); var it = db.newIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        b.delete(it.key());
      }
      db.write(writes, b);
      applied = 0;
    } catch (RocksDBException e) {
      throw new StoreException("clearing " + dir, e);
    }
  }

  @Override
  public void close() {
    writes.close();
    db.close();
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  /** Records to write together; {@link #commit} writes them and the new applied offset at once. */
  public final class Batch implements AutoCloseable {
    private final WriteBatch batch = new WriteBatch();
    private int size;

    public Batch put(String key, byte[] value) {
      try {
        batch.put(bytes(key), value);
      } catch (RocksDBException e) {
        throw new StoreException("batching " + key, e);
      }
      size++;
      return this;
    }

    public int size() {
      return size;
    }

    /** Writes the records; the store then holds everything before {@code appliedUpTo}. */
    public void commit(long appliedUpTo) {
      try {
        long next = Math.max(applied, appliedUpTo);
        batch.put(APPLIED, ByteBuffer.allocate(8).putLong(next).array());
        db.write(writes, batch);
        applied = next;
      } catch (RocksDBException e) {
        throw new StoreException("writing to " + dir, e);
      } finally {
        batch.close();
      }
    }

    @Override
    public void close() {
      batch.close();
    }
  }

  /** The local store failed: a disk that is full, gone or not ours. */
  public static final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreException(String message, Throwable cause) {
      super(message + ": " + cause.getMessage(), cause);
    }
  }
}
