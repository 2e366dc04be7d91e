package dev.tandem.gateway.docs;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * One text message for many sockets, encoded once: its UTF-8 bytes behind a complete WebSocket
 * frame header. Frames from a server are not masked, so these bytes are what every subscriber's
 * socket carries. {@code writeTextMessage(String)} would encode and frame the text again for each
 * socket, which is most of the cost of fanning a cursor move out to 200 subscribers.
 *
 * <p>{@link #writeTo} appends the finished frame to a batch of raw bytes, which {@link SocketWriter}
 * hands to the socket's Netty channel.
 */
final class SharedText {

  private final byte[] wire;
  private final int header;

  SharedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    int n = payload.length;
    header = n < 126 ? 2 : n < 65_536 ? 4 : 10;
    wire = new byte[header + n];
    wire[0] = (byte) 0x81; // FIN, text
    if (n < 126) {
      wire[1] = (byte) n;
    } else if (n < 65_536) {
      wire[1] = 126;
      wire[2] = (byte) (n >>> 8);
      wire[3] = (byte) n;
    } else {
      wire[1] = 127;
      for (int i = 0; i < 8; i++) {
        wire[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
      }
    }
    System.arraycopy(payload, 0, wire, header, n);
  }

  /** The text again, for the rare path that writes through Vert.x (and for tests). */
  String text() {
    return new String(wire, header, wire.length - header, StandardCharsets.UTF_8);
  }

  /** The whole frame, header included, as it goes on the wire. */
  int wireLength() {
    return wire.length;
  }

  void writeTo(ByteBuf batch) {
    batch.writeBytes(wire);
  }
}
