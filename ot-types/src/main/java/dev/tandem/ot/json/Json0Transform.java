package dev.tandem.ot.json;

import static dev.tandem.ot.json.JsValues.atMost;
import static dev.tandem.ot.json.JsValues.less;
import static dev.tandem.ot.json.JsValues.loosely;
import static dev.tandem.ot.json.JsValues.same;
import static dev.tandem.ot.json.JsValues.shift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tandem.ot.Side;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * json0's transform, component against component, with ot-json0 1.x's rules and tie
 * breaks (the only way clients running ot-json0 and this server converge).
 *
 * <p>Two components interact where one's path runs through the other's operand: the
 * "common" length is how far {@code other}'s path reaches into {@code c}'s. Then, by what
 * {@code other} does at that level:
 * <pre>
 *   other  | effect on c
 *   -------+-----------------------------------------------------------------
 *   t / si | same subtype at the same place: the subtypes transform
 *   li+ld  | c under the replaced element vanishes; replace vs replace: LEFT wins
 *   li     | indices at or after the insert shift up (insert vs insert: LEFT first)
 *   ld     | indices after it shift down; c inside the deleted element vanishes
 *   lm     | indices follow the move; lm vs lm breaks ties by side
 *   oi+od  | c under the replaced key vanishes; oi vs oi+od: LEFT replaces
 *   oi     | oi vs oi at one key: LEFT replaces what other inserted, RIGHT vanishes
 *   od     | c under the deleted key vanishes, an oi+od becomes a plain oi
 * </pre>
 */
final class Json0Transform extends BootstrapTransform<Component> {

  static final Json0Transform INSTANCE = new Json0Transform();

  private Json0Transform() {}

  @Override
  void append(List<Component> dest, Component c) {
    Json0Compose.append(dest, c);
  }

  /**
   * How many elements of {@code a}'s path {@code b} shares up to {@code a}'s operand: null
   * when they diverge, -1 when {@code a} acts on the whole document.
   */
  static Integer commonLength(Component a, Component b) {
    int alen = a.operandLength();
    int blen = b.operandLength();
    if (alen == 0) {
      return -1;
    }
    if (blen == 0) {
      return null;
    }
    alen--;
    blen--;
    for (int i = 0; i < alen; i++) {
      if (i >= blen || !same(a.p.get(i), b.p.get(i))) {
        return null;
      }
    }
    return alen;
  }

  @Override
  void transformComponent(List<Component> dest, Component original, Component other, Side side) {
    Component c = original.copy();
    Integer common = commonLength(other, c);
    Integer common2 = commonLength(c, other);
    int cLength = c.operandLength();
    int otherLength = other.operandLength();
    if (common2 != null && otherLength > cLength && loosely(c.at(common2), other.at(common2))) {
      keepDeletedValueCurrent(c, other, cLength);
    }
    if (common == null) {
      Json0Compose.append(dest, c);
      return;
    }
    boolean sameOperand = cLength == otherLength;
    Component oc = other;
    if (c.isStringEdit() && other.isStringEdit()) {
      Json0Compose.toSubtype(c);
      oc = other.copy();
      Json0Compose.toSubtype(oc);
    }
    boolean keep;
    Optional<Subtype> subtype = oc.t == null ? Optional.empty() : Subtype.byName(oc.t);
    if (subtype.isPresent()) {
      if (c.t != null && c.t.equals(oc.t)) {
        transformSubtype(dest, c, oc, subtype.get(), side);
        return;
      }
      keep = true;
    } else if (other.na != null) {
      keep = true;
    } else if (other.li != null && other.ld != null) {
      keep = againstListReplace(c, other, common, sameOperand, side);
    } else if (other.li != null) {
      keep = againstListInsert(c, other, common, sameOperand, side);
    } else if (other.ld != null) {
      keep = againstListDelete(c, other, common, sameOperand, cLength, otherLength);
    } else if (other.lm != null) {
      keep = againstListMove(c, other, common, cLength == otherLength, sameOperand, side);
    } else if (other.oi != null && other.od != null) {
      keep = againstObjectReplace(c, other, common, sameOperand, side);
    } else if (other.oi != null) {
      keep = againstObjectInsert(dest, c, other, common, side);
    } else if (other.od != null) {
      keep = againstObjectDelete(c, other, common, sameOperand);
    } else {
      keep = true;
    }
    if (keep) {
      Json0Compose.append(dest, c);
    }
  }

  /** When c deletes something other edits inside, c's record of it takes other's edit. */
  private static void keepDeletedValueCurrent(Component c, Component other, int cLength) {
    if (c.ld == null && c.od == null) {
      return;
    }
    Component inner = other.copy();
    inner.p = new ArrayList<>(inner.p.subList(cLength, inner.p.size()));
    if (c.ld != null) {
      c.ld = Json0Apply.applyTo(c.ld, inner);
    } else {
      c.od = Json0Apply.applyTo(c.od, inner);
    }
  }

  private static void transformSubtype(List<Component> dest, Component c, Component oc, Subtype type, Side side) {
    JsonNode result = type.transform(c.o, oc.o, side);
    if (c.isStringEdit()) {
      // Legacy string edits come back one text0 component at a time.
      for (JsonNode part : result) {
        Component piece = c.copy();
        piece.o = JsonNodeFactory.instance.arrayNode().add(part.deepCopy());
        Json0Compose.toStringEdit(piece);
        Json0Compose.append(dest, piece);
      }
    } else if (!type.isEmpty(result)) {
      c.o = result;
      Json0Compose.append(dest, c);
    }
  }

