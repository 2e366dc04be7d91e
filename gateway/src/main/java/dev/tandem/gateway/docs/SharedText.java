package dev.tandem.gateway.docs;

/**
 * One text message for many sockets: the text, and the bytes it takes on the wire (its UTF-8
 * length behind a WebSocket frame header), counted once however many sockets it goes to. The
 * outbound budget of {@link SocketWriter} is kept in these bytes.
 */
final class SharedText {

  private final String text;
  private final int wireLength;

  SharedText(String text) {
    this.text = text;
    int n = utf8Length(text);
    // Frames from a server are not masked: 2 header bytes, plus 2 or 8 for the longer lengths.
    this.wireLength = n + (n < 126 ? 2 : n < 65_536 ? 4 : 10);
  }

  String text() {
    return text;
  }

  /** The frame's size on the wire, header included. */
  int wireLength() {
    return wireLength;
  }

  /**
   * UTF-8 length without encoding, as the JDK's encoder (which Vert.x's {@code writeTextMessage}
   * uses) produces it: a lone surrogate is the 1 byte {@code ?}. Netty's {@code utf8Bytes} counts
   * malformed input differently, so it cannot stand in here.
   */
  static int utf8Length(CharSequence s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n += 1;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
