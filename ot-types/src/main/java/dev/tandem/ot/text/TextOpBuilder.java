package dev.tandem.ot.text;

import dev.tandem.ot.text.TextComponent.Delete;
import dev.tandem.ot.text.TextComponent.Insert;
import dev.tandem.ot.text.TextComponent.Retain;
import java.util.Arrays;

/**
 * Appends components to an op under construction, keeping it normalized: empty components
 * vanish and neighbours of one kind merge. Deletes that both record their text keep it;
 * otherwise the merged delete keeps only the length, as ot-text-unicode does.
 */
final class TextOpBuilder {

  private TextComponent[] parts = new TextComponent[4];
  private int size;

  TextOpBuilder retain(int count) {
    if (count > 0) {
      if (size > 0 && parts[size - 1] instanceof Retain r) {
        parts[size - 1] = new Retain(r.count() + count);
      } else {
        push(new Retain(count));
      }
    }
    return this;
  }

  TextOpBuilder insert(Insert ins) {
    if (ins.count() > 0) {
      if (size > 0 && parts[size - 1] instanceof Insert last) {
        parts[size - 1] = new Insert(last.text() + ins.text(), last.count() + ins.count());
      } else {
        push(ins);
      }
    }
    return this;
  }

  TextOpBuilder delete(Delete del) {
    if (del.count() > 0) {
      if (size > 0 && parts[size - 1] instanceof Delete last) {
        parts[size - 1] = last.invertible() && del.invertible()
            ? new Delete(last.count() + del.count(), last.text() + del.text())
            : Delete.of(last.count() + del.count());
      } else {
        push(del);
      }
    }
    return this;
  }

  TextOpBuilder add(TextComponent c) {
    if (c instanceof Retain r) {
      return retain(r.count());
    } else if (c instanceof Insert i) {
      return insert(i);
    }
    return delete((Delete) c);
  }

  /** The op built so far, without a trailing retain. */
  TextOp build() {
    int n = size;
    if (n > 0 && parts[n - 1] instanceof Retain) {
      n--;
    }
    return n == 0 ? TextOp.NOOP : new TextOp(Arrays.copyOf(parts, n));
  }

  private void push(TextComponent c) {
    if (size == parts.length) {
      parts = Arrays.copyOf(parts, size * 2);
    }
    parts[size++] = c;
  }
}
