package dev.tandem.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The edit-lock messages of /v1/docs (schemas/docs/): the protocol's messages pass, broken ones do not. */
class LockSchemasTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> check(String schema, String json) throws Exception {
    return SchemaCatalog.validate("docs/" + schema + ".json", JSON.readTree(json.replace('\'', '"')));
  }

  @Test
  void clientMessages() throws Exception {
    assertEquals(List.of(), check("lock", "{'a':'lock','c':'board','d':'b1','id':'drag','v':7,'p':['shapes','s1'],'ttl':15000}"));
    assertEquals(List.of(), check("lock", "{'a':'lock','c':'notes','d':'n1','id':'para','r':[4,9]}"));
    assertEquals(List.of(), check("unlock", "{'a':'unlock','c':'board','d':'b1','id':'drag'}"));
    assertEquals(List.of(), check("locks", "{'a':'locks','c':'board','d':'b1'}"));
    assertFalse(check("lock", "{'a':'lock','c':'board','d':'b1','id':'x'}").isEmpty(), "neither p nor r");
    assertFalse(check("lock", "{'a':'lock','c':'board','d':'b1','id':'x','p':[],'r':[0,1]}").isEmpty(), "both");
    assertFalse(check("lock", "{'a':'lock','c':'board','d':'b1','id':'x','p':['a'],'ttl':10}").isEmpty(), "ttl too short");
    assertFalse(check("lock", "{'a':'lock','c':'board','d':'b1','id':'x','r':[1]}").isEmpty());
    assertFalse(check("unlock", "{'a':'unlock','c':'board','d':'b1'}").isEmpty());
  }

  @Test
  void serverMessages() throws Exception {
    assertEquals(List.of(), check("lock-answer", "{'a':'lock','c':'board','d':'b1','id':'drag','ttl':14998}"));
    assertEquals(List.of(), check("lock-answer", "{'a':'lock','c':'board','d':'b1','id':'drag',"
        + "'error':{'code':'ERR_LOCKED','message':'Locked by Ann'},"
        + "'holder':{'id':'drag','user':'ann','name':'Ann','p':['shapes','s1'],'ttl':9000}}"));
    assertEquals(List.of(), check("locks", "{'a':'locks','c':'board','d':'b1','locks':["
        + "{'id':'drag','user':'ann','name':'Ann','p':['shapes','s1'],'ttl':9000,'mine':true},"
        + "{'id':'para','user':'bob','r':[4,9],'ttl':100}]}"));
    assertFalse(check("lock-answer", "{'a':'lock','c':'board','d':'b1','id':'drag'}").isEmpty(), "neither ttl nor error");
    assertFalse(check("locks", "{'a':'locks','c':'board','d':'b1','locks':[{'id':'x','p':[],'ttl':1,'src':'s'}]}")
        .isEmpty(), "connection ids are not shown");
  }
}
