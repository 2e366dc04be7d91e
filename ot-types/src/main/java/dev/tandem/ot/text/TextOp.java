package dev.tandem.ot.text;

import java.util.Arrays;
import java.util.List;

/**
 * A text-unicode op in typed form: a normalized, immutable list of components (no empty
 * component, no two neighbours of one kind, no trailing retain).
 */
public final class TextOp {

  /** The op that changes nothing. */
  public static final TextOp NOOP = new TextOp(new TextComponent[0]);

  private final TextComponent[] parts;

  TextOp(TextComponent[] parts) {
    this.parts = parts;
  }

  /** Inserts {@code text} at code point {@code position}. */
  public static TextOp insert(int position, String text) {
    return new TextOpBuilder().retain(position).insert(TextComponent.Insert.of(text)).build();
  }

  /** Deletes {@code count} code points at {@code position}. */
  public static TextOp delete(int position, int count) {
    return new TextOpBuilder().retain(position).delete(TextComponent.Delete.of(count)).build();
  }

  /** The number of components. */
  public int size() {
    return parts.length;
  }

  /** The component at {@code index}. */
  public TextComponent get(int index) {
    return parts[index];
  }

  /** The components, as an unmodifiable list. */
  public List<TextComponent> components() {
    return List.of(parts);
  }

  /** Whether the op changes nothing. */
  public boolean isNoop() {
    return parts.length == 0;
  }

  /** How many code points the document must have at least for this op to apply. */
  public int inputLength() {
    int n = 0;
    for (TextComponent c : parts) {
      if (!(c instanceof TextComponent.Insert)) {
        n += c.count();
      }
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TextOp other && Arrays.equals(parts, other.parts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(parts);
  }

  @Override
  public String toString() {
    return TextOpCodec.toJson(this).toString();
  }
}
