package dev.tandem.gateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import org.junit.jupiter.api.Test;

/** The encoded snapshot replies share: one encoding per version, the same JSON as the snapshot. */
class DocViewTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEXT = "http://sharejs.org/types/text-unicode";

  private static String inReply(DocView view) {
    ObjectNode reply = JSON.createObjectNode().put("a", "f");
    reply.putRawValue("data", view.snapshotJson());
    return reply.toString();
  }

  @Test
  void repliesAtOneVersionShareOneEncodingAndAnOpMakesANewOne() throws Exception {
    DocView view = new DocView(new DocKey("notes", "a"));
    view.load(3, TEXT, TextNode.valueOf("héllo \"world\""));
    ObjectNode expected = JSON.createObjectNode().put("a", "f");
    expected.set("data", view.snapshotData());
    assertEquals(expected.toString(), inReply(view), "the raw encoding is the snapshot's JSON");
    assertSame(view.snapshotJson(), view.snapshotJson(), "encoded once per version");

    Object before = view.snapshotJson();
    view.apply(new CommittedOp(1, "op", "notes", "a", 3, "AL", 1, JSON.readTree("[\"» \"]"), null, null, 0L, "ann"), 10);
    assertNotSame(before, view.snapshotJson());
    ObjectNode after = (ObjectNode) JSON.readTree(inReply(view)).get("data");
    assertEquals(4, after.get("v").asLong());
    assertEquals("» héllo \"world\"", after.get("data").asText());
  }

  @Test
  void theWindowHoldsAtMostItsCharactersOfOpsWhateverItsCount() throws Exception {
    DocView view = new DocView(new DocKey("notes", "b"));
    view.load(0, TEXT, TextNode.valueOf(""));
    String mib = "x".repeat(1024 * 1024);
    for (int v = 0; v < 8; v++) {
      view.apply(new CommittedOp(1, "op", "notes", "b", v, "AL", v + 1, JSON.createArrayNode().add(mib), null, null, 0L,
          "ann"), 1000);
    }
    assertEquals(8, view.version());
    assertEquals(4, view.windowStart(), "the newest and 3 more of about 1 MiB each");
    assertEquals(4, view.ops(0, 8).size());
  }
}
