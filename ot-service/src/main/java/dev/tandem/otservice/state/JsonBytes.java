package dev.tandem.otservice.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;

/** The serialized size of a JSON value in UTF-8, counted without keeping the bytes. */
final class JsonBytes {

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonBytes() {}

  static long count(JsonNode value) {
    if (value == null) {
      return 0;
    }
    Counter out = new Counter();
    try {
      JSON.writeValue(out, value);
    } catch (IOException e) {
      // Too deep to write: larger than any limit allows.
      return Long.MAX_VALUE / 2;
    }
    return out.n;
  }

  private static final class Counter extends OutputStream {
    long n;

    @Override
    public void write(int b) {
      n++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      n += len;
    }
  }
}
