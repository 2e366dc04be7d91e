package dev.tandem.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tandem.history.DocHistory;
import dev.tandem.history.LogReader;
import dev.tandem.history.Progress;
import dev.tandem.history.Verifier;
import dev.tandem.kafka.local.LocalKafka;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * History at scale, on an embedded broker: writes a document of 1,000,000 committed text ops and
 * times its replay to the final content; writes 10 documents of 100,000 ops each and times
 * {@code verify} over all of them. Usage:
 * {@code java -cp bench/target/tandem-bench.jar dev.tandem.bench.HistoryBench [OPS]}
 */
public final class HistoryBench {

  private HistoryBench() {}

  public static void main(String[] args) throws Exception {
    int ops = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = Files.createTempDirectory("tandem-history-bench-");
    try (LocalKafka kafka = LocalKafka.start(dir, 0)) {
      String bootstrap = kafka.bootstrapServers();
      Topics replayTopics = new Topics("hb-replay");
      Topics verifyTopics = new Topics("hb-verify");
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        replayTopics.ensure(admin, 1);
        verifyTopics.ensure(admin, 10);
      }
      DocKey big = new DocKey("bench", "big");
      long t0 = System.nanoTime();
      String expected = write(bootstrap, replayTopics, big, ops);
      System.out.printf(Locale.ROOT, "wrote %,d ops of %s in %.1f s%n", ops, big, (System.nanoTime() - t0) / 1e9);
      for (int round = 0; round < 3; round++) {
        try (LogReader reader = new LogReader(bootstrap)) {
          long r0 = System.nanoTime();
          DocHistory.Snapshot s = new DocHistory(reader, replayTopics).at(big, null, null, Progress.NONE);
          double secs = (System.nanoTime() - r0) / 1e9;
          if (!expected.equals(s.data().textValue())) {
            throw new IllegalStateException("replay differs from what was written");
          }
          System.out.printf(Locale.ROOT, "replay %,d ops to the final content (%,d chars): %.2f s (%,.0f ops/s)%n", s.v(),
              expected.length(), secs, s.v() / secs);
        }
      }
      t0 = System.nanoTime();
      for (int d = 0; d < 10; d++) {
        write(bootstrap, verifyTopics, new DocKey("bench", "doc" + d), ops / 10);
      }
      System.out.printf(Locale.ROOT, "wrote 10 documents of %,d ops in %.1f s%n", ops / 10, (System.nanoTime() - t0) / 1e9);
      for (int round = 0; round < 3; round++) {
        try (LogReader reader = new LogReader(bootstrap)) {
          Verifier.Report r = new Verifier(reader, verifyTopics).verify(null, Progress.NONE);
          if (!r.ok()) {
            throw new IllegalStateException(r.fault());
          }
          System.out.printf(Locale.ROOT, "verify %,d ops of %d documents: %.2f s (%,.0f ops/s)%n", r.ops(), r.documents(),
              r.seconds(), r.ops() / r.seconds());
        }
      }
    }
  }

  /** Writes a create and {@code ops - 1} typing ops (mostly at the end, some in the middle); returns the final text. */
  private static String write(String bootstrap, Topics topics, DocKey key, int ops) throws Exception {
    StringBuilder text = new StringBuilder();
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
        "linger.ms", 20, "batch.size", 1 << 20, "acks", "1", "compression.type", "lz4"),
        new StringSerializer(), new ByteArraySerializer())) {
      String topic = topics.committed();
      long now = System.currentTimeMillis();
      p.send(new ProducerRecord<>(topic, key.value(), Records.encode(new CommittedOp(1, "create", key.collection(),
          key.id(), 0, "bench", 0, null, new CreateData("http://sharejs.org/types/text-unicode",
          JsonNodeFactory.instance.textNode("")), null, now, null))));
      java.util.Random rnd = new java.util.Random(7);
      for (int v = 1; v < ops; v++) {
        ArrayNode op = JsonNodeFactory.instance.arrayNode();
        int len = text.length();
        if (len > 0 && rnd.nextInt(10) == 0) {
          int at = rnd.nextInt(len);
          if (at > 0) {
            op.add(at);
          }
          op.addObject().put("d", 1);
          text.deleteCharAt(at);
        } else {
          int at = rnd.nextInt(8) == 0 ? rnd.nextInt(len + 1) : len;
          char c = (char) ('a' + rnd.nextInt(26));
          if (at > 0) {
            op.add(at);
          }
          op.add(String.valueOf(c));
          text.insert(at, c);
        }
        p.send(new ProducerRecord<>(topic, key.value(), Records.encode(new CommittedOp(1, "op", key.collection(),
            key.id(), v, "bench", v, op, null, null, now, null))));
      }
      p.flush();
    }
    return text.toString();
  }
}
