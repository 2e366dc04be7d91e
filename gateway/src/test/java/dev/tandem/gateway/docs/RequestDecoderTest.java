package dev.tandem.gateway.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.schemas.DocKey;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The decoder against ShareDB 7's own request checks ({@code Agent._checkRequest},
 * {@code createClientOp}, {@code ot.checkOp}): every message kind, every error code and text.
 */
class RequestDecoderTest {

  private static final String TEXT = "http://sharejs.org/types/text-unicode";
  private static final RequestDecoder DECODER = new RequestDecoder(new RequestDecoder.Rules(2000, 40, 200, 4));

  private static Request valid(String json) {
    Decoded d = DECODER.decode(json.replace('\'', '"'));
    assertInstanceOf(Decoded.Valid.class, d, () -> json + " -> " + d);
    return ((Decoded.Valid) d).request();
  }

  static Stream<Arguments> validRequests() {
    DocKey k = new DocKey("notes", "a");
    return Stream.of(
        Arguments.of("{'a':'hs','protocol':1,'protocolMinor':2,'id':null}", new Request.Handshake(Optional.empty())),
        Arguments.of("{'a':'hs','protocol':'1','id':'x.y'}", new Request.Handshake(Optional.of("x.y"))),
        Arguments.of("{'a':'f','c':'notes','d':'a'}", new Request.Fetch(k, Optional.empty())),
        Arguments.of("{'a':'f','c':'notes','d':'a','v':3}", new Request.Fetch(k, Optional.of(3L))),
        Arguments.of("{'a':'s','c':'notes','d':'a','v':null}", new Request.Subscribe(k, Optional.empty())),
        Arguments.of("{'a':'u','c':'notes','d':'a'}", new Request.Unsubscribe(k)),
        Arguments.of("{'a':'bf','c':'notes','b':['a','b']}", new Request.Bulk("notes",
            List.of(new Request.BulkItem("a", Optional.empty()), new Request.BulkItem("b", Optional.empty())), false, false)),
        Arguments.of("{'a':'bs','c':'notes','b':{'a':2}}", new Request.Bulk("notes",
            List.of(new Request.BulkItem("a", Optional.of(2L))), true, true)),
        Arguments.of("{'a':'bu','c':'notes','b':['a']}", new Request.BulkUnsubscribe("notes", List.of("a"))),
        Arguments.of("{'a':'nf','c':'notes','d':'a','v':2}", new Request.SnapshotAtVersion(k, Optional.of(2L))),
        Arguments.of("{'a':'nt','c':'notes','d':'a','ts':1700000000000}",
            new Request.SnapshotAtTime(k, Optional.of(1700000000000L))),
        Arguments.of("{'a':'ps','ch':'notes.a','seq':1}", new Request.PresenceSubscribe("notes.a")),
        Arguments.of("{'a':'pu','ch':'notes.a','seq':2}", new Request.PresenceUnsubscribe("notes.a")),
        Arguments.of("{'a':'pr','ch':'notes.a'}", new Request.PresenceRequest("notes.a")),
        Arguments.of("{'a':'pp'}", new Request.Ping()),
        Arguments.of("{'a':'auth','token':'h.p.s'}", new Request.Auth("h.p.s")));
  }

  @ParameterizedTest
  @MethodSource("validRequests")
  void decodesEveryMessageKind(String json, Request expected) {
    assertEquals(expected, valid(json));
  }

  @Test
  void anAuthMessageCarriesOneTokenAndNeverEchoesIt() {
    for (String bad : List.of("{\"a\":\"auth\"}", "{\"a\":\"auth\",\"token\":7}", "{\"a\":\"auth\",\"token\":\"\"}",
        "{\"a\":\"auth\",\"token\":\"" + "t".repeat(dev.tandem.access.TokenVerifier.MAX_TOKEN_CHARS + 1) + "\"}")) {
      Decoded.Invalid d = assertInstanceOf(Decoded.Invalid.class, new RequestDecoder(new RequestDecoder.Rules(20_000, 40,
          200, 4)).decode(bad), bad);
      assertEquals("ERR_MESSAGE_BADLY_FORMED", d.error().code());
      assertFalse(d.echo().has("token"));
    }
  }

