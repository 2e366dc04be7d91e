package dev.tandem.bench;

import dev.tandem.ot.Side;
import dev.tandem.ot.text.TextOp;
import dev.tandem.ot.text.TextOps;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Transforms of random single-component text ops (an insert or a delete at a random place in
 * a 1,000-character document) against each other, the server's work for each concurrent op.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TransformBench {

  static final int PAIRS = 4096;

  private final TextOp[] ops = new TextOp[PAIRS];
  private final TextOp[] others = new TextOp[PAIRS];

  @Setup
  public void generate() {
    Random rnd = new Random(1);
    for (int i = 0; i < PAIRS; i++) {
      ops[i] = randomOp(rnd);
      others[i] = randomOp(rnd);
    }
  }

  private static TextOp randomOp(Random rnd) {
    int pos = rnd.nextInt(1000);
    return rnd.nextBoolean()
        ? TextOp.insert(pos, rnd.nextInt(8) == 0 ? "😀" : String.valueOf((char) ('a' + rnd.nextInt(26))))
        : TextOp.delete(pos, 1 + rnd.nextInt(3));
  }

  @Benchmark
  @OperationsPerInvocation(PAIRS)
  public void transform(Blackhole bh) {
    for (int i = 0; i < PAIRS; i++) {
      bh.consume(TextOps.transform(ops[i], others[i], (i & 1) == 0 ? Side.LEFT : Side.RIGHT));
    }
  }
}
