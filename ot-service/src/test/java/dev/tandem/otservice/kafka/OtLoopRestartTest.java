package dev.tandem.otservice.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.kafka.local.SharedKafka;
import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Reply;
import dev.tandem.schemas.SubmittedOp;
import dev.tandem.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts of the loop against a real broker: readiness while a rebuild cannot finish (a previous
 * owner's transaction still open), requests sent meanwhile answered once it does, and cold loads
 * from the local store, on the same disk and on a fresh one.
 */
@Timeout(180)
class OtLoopRestartTest {

  private final String prefix = "restart" + System.nanoTime();
  private final Topics topics = new Topics(prefix);
  private final String bootstrap = SharedKafka.bootstrapServers();
  private KafkaProducer<String, byte[]> producer;
  private final List<OtLoop> loops = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  @BeforeEach
  void setUp() {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      topics.ensure(admin, 1);
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

  private OtServiceConfig config(Path state) {
    return OtServiceConfig.fromEnv(Map.of()).withKafka(bootstrap).withTopics(topics).withGroup(prefix + "-ot")
        .withInstance(prefix + "-1").withFlushInterval(Duration.ofMillis(300)).withStateDir(state)
        .withResidency(5, Duration.ofMillis(200));
  }

  private OtLoop start(Path state) {
    OtLoop loop = new OtLoop(config(state));
    Thread t = new Thread(loop, "ot-restart-" + loops.size());
    t.start();
    loops.add(loop);
    threads.add(t);
    return loop;
  }

  @Test
  void isNotReadyWhileATransactionOfAPreviousOwnerIsOpenAndAnswersWhatWaitedOnceItEnds(@TempDir Path state)
      throws Exception {
    // A previous owner (another transactional id) died with a transaction open on the event log.
    try (KafkaProducer<String, byte[]> zombie = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap, ProducerConfig.TRANSACTIONAL_ID_CONFIG, prefix + "-zombie"), new StringSerializer(),
        new ByteArraySerializer())) {
      zombie.initTransactions();
      zombie.beginTransaction();
      zombie.send(new ProducerRecord<>(topics.committed(), 0, "notes/ghost", "{}".getBytes())).get();

      OtLoop loop = start(state);
      submit(create("notes", "waits", "early"));
      submit(SubmittedOp.load(new DocKey("notes", "waits"), "g-test", "load-1"));
      long until = System.currentTimeMillis() + 3_000;
      while (System.currentTimeMillis() < until) {
        assertFalse(loop.ready(), "ready while its partition cannot be rebuilt: " + loop.health());
        Thread.sleep(20);
      }
      assertEquals(LoopHealth.State.REBUILDING, loop.health().state());
      assertTrue(loop.alive(), "a rebuild that waits is alive: " + loop.health());
      assertFalse(loop.progressing(), "nor does it make progress serving: " + loop.health());
      assertEquals(0, loop.committedOps());
      zombie.abortTransaction();
      awaitTrue(loop::ready, "ready once the open transaction ended");
    }
    Reply answer = awaitReply("load-1");
    assertEquals(1L, answer.v(), "the load waited in the stream behind the create and saw it");
    assertEquals("early", answer.data().asText());
  }

  @Test
  void coldDocumentsLoadFromTheStoreAfterEvictionAndAfterARestartOnTheSameOrAFreshDisk(@TempDir Path disk,
      @TempDir Path fresh) throws Exception {
    OtLoop loop = start(disk);
    awaitTrue(loop::ready, "ready");
    for (int i = 0; i < 40; i++) {
      submit(create("notes", "d" + i, "text " + i));
    }
    for (int i = 0; i < 40; i++) {
      submit(edit("notes", "d" + i, 2, 1, ("text " + i).length()));
    }
    awaitTrue(() -> loop.committedOps() == 80, "80 ops committed");
    // At most 5 resident, idle after 200 ms: every flush evicts; loads come from the store.
    Thread.sleep(1_500);
    for (int i = 0; i < 40; i += 7) {
      assertLoads(i, "after eviction " + i);
    }
    loop.stop(Duration.ofSeconds(20));

    OtLoop again = start(disk);
    awaitTrue(again::ready, "ready after a restart on the same disk");
    for (int i = 1; i < 40; i += 7) {
      assertLoads(i, "after restart " + i);
    }
    submit(edit("notes", "d3", 3, 2, ("text 3!").length()));
    awaitTrue(() -> again.committedOps() == 1, "an edit after the restart commits at v2");
    again.stop(Duration.ofSeconds(20));

    OtLoop elsewhere = start(fresh);
    awaitTrue(elsewhere::ready, "ready on a disk without a store");
    for (int i = 2; i < 40; i += 7) {
      assertLoads(i, "on a fresh disk " + i);
    }
    Reply d3 = load("notes", "d3", "fresh-d3");
    assertEquals(3L, d3.v());
    assertEquals("text 3!!", d3.data().asText());
  }

  @Test
  void documentsBeyondTheBoundBringTheFlushForwardSoTheyCanLeaveMemory(@TempDir Path state) throws Exception {
    // Flushes a minute apart: only memory pressure can make documents leave sooner.
    OtLoop loop = new OtLoop(config(state).withFlushInterval(Duration.ofSeconds(60)));
    Thread t = new Thread(loop, "ot-pressure");
    t.start();
    loops.add(loop);
    threads.add(t);
    awaitTrue(loop::ready, "ready");
    for (int i = 0; i < 200; i++) {
      submit(create("notes", "p" + i, "text " + i));
    }
    awaitTrue(() -> loop.committedOps() == 200, "200 creates committed");
    awaitTrue(() -> loop.residentDocuments() <= 5, "back to the bound of 5 well before the minute's flush");
    assertTrue(loop.pressureFlushes() > 0);
    Reply r = load("notes", "p17", "pressure-p17");
    assertEquals(1L, r.v());
    assertEquals("text 17", r.data().asText());
  }

  private void assertLoads(int i, String request) throws Exception {
    Reply r = load("notes", "d" + i, request);
    assertEquals(2L, r.v(), request);
    assertEquals("text " + i + "!", r.data().asText(), request);
  }

  private Reply load(String c, String d, String request) throws Exception {
    submit(SubmittedOp.load(new DocKey(c, d), "g-test", request));
    return awaitReply(request);
  }

  private void submit(SubmittedOp op) throws Exception {
    producer.send(new ProducerRecord<>(topics.submitted(), 0, op.key().value(), Records.encode(op))).get();
  }

  private static SubmittedOp create(String c, String d, String text) {
    return new SubmittedOp(1, "create", c, d, "src", (long) Math.abs(d.hashCode()), 0L, null,
        new CreateData("text-unicode", TextNode.valueOf(text)), null, "g-test", null, null, 0);
  }

  /** Appends "!" at {@code at}, based on version {@code v}. */
  private static SubmittedOp edit(String c, String d, long seq, long v, int at) {
    var op = JsonNodeFactory.instance.arrayNode().add(at).add("!");
    return new SubmittedOp(1, "op", c, d, "src-" + d, seq, v, op, null, null, "g-test", null, null, 0);
  }

  private Reply awaitReply(String request) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topics.replies(), 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          Reply reply = Records.decode(r.value(), Reply.class);
          if (request.equals(reply.request())) {
            assertEquals(Reply.SNAPSHOT, reply.kind(), reply.toString());
            return reply;
          }
        }
      }
    }
    throw new AssertionError("no answer to " + request + " within 60 s");
  }

  private static void awaitTrue(BooleanSupplier ok, String what) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!ok.getAsBoolean()) {
      assertTrue(System.currentTimeMillis() < deadline, what);
      Thread.sleep(20);
    }
  }
}
