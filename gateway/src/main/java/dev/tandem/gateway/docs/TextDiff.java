package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.difflib.DiffUtils;
import com.github.difflib.algorithm.DiffAlgorithmListener;
import com.github.difflib.algorithm.myers.MyersDiff;
import com.github.difflib.patch.AbstractDelta;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * The text-unicode op that turns one text into another, within a budget. The common prefix and
 * suffix are set aside first (cheap, and it makes a typical edit tiny); the changed middle is then
 * diffed with Myers (java-diff-utils) over code points, unless it is longer than the budget's
 * characters or the diff outlasts its deadline: then the middle is replaced as a whole (one
 * insert and one delete), which is correct, only not minimal. Inserts come before deletes in each
 * change, as the type writes them.
 */
public final class TextDiff {

  /** The op, and whether it is a minimal diff or a replacement of the changed middle. */
  public record Result(ArrayNode op, boolean minimal) {}

  /** What a diff may cost: the changed middle's length (old plus new, code points) and a deadline. */
  public record Budget(int maxChars, long deadlineNanos) {
    public static Budget unlimited() {
      return new Budget(Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    boolean expired() {
      return deadlineNanos != Long.MAX_VALUE && System.nanoTime() - deadlineNanos > 0;
    }
  }

  private TextDiff() {}

  /**
   * The op from {@code before} to {@code after}. Throws {@link CancellationException} when the
   * running thread is interrupted (the gateway is stopping).
   */
  public static Result op(String before, String after, Budget budget) {
    int[] a = before.codePoints().toArray();
    int[] b = after.codePoints().toArray();
    int prefix = 0;
    while (prefix < a.length && prefix < b.length && a[prefix] == b[prefix]) {
      prefix++;
    }
    int suffix = 0;
    while (suffix < a.length - prefix && suffix < b.length - prefix
        && a[a.length - 1 - suffix] == b[b.length - 1 - suffix]) {
      suffix++;
    }
    int oldLength = a.length - prefix - suffix;
    int newLength = b.length - prefix - suffix;
    if ((long) oldLength + newLength > budget.maxChars()) {
      return new Result(replacement(prefix, b, newLength, oldLength), false);
    }
    try {
      return new Result(myers(a, b, prefix, suffix, budget), true);
    } catch (OverBudget e) {
      return new Result(replacement(prefix, b, newLength, oldLength), false);
    }
  }

  /** Retain the prefix, insert the new middle, delete the old one. */
  private static ArrayNode replacement(int prefix, int[] b, int newLength, int oldLength) {
    ArrayNode op = JsonNodeFactory.instance.arrayNode();
    if (prefix > 0 && (newLength > 0 || oldLength > 0)) {
      op.add(prefix);
    }
    if (newLength > 0) {
      op.add(new String(b, prefix, newLength));
    }
    if (oldLength > 0) {
      op.addObject().put("d", oldLength);
    }
    return op;
  }

  private static ArrayNode myers(int[] a, int[] b, int prefix, int suffix, Budget budget) {
    List<Integer> from = new ArrayList<>(a.length - prefix - suffix);
    for (int i = prefix; i < a.length - suffix; i++) {
      from.add(a[i]);
    }
    List<Integer> to = new ArrayList<>(b.length - prefix - suffix);
    for (int i = prefix; i < b.length - suffix; i++) {
      to.add(b[i]);
    }
    ArrayNode op = JsonNodeFactory.instance.arrayNode();
    int cursor = 0;
    for (AbstractDelta<Integer> d : DiffUtils.diff(from, to, new MyersDiff<>(), new Watch(budget)).getDeltas()) {
      int at = prefix + d.getSource().getPosition();
      if (at > cursor) {
        op.add(at - cursor);
      }
      List<Integer> inserted = d.getTarget().getLines();
      if (!inserted.isEmpty()) {
        StringBuilder text = new StringBuilder(inserted.size());
        inserted.forEach(text::appendCodePoint);
        op.add(text.toString());
      }
      int deleted = d.getSource().size();
      if (deleted > 0) {
        op.addObject().put("d", deleted);
      }
      cursor = at + deleted;
    }
    return op;
  }

  /** Stops the diff at each step once the deadline has passed or the thread is interrupted. */
  private record Watch(Budget budget) implements DiffAlgorithmListener {
    @Override
    public void diffStart() { }

    @Override
    public void diffStep(int value, int max) {
      if (Thread.currentThread().isInterrupted()) {
        throw new CancellationException("the diff was cancelled");
      }
      if (budget.expired()) {
        throw new OverBudget();
      }
    }

    @Override
    public void diffEnd() { }
  }

  private static final class OverBudget extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OverBudget() {
      super(null, null, false, false);
    }
  }
}
