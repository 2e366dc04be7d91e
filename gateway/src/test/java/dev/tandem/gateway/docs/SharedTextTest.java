package dev.tandem.gateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The frames {@link SharedText} writes by hand, read back by Netty's own (strict) client-side decoder. */
class SharedTextTest {

  /** A client's decoder: server frames must be unmasked, and anything malformed is refused. */
  private static EmbeddedChannel client() {
    return new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(false).allowMaskMismatch(false).maxFramePayloadLength(1 << 20).build()));
  }

  /** Text whose UTF-8 encoding is exactly {@code bytes} long, with two-byte characters in it. */
  private static String textOf(int bytes) {
    return "é".repeat(bytes / 2) + "x".repeat(bytes % 2);
  }

  @Test
  void framesOfEveryLengthClassDecodeToTheirText() {
    for (int n : new int[] {0, 1, 125, 126, 127, 1000, 65_535, 65_536, 70_001}) {
      String text = textOf(n);
      assertEquals(n, text.getBytes(StandardCharsets.UTF_8).length);
      EmbeddedChannel ch = client();
      ByteBuf wire = Unpooled.buffer();
      new SharedText(text).writeTo(wire);
      ch.writeInbound(wire);
      TextWebSocketFrame frame = ch.readInbound();
      assertEquals(text, frame.text(), "payload of " + n + " bytes");
      assertTrue(frame.isFinalFragment());
      frame.release();
      assertNull(ch.readInbound(), "nothing after the frame of " + n + " bytes");
    }
  }

  @Test
  void aBatchIsItsFramesInOrder() {
    String[] texts = {"{\"a\":\"p\",\"p\":{\"index\":1}}", "caret 😀 moved", textOf(300), ""};
    ByteBuf batch = Unpooled.buffer();
    for (String t : texts) {
      new SharedText(t).writeTo(batch);
    }
    EmbeddedChannel ch = client();
    ch.writeInbound(batch);
    for (String t : texts) {
      TextWebSocketFrame frame = ch.readInbound();
      assertEquals(t, frame.text());
      frame.release();
    }
    assertNull(ch.readInbound());
  }

  @Test
  void theTextReadsBackFromTheEncodedBytes() {
    String text = "ops for everyone: " + textOf(200);
    assertEquals(text, new SharedText(text).text());
  }
}
