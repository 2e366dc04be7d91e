package dev.tandem.gateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.ServerWebSocket;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The outbound budget: bytes count until the network takes them, and a socket over its budget is
 * reported once and written no more.
 */
class SocketWriterTest {

  /** A socket whose writes complete only when the test says the network took them. */
  private static final class FakeSocket {
    final List<Promise<Void>> inFlight = new ArrayList<>();
    final List<String> written = new ArrayList<>();
    boolean closed;
    short closeCode;

    ServerWebSocket proxy() {
      return (ServerWebSocket) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServerWebSocket.class},
          (p, m, args) -> switch (m.getName()) {
            case "writeTextMessage" -> {
              written.add((String) args[0]);
              Promise<Void> done = Promise.promise();
              inFlight.add(done);
              yield done.future();
            }
            case "writeQueueFull" -> inFlight.size() > 2;
            case "isClosed" -> closed;
            case "close" -> {
              closed = true;
              closeCode = args != null && args.length > 0 ? (Short) args[0] : 0;
              yield Future.succeededFuture();
            }
            case "hashCode" -> System.identityHashCode(p);
            case "equals" -> p == args[0];
            default -> throw new UnsupportedOperationException(m.getName());
          });
    }

    void networkTakesAll() {
      inFlight.forEach(Promise::complete);
      inFlight.clear();
    }
  }

  @Test
  void aSocketThatDoesNotDrainGoesOverItsBudgetOnceAndGetsNothingMore() {
    FakeSocket fake = new FakeSocket();
    AtomicInteger over = new AtomicInteger();
    SocketWriter out = new SocketWriter(fake.proxy(), 1000, over::incrementAndGet);
    SharedText hundred = new SharedText("x".repeat(98));
    assertEquals(100, hundred.wireLength());
    for (int i = 0; i < 10; i++) {
      assertTrue(out.write(hundred), "write " + i);
    }
    assertEquals(1000, out.queuedBytes());
    assertFalse(out.write(hundred));
    assertFalse(out.write(new SharedText("y")));
    assertEquals(1, over.get(), "reported once");
    assertEquals(10, fake.written.size(), "nothing written past the budget");
    out.close((short) 1008, "not reading");
    assertTrue(fake.closed);
    assertEquals(1008, fake.closeCode);
  }

  @Test
  void bytesTheNetworkTookNoLongerCount() {
    FakeSocket fake = new FakeSocket();
    AtomicInteger over = new AtomicInteger();
    SocketWriter out = new SocketWriter(fake.proxy(), 1000, over::incrementAndGet);
    SharedText hundred = new SharedText("x".repeat(98));
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 9; i++) {
        assertTrue(out.write(hundred));
      }
      fake.networkTakesAll();
      assertEquals(0, out.queuedBytes());
    }
    assertEquals(0, over.get());
    assertEquals(450, fake.written.size());
    assertEquals("x".repeat(98), fake.written.get(0));
  }

  @Test
  void drainingFollowsTheWriteQueue() {
    FakeSocket fake = new FakeSocket();
    SocketWriter out = new SocketWriter(fake.proxy(), 1 << 20, () -> { });
    assertTrue(out.draining());
    out.write(List.of(new SharedText("a"), new SharedText("b"), new SharedText("c")));
    assertFalse(out.draining());
    fake.networkTakesAll();
    assertTrue(out.draining());
    assertEquals(List.of("a", "b", "c"), fake.written);
  }
}
