package dev.tandem.standalone;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * A TCP connection that speaks HTTP/1.1 and WebSocket frames by hand, for transport tests that
 * need what no client library sends: one frame of any size, a compressed frame, nothing at all.
 */
final class RawSocket implements AutoCloseable {

  /** A frame from the server. */
  record Frame(int opcode, byte[] payload) {
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
    }

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final Random random = new Random(1);

  RawSocket(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  void write(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** The response head (status line and headers) of an HTTP request just sent. */
  String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("closed after " + head);
      }
      head.write(b);
      matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** A response's head and body, for a response with a content-length. */
  String readResponse() throws IOException {
    String head = readHead();
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return head + new String(body, StandardCharsets.UTF_8);
  }

  /** Sends a WebSocket upgrade for {@code path} with {@code extraHeaders}; returns the response head. */
  String upgrade(String path, String extraHeaders) throws IOException {
    byte[] key = new byte[16];
    random.nextBytes(key);
    write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
        + extraHeaders + "\r\n");
    return readHead();
  }

  /** Sends one masked frame, as a client must. */
  void frame(int opcode, boolean fin, boolean rsv1, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      f.write(0x80 | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length & 0xff);
    } else {
      f.write(0x80 | 127);
      long n = payload.length;
      for (int i = 7; i >= 0; i--) {
        f.write((int) (n >>> (8 * i)) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    random.nextBytes(mask);
    f.write(mask);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    f.write(masked);
    out.write(f.toByteArray());
    out.flush();
  }

  /** The head of a masked frame announcing {@code length} payload bytes, and none of them. */
  void frameHead(int opcode, long length) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream(14);
    f.write(0x80 | opcode);
    f.write(0x80 | 127);
    for (int i = 7; i >= 0; i--) {
      f.write((int) (length >>> (8 * i)) & 0xff);
    }
    f.write(new byte[4]);
    out.write(f.toByteArray());
    out.flush();
  }

  void text(String message) throws IOException {
    frame(1, true, false, message.getBytes(StandardCharsets.UTF_8));
  }

  /** The next frame from the server; null when the connection ends first. */
  Frame readFrame() throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      return null;
    }
    int b1 = in.read();
    if (b1 < 0) {
      return null;
    }
    long length = b1 & 0x7f;
    if (length == 126) {
      length = ((in.read() & 0xff) << 8) | (in.read() & 0xff);
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; i++) {
        length = (length << 8) | (in.read() & 0xff);
      }
    }
    byte[] payload = in.readNBytes((int) length);
    return new Frame(b0 & 0x0f, payload);
  }

  /** The next frame that is not a ping, pong or the server's ShareDB greeting; null at the end. */
  Frame readUntil(int opcode) throws IOException {
    while (true) {
      Frame f = readFrame();
      if (f == null || f.opcode() == opcode || f.opcode() == 8) {
        return f;
      }
    }
  }

  /** Whether the server closes the connection within {@code millis}, whatever it sends first. */
  boolean closedWithin(long millis) throws IOException {
    socket.setSoTimeout((int) millis);
    long deadline = System.currentTimeMillis() + millis;
    try {
      byte[] buf = new byte[65536];
      while (System.currentTimeMillis() < deadline) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    } finally {
      socket.setSoTimeout(10_000);
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
