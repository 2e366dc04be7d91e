package dev.tandem.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tandem.schemas.PresenceRecord.Entry;
import dev.tandem.schemas.SignalRecord.Member;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every Kafka record as the codecs write it matches its JSON Schema in schemas/kafka; broken ones do not. */
class KafkaRecordSchemasTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory N = JsonNodeFactory.instance;

  private static List<String> check(String schema, Object record) throws Exception {
    return SchemaCatalog.validate("kafka/" + schema + ".json", JSON.readTree(Records.encode(record)));
  }

  private static List<String> checkJson(String schema, String json) throws Exception {
    return SchemaCatalog.validate("kafka/" + schema + ".json", JSON.readTree(json));
  }

  @Test
  void recordsAsWrittenMatchTheirSchemas() throws Exception {
    JsonNode op = JSON.readTree("[3, \"hi\"]");
    CreateData create = new CreateData("http://sharejs.org/types/text-unicode", N.textNode("hello"));
    long now = System.currentTimeMillis();
    SubmittedOp submitted = new SubmittedOp(1, "op", "notes", "a", "src1", 4L, 7L, op, null, null, "gw-1", null, null, now);
    assertEquals(List.of(), check("submitted-op", submitted));
    assertEquals(List.of(), check("submitted-op", SubmittedOp.load(new DocKey("notes", "a"), "gw-1", "req-1")));
    assertEquals(List.of(), check("committed-op", new CommittedOp(1, "op", "notes", "a", 7, "src1", 4, op, null, null, now, null)));
    assertEquals(List.of(), check("committed-op", new CommittedOp(1, "create", "notes", "a", 0, "src1", 1, null, create, null, now,
        "ann")));
    assertEquals(List.of(), check("committed-op", new CommittedOp(1, "del", "notes", "a", 9, "src1", 5, null, null, true, now, null)));
    assertEquals(List.of(), check("reply", Reply.reject(submitted, new OpError("ERR_OT_OP_BADLY_FORMED", "bad"))));
    assertEquals(List.of(), check("reply", Reply.duplicate(submitted, 7)));
    assertEquals(List.of(), check("reply", Reply.snapshot(SubmittedOp.load(new DocKey("notes", "a"), "gw-1", "r"), 8,
        "http://sharejs.org/types/text-unicode", N.textNode("x"), null)));
    assertEquals(List.of(), check("snapshot", new SnapshotRecord(1, "notes", "a", 8, "http://sharejs.org/types/text-unicode",
        N.textNode("x"), 1234, now)));
    JsonNode locks = JSON.readTree("[{\"id\":\"shape\",\"src\":\"s1\",\"user\":\"ann\",\"name\":\"Ann\","
        + "\"p\":[\"shapes\",\"k3\"],\"expires\":" + (now + 15000) + "},"
        + "{\"id\":\"para\",\"src\":\"s2\",\"r\":[4,9],\"expires\":" + (now + 15000) + "}]");
    SubmittedOp lock = new SubmittedOp(1, "lock", "board", "b", "s1", null, 7L, null, null, null, "gw-1", "lk-1", "ann", now,
        JSON.readTree("{\"action\":\"lock\",\"id\":\"shape\",\"p\":[\"shapes\",\"k3\"],\"ttl\":15000,\"name\":\"Ann\"}"));
    assertEquals(List.of(), check("submitted-op", lock));
    assertEquals(List.of(), check("committed-op", new CommittedOp(1, "lock", "board", "b", 7, "s1", 0, null, null, null, now,
        "ann", JSON.readTree("{\"action\":\"lock\",\"id\":\"shape\",\"request\":\"lk-1\",\"gateway\":\"gw-1\","
        + "\"locks\":" + locks + "}"))));
    assertEquals(List.of(), check("reply", Reply.reject(lock, new OpError("ERR_LOCKED", "Locked by Bob"), locks)));
    assertEquals(List.of(), check("snapshot", new SnapshotRecord(1, "board", "b", 8, "http://sharejs.org/types/JSONv0",
        N.objectNode(), 1234, now, locks)));
    assertEquals(List.of(), check("checkpoint", new Checkpoint(1, 1234, 1000, now)));
    Entry entry = new Entry("gw-1", "caret", "src1", JSON.readTree("{\"index\":3,\"length\":0}"), 2, "notes", "a", 8L,
        "http://sharejs.org/types/text-unicode", "ann", "Ann");
    assertEquals(List.of(), check("presence", PresenceRecord.update("notes.a", entry)));
    assertEquals(List.of(), check("presence", PresenceRecord.heartbeat("gw-1")));
    assertEquals(List.of(), check("presence", PresenceRecord.state("gw-1", "notes.a", List.of(entry))));
    assertEquals(List.of(), check("presence", PresenceRecord.resync("presence-1", 3)));
    assertEquals(List.of(), check("signal", SignalRecord.join("sig-1", "room", "p1", N.objectNode().put("name", "Ann"))));
    assertEquals(List.of(), check("signal", SignalRecord.signal("sig-2", "room", "p1", "p2", N.objectNode().put("sdp", "v=0"))));
    assertEquals(List.of(), check("signal", SignalRecord.members("sig-2", "room", "q", List.of(new Member("p2", N.objectNode())))));
    assertEquals(List.of(), check("signal", SignalRecord.heartbeat("sig-1")));
    assertEquals(List.of(), check("telemetry", new TelemetryRecord(1, "stats", "call:x", "p1", "ann", "sig-1", now,
        JSON.readTree("{\"mode\":\"mesh\",\"connections\":[]}"))));
  }

  @Test
  void brokenRecordsDoNot() throws Exception {
    assertFalse(checkJson("committed-op", "{\"schema\":1,\"kind\":\"op\",\"c\":\"n\",\"d\":\"a\",\"v\":1,\"src\":\"s\",\"seq\":1,"
        + "\"ts\":1}").isEmpty());
    assertFalse(checkJson("committed-op", "{\"schema\":2,\"kind\":\"del\",\"c\":\"n\",\"d\":\"a\",\"v\":1,\"src\":\"s\",\"seq\":1,"
        + "\"del\":true,\"ts\":1}").isEmpty());
    assertFalse(checkJson("reply", "{\"schema\":1,\"kind\":\"reject\",\"gateway\":\"g\",\"c\":\"n\",\"d\":\"a\",\"ts\":1}").isEmpty());
    assertFalse(checkJson("signal", "{\"schema\":1,\"kind\":\"signal\",\"instance\":\"i\",\"room\":\"r\",\"ts\":1}").isEmpty());
    assertFalse(checkJson("committed-op", "{\"schema\":1,\"kind\":\"lock\",\"c\":\"n\",\"d\":\"a\",\"v\":1,\"src\":\"s\","
        + "\"seq\":0,\"ts\":1}").isEmpty());
    assertFalse(checkJson("checkpoint", "{\"schema\":1,\"offset\":-1,\"replayFrom\":0,\"ts\":1}").isEmpty());
  }
}
