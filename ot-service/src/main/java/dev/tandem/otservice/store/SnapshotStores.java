package dev.tandem.otservice.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBufferManager;

/**
 * The {@link PartitionStore}s of one ot-service instance, one RocksDB per partition under
 * {@code stateDir/PREFIX/PARTITION}, kept open while the instance runs (a partition handed back
 * and forth reopens nothing). All of them share one block cache and one write-buffer budget, so
 * their memory is {@link #CACHE_BYTES} plus a few MiB whatever the number of documents or
 * partitions: index and filter blocks live in the cache too, not beside it.
 */
public final class SnapshotStores implements AutoCloseable {

  /**
   * Block cache for every store of the instance: hot snapshots, indexes and bloom filters. 32 MiB
   * holds the index and filter blocks of a few million documents; a miss costs a read of the
   * local disk (one 16 KiB block), not a Kafka round trip.
   */
  public static final long CACHE_BYTES = 32L * 1024 * 1024;
  /** Memtables of every store together, charged to the cache: bounds write memory across partitions. */
  static final long WRITE_BUFFER_BYTES = 16L * 1024 * 1024;

  static {
    RocksDB.loadLibrary();
  }

  private final Path root;
  private final LRUCache cache = new LRUCache(CACHE_BYTES);
  private final WriteBufferManager writeBuffers = new WriteBufferManager(WRITE_BUFFER_BYTES, cache);
  private final BloomFilter bloom = new BloomFilter(10);
  private final Map<Integer, PartitionStore> open = new HashMap<>();
  private final Map<Integer, Options> options = new HashMap<>();

  /** Stores under {@code stateDir/prefix}; nothing is opened yet. */
  public SnapshotStores(Path stateDir, String prefix) {
    this.root = stateDir.resolve(prefix);
  }

  /** The store of {@code partition}, opened (or created empty) on first use. */
  public synchronized PartitionStore partition(int partition) {
    PartitionStore s = open.get(partition);
    if (s != null) {
      return s;
    }
    Path dir = root.resolve(Integer.toString(partition));
    try {
      Files.createDirectories(dir);
      Options o = options();
      s = new PartitionStore(RocksDB.open(o, dir.toString()), dir);
      options.put(partition, o);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the store directory " + dir, e);
    } catch (RocksDBException e) {
      throw new PartitionStore.StoreException("cannot open the store in " + dir
          + " (another process using the same TANDEM_OT_STATE_DIR?)", e);
    }
    open.put(partition, s);
    return s;
  }

  private Options options() {
    BlockBasedTableConfig table = new BlockBasedTableConfig()
        .setBlockCache(cache)
        // Index and filter blocks count against the cache instead of growing with the data.
        .setCacheIndexAndFilterBlocks(true)
        .setPinL0FilterAndIndexBlocksInCache(true)
        // A lookup of a document that has no snapshot (a new one) mostly skips the disk.
        .setFilterPolicy(bloom)
        .setBlockSize(16 * 1024);
    return new Options()
        .setCreateIfMissing(true)
        .setTableFormatConfig(table)
        .setWriteBufferManager(writeBuffers)
        .setWriteBufferSize(4L * 1024 * 1024)
        .setMaxWriteBufferNumber(2)
        // Snapshots are JSON: LZ4 shrinks them cheaply.
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        // Few background threads: ot-service shares its cores with the broker and the gateway.
        .setMaxBackgroundJobs(2)
        .setKeepLogFileNum(2);
  }

  @Override
  public synchronized void close() {
    open.values().forEach(PartitionStore::close);
    options.values().forEach(Options::close);
    open.clear();
    options.clear();
    writeBuffers.close();
    cache.close();
    bloom.close();
  }
}