  @Test
  void decodesEditsCreatesAndDeletes() {
    Request.Submit edit = (Request.Submit) valid("{'a':'op','c':'notes','d':'a','v':1,'seq':3,'op':[1,'x']}");
    assertEquals(new DocKey("notes", "a"), edit.key());
    assertEquals(3, edit.seq());
    assertEquals(Optional.empty(), edit.src());
    assertEquals("[1,\"x\"]", ((Request.Edit) edit.body()).op().toString());
    Request.Submit create = (Request.Submit) valid("{'a':'op','c':'notes','d':'a','v':0,'seq':1,'src':'s.m',"
        + "'create':{'type':'" + TEXT + "','data':'hi'}}");
    assertEquals(Optional.of("s.m"), create.src());
    assertEquals(TEXT, ((Request.Create) create.body()).type());
    assertEquals("\"hi\"", ((Request.Create) create.body()).data().orElseThrow().toString());
    Request.Submit del = (Request.Submit) valid("{'a':'op','c':'notes','d':'a','v':2,'seq':4,'del':true}");
    assertInstanceOf(Request.Delete.class, del.body());
  }

  @Test
  void decodesPresenceWithAndWithoutADocument() {
    Request.PresenceSubmit p = (Request.PresenceSubmit) valid(
        "{'a':'p','ch':'notes.a','id':'p1','pv':3,'p':{'index':1},'c':'notes','d':'a','v':2,'t':'" + TEXT + "'}");
    assertEquals(new Request.PresenceDoc("notes", Optional.of("a"), Optional.of(2L), Optional.of(TEXT)), p.doc().get());
    assertEquals(3, p.pv());
    // ShareDB relays a presence with c and d: null; and a plain (non-document) presence.
    Request.PresenceSubmit noDoc = (Request.PresenceSubmit) valid("{'a':'p','ch':'room','id':'p1','pv':0,'p':null,'c':'notes','d':null}");
    assertEquals(Optional.empty(), noDoc.doc().get().id());
    assertTrue(noDoc.value().isNull());
    assertTrue(((Request.PresenceSubmit) valid("{'a':'p','ch':'room','id':'p1','pv':0,'p':1}")).doc().isEmpty());
  }

