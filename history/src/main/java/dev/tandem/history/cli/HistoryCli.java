package dev.tandem.history.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.history.DocHistory;
import dev.tandem.history.HistoryException;
import dev.tandem.history.LogReader;
import dev.tandem.history.Progress;
import dev.tandem.history.Stats;
import dev.tandem.history.Verifier;
import dev.tandem.schemas.DocKey;
import dev.tandem.schemas.Topics;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The analysts' tool: reads any Tandem installation's history straight from Kafka.
 * {@code java -jar standalone/target/tandem.jar history --help}.
 */
@Command(name = "tandem-history", mixinStandardHelpOptions = true, version = "tandem-history 0.1.0",
    description = "Replays, exports, verifies and counts Tandem documents' history from the Kafka event log; "
        + "summarises calls' quality from tandem.telemetry.",
    subcommands = {HistoryCli.Replay.class, HistoryCli.Export.class, HistoryCli.Verify.class, HistoryCli.StatsCommand.class,
        HistoryCli.CallsCommand.class})
public final class HistoryCli {

  static final ObjectMapper JSON = new ObjectMapper();

  /** Before or after the command: {@code --kafka X verify} and {@code verify --kafka X} alike. */
  @Mixin Connection connection;

  public static void main(String[] args) {
    quietLogs();
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Analysts want answers, not the Kafka client's chatter ({@code -D...} overrides either); call before any logging. */
  public static void quietLogs() {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
    }
  }

  /** A mistake of the user's (a bad option value, an unknown document) as {@code error: ...} on {@code err}, exit 2. */
  public static CommandLine.IExecutionExceptionHandler errors(PrintWriter err) {
    return (e, line, parsed) -> {
      if (e instanceof HistoryException || e instanceof IllegalArgumentException) {
        err.println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    };
  }

  /** Runs a command line; returns the exit code (0 ok, 1 a fault found by verify, 2 an error). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new HistoryCli());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(errors(err));
    return cl.execute(args);
  }

  /** Options every command takes. */
  static final class Connection {
    @Option(names = "--kafka", scope = CommandLine.ScopeType.INHERIT, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (env TANDEM_KAFKA, default ${DEFAULT-VALUE})",
        defaultValue = "${env:TANDEM_KAFKA:-127.0.0.1:9092}")
    String kafka;

    @Option(names = "--topic-prefix", scope = CommandLine.ScopeType.INHERIT, description = "topic name prefix (env TANDEM_TOPIC_PREFIX, default ${DEFAULT-VALUE})",
        defaultValue = "${env:TANDEM_TOPIC_PREFIX:-tandem}")
    String prefix;

    @Option(names = "--quiet", scope = CommandLine.ScopeType.INHERIT, description = "no progress bar")
    boolean quiet;

    Topics topics() {
      return new Topics(prefix);
    }

    Progress progress() {
      return quiet ? Progress.NONE : Progress.bar(System.err);
    }
  }

  static DocKey doc(String value) {
    int slash = value.indexOf('/');
    if (slash <= 0 || slash == value.length() - 1) {
      throw new IllegalArgumentException("--doc takes COLLECTION/ID, got " + value);
    }
    return new DocKey(value.substring(0, slash), value.substring(slash + 1));
  }

  static long time(String value) {
    try {
      return Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException n) {
        throw new IllegalArgumentException("--at takes an ISO-8601 instant (2026-11-23T21:00:00Z) or epoch millis, got "
            + value);
      }
    }
  }

  @Command(name = "replay", description = "Prints a document's content at a version or a time (default: now).")
  static final class Replay implements Callable<Integer> {
    @CommandLine.ParentCommand HistoryCli root;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--doc", required = true, paramLabel = "COLLECTION/ID") String doc;
    @Option(names = "--version", paramLabel = "N", description = "after N ops") Long version;
    @Option(names = "--at", paramLabel = "TIMESTAMP", description = "ISO-8601 instant or epoch millis") String at;

