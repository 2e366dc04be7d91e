package dev.tandem.standalone;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A WebSocket client written against RFC 6455 on a plain socket, for what a well-behaved
 * library will not do: one frame of any size, a compressed frame that inflates to megabytes,
 * a client that stops reading. Frames received are queued by a reader thread, which answers
 * pings until {@link #stopReading()}.
 */
final class RawWebSocket implements AutoCloseable {

  /** Something received: a text message, a close (with its code), or the end of the stream. */
  record Frame(Kind kind, String text, int code) {
    enum Kind { TEXT, BINARY, CLOSE, EOF }

    boolean isClose() {
      return kind == Kind.CLOSE || kind == Kind.EOF;
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] TAIL = {0, 0, (byte) 0xff, (byte) 0xff};

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final boolean deflate;
  private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
  private final Object readGate = new Object();
  private volatile boolean reading = true;

  private RawWebSocket(Socket socket, InputStream in, boolean deflate) throws IOException {
    this.socket = socket;
    this.in = in;
    this.out = socket.getOutputStream();
    this.deflate = deflate;
    Thread reader = new Thread(this::readLoop, "raw-ws-" + socket.getLocalPort());
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens {@code path} on loopback; offers permessage-deflate when {@code offerDeflate}. */
  static RawWebSocket connect(int port, String path, boolean offerDeflate) throws IOException {
    return connect(port, path, offerDeflate, 0);
  }

  /**
   * The same with a receive buffer of {@code receiveBuffer} bytes (0: the system's): a small one
   * keeps the kernel from absorbing what a client that stops reading leaves the server holding.
   */
  static RawWebSocket connect(int port, String path, boolean offerDeflate, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
    String key = Base64.getEncoder().encodeToString(RANDOM.generateSeed(16));
    String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
        + (offerDeflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n" : "")
        + "\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IOException("not upgraded: " + head);
    }
    socket.setSoTimeout(0);
    boolean deflate = head.toString().toLowerCase(java.util.Locale.ROOT).contains("permessage-deflate");
    return new RawWebSocket(socket, in, deflate);
  }

  /** Whether the server agreed to permessage-deflate. */
  boolean deflateNegotiated() {
    return deflate;
  }

  /** One text message as a single frame, however large. */
  void sendText(String text) throws IOException {
    sendFrame(0x1, true, false, text.getBytes(StandardCharsets.UTF_8));
  }

  /** One text message in frames of {@code fragment} bytes (text, continuation...). */
  void sendFragmented(byte[] utf8, int fragment) throws IOException {
    for (int at = 0; at < utf8.length || at == 0; at += fragment) {
      int end = Math.min(utf8.length, at + fragment);
      byte[] part = java.util.Arrays.copyOfRange(utf8, at, end);
      sendFrame(at == 0 ? 0x1 : 0x0, end == utf8.length, false, part);
      if (end == utf8.length) {
        break;
      }
    }
  }

  /**
   * The payload of one compressed text frame (raw deflate without the sync-flush tail) holding
   * {@code repeat} copies of {@code chunk} between {@code prefix} and {@code suffix}: a few
   * kilobytes on the wire for megabytes inflated. Send it with {@link #sendCompressed}.
   */
  static byte[] compress(String prefix, byte[] chunk, int repeat, String suffix) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    deflate(deflater, prefix.getBytes(StandardCharsets.UTF_8), packed, buf);
    for (int i = 0; i < repeat; i++) {
      deflate(deflater, chunk, packed, buf);
    }
    deflate(deflater, suffix.getBytes(StandardCharsets.UTF_8), packed, buf);
    int n;
    while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
      packed.write(buf, 0, n);
      if (n < buf.length) {
        break;
      }
    }
    deflater.end();
    byte[] bytes = packed.toByteArray();
    return java.util.Arrays.copyOf(bytes, bytes.length - TAIL.length);
  }

  /** One text frame with RSV1 set: a compressed message, whether or not deflate was agreed. */
  void sendCompressed(byte[] compressed) throws IOException {
    sendFrame(0x1, true, true, compressed);
  }

  private static void deflate(Deflater deflater, byte[] input, ByteArrayOutputStream packed, byte[] buf) {
    deflater.setInput(input);
    while (!deflater.needsInput()) {
      int n = deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH);
      packed.write(buf, 0, n);
    }
  }

  synchronized void sendFrame(int opcode, boolean fin, boolean rsv1, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    int len = payload.length;
    if (len < 126) {
      frame.write(0x80 | len);
    } else if (len < 65536) {
      frame.write(0x80 | 126);
      frame.write(len >>> 8);
      frame.write(len);
    } else {
      frame.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        frame.write((int) ((long) len >>> (8 * i)));
      }
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    frame.write(mask);
    byte[] masked = new byte[len];
    for (int i = 0; i < len; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    frame.write(masked);
    out.write(frame.toByteArray());
    out.flush();
  }

  /** The next text message or close, or null when nothing arrives within {@code timeout}. */
  Frame next(Duration timeout) throws InterruptedException {
    return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next text message containing {@code part}, or the close that ends the stream, or null on timeout. */
  Frame nextMatching(String part, Duration timeout) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (true) {
      Frame f = next(Duration.ofMillis(Math.max(1, deadline - System.currentTimeMillis())));
      if (f == null || f.isClose() || f.text() != null && f.text().contains(part)) {
        return f;
      }
      if (System.currentTimeMillis() >= deadline) {
        return null;
      }
    }
  }

  /** The reader stops after the frame it is reading: from now on the server's writes pile up. */
  void stopReading() {
    reading = false;
  }

  /** The reader goes on: what piled up is read (and queued). */
  void resumeReading() {
    synchronized (readGate) {
      reading = true;
      readGate.notifyAll();
    }
  }

  private void readLoop() {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    boolean compressed = false;
    int messageOpcode = 0;
    try {
      while (true) {
        synchronized (readGate) {
          while (!reading) {
            readGate.wait();
          }
        }
        int b0 = in.read();
        if (b0 < 0) {
          break;
        }
        int b1 = readByte();
        long len = b1 & 0x7f;
        if (len == 126) {
          len = (readByte() << 8) | readByte();
        } else if (len == 127) {
          len = 0;
          for (int i = 0; i < 8; i++) {
            len = (len << 8) | readByte();
          }
        }
        byte[] payload = in.readNBytes((int) len);
        int opcode = b0 & 0x0f;
        if (opcode == 0x8) {
          int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
          received.add(new Frame(Frame.Kind.CLOSE, new String(payload, StandardCharsets.UTF_8), code));
          return;
        }
        if (opcode == 0x9) {
          sendFrame(0xA, true, false, payload);
          continue;
        }
        if (opcode == 0xA) {
          continue;
        }
        if (opcode != 0) {
          messageOpcode = opcode;
          compressed = (b0 & 0x40) != 0;
          message.reset();
        }
        message.write(payload);
        if ((b0 & 0x80) != 0) {
          byte[] data = compressed ? inflate(message.toByteArray()) : message.toByteArray();
          received.add(new Frame(messageOpcode == 1 ? Frame.Kind.TEXT : Frame.Kind.BINARY,
              new String(data, StandardCharsets.UTF_8), 0));
        }
      }
    } catch (IOException | DataFormatException e) {
      // the connection ended
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    received.add(new Frame(Frame.Kind.EOF, null, 1006));
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new IOException("end of stream inside a frame");
    }
    return b;
  }

  private static byte[] inflate(byte[] data) throws DataFormatException {
    Inflater inflater = new Inflater(true);
    inflater.setInput(concat(data, TAIL));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    while (!inflater.needsInput() || inflater.getRemaining() > 0) {
      int n = inflater.inflate(buf);
      if (n == 0) {
        break;
      }
      out.write(buf, 0, n);
    }
    inflater.end();
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  boolean isClosed() {
    return socket.isClosed();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
