package dev.tandem.gateway.docs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How deep a JSON value nests and whether all its numbers are finite, measured without recursion
 * (a hostile value may nest a thousand levels).
 *
 * @param depth levels of arrays and objects (a scalar is 0), counted up to the limit given plus one
 * @param finite whether every number in it is finite
 */
record Shape(int depth, boolean finite) {

  private record At(JsonNode node, int depth) {}

  /** Stops descending past {@code limit}: a deeper value is refused whatever else it holds. */
  static Shape of(JsonNode value, int limit) {
    int deepest = 0;
    Deque<At> todo = new ArrayDeque<>();
    todo.push(new At(value, 0));
    while (!todo.isEmpty()) {
      At at = todo.pop();
      JsonNode n = at.node();
      if (n.isContainerNode()) {
        int d = at.depth() + 1;
        deepest = Math.max(deepest, d);
        if (d > limit) {
          return new Shape(deepest, true);
        }
        for (JsonNode child : n) {
          todo.push(new At(child, d));
        }
      } else if (n.isNumber() && !n.isIntegralNumber() && !Double.isFinite(n.asDouble())) {
        return new Shape(deepest, false);
      }
    }
    return new Shape(deepest, true);
  }
}
