package dev.tandem.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.schemas.PresenceRecord;
import dev.tandem.schemas.PresenceRecord.Entry;
import dev.tandem.schemas.Records;
import java.util.List;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** presence-service's state without Kafka: syncs, expiry, values it must refuse; and how loop errors are sorted. */
class PresenceStateTest {

  private static JsonNode json(String text) throws Exception {
    return Records.JSON.readTree(text);
  }

  private static PresenceRecord update(String gateway, String id, JsonNode value) {
    return PresenceRecord.update("notes.a", new Entry(gateway, id, "src-" + id, value, 1, "notes", "a", 1L, null, "user-" + id, null));
  }

  @Test
  void aSyncIsAnsweredWithEveryoneInTheChannel() throws Exception {
    PresenceState state = new PresenceState();
    state.assign(0);
    state.handle(0, update("gw1", "p1", json("{\"index\":1,\"length\":0}")), 0);
    state.handle(0, update("gw2", "p2", json("{\"index\":2,\"length\":1}")), 0);
    List<PresenceState.Out> out = state.handle(0, PresenceRecord.sync("gw3", "notes.a"), 0);
    assertEquals(1, out.size());
    assertEquals(PresenceRecord.STATE, out.get(0).record().kind());
    assertEquals(List.of("p1", "p2"), out.get(0).record().entries().stream().map(Entry::id).toList());
    assertEquals(1, state.syncCount());
  }

  @Test
  void aValueNestedDeeperThanTheLimitIsRefusedAndTheChannelStillAnswers() throws Exception {
    PresenceState state = new PresenceState();
    state.assign(0);
    String deep = "[".repeat(PresenceState.MAX_VALUE_DEPTH + 1) + "]".repeat(PresenceState.MAX_VALUE_DEPTH + 1);
    assertThrows(PresenceState.Unprocessable.class, () -> state.handle(0, update("gw1", "deep", json(deep)), 0));
    String limit = "[".repeat(PresenceState.MAX_VALUE_DEPTH) + "]".repeat(PresenceState.MAX_VALUE_DEPTH);
    state.handle(0, update("gw1", "ok", json(limit)), 0);
    PresenceRecord reply = state.handle(0, PresenceRecord.sync("gw3", "notes.a"), 0).get(0).record();
    assertEquals(List.of("ok"), reply.entries().stream().map(Entry::id).toList());
    Records.encode(reply);
  }

  @Test
  void depthCountsNestedContainers() throws Exception {
    assertEquals(0, PresenceState.depth(json("3")));
    assertEquals(1, PresenceState.depth(json("{}")));
    assertEquals(2, PresenceState.depth(json("{\"p\":[1,2]}")));
    assertEquals(3, PresenceState.depth(json("[1,{\"a\":[]},2]")));
  }

  @Test
  void aSilentGatewaysPresenceExpires() throws Exception {
    PresenceState state = new PresenceState();
    state.assign(0);
    state.handle(0, update("gw1", "p1", json("{\"index\":1}")), 0);
    state.handle(0, PresenceRecord.heartbeat("gw2"), 900);
    state.handle(0, update("gw2", "p2", json("{\"index\":1}")), 900);
    List<PresenceState.Out> out = state.sweep(1_500, 1_000);
    assertEquals(1, out.size());
    assertEquals(PresenceRecord.EXPIRE, out.get(0).record().kind());
    assertEquals("gw1", out.get(0).record().gateway());
    assertEquals(1, state.entryCount());
    assertEquals(1, state.expiredCount());
  }

  @Test
  void recordsOfAPartitionNotOwnedAreIgnored() throws Exception {
    PresenceState state = new PresenceState();
    assertTrue(state.handle(5, PresenceRecord.sync("gw", "notes.a"), 0).isEmpty());
  }
}
