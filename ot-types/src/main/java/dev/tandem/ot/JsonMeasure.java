package dev.tandem.ot;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * Measures of a JSON value that document limits are stated in: its nesting depth (a scalar is
 * 0, {@code []} and {@code {}} are 1, {@code [[1]]} is 2) and whether it holds a number that is
 * not finite. Iterative, so a deep value cannot overflow the stack.
 */
public final class JsonMeasure {

  private JsonMeasure() {}

  /** The nesting depth of {@code value}; 0 for a scalar, null or a missing value. */
  public static int depth(JsonNode value) {
    if (value == null || !value.isContainerNode()) {
      return 0;
    }
    int max = 0;
    Deque<Iterator<JsonNode>> stack = new ArrayDeque<>();
    stack.push(value.elements());
    while (!stack.isEmpty()) {
      max = Math.max(max, stack.size());
      Iterator<JsonNode> it = stack.peek();
      if (!it.hasNext()) {
        stack.pop();
        continue;
      }
      JsonNode child = it.next();
      if (child.isContainerNode()) {
        stack.push(child.elements());
      }
    }
    return max;
  }

  /** Whether {@code value} holds a number that is infinite or NaN anywhere inside it. */
  public static boolean hasNonFinite(JsonNode value) {
    if (value == null) {
      return false;
    }
    Deque<JsonNode> todo = new ArrayDeque<>();
    todo.push(value);
    while (!todo.isEmpty()) {
      JsonNode n = todo.pop();
      if (n.isNumber()) {
        // A big integer literal is finite here but Infinity to JavaScript's JSON.parse.
        if (!Double.isFinite(n.doubleValue())) {
          return true;
        }
      } else if (n.isContainerNode()) {
        n.elements().forEachRemaining(todo::push);
      }
    }
    return false;
  }
}
