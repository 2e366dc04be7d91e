package dev.tandem.ot.json;

import dev.tandem.ot.Side;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole-op transform for types whose ops are lists of components that transform pairwise
 * (json0 and text0), built from a component transform and an append that merges neighbours.
 *
 * <p>{@link #transformX} transforms two ops against each other at once: every component of
 * the right op passes through every component of the left op, and each left component is
 * transformed by the right component as it stands at that moment. A right component that
 * splits in two recurses on the rest of the left op.
 */
abstract class BootstrapTransform<C> {

  /** Appends {@code c} (transformed against {@code other} from {@code side}) to {@code dest}. */
  abstract void transformComponent(List<C> dest, C c, C other, Side side);

  /** Appends {@code c} to {@code dest}, merging it into the last component where it can. */
  abstract void append(List<C> dest, C c);

  /** {@code op} transformed against {@code other}. */
  final List<C> transform(List<C> op, List<C> other, Side side) {
    if (other.isEmpty()) {
      return op;
    }
    if (op.size() == 1 && other.size() == 1) {
      List<C> dest = new ArrayList<>();
      transformComponent(dest, op.get(0), other.get(0), side);
      return dest;
    }
    return side == Side.LEFT ? transformX(op, other).get(0) : transformX(other, op).get(1);
  }

  /** Both ops transformed against each other: {@code [left', right']}. */
  final List<List<C>> transformX(List<C> left, List<C> right) {
    List<C> leftOp = left;
    List<C> newRight = new ArrayList<>();
    for (C original : right) {
      C rightComponent = original;
      List<C> newLeft = new ArrayList<>();
      int k = 0;
      while (k < leftOp.size()) {
        List<C> next = new ArrayList<>();
        transformComponent(newLeft, leftOp.get(k), rightComponent, Side.LEFT);
        transformComponent(next, rightComponent, leftOp.get(k), Side.RIGHT);
        k++;
        if (next.size() == 1) {
          rightComponent = next.get(0);
          continue;
        }
        if (next.isEmpty()) {
          for (int j = k; j < leftOp.size(); j++) {
            append(newLeft, leftOp.get(j));
          }
        } else {
          List<List<C>> pair = transformX(leftOp.subList(k, leftOp.size()), next);
          pair.get(0).forEach(c -> append(newLeft, c));
          pair.get(1).forEach(c -> append(newRight, c));
        }
        rightComponent = null;
        break;
      }
      if (rightComponent != null) {
        append(newRight, rightComponent);
      }
      leftOp = newLeft;
    }
    return List.of(leftOp, newRight);
  }
}