  /** Frames ShareDB refuses, with its code and text (and the gateway's own checks, marked). */
  static Stream<Arguments> invalidRequests() {
    String bad = "ERR_MESSAGE_BADLY_FORMED";
    String op = "ERR_OT_OP_BADLY_FORMED";
    return Stream.of(
        Arguments.of("{not json", bad, "Message is not JSON"),
        Arguments.of("[1,2]", bad, "Received non-object message"),
        Arguments.of("'text'", bad, "Received non-object message"),
        Arguments.of("{'a':'zz'}", bad, "Invalid or unknown message"),
        Arguments.of("{'c':'notes'}", bad, "Invalid or unknown message"),
        Arguments.of("{'a':'hs','protocol':{}}", bad, "Invalid protocol"),
        Arguments.of("{'a':'hs','protocolMinor':[1]}", bad, "Invalid protocol"),
        Arguments.of("{'a':'hs','id':7}", bad, "Invalid client id"),
        Arguments.of("{'a':'f','c':'notes','d':7}", bad, "Invalid id"),
        Arguments.of("{'a':'f','c':'notes','d':'__proto__'}", bad, "Invalid id"),
        Arguments.of("{'a':'f','c':'constructor','d':'a'}", bad, "Invalid collection"),
        Arguments.of("{'a':'f','c':'notes'}", bad, "Invalid id"),
        Arguments.of("{'a':'f','d':'a'}", bad, "Invalid collection"),
        Arguments.of("{'a':'s','c':'no/slash','d':'x'}", bad, "Invalid collection: a collection name cannot contain '/'"),
        Arguments.of("{'a':'f','c':'notes','d':'a','v':-1}", bad, "Invalid version"),
        Arguments.of("{'a':'f','c':'notes','d':'a','v':'1'}", bad, "Invalid version"),
        Arguments.of("{'a':'f','c':'notes','d':'a','v':1.5}", bad, "Invalid version"),
        Arguments.of("{'a':'f','c':'notes','d':'a','v':1e300}", bad, "Invalid version"),
        Arguments.of("{'a':'nf','d':'a'}", bad, "Invalid collection"),
        Arguments.of("{'a':'nt','c':'notes'}", bad, "Invalid id"),
        Arguments.of("{'a':'nt','c':'notes','d':'a','ts':'yesterday'}", bad, "Invalid timestamp"),
        Arguments.of("{'a':'u','c':'notes','d':'a','seq':'x'}", bad, "Invalid seq"),
        Arguments.of("{'a':'bs','c':'notes'}", bad, "Invalid bulk subscribe data"),
        Arguments.of("{'a':'bs','c':'notes','b':'a'}", bad, "Invalid bulk subscribe data"),
        Arguments.of("{'a':'bf','c':'notes','b':['a',3]}", bad, "Invalid id"),
        Arguments.of("{'a':'bs','c':'notes','b':{'a':-2}}", bad, "Invalid version"),
        Arguments.of("{'a':'bs','c':'notes','b':{'hasOwnProperty':1}}", bad, "Invalid id"),
        Arguments.of("{'a':'bu','c':'notes','b':[null]}", bad, "Invalid id"),
        Arguments.of("{'a':'bu','b':['a']}", bad, "Invalid collection"),
        Arguments.of("{'a':'qf','c':'notes','q':{}}", bad, "Missing query ID"),
        Arguments.of("{'a':'qs','id':1,'c':'notes','q':{}}", "ERR_DATABASE_METHOD_NOT_IMPLEMENTED", "Queries are not supported"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':1,'seq':'x','op':[]}", bad, "Invalid seq"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':1,'op':[]}", op, "seq must be a whole number >= 0"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':1,'seq':9007199254740991,'op':[]}",
            "ERR_CONNECTION_SEQ_INTEGER_OVERFLOW",
            "Connection seq has exceeded the max safe integer, maybe from being open for too long"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':1,'seq':7}", bad, "Invalid op message"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':1,'seq':7,'del':false}", bad, "Invalid op message"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':1,'seq':7,'del':1}", op, "del value must be true"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':0,'seq':7,'create':'text'}", op, "Create data must be an object"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':0,'seq':7,'create':{'data':1}}", op, "Missing create type"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':0,'seq':7,'create':{'type':'http://example.com/nope'}}",
            "ERR_DOC_TYPE_NOT_RECOGNIZED", "Unknown type"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':1,'seq':7,'src':5,'op':[]}", op, "src must be a string"),
        Arguments.of("{'a':'op','c':'notes','d':'a','v':1,'seq':7,'op':[1e400]}", op, "Numbers must be finite"),
        Arguments.of("{'a':'p','ch':'notes.a','pv':0,'p':1}", bad, "Invalid presence ID"),
        Arguments.of("{'a':'p','ch':'notes.a','id':'x','pv':'two','p':1}", bad, "Invalid presence version"),
        Arguments.of("{'a':'p','ch':'notes.a','id':'x','p':1}", bad, "Invalid presence version"),
        Arguments.of("{'a':'p','ch':'__proto__','id':'x','pv':0,'p':1}", bad, "Invalid presence channel"),
        Arguments.of("{'a':'ps','ch':'constructor','seq':1}", bad, "Invalid presence channel"),
        Arguments.of("{'a':'ps','ch':42,'seq':9}", bad, "Invalid presence channel"),
        Arguments.of("{'a':'pr'}", bad, "Invalid presence channel"),
        Arguments.of("{'a':'p','ch':'notes.a','id':'x','pv':0}", bad, "Presence value missing"),
        Arguments.of("{'a':'p','ch':'notes.a','id':'x','pv':0,'p':[[[[[1]]]]]}", "ERR_MESSAGE_TOO_LARGE",
            "Presence value nested deeper than 4 levels"),
        Arguments.of("{'a':'p','ch':'notes.a','id':'x','pv':0,'p':'" + "x".repeat(300) + "'}", "ERR_MESSAGE_TOO_LARGE",
            "Presence value of 302 characters is over the limit of 200"),
        Arguments.of("{'a':'p','ch':'notes.a','id':'x','pv':0,'p':{'i':-1e999}}", bad, "Numbers must be finite"),
        Arguments.of("{'a':'p','ch':'notes.b','id':'x','pv':0,'p':1,'c':'notes','d':'a'}", bad,
            "Presence channel notes.b is not that of document notes.a"),
        Arguments.of("{'a':'p','ch':'notes.a','id':'x','pv':0,'p':1,'c':'notes','d':'a','t':'no-such-type'}",
            "ERR_TYPE_DOES_NOT_SUPPORT_PRESENCE", "Type does not support presence: no-such-type"),
        // The gateway's own: lone surrogates and over-long names.
        Arguments.of("{'a':'f','c':'notes','d':'x\\ud800'}", bad, "Invalid id"),
        Arguments.of("{'a':'f','c':'\\udc00notes','d':'x'}", bad, "Invalid collection"),
        Arguments.of("{'a':'f','c':'notes','d':'" + "x".repeat(41) + "'}", bad, "Invalid id"),
        Arguments.of("{'a':'hs','id':'\\ud83d'}", bad, "Invalid client id"),
        Arguments.of("{'a':'f','c':'notes','d':''}", bad, "Invalid id"));
  }

  @ParameterizedTest
  @MethodSource("invalidRequests")
  void refusesWhatShareDbRefusesWithItsCodeAndText(String json, String code, String message) {
    Decoded d = DECODER.decode(json.replace('\'', '"'));
    Decoded.Invalid invalid = assertInstanceOf(Decoded.Invalid.class, d, json);
    assertEquals(code, invalid.error().code(), json);
    assertEquals(message, invalid.error().message(), json);
  }

  @Test
  void aPairedSurrogateIsAName() {
    assertEquals(new Request.Fetch(new DocKey("notes", "x\ud83d\ude00"), Optional.empty()),
        valid("{'a':'f','c':'notes','d':'x\\ud83d\\ude00'}"));
  }

  @Test
  void aMessageOverTheLimitIsRefusedAndItsEchoCarriesNoPayload() {
    String big = "{\"a\":\"op\",\"c\":\"notes\",\"d\":\"a\",\"v\":1,\"seq\":2,\"op\":[\"" + "x".repeat(3000) + "\"]}";
    Decoded.Invalid d = assertInstanceOf(Decoded.Invalid.class, DECODER.decode(big));
    assertEquals("ERR_MESSAGE_TOO_LARGE", d.error().code());
    assertEquals("{\"a\":\"op\",\"c\":\"notes\",\"d\":\"a\",\"v\":1,\"seq\":2}", d.echo().toString());
  }

  @Test
  void anErrorEchoesTheSmallIdentifyingFieldsOnly() {
    Decoded.Invalid d = assertInstanceOf(Decoded.Invalid.class,
        DECODER.decode("{\"a\":\"p\",\"ch\":\"notes.a\",\"id\":\"x\",\"pv\":0,\"p\":[[[[[1]]]]],\"junk\":\"" + "y".repeat(500) + "\"}"));
    assertEquals("{\"a\":\"p\",\"id\":\"x\",\"ch\":\"notes.a\",\"pv\":0}", d.echo().toString());
    assertFalse(Replies.error(d.echo(), d.error()).toString().contains("yyy"));
  }

  @Test
  void aJsonErrorNamesNoParserInternals() {
    Decoded.Invalid d = assertInstanceOf(Decoded.Invalid.class, DECODER.decode("{\"a\":\"f\",\"c\":\"n\"\u0000"));
    assertEquals("ERR_MESSAGE_BADLY_FORMED", d.error().code());
    assertEquals("Message is not JSON", d.error().message());
    Decoded.Invalid deep = assertInstanceOf(Decoded.Invalid.class, DECODER.decode("[".repeat(1500) + "]".repeat(1500)));
    assertEquals("ERR_MESSAGE_TOO_LARGE", deep.error().code());
    assertEquals("Message nests too deeply or holds too long a value", deep.error().message());
  }
}
