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
    assertEquals(List.of(), check("publish", "{'type':'publish','room':'r','offer':{'type':'offer','sdp':'v=0'}}".replace('\'', '"')));
    assertEquals(List.of(), check("subscribe", "{'type':'subscribe','room':'r','feeds':['p1','p2'],'substream':1}".replace('\'', '"')));
    assertEquals(List.of(), check("answer", "{'type':'answer','room':'r','answer':{'type':'answer','sdp':'v=0'}}".replace('\'', '"')));
    assertEquals(List.of(), check("candidate", "{'type':'candidate','room':'r','pc':'publisher','candidate':null}".replace('\'', '"')));
    assertEquals(List.of(), check("candidate", ("{'type':'candidate','room':'r','pc':'subscriber','candidate':"
        + "{'candidate':'candidate:1 1 udp 1 127.0.0.1 5000 typ host','sdpMid':'0','sdpMLineIndex':0}}").replace('\'', '"')));
    assertFalse(check("subscribe", "{'type':'subscribe','room':'r','feeds':['p1'],'substream':5}".replace('\'', '"')).isEmpty());
    assertFalse(check("publish", "{'type':'publish','room':'r','offer':{'type':'answer','sdp':'v=0'}}".replace('\'', '"')).isEmpty());
    assertFalse(check("candidate", "{'type':'candidate','room':'r','pc':'both','candidate':null}".replace('\'', '"')).isEmpty());
    assertFalse(check("join", "{\"type\":\"join\"}").isEmpty());
    assertFalse(check("join", "{\"type\":\"join\",\"room\":\"\"}").isEmpty());
    assertFalse(check("signal", "{\"type\":\"signal\",\"room\":\"r\",\"to\":\"p\",\"data\":\"sdp\"}").isEmpty());
    assertFalse(check("leave", "{\"type\":\"leave\",\"room\":\"r\",\"extra\":1}").isEmpty());
  }

  @Test
  void serverMessages() throws Exception {
    assertEquals(List.of(), check("joined", "{\"type\":\"joined\",\"room\":\"r\",\"peerId\":\"a\",\"peers\":"
        + "[{\"peerId\":\"b\",\"meta\":{}}],\"iceServers\":[{\"urls\":[\"stun:127.0.0.1:3478\"]},{\"urls\":"
        + "[\"turn:127.0.0.1:3478\"],\"username\":\"1:a\",\"credential\":\"x\"}],\"token\":\"" + "t".repeat(32) + "\",\"mode\":\"mesh\"}"));
    assertEquals(List.of(), check("feeds", "{'type':'feeds','room':'r','feeds':['a','b']}".replace('\'', '"')));
    assertEquals(List.of(), check("sfu", "{'type':'sfu','room':'r','restart':true}".replace('\'', '"')));
    assertEquals(List.of(), check("subscription", ("{'type':'subscription','room':'r','offer':{'type':'offer','sdp':'v=0'},"
        + "'streams':[{'mid':'0','feed':'a','kind':'video'}]}").replace('\'', '"')));
    assertEquals(List.of(), check("error", "{\"type\":\"error\",\"code\":\"ROOM_FULL\",\"message\":\"full\",\"room\":\"r\"}"));
    assertFalse(check("error", "{\"type\":\"error\",\"code\":\"OOPS\",\"message\":\"?\"}").isEmpty());
    assertFalse(check("peer-left", "{\"type\":\"peer-left\",\"room\":\"r\"}").isEmpty());
  }
}
