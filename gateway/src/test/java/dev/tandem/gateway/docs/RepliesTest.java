package dev.tandem.gateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.schemas.CommittedOp;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.OpError;
import dev.tandem.schemas.PresenceRecord.Entry;
import org.junit.jupiter.api.Test;

/** Replies shaped as ShareDB's {@code Agent._reply} shapes them, and the author's view of its own ops. */
class RepliesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode json(String s) throws Exception {
    return (ObjectNode) JSON.readTree(s.replace('\'', '"'));
  }

  @Test
  void aBulkUnsubscribeReplyEchoesItsIdsSoTheClientsCallbacksFire() throws Exception {
    assertEquals(json("{'a':'bu','c':'notes','b':['x','y']}"),
        Replies.reply(json("{'a':'bu','c':'notes','b':['x','y']}"), false));
  }

  @Test
  void aReplyWithDataLeavesBOutAndAReplyToAQueryNamesItsId() throws Exception {
    assertEquals(json("{'a':'bs','c':'notes'}"), Replies.reply(json("{'a':'bs','c':'notes','b':['x']}"), true));
    assertEquals(json("{'a':'qf','id':3}"), Replies.reply(json("{'a':'qf','id':3,'c':'notes'}"), false));
    assertEquals(json("{'a':'pp'}"), Replies.reply(json("{'a':'pp'}"), false));
  }

  @Test
  void anErrorIsTheEchoWithTheError() throws Exception {
    assertEquals(json("{'a':'f','c':'notes','d':'x','error':{'code':'ERR_X','message':'why'}}"),
        Replies.error(json("{'a':'f','c':'notes','d':'x'}"), new OpError("ERR_X", "why")));
  }

  @Test
  void aPresenceOfNoDocumentCarriesNoDocumentFieldsAndADocumentPresenceCarriesThem() throws Exception {
    Entry e = new Entry("gw", "p1", "alias", JSON.readTree("{\"i\":1}"), 2, null, null, null, null, null, null);
    assertEquals(json("{'a':'p','ch':'room','src':'alias','id':'p1','p':{'i':1},'pv':2}").toString(),
        Replies.presence("room", e).toString());
    Entry doc = new Entry("gw", "p1", "alias", JSON.readTree("{\"i\":1}"), 2, "notes", "x", 5L, "text-unicode", "ann", "Ann");
    assertEquals(json("{'a':'p','ch':'notes.x','src':'alias','id':'p1','p':{'i':1},'pv':2,'c':'notes','d':'x','v':5,"
        + "'t':'text-unicode','user':{'id':'ann','name':'Ann'}}").toString(), Replies.presence("notes.x", doc).toString());
  }

  @Test
  void anAuthorSeesItsOwnOpUnderItsSecretIdAndOnlyTheTopLevelSrcChanges() throws Exception {
    // A json0 op whose content holds the same text as the src field.
    CommittedOp op = new CommittedOp(1, "op", "notes", "d\",\"src\":\"AL", 4, "AL", 9,
        JSON.readTree("[{\"p\":[\"k\"],\"oi\":{\"src\":\"AL\"}}]"), null, null, 0L, null);
    DocView.WindowEntry entry = new DocView.WindowEntry(4, "AL", new SharedText(Replies.op(op).toString()));
    ObjectNode mine = (ObjectNode) JSON.readTree(entry.forAuthor("AL.secret").text());
    assertEquals("AL.secret", mine.get("src").textValue());
    assertEquals("AL", mine.get("op").get(0).get("oi").get("src").textValue());
    assertEquals("d\",\"src\":\"AL", mine.get("d").textValue());
    assertEquals("AL", JSON.readTree(entry.frame().text()).get("src").textValue());
  }
}
