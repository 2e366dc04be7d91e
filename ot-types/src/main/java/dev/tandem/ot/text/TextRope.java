package dev.tandem.ot.text;

import dev.tandem.ot.OtException;
import dev.tandem.ot.text.TextComponent.Delete;
import dev.tandem.ot.text.TextComponent.Insert;
import java.util.ArrayList;
import java.util.List;

/**
 * Mutable text addressed in code points, for documents that take many small edits.
 *
 * <p>The text lives in chunks of at most {@value #MAX_CHUNK} UTF-16 units, each knowing its
 * code point count. A finger remembers the last chunk touched and where it starts, so the
 * local edits people make (typing, deleting nearby) find their chunk in constant time; an
 * edit anywhere else walks the chunk list from the finger. Inside a chunk an edit shifts at
 * most {@value #MAX_CHUNK} units.
 */
public final class TextRope {

  static final int MAX_CHUNK = 1024;
  private static final int SPLIT_CHUNK = MAX_CHUNK / 2;

  private final List<Chunk> chunks = new ArrayList<>();
  private int length;
  private int fingerIndex;
  private int fingerStart;

  /** A rope holding {@code text}, which must be well formed. */
  public TextRope(String text) {
    chunks.add(new Chunk());
    if (!text.isEmpty()) {
      insert(0, text, text.codePointCount(0, text.length()));
    }
  }

  /** The length in code points. */
  public int length() {
    return length;
  }

  /**
   * Applies {@code op}: all or nothing, since the length check comes first and nothing after
   * it can fail.
   */
  public void apply(TextOp op) {
    int need = op.inputLength();
    if (need > length) {
      throw new OtException("text op reaches code point " + need + " but the document has " + length);
    }
    int pos = 0;
    for (int i = 0; i < op.size(); i++) {
      TextComponent c = op.get(i);
      if (c instanceof Insert ins) {
        insert(pos, ins.text(), ins.count());
        pos += ins.count();
      } else if (c instanceof Delete d) {
        delete(pos, d.count());
      } else {
        pos += c.count();
      }
    }
  }

  /** Inserts well-formed {@code text} of {@code count} code points at code point {@code pos}. */
  public void insert(int pos, String text, int count) {
    checkRange(pos, 0);
    int ci = locate(pos);
    Chunk chunk = chunks.get(ci);
    int at = chunk.charOffset(pos - fingerStart);
    if (chunk.chars + text.length() <= MAX_CHUNK) {
      chunk.insert(at, text, count);
    } else {
      String merged = chunk.text(0, at) + text + chunk.text(at, chunk.chars);
      chunks.remove(ci);
      chunks.addAll(ci, Chunk.split(merged));
    }
    length += count;
  }

  /** Deletes {@code count} code points at code point {@code pos}. */
  public void delete(int pos, int count) {
    checkRange(pos, count);
    int left = count;
    while (left > 0) {
      int ci = locate(pos);
      Chunk chunk = chunks.get(ci);
      int inChunk = pos - fingerStart;
      int n = Math.min(left, chunk.cps - inChunk);
      chunk.delete(chunk.charOffset(inChunk), n);
      left -= n;
      length -= n;
      if (chunk.chars == 0 && chunks.size() > 1) {
        chunks.remove(ci);
        fingerIndex = Math.min(ci, chunks.size() - 1);
        fingerStart = ci == fingerIndex ? fingerStart : fingerStart - chunks.get(fingerIndex).cps;
      } else if (ci + 1 < chunks.size() && chunk.chars + chunks.get(ci + 1).chars <= SPLIT_CHUNK) {
        chunk.append(chunks.remove(ci + 1));
      }
    }
  }

  private void checkRange(int pos, int count) {
    if (pos < 0 || count < 0 || pos > length - count) {
      throw new OtException("range [" + pos + ", " + ((long) pos + count) + ") is outside the text (length " + length + ")");
    }
  }

  /**
   * Moves the finger to the chunk holding code point {@code pos} (the last chunk for the end
   * of the text) and returns its index; {@code fingerStart} is then where that chunk starts.
   */
  private int locate(int pos) {
    int i = fingerIndex;
    int start = fingerStart;
    while (pos < start) {
      i--;
      start -= chunks.get(i).cps;
    }
    int last = chunks.size() - 1;
    while (i < last && pos >= start + chunks.get(i).cps) {
      start += chunks.get(i).cps;
      i++;
    }
    fingerIndex = i;
    fingerStart = start;
    return i;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Chunk c : chunks) {
      sb.append(c.buf, 0, c.chars);
    }
    return sb.toString();
  }

  /** A run of text: a buffer, its used length in UTF-16 units and in code points. */
  private static final class Chunk {
    char[] buf = new char[MAX_CHUNK];
    int chars;
    int cps;

    static List<Chunk> split(String s) {
      List<Chunk> out = new ArrayList<>();
      int i = 0;
      while (i < s.length()) {
        int end = Math.min(s.length(), i + SPLIT_CHUNK);
        if (end < s.length() && Character.isLowSurrogate(s.charAt(end))) {
          end--;
        }
        Chunk c = new Chunk();
        String piece = s.substring(i, end);
        c.insert(0, piece, piece.codePointCount(0, piece.length()));
        out.add(c);
        i = end;
      }
      if (out.isEmpty()) {
        out.add(new Chunk());
      }
      return out;
    }

    int charOffset(int cpOffset) {
      if (chars == cps) {
        return cpOffset;
      }
      int i = 0;
      for (int k = 0; k < cpOffset; k++) {
        i += Character.isHighSurrogate(buf[i]) ? 2 : 1;
      }
      return i;
    }

    void insert(int at, String text, int count) {
      System.arraycopy(buf, at, buf, at + text.length(), chars - at);
      text.getChars(0, text.length(), buf, at);
      chars += text.length();
      cps += count;
    }

    void delete(int at, int count) {
      int end = at;
      if (chars == cps) {
        end += count;
      } else {
        for (int k = 0; k < count; k++) {
          end += Character.isHighSurrogate(buf[end]) ? 2 : 1;
        }
      }
      System.arraycopy(buf, end, buf, at, chars - end);
      chars -= end - at;
      cps -= count;
    }

    void append(Chunk next) {
      System.arraycopy(next.buf, 0, buf, chars, next.chars);
      chars += next.chars;
      cps += next.cps;
    }

    String text(int from, int to) {
      return new String(buf, from, to - from);
    }
  }
}
