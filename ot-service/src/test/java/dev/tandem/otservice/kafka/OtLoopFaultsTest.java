package dev.tandem.otservice.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.history.LogReader;
import dev.tandem.history.Progress;
import dev.tandem.history.Verifier;
import dev.tandem.kafka.local.SharedKafka;
import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.state.DocLimits;
import dev.tandem.schemas.Checkpoint;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Reply;
import dev.tandem.schemas.SnapshotRecord;
import dev.tandem.schemas.SubmittedOp;
import dev.tandem.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop against a real broker, fed what a hostile or broken producer writes: undecodable
 * bytes, a pair of valid ops that together nest a document ~1,010 levels deep, an id Kafka's
 * key cannot carry, deletes of deleted documents, and a document left in the log (by a server
 * without limits) too deep to snapshot or send. Canaries in both partitions must commit, every
 * answerable request must be answered, the loop must keep progressing, a restart must be
 * clean, and {@code verify} must pass on the log.
 */
@Timeout(240)
class OtLoopFaultsTest {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String JSON0 = "http://sharejs.org/types/JSONv0";
  private static final String TEXT = "http://sharejs.org/types/text-unicode";

  private final String prefix = "faults" + System.nanoTime();
  private final Topics topics = new Topics(prefix);
  private final String bootstrap = SharedKafka.bootstrapServers();
  private KafkaProducer<String, byte[]> producer;
  private final List<Thread> threads = new ArrayList<>();
  private final List<OtLoop> loops = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      topics.ensure(admin, 2);
    }
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void tearDown() throws Exception {
    for (OtLoop l : loops) {
      l.stop(Duration.ofSeconds(20));
    }
    for (Thread t : threads) {
      t.join(5_000);
    }
    producer.close();
  }

  private OtServiceConfig config() {
    return OtServiceConfig.fromEnv(Map.of()).withKafka(bootstrap).withTopics(topics).withGroup(prefix + "-ot")
        .withInstance(prefix + "-1").withFlushInterval(Duration.ofMillis(300))
        .withLimits(new DocLimits(900, DocLimits.DEFAULT.maxBytes()));
  }

  private OtLoop startLoop() {
    OtLoop loop = new OtLoop(config());
    Thread t = new Thread(loop, "ot-test-" + loops.size());
    t.start();
    loops.add(loop);
    threads.add(t);
    return loop;
  }

  private void submit(int partition, String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(topics.submitted(), partition, key, value)).get();
  }

  private void submit(int partition, SubmittedOp op) throws Exception {
    submit(partition, op.key().value(), Records.encode(op));
  }

  private static SubmittedOp create(String c, String d, String src, long seq, long v, String type, JsonNode data) {
    return new SubmittedOp(1, "create", c, d, src, seq, v, null, new CreateData(type, data), null, "g-test", null, null, 0);
  }

  private static SubmittedOp edit(String c, String d, String src, long seq, long v, JsonNode op) {
    return new SubmittedOp(1, "op", c, d, src, seq, v, op, null, null, "g-test", null, null, 0);
  }

  private static SubmittedOp delete(String c, String d, String src, long seq, long v) {
    return new SubmittedOp(1, "del", c, d, src, seq, v, null, null, true, "g-test", null, null, 0);
  }

  /** {"a": {"a": ... 0}}, {@code depth} levels. */
  private static JsonNode nested(int depth) {
    JsonNode v = NODES.numberNode(0);
    for (int i = 0; i < depth; i++) {
      ObjectNode o = NODES.objectNode();
      o.set("a", v);
      v = o;
    }
    return v;
  }

  /** Two ops: the first puts a 505-deep value at "x", the second one 505 deeper inside it. */
  private static List<JsonNode> deepPair() {
    ArrayNode first = NODES.arrayNode();
    first.addObject().<ObjectNode>set("p", NODES.arrayNode().add("x")).set("oi", nested(505));
    ArrayNode path = NODES.arrayNode().add("x");
    for (int i = 0; i < 504; i++) {
      path.add("a");
    }
    path.add("b");
    ArrayNode second = NODES.arrayNode();
    second.addObject().<ObjectNode>set("p", path).set("oi", nested(505));
    return List.of(first, second);
  }

  private void writeCommitted(int partition, CommittedOp op) throws Exception {
    producer.send(new ProducerRecord<>(topics.committed(), partition, op.key().value(), Records.encode(op))).get();
  }

  @Test
  void poisonIsAnsweredAndSkippedWhileCanariesCommitAndARestartIsClean() throws Exception {
    // A document a server without limits left in the log: every op fine, the whole too deep to write.
    List<JsonNode> pair = deepPair();
    writeCommitted(0, new CommittedOp(1, "create", "legacy", "plain", 0, "old", 1, null, new CreateData(TEXT,
        TextNode.valueOf("p")), null, 1, null));
    writeCommitted(0, new CommittedOp(1, "op", "legacy", "plain", 1, "old", 2, j("[1, \"q\"]"), null, null, 1, null));
    // Offset 2 of the event log's partition 0: the first op a new owner must replay for legacy/deep.
    writeCommitted(0, new CommittedOp(1, "create", "legacy", "deep", 0, "old", 1, null, new CreateData(JSON0,
        NODES.objectNode()), null, 1, null));
    writeCommitted(0, new CommittedOp(1, "op", "legacy", "deep", 1, "old", 2, pair.get(0), null, null, 2, null));
    writeCommitted(0, new CommittedOp(1, "op", "legacy", "deep", 2, "old", 3, pair.get(1), null, null, 3, null));

    OtLoop loop = startLoop();
    submit(0, "notes/garbage", new byte[] {(byte) 0xff, '{', 0, 1});
    submit(0, create("notes", "c0", "canary", 1, 0, TEXT, TextNode.valueOf("a")));
    submit(0, create("json", "deep", "mallory", 1, 0, JSON0, NODES.objectNode()));
    submit(0, edit("json", "deep", "mallory", 2, 1, pair.get(0)));
    submit(0, edit("json", "deep", "mallory", 3, 2, pair.get(1)));
    submit(0, create("notes", "bad\ud800id", "mallory", 4, 0, TEXT, TextNode.valueOf("x")));
    submit(0, SubmittedOp.load(new dev.tandem.schemas.DocKey("legacy", "deep"), "g-test", "load-1"));
    submit(0, edit("notes", "c0", "canary", 2, 1, j("[1, \"b\"]")));
    submit(1, create("notes", "c1", "canary", 1, 0, TEXT, TextNode.valueOf("z")));
    submit(1, delete("notes", "never", "mallory", 5, 0));
    submit(1, create("notes", "del", "alice", 1, 0, JSON0, NODES.objectNode()));
    submit(1, delete("notes", "del", "alice", 2, 1));
    submit(1, delete("notes", "del", "bob", 1, 1));
    submit(1, create("notes", "del", "alice", 3, 2, JSON0, j("{\"n\": 1}")));
    submit(1, edit("notes", "c1", "canary", 2, 1, j("[\"y\"]")));

    Map<String, List<CommittedOp>> committed = awaitCommitted(m -> versions(m, "notes/c0") == 2
        && versions(m, "notes/c1") == 2 && versions(m, "json/deep") == 2 && versions(m, "notes/del") == 3);
    assertEquals(3, versions(committed, "legacy/deep"));
    assertFalse(committed.containsKey("notes/never"));
    List<Reply> rejects = awaitReplies(r -> r.size() >= 5);
    assertEquals("ERR_DOC_TOO_DEEP", codeFor(rejects, "json", "deep"));
    assertEquals("ERR_MESSAGE_BADLY_FORMED", codeFor(rejects, "notes", "bad\ud800id"));
    assertEquals("ERR_DOC_UNAVAILABLE", codeFor(rejects, "legacy", "deep"));
    assertEquals("ERR_DOC_DOES_NOT_EXIST", codeFor(rejects, "notes", "never"));
    assertEquals("ERR_DOC_WAS_DELETED", codeFor(rejects, "notes", "del"));

    // The document that cannot be snapshotted holds back neither the others' snapshots nor the checkpoint.
    // More flushes than the history window spans (12), so that only the deep document holds the replay point back.
    awaitSnapshots(0, s -> s.snapshots.containsKey("notes/c0") && s.snapshots.containsKey("legacy/plain")
        && s.checkpoints > 14);
    Snapshots p0 = readSnapshots(0);
    assertFalse(p0.snapshots.containsKey("legacy/deep"));
    assertEquals(2, p0.lastReplayFrom, "the checkpoint must replay the deep document's ops from its create");
    assertTrue(loop.progressing(), loop.health().toString());
    assertEquals(0, loop.restarts());

    loop.stop(Duration.ofSeconds(30));
    assertFalse(loop.progressing());
    OtLoop again = startLoop();
    awaitTrue(again::progressing, "the restarted loop progresses");
    submit(0, edit("notes", "c0", "canary", 3, 2, j("[2, \"c\"]")));
    submit(1, edit("notes", "c1", "canary", 3, 2, j("[\"x\"]")));
    awaitCommitted(m -> versions(m, "notes/c0") == 3 && versions(m, "notes/c1") == 3);
    assertEquals(0, again.restarts());
    assertTrue(again.progressing(), again.health().toString());

    try (LogReader reader = new LogReader(bootstrap)) {
      Verifier.Report report = new Verifier(reader, topics).verify(null, Progress.NONE);
      assertTrue(report.ok(), report.fault());
      assertEquals(6, report.documents()); // c0, c1, json/deep, notes/del, legacy/deep, legacy/plain
    }
  }

  /**
   * One of the loop's two producers is fenced behind its back (another producer takes its
   * transactional id), so a transaction on it fails while the other producer is healthy. The
   * loop must not commit anything on the healthy one as its clients close (snapshots of state
   * ahead of the log, positions past the failed batch): every edit submitted is committed in the
   * end, by the loop itself after it restarts its clients or by its next incarnation.
   */
  @Test
  void aFailedProducerLeavesNothingForTheOtherToCommit() throws Exception {
    OtLoop loop = startLoop();
    submit(0, create("notes", "f0", "ann", 1, 0, TEXT, TextNode.valueOf("a")));
    awaitCommitted(m -> versions(m, "notes/f0") == 1);
    try (KafkaProducer<String, byte[]> usurper = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tandem-ot-" + config().instanceId()),
        new StringSerializer(), new ByteArraySerializer())) {
      usurper.initTransactions();
    }
    int edits = 6;
    boolean restarted = false;
    for (int i = 1; i <= edits; i++) {
      submit(0, edit("notes", "f0", "ann", i + 1, i, j("[\"x\"]")));
      int version = i + 1;
      long deadline = System.currentTimeMillis() + 90_000;
      while (versions(committedOps(), "notes/f0") < version) {
        if (!restarted && (loop.restarts() > 0 || loop.health().state() == LoopHealth.State.FENCED)) {
          restarted = true;
          if (loop.health().state() == LoopHealth.State.FENCED) {
            loop = startLoop();
          }
        }
        assertTrue(System.currentTimeMillis() < deadline, "edit " + i + " was not committed: "
            + versions(committedOps(), "notes/f0") + " versions, " + loop.health());
        Thread.sleep(100);
      }
    }
    assertTrue(restarted, "a transaction on the fenced producer failed");
    List<CommittedOp> ops = committedOps().get("notes/f0");
    assertEquals(edits + 1, ops.size());
    for (int i = 0; i < ops.size(); i++) {
      assertEquals(i, ops.get(i).v(), "versions in order, none twice");
    }
    try (LogReader reader = new LogReader(bootstrap)) {
      Verifier.Report report = new Verifier(reader, topics).verify(null, Progress.NONE);
      assertTrue(report.ok(), report.fault());
    }
  }

  private Map<String, List<CommittedOp>> committedOps() {
    Map<String, List<CommittedOp>> m = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : readAll(topics.committed())) {
      CommittedOp op = Records.decode(r.value(), CommittedOp.class);
      m.computeIfAbsent(op.key().value(), k -> new ArrayList<>()).add(op);
    }
    return m;
  }

  private static JsonNode j(String s) {
    try {
      return Records.JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  private static int versions(Map<String, List<CommittedOp>> m, String key) {
    return m.getOrDefault(key, List.of()).size();
  }

  private static String codeFor(List<Reply> replies, String c, String d) {
    return replies.stream().filter(r -> r.c().equals(c) && r.d().equals(d) && r.kind().equals(Reply.REJECT))
        .map(r -> r.error().code()).findFirst().orElse("no reject for " + c + "/" + d);
  }

  private KafkaConsumer<String, byte[]> reader() {
    return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    try (KafkaConsumer<String, byte[]> c = reader()) {
      List<TopicPartition> tps = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps);
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      return out;
    }
  }

  private Map<String, List<CommittedOp>> awaitCommitted(Predicate<Map<String, List<CommittedOp>>> done) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    while (true) {
      Map<String, List<CommittedOp>> m = committedOps();
      if (done.test(m)) {
        return m;
      }
      assertTrue(System.currentTimeMillis() < deadline, "committed so far: " + m.keySet());
      Thread.sleep(200);
    }
  }

  private List<Reply> awaitReplies(Predicate<List<Reply>> done) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    while (true) {
      List<Reply> out = new ArrayList<>();
      readAll(topics.replies()).forEach(r -> out.add(Records.decode(r.value(), Reply.class)));
      List<Reply> rejects = out.stream().filter(r -> r.kind().equals(Reply.REJECT)).toList();
      if (done.test(rejects)) {
        return rejects;
      }
      assertTrue(System.currentTimeMillis() < deadline, "replies so far: " + out);
      Thread.sleep(200);
    }
  }

  /** What partition {@code p} of the snapshots topic holds. */
  private record Snapshots(Map<String, SnapshotRecord> snapshots, int checkpoints, long lastReplayFrom) {}

  private Snapshots readSnapshots(int p) {
    Map<String, SnapshotRecord> snaps = new HashMap<>();
    int checkpoints = 0;
    long replayFrom = -1;
    for (ConsumerRecord<String, byte[]> r : readAll(topics.snapshots())) {
      if (r.partition() != p) {
        continue;
      }
      if (Checkpoint.KEY.equals(r.key())) {
        checkpoints++;
        replayFrom = Records.decode(r.value(), Checkpoint.class).replayFrom();
      } else {
        snaps.put(r.key(), Records.decode(r.value(), SnapshotRecord.class));
      }
    }
    return new Snapshots(snaps, checkpoints, replayFrom);
  }

  private void awaitSnapshots(int p, Predicate<Snapshots> done) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!done.test(readSnapshots(p))) {
      assertTrue(System.currentTimeMillis() < deadline, "snapshots: " + readSnapshots(p));
      Thread.sleep(300);
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier ok, String what) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!ok.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, what);
      Thread.sleep(100);
    }
  }
}
