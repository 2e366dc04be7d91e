package dev.tandem.standalone;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.standalone.cli.TandemCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line: every service a command, bad values refused with what was wrong, before anything starts. */
class TandemCliTest {

  private record Run(int code, String out, String err) {}

  private static Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TandemCli.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsEveryCommand() {
    Run r = run(Map.of(), "--help");
    assertEquals(0, r.code());
    for (String c : TandemCli.COMMANDS) {
      assertTrue(r.out().contains(c), r.out());
    }
    Run gw = run(Map.of(), "gateway", "--help");
    assertEquals(0, gw.code());
    for (String flag : new String[] {"--kafka", "--host", "--port", "--topic-prefix", "--instance", "--set", "--drain-ms"}) {
      assertTrue(gw.out().contains(flag), gw.out());
    }
    assertTrue(run(Map.of(), "ot-service", "--help").out().contains("--state-dir"));
  }

  @Test
  void optionsFirstMeanTheStandaloneServerAsTheJarAlwaysRan() {
    assertArrayEquals(new String[] {"standalone", "--port", "1"}, TandemCli.withDefaultCommand(new String[] {"--port", "1"}));
    assertArrayEquals(new String[] {"standalone"}, TandemCli.withDefaultCommand(new String[] {}));
    assertArrayEquals(new String[] {"gateway", "--port", "1"},
        TandemCli.withDefaultCommand(new String[] {"gateway", "--port", "1"}));
  }

  @Test
  void aBadFlagOrVariableIsRefusedWithWhatWasWrongAndNothingStarts() {
    // Kafka at a port nobody listens on: a service that got as far as starting would hang there.
    String nowhere = "127.0.0.1:1";
    Run port = run(Map.of(), "gateway", "--kafka", nowhere, "--port", "eighty");
    assertEquals(2, port.code());
    assertTrue(port.err().contains("TANDEM_PORT takes a whole number from 0 to 65535, got \"eighty\""), port.err());
    Run window = run(Map.of("TANDEM_OT_WINDOW", "0"), "ot-service", "--kafka", nowhere);
    assertEquals(2, window.code());
    assertTrue(window.err().contains("TANDEM_OT_WINDOW takes a whole number from 1 to 1000000, got \"0\""), window.err());
    Run set = run(Map.of(), "presence", "--kafka", nowhere, "--set", "TANDEM_PRESENCE_TTL_MS=soon");
    assertEquals(2, set.code());
    assertTrue(set.err().contains("TANDEM_PRESENCE_TTL_MS takes a whole number"), set.err());
    Run unknown = run(Map.of(), "signaling", "--kafka", nowhere, "--set", "TANDEM_OT_WINDOW=5");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("signaling has no setting TANDEM_OT_WINDOW"), unknown.err());
    Run flag = run(Map.of(), "gateway", "--no-such-flag");
    assertEquals(2, flag.code());
    assertTrue(flag.err().contains("--no-such-flag"), flag.err());
    Run auth = run(Map.of("TANDEM_AUTH", "open"), "gateway", "--kafka", nowhere);
    assertEquals(2, auth.code());
    assertTrue(auth.err().contains("TANDEM_AUTH takes one of jwt, dev, got \"open\""), auth.err());
    Run offLoopback = run(Map.of(), "signaling", "--kafka", nowhere, "--host", "0.0.0.0");
    assertEquals(2, offLoopback.code());
    assertTrue(offLoopback.err().contains("TANDEM_JWT_SECRET"), offLoopback.err());
  }

  @Test
  void historyTakesItsOptionsBeforeOrAfterItsCommand() {
    // Either way the options are taken (an unknown option would be refused with another message)
    // and the command's own check answers: a --doc without a collection.
    Run before = run(Map.of(), "history", "--kafka", "127.0.0.1:1", "--quiet", "replay", "--doc", "nodoc");
    Run after = run(Map.of(), "history", "replay", "--doc", "nodoc", "--kafka", "127.0.0.1:1", "--quiet");
    for (Run r : new Run[] {before, after}) {
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains("--doc takes COLLECTION/ID"), r.err());
    }
  }
}