    @Override
    public Integer call() throws Exception {
      if (version != null && version < 0) {
        throw new IllegalArgumentException("--version must not be negative");
      }
      DocKey key = doc(doc);
      try (LogReader reader = new LogReader(root.connection.kafka)) {
        DocHistory.Snapshot s = new DocHistory(reader, root.connection.topics()).at(key, version, at == null ? null : time(at),
            root.connection.progress());
        if (!s.known()) {
          throw new HistoryException(HistoryException.Kind.UNKNOWN_DOCUMENT, "no document " + key + " in the log");
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("doc", key.value());
        o.put("v", s.v());
        o.put("type", s.type());
        o.set("data", s.data());
        if (s.ts() > 0) {
          o.put("ts", Instant.ofEpochMilli(s.ts()).toString());
        }
        spec.commandLine().getOut().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o));
      }
      return 0;
    }
  }

  @Command(name = "export", description = "Writes a document's ops with their metadata, as JSON lines or CSV.")
  static final class Export implements Callable<Integer> {
    @CommandLine.ParentCommand HistoryCli root;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--doc", required = true, paramLabel = "COLLECTION/ID") String doc;
    @Option(names = "--from", paramLabel = "V", description = "first version (default 0)", defaultValue = "0") long from;
    @Option(names = "--to", paramLabel = "V", description = "stop before this version (default: the end)") Long to;
    @Option(names = "--format", description = "jsonl or csv (default ${DEFAULT-VALUE})", defaultValue = "jsonl") String format;

    @Override
    public Integer call() throws Exception {
      if (!format.equals("jsonl") && !format.equals("csv")) {
        throw new IllegalArgumentException("--format is jsonl or csv, got " + format);
      }
      DocKey key = doc(doc);
      PrintWriter out = spec.commandLine().getOut();
      boolean csv = format.equals("csv");
      if (csv) {
        out.println("version,src,seq,user,timestamp,kind,op");
      }
      long[] n = {0};
      try (LogReader reader = new LogReader(root.connection.kafka)) {
        new DocHistory(reader, root.connection.topics()).ops(key, from, to, op -> {
          ObjectNode line = OpLines.line(op);
          out.println(csv ? OpLines.csv(line) : line.toString());
          n[0]++;
          return true;
        }, root.connection.progress());
      }
      out.flush();
      if (n[0] == 0) {
        throw new HistoryException(HistoryException.Kind.UNKNOWN_DOCUMENT, "no ops of " + key + " in the log" + (from > 0 ? " from version " + from : ""));
      }
      return 0;
    }
  }

  @Command(name = "verify", description = "Checks the log: contiguous versions, every op applies, snapshots match. "
      + "Exits 1 naming the first fault.")
  static final class Verify implements Callable<Integer> {
    @CommandLine.ParentCommand HistoryCli root;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--doc", paramLabel = "COLLECTION/ID", description = "only this document") String doc;

    @Override
    public Integer call() {
      try (LogReader reader = new LogReader(root.connection.kafka)) {
        Verifier.Report r = new Verifier(reader, root.connection.topics()).verify(doc == null ? null : doc(doc),
            root.connection.progress());
        String summary = String.format(Locale.ROOT, "%,d ops of %,d documents, %,d snapshots, in %.2f s (%,.0f ops/s)",
            r.ops(), r.documents(), r.snapshots(), r.seconds(), r.ops() / Math.max(1e-9, r.seconds()));
        if (r.ok()) {
          spec.commandLine().getOut().println("OK: " + summary);
          return 0;
        }
        spec.commandLine().getErr().println("FAULT: " + r.fault());
        spec.commandLine().getErr().println("checked before it: " + summary);
        return 1;
      }
    }
  }

  @Command(name = "stats", description = "Counts ops per document, per user and per hour.")
  static final class StatsCommand implements Callable<Integer> {
    @CommandLine.ParentCommand HistoryCli root;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--top", description = "rows per table (default ${DEFAULT-VALUE})", defaultValue = "20") int top;

    @Override
    public Integer call() {
      try (LogReader reader = new LogReader(root.connection.kafka)) {
        Stats stats = Stats.read(reader, root.connection.topics(), root.connection.progress());
        stats.print(spec.commandLine().getOut(), top);
      }
      return 0;
    }
  }

  @Command(name = "calls", description = "Calls and their quality, from the participants' stats reports in tandem.telemetry: "
      + "a table of calls, or with --room the 20 s windows of that room's calls as jsonl or csv.")
  static final class CallsCommand implements Callable<Integer> {
    @CommandLine.ParentCommand HistoryCli root;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--room", paramLabel = "ROOM", description = "only this room's calls, window by window") String room;
    @Option(names = "--format", description = "table, jsonl or csv (default: table; with --room, jsonl)") String format;

    @Override
    public Integer call() {
      String f = format != null ? format : room != null ? "jsonl" : "table";
      if (!java.util.List.of("table", "jsonl", "csv").contains(f)) {
        throw new IllegalArgumentException("--format takes table, jsonl or csv, got " + f);
      }
      java.util.List<dev.tandem.history.Calls.Call> calls;
      try (LogReader reader = new LogReader(root.connection.kafka)) {
        calls = dev.tandem.history.Calls.read(reader, root.connection.topics(), room, root.connection.progress());
      }
      CallLines.print(calls, f, room != null, spec.commandLine().getOut());
      return 0;
    }
  }
}
