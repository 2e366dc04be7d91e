package dev.tandem.ot.text;

import dev.tandem.ot.CodePoints;
import dev.tandem.ot.OtException;
import dev.tandem.ot.Side;
import dev.tandem.ot.text.TextComponent.Delete;
import dev.tandem.ot.text.TextComponent.Insert;
import dev.tandem.ot.text.TextComponent.Retain;

/**
 * The text-unicode algebra on typed ops: apply, transform, compose, invert and cursor moves.
 * Results are value for value those of the npm package {@code ot-text-unicode} 4.x.
 */
public final class TextOps {

  private TextOps() {}

  /**
   * {@code op} rewritten to apply after {@code other}, both made against one document.
   *
   * <pre>
   *            doc
   *          /     \
   *        op       other
   *        /           \
   *   doc+op            doc+other
   *        \           /
   *  transform(other,op) transform(op,other)
   *          \       /
   *          converged
   * </pre>
   *
   * Walk {@code other}; for each of its components take as much of {@code op} as it covers:
   * under a retain, op's pieces pass through; under a delete, op's retains and deletes of those
   * characters vanish (the text is already gone) but its inserts stay; at an insert of other,
   * op retains over the new text, unless op inserts at the very same place and is LEFT, in
   * which case op's insert goes first. The rest of op follows unchanged.
   */
  public static TextOp transform(TextOp op, TextOp other, Side side) {
    TextOpBuilder out = new TextOpBuilder();
    ComponentReader mine = new ComponentReader(op);
    for (int i = 0; i < other.size(); i++) {
      TextComponent theirs = other.get(i);
      if (theirs instanceof Insert ins) {
        if (side == Side.LEFT && mine.nextIsInsert()) {
          out.add(mine.takeRest());
        }
        out.retain(ins.count());
        continue;
      }
      boolean theyDelete = theirs instanceof Delete;
      int left = theirs.count();
      while (left > 0) {
        TextComponent piece = mine.take(left, true);
        if (piece instanceof Insert) {
          out.add(piece);
          continue;
        }
        left -= piece.count();
        if (!theyDelete) {
          out.add(piece);
        }
      }
    }
    while (mine.hasNext()) {
      out.add(mine.takeRest());
    }
    return out.build();
  }

  /**
   * One op equal to {@code first} then {@code second}. Walk {@code second}: its retains take
   * pieces of {@code first} through (deletes of first whole, they take no room in between),
   * its inserts pass through, and its deletes cancel first's inserts, turn first's retains
   * into deletes of the same characters, and let first's own deletes through.
   */
  public static TextOp compose(TextOp first, TextOp second) {
    TextOpBuilder out = new TextOpBuilder();
    ComponentReader reader = new ComponentReader(first);
    for (int i = 0; i < second.size(); i++) {
      TextComponent c = second.get(i);
      if (c instanceof Insert ins) {
        out.insert(ins);
      } else if (c instanceof Retain r) {
        int left = r.count();
        while (left > 0) {
          TextComponent piece = reader.take(left, false);
          out.add(piece);
          if (!(piece instanceof Delete)) {
            left -= piece.count();
          }
        }
      } else {
        composeDelete(out, reader, (Delete) c);
      }
    }
    while (reader.hasNext()) {
      out.add(reader.takeRest());
    }
    return out.build();
  }

  private static void composeDelete(TextOpBuilder out, ComponentReader reader, Delete del) {
    int done = 0;
    while (done < del.count()) {
      TextComponent piece = reader.take(del.count() - done, false);
      if (piece instanceof Retain r) {
        out.delete(ComponentReader.sliceDelete(del, done, done + r.count()));
        done += r.count();
      } else if (piece instanceof Insert ins) {
        done += ins.count();
      } else {
        out.add(piece);
      }
    }
  }

  /** The op that undoes {@code op}; every delete in it must record its text. */
  public static TextOp invert(TextOp op) {
    TextOpBuilder out = new TextOpBuilder();
    for (int i = 0; i < op.size(); i++) {
      TextComponent c = op.get(i);
      if (c instanceof Retain r) {
        out.retain(r.count());
      } else if (c instanceof Insert ins) {
        out.delete(new Delete(ins.count(), ins.text()));
      } else {
        Delete d = (Delete) c;
        if (!d.invertible()) {
          throw new OtException("cannot invert text op: component " + i + " deletes " + d.count()
              + " characters without recording them ({\"d\":N}); the op needs {\"d\":\"text\"}");
        }
        out.insert(new Insert(d.text(), d.count()));
      }
    }
    return out.build();
  }

  /** {@code op} with the deleted text recorded in every delete, taken from {@code doc}. */
  public static TextOp makeInvertible(TextOp op, String doc) {
    TextOpBuilder out = new TextOpBuilder();
    int charPos = 0;
    for (int i = 0; i < op.size(); i++) {
      TextComponent c = op.get(i);
      if (c instanceof Insert ins) {
        out.insert(ins);
        continue;
      }
      int end = advance(doc, charPos, c.count(), i);
      out.add(c instanceof Delete ? new Delete(c.count(), doc.substring(charPos, end)) : c);
      charPos = end;
    }
    return out.build();
  }

  /**
   * Moves a cursor (a code point offset) through {@code op}. Another client's insert exactly at
   * the cursor leaves it before the new text (as ot-text-unicode's transformPosition does); the
   * cursor owner's own insert there pushes it past the text.
   */
  public static int transformPosition(int cursor, TextOp op, boolean ownOp) {
    int pos = 0;
    for (int i = 0; i < op.size() && (cursor > pos || (ownOp && cursor == pos)); i++) {
      TextComponent c = op.get(i);
      if (c instanceof Retain r) {
        pos += r.count();
      } else if (c instanceof Insert ins) {
        pos += ins.count();
        cursor += ins.count();
      } else {
        cursor -= Math.min(c.count(), cursor - pos);
      }
    }
    return cursor;
  }

  /** The text after {@code op} is applied to {@code doc} (well-formed text). */
  public static String apply(String doc, TextOp op) {
    StringBuilder out = new StringBuilder(doc.length() + 16);
    int charPos = 0;
    for (int i = 0; i < op.size(); i++) {
      TextComponent c = op.get(i);
      if (c instanceof Insert ins) {
        out.append(ins.text());
        continue;
      }
      int end = advance(doc, charPos, c.count(), i);
      if (c instanceof Retain) {
        out.append(doc, charPos, end);
      }
      charPos = end;
    }
    return out.append(doc, charPos, doc.length()).toString();
  }

  /** The UTF-16 index {@code count} code points past {@code from}; fails when the document ends first. */
  private static int advance(String doc, int from, int count, int component) {
    int i = from;
    int n = doc.length();
    for (int k = 0; k < count; k++) {
      if (i >= n) {
        throw new OtException("text op component " + component + " reaches past the end of the document (length "
            + CodePoints.count(doc) + ")");
      }
      i += Character.isHighSurrogate(doc.charAt(i)) ? 2 : 1;
    }
    return i;
  }
}
