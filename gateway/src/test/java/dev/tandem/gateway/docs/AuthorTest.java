package dev.tandem.gateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.MultiMap;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who a connection's ops are recorded as made by: named once, well formed. */
class AuthorTest {

  @Test
  void theProxysHeaderWinsOverTheQuery() {
    assertEquals(Optional.of("ann"), Author.of(MultiMap.caseInsensitiveMultiMap().add(Author.HEADER, "ann"), "/v1/docs?user=bob"));
    assertEquals(Optional.of("bob"), Author.of(MultiMap.caseInsensitiveMultiMap(), "/v1/docs?user=bob"));
    assertEquals(Optional.empty(), Author.of(MultiMap.caseInsensitiveMultiMap(), "/v1/docs"));
  }

  @Test
  void malformedNamesAreRefused() {
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    assertThrows(IllegalArgumentException.class, () -> Author.of(none, "/v1/docs?user=a&user=b"));
    assertThrows(IllegalArgumentException.class, () -> Author.of(none, "/v1/docs?user=" + "x".repeat(65)));
    assertThrows(IllegalArgumentException.class, () -> Author.of(none, "/v1/docs?user=a%07b"));
    assertThrows(IllegalArgumentException.class, () -> Author.of(MultiMap.caseInsensitiveMultiMap().add(Author.HEADER, "x\ud800"), "/"));
  }
}
