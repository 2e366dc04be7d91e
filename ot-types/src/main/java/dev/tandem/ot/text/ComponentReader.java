package dev.tandem.ot.text;

import dev.tandem.ot.CodePoints;
import dev.tandem.ot.text.TextComponent.Delete;
import dev.tandem.ot.text.TextComponent.Insert;
import dev.tandem.ot.text.TextComponent.Retain;

/**
 * Reads an op component by component, handing out pieces of at most a requested length.
 * Past its last component an op retains forever. One kind of component can be marked whole:
 * transform never splits an insert, compose never splits a delete.
 */
final class ComponentReader {

  private final TextOp op;
  private int index;
  /** Code points of the current component already handed out. */
  private int offset;

  ComponentReader(TextOp op) {
    this.op = op;
  }

  boolean hasNext() {
    return index < op.size();
  }

  /** The next component (whole) when it is an insert that has not been split. */
  boolean nextIsInsert() {
    return index < op.size() && op.get(index) instanceof Insert;
  }

  /** The rest of the current component. */
  TextComponent takeRest() {
    TextComponent c = op.get(index);
    int start = offset;
    index++;
    offset = 0;
    return start == 0 ? c : suffix(c, start);
  }

  /** At most {@code max} code points, except that inserts ({@code wholeInserts}) or deletes come whole. */
  TextComponent take(int max, boolean wholeInserts) {
    if (index == op.size()) {
      return new Retain(max);
    }
    TextComponent c = op.get(index);
    int left = c.count() - offset;
    boolean whole = wholeInserts ? c instanceof Insert : c instanceof Delete;
    if (whole || left <= max) {
      return takeRest();
    }
    TextComponent part = slice(c, offset, offset + max);
    offset += max;
    return part;
  }

  private static TextComponent suffix(TextComponent c, int start) {
    return slice(c, start, c.count());
  }

  private static TextComponent slice(TextComponent c, int start, int end) {
    if (c instanceof Retain) {
      return new Retain(end - start);
    } else if (c instanceof Insert i) {
      return new Insert(CodePoints.slice(i.text(), start, end), end - start);
    }
    Delete d = (Delete) c;
    return d.invertible() ? new Delete(end - start, CodePoints.slice(d.text(), start, end)) : Delete.of(end - start);
  }

  /** The code points {@code [start, end)} of a delete, as a delete of its own. */
  static Delete sliceDelete(Delete d, int start, int end) {
    return (Delete) slice(d, start, end);
  }
}
