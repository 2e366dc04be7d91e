package dev.tandem.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The signaling schemas accept the protocol's messages and refuse broken ones. */
class SignalingSchemasTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> check(String schema, String json) throws Exception {
    return SchemaCatalog.validate("signaling/" + schema + ".json", JSON.readTree(json));
  }

  @Test
  void clientMessages() throws Exception {
    assertEquals(List.of(), check("join", "{\"type\":\"join\",\"room\":\"r\",\"meta\":{\"name\":\"Ann\"}}"));
    assertEquals(List.of(), check("join", "{\"type\":\"join\",\"room\":\"r\",\"resume\":\"t\"}"));
    assertEquals(List.of(), check("signal",
        "{\"type\":\"signal\",\"room\":\"r\",\"to\":\"p\",\"data\":{\"description\":{\"type\":\"offer\",\"sdp\":\"v=0\"}}}"));
    assertEquals(List.of(), check("broadcast", "{\"type\":\"broadcast\",\"room\":\"r\",\"data\":\"👍\"}"));
    assertEquals(List.of(), check("leave", "{\"type\":\"leave\",\"room\":\"r\"}"));
    assertFalse(check("join", "{\"type\":\"join\"}").isEmpty());
    assertFalse(check("join", "{\"type\":\"join\",\"room\":\"\"}").isEmpty());
    assertFalse(check("signal", "{\"type\":\"signal\",\"room\":\"r\",\"to\":\"p\",\"data\":\"sdp\"}").isEmpty());
    assertFalse(check("leave", "{\"type\":\"leave\",\"room\":\"r\",\"extra\":1}").isEmpty());
  }

  @Test
  void serverMessages() throws Exception {
    assertEquals(List.of(), check("joined", "{\"type\":\"joined\",\"room\":\"r\",\"peerId\":\"a\",\"peers\":"
        + "[{\"peerId\":\"b\",\"meta\":{}}],\"iceServers\":[{\"urls\":[\"stun:127.0.0.1:3478\"]},{\"urls\":"
        + "[\"turn:127.0.0.1:3478\"],\"username\":\"1:a\",\"credential\":\"x\"}],\"token\":\"" + "t".repeat(32) + "\"}"));
    assertEquals(List.of(), check("error", "{\"type\":\"error\",\"code\":\"ROOM_FULL\",\"message\":\"full\",\"room\":\"r\"}"));
    assertFalse(check("error", "{\"type\":\"error\",\"code\":\"OOPS\",\"message\":\"?\"}").isEmpty());
    assertFalse(check("peer-left", "{\"type\":\"peer-left\",\"room\":\"r\"}").isEmpty());
  }
}
