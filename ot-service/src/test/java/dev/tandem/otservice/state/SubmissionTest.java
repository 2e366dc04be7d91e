package dev.tandem.otservice.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.otservice.state.SubmitOutcome.Committed;
import dev.tandem.otservice.state.SubmitOutcome.Duplicate;
import dev.tandem.otservice.state.SubmitOutcome.Rejected;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.SubmittedOp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SubmissionTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DocKey KEY = new DocKey("notes", "a");
  private DocumentState doc;

  @BeforeEach
  void createDoc() {
    doc = DocumentState.empty(KEY, 3);
    assertInstanceOf(Committed.class, Submission.submit(doc, create("c1", 1, "text-unicode", TextNode.valueOf("hello")), 0));
  }

  private static JsonNode j(String s) {
    try {
      return JSON.readTree(s.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  private static SubmittedOp edit(String src, long seq, Long v, String op) {
    return new SubmittedOp(1, "op", KEY.collection(), KEY.id(), src, seq, v, j(op), null, null, "g1", null, null, 0);
  }

  private static SubmittedOp create(String src, long seq, String type, JsonNode data) {
    return new SubmittedOp(1, "create", KEY.collection(), KEY.id(), src, seq, 0L, null, new CreateData(type, data), null,
        "g1", null, null, 0);
  }

  private static SubmittedOp delete(String src, long seq, long v) {
    return new SubmittedOp(1, "del", KEY.collection(), KEY.id(), src, seq, v, null, null, true, "g1", null, null, 0);
  }

  private static String rejection(SubmitOutcome o) {
    return assertInstanceOf(Rejected.class, o).error().code();
  }

  @Test
  void transformsConcurrentEditsAgainstWhatWasCommittedSinceTheirBase() {
    Committed first = (Committed) Submission.submit(doc, edit("alice", 1, 1L, "[5, '!']"), 0);
    assertEquals(1, first.op().v());
    Committed second = (Committed) Submission.submit(doc, edit("bob", 1, 1L, "['>']"), 0);
    assertEquals(2, second.op().v());
    assertEquals(j("['>']"), second.op().op());
    Committed third = (Committed) Submission.submit(doc, edit("carol", 1, 1L, "[5, '?']"), 0);
    // carol's insert at the same place as alice's, transformed LEFT: it goes first.
    assertEquals(j("[6, '?']"), third.op().op());
    assertEquals(TextNode.valueOf(">hello?!"), doc.data());
    assertEquals(4, doc.version());
  }

  @Test
  void acknowledgesAResubmittedOpInsteadOfCommittingItTwice() {
    Submission.submit(doc, edit("alice", 7, 1L, "['x']"), 0);
    Submission.submit(doc, edit("bob", 1, 2L, "['y']"), 0);
    SubmitOutcome again = Submission.submit(doc, edit("alice", 7, 1L, "['x']"), 0);
    assertEquals(new Duplicate(1), again);
    assertEquals(3, doc.version());
    assertEquals(TextNode.valueOf("yxhello"), doc.data());
  }

  @Test
  void rejectsOpBasedOnFutureVersion() {
    assertEquals("ERR_OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT", rejection(Submission.submit(doc, edit("a", 1, 5L, "['x']"), 0)));
  }

  @Test
  void rejectsOpOlderThanTheHistoryKeptWithACodeTheClientCanResyncOn() {
    for (int i = 0; i < 4; i++) {
      Submission.submit(doc, edit("a", i + 1, null, "['x']"), 0);
    }
    assertEquals(2, doc.windowStart());
    assertEquals("ERR_SUBMIT_TRANSFORM_OPS_NOT_FOUND", rejection(Submission.submit(doc, edit("b", 1, 1L, "['y']"), 0)));
    assertInstanceOf(Committed.class, Submission.submit(doc, edit("b", 2, 2L, "['y']"), 0));
  }

  @Test
  void rejectsInvalidOpsAndLeavesTheDocumentAsItWas() {
    assertEquals("ERR_OT_OP_NOT_APPLIED", rejection(Submission.submit(doc, edit("a", 1, 1L, "[3, {'d': 9}]"), 0)));
    assertEquals("ERR_OT_OP_NOT_APPLIED", rejection(Submission.submit(doc, edit("a", 2, 1L, "[{'p': ['x'], 'oi': 1}]"), 0)));
    assertEquals(TextNode.valueOf("hello"), doc.data());
    assertEquals(1, doc.version());
  }

  @Test
  void followsShareDbForCreatesAndDeletes() {
    assertEquals("ERR_DOC_ALREADY_CREATED", rejection(Submission.submit(doc, create("z", 1, "json0", j("{}")), 0)));
    assertInstanceOf(Committed.class, Submission.submit(doc, delete("a", 1, 1), 0));
    assertEquals("ERR_DOC_WAS_DELETED", rejection(Submission.submit(doc, edit("b", 1, 1L, "['x']"), 0)));
    assertEquals("ERR_DOC_DOES_NOT_EXIST", rejection(Submission.submit(doc, edit("b", 2, 2L, "['x']"), 0)));
    assertEquals("ERR_DOC_TYPE_NOT_RECOGNIZED",
        rejection(Submission.submit(doc, new SubmittedOp(1, "create", "notes", "a", "c", 1L, 2L, null,
            new CreateData("rich-text", null), null, "g", null, null, 0), 0)));
    // A create based on the version before the delete was overtaken by it...
    assertEquals("ERR_DOC_ALREADY_CREATED",
        rejection(Submission.submit(doc, create("c", 2, "http://sharejs.org/types/JSONv0", j("{'n': 1}")), 0)));
    // ...one based on the current version recreates the document.
    assertInstanceOf(Committed.class, Submission.submit(doc, new SubmittedOp(1, "create", "notes", "a", "c", 3L, 2L, null,
        new CreateData("http://sharejs.org/types/JSONv0", j("{'n': 1}")), null, "g", null, null, 0), 0));
    assertEquals(j("{'n': 1}"), doc.data());
  }

  @Test
  void theWindowHoldsAtMostItsBytesOfOpsWhateverItsCount() {
    DocumentState big = DocumentState.empty(KEY, 1000);
    assertInstanceOf(Committed.class, Submission.submit(big, create("c1", 1, "text-unicode", TextNode.valueOf("")), 0));
    String chunk = "x".repeat(600 * 1024);
    for (int i = 0; i < 8; i++) {
      assertInstanceOf(Committed.class, Submission.submit(big, edit("c1", 2 + i, big.version(), "['" + chunk + "']"), 0));
    }
    // 9 ops; of the 8 big ones the newest and the 6 before it (under 4 MiB) are kept.
    assertEquals(9, big.version());
    assertEquals(2, big.windowStart());
    assertEquals("ERR_SUBMIT_TRANSFORM_OPS_NOT_FOUND", rejection(Submission.submit(big, edit("c2", 1, 1L, "['y']"), 0)));
    assertInstanceOf(Committed.class, Submission.submit(big, edit("c2", 2, 2L, "['y']"), 0));
  }
}
