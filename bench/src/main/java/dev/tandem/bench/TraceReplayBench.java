package dev.tandem.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.ot.OtDocument;
import dev.tandem.ot.text.TextOp;
import dev.tandem.ot.text.TextRope;
import dev.tandem.ot.text.TextUnicodeType;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Replays an editing trace, start to end, on the path ot-service uses: a document held in a
 * rope, ops applied in place. {@code typed} starts from parsed ops; {@code json} also parses
 * every op from its JSON tree, as ops arrive from Kafka.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TraceReplayBench {

  @Param({"automerge-paper", "seph-blog1", "friendsforever_flat"})
  public String trace;

  private EditTrace loaded;
  private List<TextOp> ops;

  @Setup
  public void load() {
    loaded = EditTrace.load(EditTrace.defaultDir(), trace);
    ops = loaded.typedOps();
    if (!typed().equals(loaded.endContent()) || !json().equals(loaded.endContent())) {
      throw new IllegalStateException(trace + ": replay does not reach endContent");
    }
  }

  @Benchmark
  public String typed() {
    TextRope rope = new TextRope(loaded.startContent());
    for (TextOp op : ops) {
      rope.apply(op);
    }
    return rope.toString();
  }

  @Benchmark
  public String json() {
    OtDocument doc = TextUnicodeType.INSTANCE.open(TextNode.valueOf(loaded.startContent()));
    for (JsonNode op : loaded.jsonOps()) {
      doc.apply(op);
    }
    return doc.snapshot().textValue();
  }
}
