package dev.tandem.ot.text;

/**
 * One component of a text-unicode op. Ops walk the document from its start: a {@link Retain}
 * skips characters, an {@link Insert} adds text at the current place, a {@link Delete} removes
 * characters there. All counts are Unicode code points.
 */
public sealed interface TextComponent permits TextComponent.Retain, TextComponent.Insert, TextComponent.Delete {

  /** How many code points of the document this component walks over or adds. */
  int count();

  /** Skips {@code count} code points; JSON: a positive number. */
  record Retain(int count) implements TextComponent {}

  /** Inserts {@code text} ({@code count} code points); JSON: a non-empty string. */
  record Insert(String text, int count) implements TextComponent {
    /** An insert of well-formed text. */
    public static Insert of(String text) {
      return new Insert(text, text.codePointCount(0, text.length()));
    }
  }

  /**
   * Deletes {@code count} code points. {@code text} is what was deleted when the op records it
   * (JSON {@code {"d":"text"}}, needed to invert it), or empty when the op only says how much
   * (JSON {@code {"d":N}}).
   */
  record Delete(int count, String text) implements TextComponent {
    /** A delete that records only its length. */
    public static Delete of(int count) {
      return new Delete(count, "");
    }

    /** A delete that records the text it removes. */
    public static Delete of(String text) {
      return new Delete(text.codePointCount(0, text.length()), text);
    }

    /** Whether the deleted text is recorded, so the component can be inverted. */
    public boolean invertible() {
      return !text.isEmpty();
    }
  }
}
