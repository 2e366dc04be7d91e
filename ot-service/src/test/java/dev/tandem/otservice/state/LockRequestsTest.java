package dev.tandem.otservice.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.otservice.state.SubmitOutcome.Committed;
import dev.tandem.otservice.state.SubmitOutcome.Rejected;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.CreateData;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.SnapshotRecord;
import dev.tandem.schemas.SubmittedOp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lock requests decided against a document, and locks as part of its state, snapshots and log. */
class LockRequestsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DocKey KEY = new DocKey("board", "b");
  private DocumentState doc;
  private long seq;

  private static JsonNode j(String s) {
    try {
      return JSON.readTree(s.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  @BeforeEach
  void createBoard() {
    doc = DocumentState.empty(KEY, 100);
    SubmittedOp create = new SubmittedOp(1, "create", KEY.collection(), KEY.id(), "ann", ++seq, null, null,
        new CreateData("json0", j("{'shapes':{'s1':{'x':1},'s2':{'x':2}},'cards':['a','b']}")), null, "g1", null, null, 0);
    assertInstanceOf(Committed.class, Submission.submit(doc, create, 0));
  }

  private SubmitOutcome edit(String src, String op, long now) {
    return Submission.submit(doc, new SubmittedOp(1, "op", KEY.collection(), KEY.id(), src, ++seq, doc.version(), j(op),
        null, null, "g1", null, null, now), now);
  }

  private SubmitOutcome lock(String src, Long v, String body, long now) {
    return Submission.submit(doc, new SubmittedOp(1, "lock", KEY.collection(), KEY.id(), src, null, v, null, null, null,
        "g1", "req-" + (++seq), src, now, j(body)), now);
  }

  private static String code(SubmitOutcome o) {
    return o instanceof Rejected r ? r.error().code() : null;
  }

  @Test
  void aGrantedLockIsARecordAtTheCurrentVersionThatBindsOthersOps() {
    long v = doc.version();
    SubmitOutcome granted = lock("ann", v, "{'action':'lock','id':'drag','p':['shapes','s1'],'name':'Ann'}", 0);
    CommittedOp record = assertInstanceOf(Committed.class, granted).op();
    assertEquals(CommittedOp.LOCK, record.kind());
    assertEquals(v, record.v());
    assertFalse(record.versioned());
    assertEquals(v, doc.version(), "a lock does not move the version");
    assertTrue(doc.dirty(), "the lock must reach a snapshot");
    assertEquals(15_000, record.lock().get("locks").get(0).get("expires").asLong());
    assertEquals("ERR_LOCKED", code(edit("bob", "[{'p':['shapes','s1','x'],'od':1,'oi':5}]", 1)));
    Rejected refused = (Rejected) edit("bob", "[{'p':['shapes','s1','x'],'od':1,'oi':5}]", 1);
    assertEquals("Locked by Ann", refused.error().message());
    assertEquals("Ann", refused.holder().name());
    assertInstanceOf(Committed.class, edit("bob", "[{'p':['shapes','s2','x'],'od':2,'oi':5}]", 1));
    assertInstanceOf(Committed.class, edit("ann", "[{'p':['shapes','s1','x'],'od':1,'oi':5}]", 1));
    assertEquals("ERR_LOCKED", code(lock("bob", null, "{'action':'lock','id':'x','p':['shapes']}", 1)));
    assertEquals("ERR_LOCKED", code(Submission.submit(doc, new SubmittedOp(1, "del", KEY.collection(), KEY.id(), "bob",
        ++seq, doc.version(), null, null, true, "g1", null, null, 1), 1)), "deleting a document someone holds a lock in");
    // After the TTL, free.
    assertInstanceOf(Committed.class, edit("bob", "[{'p':['shapes','s1','x'],'od':5,'oi':6}]", 15_000));
  }

  @Test
  void aLockNamedAtAnOlderVersionIsMovedThroughTheOpsSince() {
    long v = doc.version();
    assertInstanceOf(Committed.class, edit("bob", "[{'p':['cards',0],'li':'z'}]", 0));
    CommittedOp record = ((Committed) lock("ann", v, "{'action':'lock','id':'card','p':['cards',1]}", 0)).op();
    assertEquals(j("['cards',2]"), record.lock().get("locks").get(0).get("p"), "card 'b' is at index 2 now");
    assertEquals("ERR_LOCKED", code(edit("bob", "[{'p':['cards',2],'ld':'b'}]", 1)));
    assertInstanceOf(Committed.class, edit("bob", "[{'p':['cards',0],'ld':'z'}]", 1));
    assertEquals(j("['cards',1]"), doc.locks().all().get(0).path(), "an op moves the lock");
    assertInstanceOf(Committed.class, edit("ann", "[{'p':['cards',1],'ld':'b'}]", 1));
    assertTrue(doc.locks().isEmpty(), "the holder deleted the card: the lock ended with it");
  }

  @Test
  void unlockReleaseRenewalAndLimits() {
    assertInstanceOf(Committed.class, lock("ann", null, "{'action':'lock','id':'a','p':['shapes','s1']}", 0));
    assertInstanceOf(Committed.class, lock("ann", null, "{'action':'lock','id':'a','p':['shapes','s1'],'ttl':60000}", 10));
    assertEquals(60_010, doc.locks().all().get(0).expires(), "renewed");
    assertInstanceOf(Committed.class, lock("ann", null, "{'action':'unlock','id':'a'}", 20));
    assertTrue(doc.locks().isEmpty());
    for (int i = 0; i < LockRequests.MAX_PER_CONNECTION; i++) {
      assertInstanceOf(Committed.class, lock("ann", null, "{'action':'lock','id':'k" + i + "','p':['cards']}", 30));
    }
    assertEquals("ERR_TOO_MANY_LOCKS", code(lock("ann", null, "{'action':'lock','id':'more','p':['cards']}", 30)));
    assertInstanceOf(Committed.class, lock("ann", null, "{'action':'lock','id':'k0','p':['cards']}", 31), "a renewal is not one more");
    assertInstanceOf(Committed.class, lock("ann", null, "{'action':'release'}", 40));
    assertTrue(doc.locks().isEmpty(), "released with its connection");
  }

  @Test
  void badRequestsAreRefusedWithACode() {
    long revision = doc.revision();
    assertEquals("ERR_LOCK_BADLY_FORMED", code(lock("ann", null, "{'action':'lock','id':'a','p':['shapes'],'ttl':5}", 0)));
    assertEquals("ERR_LOCK_BADLY_FORMED", code(lock("ann", null, "{'action':'lock','id':'a','r':[0,1]}", 0)));
    assertEquals("ERR_LOCK_BADLY_FORMED", code(lock("ann", null, "{'action':'lock','p':['shapes']}", 0)));
    assertEquals("ERR_LOCK_BADLY_FORMED", code(lock("ann", null, "{'action':'steal','id':'a'}", 0)));
    assertEquals("ERR_LOCK_TARGET_GONE", code(lock("ann", null, "{'action':'lock','id':'a','p':['shapes','nope']}", 0)));
    assertEquals("ERR_OP_VERSION_NEWER_THAN_CURRENT_SNAPSHOT",
        code(lock("ann", 99L, "{'action':'lock','id':'a','p':['shapes']}", 0)));
    assertTrue(doc.locks().isEmpty());
    assertEquals(revision, doc.revision(), "refusals change nothing");
  }

  @Test
  void locksSurviveASnapshotAndAReplayOfTheLog() {
    SnapshotRecord before = Records.decode(Records.encode(doc.snapshot(0)), SnapshotRecord.class);
    CommittedOp record = ((Committed) lock("ann", null, "{'action':'lock','id':'a','p':['shapes','s1'],'name':'Ann'}",
        0)).op();
    SnapshotRecord after = Records.decode(Records.encode(doc.snapshot(0)), SnapshotRecord.class);
    DocumentState fromSnapshot = DocumentState.fromSnapshot(after, 100);
    assertEquals(doc.locks().all(), fromSnapshot.locks().all());
    DocumentState replayed = DocumentState.fromSnapshot(before, 100);
    replayed.apply(Records.decode(Records.encode(record), CommittedOp.class));
    assertEquals(doc.locks().all(), replayed.locks().all());
    assertEquals(doc.version(), replayed.version());
    assertEquals("ERR_LOCKED", code(Submission.submit(replayed, new SubmittedOp(1, "op", KEY.collection(), KEY.id(), "bob",
        ++seq, replayed.version(), j("[{'p':['shapes','s1','x'],'od':1,'oi':5}]"), null, null, "g1", null, null, 1), 1)));
  }
}
