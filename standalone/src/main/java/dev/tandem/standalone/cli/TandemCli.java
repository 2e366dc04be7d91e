package dev.tandem.standalone.cli;

import dev.tandem.history.cli.HistoryCli;
import dev.tandem.ops.Settings;
import dev.tandem.standalone.Standalone;
import dev.tandem.standalone.StandaloneConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code tandem}: one jar, a command per service. {@code standalone} (the default when the first
 * argument is an option or there is none) runs everything in one JVM with an embedded Kafka;
 * {@code gateway}, {@code ot-service}, {@code presence} and {@code signaling} run one service
 * against a Kafka cluster; {@code history} is the analysts' tool.
 */
@Command(name = "tandem", mixinStandardHelpOptions = true, version = "tandem 0.1.0",
    description = "Tandem: real-time collaboration over a Kafka event log.",
    subcommands = {TandemCli.StandaloneCommand.class, TandemCli.GatewayCommand.class, TandemCli.OtServiceCommand.class,
        TandemCli.PresenceCommand.class, TandemCli.SignalingCommand.class})
public final class TandemCli {

  private static final Logger LOG = LoggerFactory.getLogger(TandemCli.class);
  /** Every command, as the image's entrypoint takes them. */
  public static final Set<String> COMMANDS = Set.of("standalone", "gateway", "ot-service", "presence", "signaling", "history");
  /** What a service command's {@code call} returns once it runs: the process stays up. */
  static final int RUNNING = -1;

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("history")) {
      HistoryCli.quietLogs();
    }
    int code = run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    if (code != RUNNING) {
      System.exit(code);
    }
  }

  /** Runs a command line; returns its exit code, or {@link #RUNNING} when a service was started. */
  public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine(env);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler(HistoryCli.errors(err));
    return cl.execute(withDefaultCommand(args));
  }

  /**
   * Starts the service a command line names and returns it running (for tests and embedding):
   * the same parsing and settings as {@code main}.
   */
  public static Service start(String[] args, Map<String, String> env) {
    CommandLine cl = commandLine(env);
    CommandLine.ParseResult parsed;
    try {
      parsed = cl.parseArgs(withDefaultCommand(args));
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (!parsed.hasSubcommand() || !(parsed.subcommand().commandSpec().userObject() instanceof ServiceCommand c)) {
      throw new IllegalArgumentException("not a service command: " + String.join(" ", args));
    }
    return c.start();
  }

  static CommandLine commandLine(Map<String, String> env) {
    CommandLine cl = new CommandLine(new TandemCli(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        if (ServiceCommand.class.isAssignableFrom(cls)) {
          return cls.getDeclaredConstructor(Map.class).newInstance(env);
        }
        return CommandLine.defaultFactory().create(cls);
      }
    });
    cl.addSubcommand("history", new HistoryCli());
    return cl;
  }

  /** Every environment variable the service {@code command} reads (for checking deployments against). */
  public static Set<String> settingsRead(String command) {
    return Services.settingsRead(command);
  }

  /** {@code tandem --port 8080} means {@code tandem standalone --port 8080}, as the jar always ran. */
  public static String[] withDefaultCommand(String[] args) {
    if (args.length == 0 || args[0].startsWith("-") && !Set.of("-h", "--help", "-V", "--version").contains(args[0])) {
      List<String> all = new ArrayList<>(List.of("standalone"));
      all.addAll(List.of(args));
      return all.toArray(String[]::new);
    }
    return args;
  }

  /** A command that starts a service; {@code call} starts it, drains it on SIGTERM and returns {@link #RUNNING}. */
  abstract static class ServiceCommand implements Callable<Integer> {
    final Map<String, String> env;

    ServiceCommand(Map<String, String> env) {
      this.env = env;
    }

    abstract Service start();

    /**
     * Starts the service from its settings. Every setting is read (and checked) before anything
     * starts, and a {@code --set} name the service does not read is refused then: a bad value
     * starts nothing.
     */
    Service start(ServiceOptions options, String service, java.util.function.BiFunction<Settings, Runnable, Service> starter) {
      Settings s = options.settings(env);
      return starter.apply(s, () -> options.checkSetNames(s, service));
    }

    @Override
    public Integer call() {
      Service service = start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> service.drainAndClose(service.drainTime()), "tandem-drain"));
      return RUNNING;
    }
  }

  @Command(name = "standalone", mixinStandardHelpOptions = true,
      description = "Everything in one JVM: an embedded Kafka (unless --kafka names one), ot-service, presence, signaling"
          + " and the gateway with the demo client.")
  static final class StandaloneCommand extends ServiceCommand {
    @Mixin StandaloneConfig.Flags flags;

    StandaloneCommand(Map<String, String> env) {
      super(env);
    }

    @Override
    Service start() {
      Map<String, String> all = flags.over(env);
      Settings settings = new Settings(all);
      StandaloneConfig config = StandaloneConfig.from(settings);
      java.time.Duration drainTime = settings.millis("TANDEM_DRAIN_MS", 5000, 0);
      dev.tandem.ops.Telemetry telemetry = new dev.tandem.ops.Telemetry();
      dev.tandem.ops.Probes probes = new dev.tandem.ops.Probes();
      Standalone running = Standalone.start(config, all, telemetry, probes);
      String tls = config.tls().isPresent() ? "s" : "";
      LOG.info("Tandem is up: http{}://{}:{}/ (documents at ws{}://{}:{}/v1/docs; Kafka at {})", tls, config.host(),
          running.port(), tls, config.host(), running.port(), running.bootstrapServers());
      return new Service("tandem standalone", probes, telemetry, running::port, spread -> running.gateway().drain(spread),
          running::close, drainTime);
    }
  }

  @Command(name = "gateway", mixinStandardHelpOptions = true,
      description = "The document gateway: ShareDB over WebSocket at /v1/docs, document HTTP routes, the demo client.")
  static final class GatewayCommand extends ServiceCommand {
    @Mixin ServiceOptions options;

    GatewayCommand(Map<String, String> env) {
      super(env);
    }

    @Override
    Service start() {
      return start(options, "gateway", Services::gateway);
    }
  }

  @Command(name = "ot-service", mixinStandardHelpOptions = true,
      description = "Operational transformation: consumes submitted ops per partition, commits them in order.")
  static final class OtServiceCommand extends ServiceCommand {
    @Mixin ServiceOptions options;

    @CommandLine.Option(names = "--state-dir", paramLabel = "DIR",
        description = "local snapshot stores (TANDEM_OT_STATE_DIR, default a directory under java.io.tmpdir)")
    String stateDir;

    OtServiceCommand(Map<String, String> env) {
      super(env);
    }

    @Override
    Service start() {
      if (stateDir != null) {
        options.set(List.of("TANDEM_OT_STATE_DIR=" + stateDir));
      }
      return start(options, "ot-service", Services::otService);
    }
  }

  @Command(name = "presence", mixinStandardHelpOptions = true,
      description = "presence-service: expires the presence of clients and gateways that are gone.")
  static final class PresenceCommand extends ServiceCommand {
    @Mixin ServiceOptions options;

    PresenceCommand(Map<String, String> env) {
      super(env);
    }

    @Override
    Service start() {
      return start(options, "presence", Services::presence);
    }
  }

  @Command(name = "signaling", mixinStandardHelpOptions = true,
      description = "media-signaling: WebRTC rooms at /v1/signal, TURN credentials, relayed across instances.")
  static final class SignalingCommand extends ServiceCommand {
    @Mixin ServiceOptions options;

    SignalingCommand(Map<String, String> env) {
      super(env);
    }

    @Override
    Service start() {
      return start(options, "signaling", Services::signaling);
    }
  }
}
