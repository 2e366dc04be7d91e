package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import java.util.ArrayList;
import java.util.List;

/**
 * The text-unicode op that turns one text into another: a Myers diff (java-diff-utils) over code
 * points, after the common prefix and suffix are set aside. Inserts come before deletes in each
 * change, as the type writes them.
 */
public final class TextDiff {

  private TextDiff() {}

  public static ArrayNode op(String before, String after) {
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
    for (AbstractDelta<Integer> d : DiffUtils.diff(from, to).getDeltas()) {
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
}
