package dev.tandem.otservice.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.otservice.state.SubmitOutcome.Committed;
import dev.tandem.otservice.state.SubmitOutcome.Rejected;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.SnapshotRecord;
import dev.tandem.schemas.SubmittedOp;
import org.junit.jupiter.api.Test;

/** The document limits, number rules, delete semantics and op-error codes a submission enforces. */
class SubmissionRulesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final DocKey KEY = new DocKey("notes", "r");
  private static final String JSON0 = "http://sharejs.org/types/JSONv0";

  private static JsonNode j(String s) {
    try {
      return JSON.readTree(s.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  private static SubmittedOp edit(String src, long seq, Long v, JsonNode op) {
    return new SubmittedOp(1, "op", KEY.collection(), KEY.id(), src, seq, v, op, null, null, "g1", null, null, 0);
  }

  private static SubmittedOp create(String src, long seq, long v, String type, JsonNode data) {
    return new SubmittedOp(1, "create", KEY.collection(), KEY.id(), src, seq, v, null, new CreateData(type, data), null,
        "g1", null, null, 0);
  }

  private static SubmittedOp delete(String src, long seq, long v) {
    return new SubmittedOp(1, "del", KEY.collection(), KEY.id(), src, seq, v, null, null, true, "g1", null, null, 0);
  }

  private static String code(SubmitOutcome o) {
    return assertInstanceOf(Rejected.class, o).error().code();
  }

  private static DocumentState json0Doc(DocLimits limits, JsonNode data) {
    DocumentState doc = DocumentState.empty(KEY, 50);
    assertInstanceOf(Committed.class, Submission.submit(doc, create("c", 1, 0, JSON0, data), limits, 0));
    return doc;
  }

  /** {"a": {"a": ... {"a": 0}}}, {@code depth} levels deep. */
  private static JsonNode nested(int depth) {
    JsonNode v = NODES.numberNode(0);
    for (int i = 0; i < depth; i++) {
      ObjectNode o = NODES.objectNode();
      o.set("a", v);
      v = o;
    }
    return v;
  }

  @Test
  void refusesTwoValidOpsThatTogetherNestTheDocumentTooDeep() {
    // The case from issue 11: each op under Jackson's 1,000-level limit, together ~1,010 deep.
    DocLimits limits = new DocLimits(900, DocLimits.DEFAULT.maxBytes());
    DocumentState doc = json0Doc(limits, j("{}"));
    SubmittedOp first = edit("a", 1, 1L, j("[{'p': ['x'], 'oi': 0}]"));
    ((ObjectNode) first.op().get(0)).set("oi", nested(504));
    assertInstanceOf(Committed.class, Submission.submit(doc, first, limits, 0));
    ArrayNode path = NODES.arrayNode().add("x");
    for (int i = 0; i < 504; i++) {
      path.add("a");
    }
    path.set(504, TextNode.valueOf("b"));
    ObjectNode component = NODES.objectNode();
    component.set("p", path);
    component.set("oi", nested(505));
    Rejected second = assertInstanceOf(Rejected.class,
        Submission.submit(doc, edit("a", 2, 2L, NODES.arrayNode().add(component)), limits, 0));
    assertEquals("ERR_DOC_TOO_DEEP", second.error().code());
    assertTrue(second.error().message().contains("1010"), second.error().message());
    assertEquals(2, doc.version());
    // What is held can always be written as a snapshot record and read back.
    SnapshotRecord s = doc.snapshot(0);
    assertEquals(s, Records.decode(Records.encode(s), SnapshotRecord.class));
  }

  @Test
  void refusesCreateDeeperThanTheLimitWithDefaults() {
    DocumentState doc = DocumentState.empty(KEY, 10);
    assertEquals("ERR_DOC_TOO_DEEP", code(Submission.submit(doc, create("c", 1, 0, JSON0, nested(101)), 0)));
    assertInstanceOf(Committed.class, Submission.submit(doc, create("c", 2, 0, JSON0, nested(100)), 0));
    // An op at path ["a", "b"] inserting a list 99 deep makes 101 levels.
    String list = "[".repeat(99) + "]".repeat(99);
    assertEquals("ERR_DOC_TOO_DEEP", code(Submission.submit(doc,
        edit("c", 3, 1L, j("[{'p': ['a', 'b'], 'oi': " + list + "}]")), 0)));
    assertInstanceOf(Committed.class, Submission.submit(doc,
        edit("c", 4, 1L, j("[{'p': ['b'], 'oi': " + list + "}]")), 0));
  }

  @Test
  void refusesOpsAndCreatesThatWouldMakeTheDocumentTooLarge() {
    DocLimits limits = new DocLimits(100, 2048);
    DocumentState empty = DocumentState.empty(KEY, 10);
    assertEquals("ERR_DOC_TOO_LARGE",
        code(Submission.submit(empty, create("c", 1, 0, JSON0, TextNode.valueOf("x".repeat(3000))), limits, 0)));
    DocumentState doc = json0Doc(limits, j("{'s': '" + "x".repeat(1500) + "'}"));
    assertEquals("ERR_DOC_TOO_LARGE", code(Submission.submit(doc,
        edit("a", 1, 1L, j("[{'p': ['t'], 'oi': '" + "y".repeat(1000) + "'}]")), limits, 0)));
    assertEquals(1, doc.version());
    // Once the text is gone, the estimate is measured again and the same insert fits.
    assertInstanceOf(Committed.class, Submission.submit(doc, edit("a", 2, 1L, j("[{'p': ['s'], 'od': 'x'}]")), limits, 0));
    assertInstanceOf(Committed.class, Submission.submit(doc,
        edit("a", 3, 2L, j("[{'p': ['t'], 'oi': '" + "y".repeat(1000) + "'}]")), limits, 0));
    assertTrue(doc.estimatedBytes() <= 2048);
  }

  @Test
  void refusesNumberAddsThatWouldNotBeFinite() {
    DocumentState doc = json0Doc(DocLimits.DEFAULT, j("{'n': 1.7e308}"));
    Rejected r = assertInstanceOf(Rejected.class,
        Submission.submit(doc, edit("a", 1, 1L, j("[{'p': ['n'], 'na': 1.7e308}]")), 0));
    assertEquals("ERR_OT_OP_NOT_APPLIED", r.error().code());
    assertEquals(j("{'n': 1.7e308}"), doc.data());
    assertEquals("ERR_OT_OP_NOT_APPLIED", code(Submission.submit(doc, edit("a", 2, 1L, j("[{'p': ['m'], 'oi': 1e999}]")), 0)));
    assertFalse(Records.JSON.valueToTree(doc.snapshot(0)).toString().contains("Infinity"));
  }

  @Test
  void tellsBadlyFormedOpsFromOpsThatDoNotApply() {
    DocumentState doc = json0Doc(DocLimits.DEFAULT, j("{'a': 1}"));
    assertEquals("ERR_OT_OP_BADLY_FORMED", code(Submission.submit(doc, edit("a", 1, 1L, j("[null]")), 0)));
    assertEquals("ERR_OT_OP_BADLY_FORMED", code(Submission.submit(doc, edit("a", 2, 1L, j("{'p': ['a'], 'na': 1}")), 0)));
    assertEquals("ERR_OT_OP_NOT_APPLIED", code(Submission.submit(doc, edit("a", 3, 1L, j("[{'p': ['zz'], 'na': 1}]")), 0)));
    Rejected proto = assertInstanceOf(Rejected.class,
        Submission.submit(doc, edit("a", 4, 1L, j("[{'p': ['__proto__', 'x'], 'oi': 1}]")), 0));
    assertEquals("ERR_OT_OP_NOT_APPLIED", proto.error().code());
    assertTrue(proto.error().message().contains("Invalid path segment"));
    assertEquals(1, doc.version());
  }

  @Test
  void refusesDeletingADocumentThatDoesNotExist() {
    DocumentState never = DocumentState.empty(KEY, 10);
    assertEquals("ERR_DOC_DOES_NOT_EXIST", code(Submission.submit(never, delete("a", 1, 0), 0)));
    assertEquals(0, never.version());
    DocumentState doc = json0Doc(DocLimits.DEFAULT, j("{}"));
    assertInstanceOf(Committed.class, Submission.submit(doc, delete("a", 2, 1), 0));
    assertEquals("ERR_DOC_DOES_NOT_EXIST", code(Submission.submit(doc, delete("a", 3, 2), 0)));
    assertEquals(2, doc.version());
  }

  @Test
  void commitsExactlyOneOfTwoConcurrentDeletes() {
    DocumentState doc = json0Doc(DocLimits.DEFAULT, j("{}"));
    assertInstanceOf(Committed.class, Submission.submit(doc, delete("alice", 1, 1), 0));
    assertEquals("ERR_DOC_WAS_DELETED", code(Submission.submit(doc, delete("bob", 1, 1), 0)));
    assertEquals(2, doc.version());
    // A create after the delete brings the document back; a delete based on it commits.
    assertInstanceOf(Committed.class, Submission.submit(doc, create("carol", 1, 2, JSON0, j("{'n': 1}")), 0));
    assertInstanceOf(Committed.class, Submission.submit(doc, delete("dave", 1, 3), 0));
  }
}