  private static boolean againstListReplace(Component c, Component other, int common, boolean sameOperand,
      Side side) {
    if (!same(other.at(common), c.at(common))) {
      return true;
    }
    if (!sameOperand) {
      return false;
    }
    if (c.ld != null) {
      if (c.li != null && side == Side.LEFT) {
        c.ld = other.li.deepCopy();
      } else {
        return false;
      }
    }
    return true;
  }

  private static boolean againstListInsert(Component c, Component other, int common, boolean sameOperand,
      Side side) {
    if (c.li != null && c.ld == null && sameOperand && same(c.at(common), other.at(common))) {
      if (side == Side.RIGHT) {
        shift(c.p, common, 1);
      }
    } else if (atMost(other.at(common), c.at(common))) {
      shift(c.p, common, 1);
    }
    if (c.lm != null && sameOperand && atMost(other.at(common), c.lm)) {
      c.lm++;
    }
    return true;
  }

  private static boolean againstListDelete(Component c, Component other, int common, boolean sameOperand,
      int cLength, int otherLength) {
    if (c.lm != null && sameOperand) {
      if (same(other.at(common), c.at(common))) {
        return false;
      }
      Object p = other.at(common);
      Object from = c.at(common);
      Object to = c.lm;
      if (less(p, to) || (same(p, to) && less(from, to))) {
        c.lm--;
      }
    }
    if (less(other.at(common), c.at(common))) {
      shift(c.p, common, -1);
    } else if (same(other.at(common), c.at(common))) {
      if (otherLength < cLength) {
        return false;
      }
      if (c.ld != null) {
        if (c.li == null) {
          return false;
        }
        c.ld = null;
      }
    }
    return true;
  }

  private static boolean againstListMove(Component c, Component other, int common, boolean sameLength,
      boolean sameOperand, Side side) {
    if (c.lm != null && sameLength) {
      return moveAgainstMove(c, other, common, side);
    }
    Object p = c.at(common);
    Object from = other.at(common);
    Object to = other.lm;
    if (c.li != null && c.ld == null && sameOperand) {
      if (JsValues.less(from, p)) {
        shift(c.p, common, -1);
      }
      if (JsValues.less(to, p)) {
        shift(c.p, common, 1);
      }
    } else if (same(p, from)) {
      c.p.set(common, to);
    } else {
      if (less(from, p)) {
        shift(c.p, common, -1);
      }
      if (less(to, p)) {
        shift(c.p, common, 1);
      } else if (same(p, to) && less(to, from)) {
        shift(c.p, common, 1);
      }
    }
    return true;
  }

  private static boolean moveAgainstMove(Component c, Component other, int common, Side side) {
    int from = (Integer) c.at(common);
    int to = c.lm;
    int otherFrom = (Integer) other.at(common);
    int otherTo = other.lm;
    if (otherFrom == otherTo) {
      return true;
    }
    if (from == otherFrom) {
      if (side == Side.RIGHT) {
        return false;
      }
      c.p.set(common, otherTo);
      if (from == to) {
        c.lm = otherTo;
      }
      return true;
    }
    // Where is my element now?
    if (from > otherFrom) {
      shift(c.p, common, -1);
    }
    if (from > otherTo) {
      shift(c.p, common, 1);
    } else if (from == otherTo && otherFrom > otherTo) {
      shift(c.p, common, 1);
      if (from == to) {
        c.lm++;
      }
    }
    // Where does it go?
    if (to > otherFrom) {
      c.lm--;
    } else if (to == otherFrom && to > from) {
      c.lm--;
    }
    if (to > otherTo) {
      c.lm++;
    } else if (to == otherTo) {
      boolean sameDirection = (otherTo > otherFrom && to > from) || (otherTo < otherFrom && to < from);
      if (sameDirection) {
        if (side == Side.RIGHT) {
          c.lm++;
        }
      } else if (to > from) {
        c.lm++;
      } else if (to == otherFrom) {
        c.lm--;
      }
    }
    return true;
  }

  private static boolean againstObjectReplace(Component c, Component other, int common, boolean sameOperand,
      Side side) {
    if (!same(c.at(common), other.at(common))) {
      return true;
    }
    if (c.oi != null && sameOperand) {
      if (side == Side.RIGHT) {
        return false;
      }
      c.od = other.oi.deepCopy();
      return true;
    }
    return false;
  }

  private static boolean againstObjectInsert(List<Component> dest, Component c, Component other, int common,
      Side side) {
    if (c.oi != null && same(c.at(common), other.at(common))) {
      if (side == Side.RIGHT) {
        return false;
      }
      Component delete = new Component(c.p);
      delete.od = other.oi.deepCopy();
      Json0Compose.append(dest, delete);
    }
    return true;
  }

  private static boolean againstObjectDelete(Component c, Component other, int common, boolean sameOperand) {
    if (!loosely(c.at(common), other.at(common))) {
      return true;
    }
    if (!sameOperand || c.oi == null) {
      return false;
    }
    c.od = null;
    return true;
  }
}
