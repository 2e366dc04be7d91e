package dev.tandem.gateway;

import dev.tandem.access.AccessConfig;
import dev.tandem.access.Admission;
import dev.tandem.access.AuthMode;
import dev.tandem.access.BearerToken;
import dev.tandem.access.DevTokens;
import dev.tandem.access.Gate;
import dev.tandem.access.Principal;
import dev.tandem.access.TlsFiles;
import dev.tandem.access.TokenVerifier;
import dev.tandem.access.SessionToken;
import dev.tandem.gateway.auth.HttpDoors;
import java.util.Optional;
import dev.tandem.gateway.docs.DocHub;
import dev.tandem.gateway.docs.DiffRunner;
import dev.tandem.gateway.docs.DocsHttp;
import dev.tandem.gateway.docs.HttpLimits;
import dev.tandem.gateway.docs.OutboundBytes;
import dev.tandem.gateway.docs.PresenceHub;
import dev.tandem.gateway.docs.ClientIds;
import dev.tandem.gateway.docs.Connection;
import dev.tandem.gateway.docs.RequestDecoder;
import dev.tandem.gateway.kafka.Feed;
import dev.tandem.gateway.kafka.Submitter;
import dev.tandem.gateway.transport.ConnectionGate;
import dev.tandem.gateway.transport.MessageLimit;
import dev.tandem.gateway.transport.ServerOptions;
import dev.tandem.gateway.transport.WebSocketLiveness;
import dev.tandem.ops.Probes;
import dev.tandem.ops.Telemetry;
import dev.tandem.gateway.docs.OpMeters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import dev.tandem.schemas.PresenceRecord;
import dev.tandem.schemas.Records;
import dev.tandem.schemas.Records.MalformedRecordException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The document gateway: ShareDB over WebSocket at {@code /v1/docs}, {@code GET /health},
 * {@code GET /metrics} and the demo client at {@code /}. The Kafka feed and producer run on
 * their own threads; everything about sessions and documents runs on this verticle's event loop.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);

  private final GatewayConfig config;
  private TransportConfig transport = TransportConfig.fromEnv(Map.of());
  private ConnectionGate connections;
  private MessageLimit messageLimit;
  private DiffRunner diffs;
  private Semaphore opsStreams;
  private Probes probes = new Probes();
  private Telemetry telemetry;
  private boolean docs = true;
  private final List<Telemetry.Binding> clientMeters = new ArrayList<>();
  private final Map<String, java.util.function.BiFunction<io.vertx.core.http.ServerWebSocket, SessionToken, Runnable>> webSockets =
      new ConcurrentHashMap<>();
  private AccessConfig accessConfig;
  private Optional<TlsFiles> tls = Optional.empty();
  private Gate gate;
  private final List<java.util.function.Consumer<Router>> extraRoutes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicInteger sessions = new AtomicInteger();
  /** Bytes queued for this gateway's document sockets, over all of them. */
  private final OutboundBytes outbound = new OutboundBytes();
  private Submitter submitter;
  private Feed feed;
  private Thread feedThread;
  private DocHub hub;
  private PresenceHub presence;
  private ClientIds clientIds;
  private RequestDecoder decoder;
  private volatile HttpServer server;
  /** Every open WebSocket, documents and the others, for a drain. */
  private final Set<io.vertx.core.http.ServerWebSocket> openSockets = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;

  public GatewayVerticle(GatewayConfig config) {
    this.config = config;
  }

  /** Sets the transport and PUT limits (the defaults of {@link TransportConfig#fromEnv} otherwise). */
  public GatewayVerticle withTransport(TransportConfig limits) {
    this.transport = limits;
    return this;
  }

  /** Adds a part that must keep making progress (liveness and readiness), such as "ot-service". */
  public GatewayVerticle withHealthCheck(String name, BooleanSupplier check) {
    probes.liveness(name, check);
    return this;
  }

  /**
   * The process's probes and metrics: the gateway serves them ({@code /health/live},
   * {@code /health/ready}, {@code /health}, {@code /metrics}) and adds its own checks and meters.
   * Without this call it keeps its own (meters reported by no Vert.x instance).
   */
  public GatewayVerticle withOps(Probes p, Telemetry t) {
    this.probes = p;
    this.telemetry = t;
    return this;
  }

  /**
   * Serves no documents: no {@code /v1/docs}, no document HTTP routes, no Kafka clients of its
   * own. What is left (access, limits, probes, metrics and the sockets added with
   * {@link #withWebSocket}) is the edge a signaling instance runs alone.
   */
  public GatewayVerticle withoutDocs() {
    this.docs = false;
    return this;
  }


  /**
   * Who may connect ({@link AccessConfig}; default: from no environment, {@code dev} on loopback)
   * and TLS from PEM files when given.
   */
  public GatewayVerticle withAccess(AccessConfig access, Optional<TlsFiles> tlsFiles) {
    this.accessConfig = access;
    this.tls = tlsFiles;
    return this;
  }

  /**
   * Serves WebSockets at {@code path} with {@code handler}, called on the socket's event loop with
   * the token it was admitted with (its principal, and the clock and refresh of its expiry). The
   * handler returns what to do once the socket has closed: the gateway keeps the socket's close
   * handler, since it also counts the connection until then.
   */
  public GatewayVerticle withWebSocket(String path,
      java.util.function.BiFunction<io.vertx.core.http.ServerWebSocket, SessionToken, Runnable> handler) {
    webSockets.put(path, handler);
    return this;
  }

  /** Adds routes to every HTTP server instance. */
  public GatewayVerticle withRoutes(java.util.function.Consumer<Router> routes) {
    extraRoutes.add(routes);
    return this;
  }

  /** The port the server listens on (useful when configured with 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    Context context = vertx.getOrCreateContext();
    connections = new ConnectionGate(vertx, transport);
    messageLimit = new MessageLimit(readLimit());
    diffs = new DiffRunner(transport);
    opsStreams = new Semaphore(transport.maxOpsStreams());
    startAccess();
    if (telemetry == null) {
      telemetry = Telemetry.detached();
    }
    registerMeters(telemetry.registry());
    if (!docs) {
      return listen();
    }
    submitter = new Submitter(config.bootstrapServers(), config.instanceId() + "-submit", config.topics().submitted());
    clientMeters.add(telemetry.bind(submitter.producer()));
    hub = new DocHub(vertx, context, config, submitter, new OpMeters(telemetry.registry()));
    clientIds = new ClientIds(config.srcKey());
    decoder = new RequestDecoder(new RequestDecoder.Rules(config.maxMessageBytes(), config.limits().maxNameLength(),
        config.maxPresenceBytes(), config.limits().maxPresenceDepth()));
    presence = new PresenceHub(vertx, config, submitter, hub);
    registerDocMeters(telemetry.registry());
    feed = new Feed(config.bootstrapServers(), config.instanceId() + "-feed",
        List.of(config.topics().committed(), config.topics().replies(), config.topics().presence()),
        config.limits().feedMaxPending(), batch -> context.runOnContext(v -> {
          try {
            onFeed(batch.records());
          } finally {
            batch.done();
          }
        }));
    clientMeters.add(telemetry.bind(feed.consumer()));
    probes.liveness("kafka feed", feed::positioned);
    return vertx.executeBlocking(() -> {
      submitter.warmUp(config.topics().presence());
      feedThread = new Thread(feed, "gateway-feed-" + config.instanceId());
      feedThread.start();
      long deadline = System.currentTimeMillis() + 60_000;
      while (!feed.positioned() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      if (!feed.positioned()) {
        throw new IllegalStateException("the gateway could not read the event log from Kafka");
      }
      return null;
    }).compose(v -> listen());
  }

  private void startAccess() {
    if (accessConfig == null) {
      accessConfig = AccessConfig.fromEnv(Map.of(), config.host());
    }
    TokenVerifier verifier = new TokenVerifier(vertx, accessConfig);
    verifier.watchKeys();
    gate = new Gate(accessConfig, verifier, tls.isPresent());
    if (accessConfig.mode() == AuthMode.DEV) {
      LOG.info("access: dev mode: requests without a token act as an anonymous user with every grant;"
          + " POST /v1/dev/token mints tokens");
    }
  }

  /**
   * The HTTP server runs on {@code edgeLoops} event loops (server instances sharing the port),
   * so the encoding and writing of frames to thousands of sockets is spread over the cores; the
   * document and presence logic stays on this verticle's own event loop.
   */
  private Future<?> listen() {
    Context hubContext = vertx.getOrCreateContext();
    if (docs) {
      vertx.setPeriodic(10_000, id -> hub.evictIdle());
      // Heartbeats three times per TTL: one lost beat does not expire anybody.
      long beat = Math.max(50, config.presenceTtl().toMillis() / 3);
      presence.heartbeat();
      vertx.setPeriodic(beat, id -> presence.heartbeat());
    }
    int loops = Math.max(1, config.edgeLoops());
    // Instances on one port share one socket; a negative port is Vert.x's shared random port.
    int port = config.port() == 0 ? -1 : config.port();
    return vertx.deployVerticle(() -> new Edge(hubContext, port), new DeploymentOptions().setInstances(loops));
  }

  /** One HTTP server instance: WebSockets and HTTP routes on its own event loop. */
  private final class Edge extends VerticleBase {
    private final Context hubContext;
    private final int port;

    Edge(Context hubContext, int port) {
      this.hubContext = hubContext;
      this.port = port;
    }

    private WebSocketLiveness liveness;

    @Override
    public Future<?> start() {
      // One liveness for every socket: pongs within the presence TTL (so a vanished client's
      // presence goes within it), or the idle timeout when that is shorter.
      liveness = new WebSocketLiveness(vertx,
          Math.min(config.presenceTtl().toMillis(), transport.idleTimeout().toMillis()));
      Router router = Router.router(vertx);
      probes.mount(vertx, router);
      router.get("/metrics").handler(telemetry.scrapeHandler());
      new HttpDoors(gate, new DevTokens(vertx, accessConfig)).mount(router);
      if (docs) {
        new DocsHttp(vertx, hub, config, hubContext, new HttpLimits(diffs, opsStreams, transport.bodyTimeout()))
            .mount(router);
      }
      extraRoutes.forEach(r -> r.accept(router));
      router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
      HttpServerOptions options = ServerOptions.of(config.host(), port, readLimit(), transport);
      // Access: the subprotocol selected beside a tandem.bearer.<token> offer; TLS from PEM files.
      options.setWebSocketSubProtocols(List.of(BearerToken.SUBPROTOCOL));
      tls.ifPresent(t -> t.apply(options));
      HttpServer http = vertx.createHttpServer(options);
      http.connectionHandler(connections::onConnection);
      http.webSocketHandshakeHandler(handshake -> {
        if (!connections.admit(handshake)) {
          return;
        }
        if (draining) {
          // Going away: the client should connect to another instance.
          handshake.reject(503);
          return;
        }
        if (!(docs && "/v1/docs".equals(handshake.path())) && !webSockets.containsKey(handshake.path())) {
          handshake.reject(404);
          return;
        }
        Admission a = gate.admit(handshake.headers(), handshake.uri(), Gate.Kind.SOCKET, System.currentTimeMillis());
        if (a instanceof Admission.Refused r) {
          LOG.debug("refused a socket to {}: {} {}", BearerToken.redact(handshake.uri()), r.status(), r.reason());
          handshake.reject(r.status());
        } else {
          handshake.accept();
        }
      });
      http.webSocketHandler(ws -> {
        Runnable released = connections.upgraded(ws);
        // Admitted at the handshake; the verified token is remembered, so this costs a lookup.
        Admission a = gate.admit(ws.headers(), ws.uri(), Gate.Kind.SOCKET, System.currentTimeMillis());
        if (!(a instanceof Admission.Admitted admitted)) {
          onClosed(ws, released, () -> { });
          ws.close((short) 1008, "refused");
          return;
        }
        var other = webSockets.get(ws.path());
        if (other != null) {
          liveness.watch(ws);
          onClosed(ws, released, other.apply(ws, new SessionToken(vertx, gate, admitted.principal())));
          // After the protocol's handlers: it takes the socket's exception handler.
          messageLimit.watch(ws);
          return;
        }
        sessions.incrementAndGet();
        Connection session = new Connection(ws, new SessionToken(vertx, gate, admitted.principal()), hub, presence,
            config, clientIds, decoder, hubContext, outbound);
        session.whenClosed(sessions::decrementAndGet);
        onClosed(ws, released, session::socketClosed);
        liveness.watch(ws, () -> session.unresponsive(liveness.ttlMillis()));
        messageLimit.watch(ws);
      });
      return http.requestHandler(request -> {
        if (connections.admit(request)) {
          router.handle(request);
        }
      }).listen().onSuccess(bound -> {
        tls.ifPresent(t -> t.watch(vertx, bound));
        if (server == null) {
          server = bound;
        }
      });
    }
  }

  /**
   * The socket's one close handler: the gate lets the connection go ({@code released}), then the
   * socket's owner cleans up ({@code owner}).
   */
  private void onClosed(io.vertx.core.http.ServerWebSocket ws, Runnable released, Runnable owner) {
    openSockets.add(ws);
    ws.closeHandler(v -> {
      openSockets.remove(ws);
      released.run();
      owner.run();
    });
  }

  /**
   * Drains the gateway: from now on new sockets are refused with 503, and every open one is closed
   * with 1012 (service restart) in random order, in batches spread evenly over {@code spread}, so
   * that clients reconnect to other instances as a trickle rather than all at once. The future
   * completes once every socket has closed, or {@code spread} plus a second has passed.
   */
  public Future<Void> drain(java.time.Duration spread) {
    draining = true;
    List<io.vertx.core.http.ServerWebSocket> all = new ArrayList<>(openSockets);
    java.util.Collections.shuffle(all);
    long stepMs = 50;
    int batches = (int) Math.max(1, spread.toMillis() / stepMs);
    int perBatch = (int) Math.ceil(all.size() / (double) batches);
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    long deadline = System.currentTimeMillis() + spread.toMillis() + 1000;
    int[] next = {0};
    Runnable step = new Runnable() {
      @Override
      public void run() {
        for (int i = 0; i < perBatch && next[0] < all.size(); i++) {
          all.get(next[0]++).close((short) 1012, "service restart");
        }
        if (next[0] < all.size()) {
          vertx.setTimer(stepMs, t -> run());
        } else if (openSockets.isEmpty() || System.currentTimeMillis() > deadline) {
          done.tryComplete();
        } else {
          vertx.setTimer(stepMs, t -> run());
        }
      }
    };
    if (all.isEmpty()) {
      done.complete();
    } else {
      vertx.runOnContext(v -> step.run());
    }
    LOG.info("gateway {} drains: {} sockets closed with 1012 over {} ms", config.instanceId(), all.size(),
        spread.toMillis());
    return done.future();
  }

  /** The largest WebSocket message read at all; never below the protocol's message limit. */
  private int readLimit() {
    return Math.max(config.maxMessageBytes(), transport.maxWebSocketMessageBytes());
  }

  /** Records from Kafka, on the event loop: document records first, then presence. */
  private void onFeed(List<ConsumerRecord<String, byte[]>> batch) {
    List<ConsumerRecord<String, byte[]>> docRecords = new ArrayList<>(batch.size());
    List<ConsumerRecord<String, byte[]>> presenceRecords = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : batch) {
      (r.topic().equals(config.topics().presence()) ? presenceRecords : docRecords).add(r);
    }
    if (!docRecords.isEmpty()) {
      hub.onFeed(docRecords);
    }
    for (ConsumerRecord<String, byte[]> r : presenceRecords) {
      try {
        presence.onRecord(Records.decode(r.value(), PresenceRecord.class), r.partition());
      } catch (MalformedRecordException | IllegalArgumentException e) {
        LOG.warn("skipping malformed presence record {}@{}: {}", r.partition(), r.offset(), e.getMessage());
      } catch (RuntimeException e) {
        // One record the presence logic cannot take must not cost the rest of the batch.
        LOG.warn("skipping presence record {}@{} that could not be processed: {}", r.partition(), r.offset(), e.toString());
      }
    }
  }

  /**
   * Stops as a crash would, for fault tests: nothing more reaches Kafka (no heartbeats, no
   * goodbyes), so others learn of the loss only from the missing heartbeats.
   */
  public void crash() {
    if (presence != null) {
      presence.silence();
    }
  }

  /** The edge's meters: connections and their limits. */
  private void registerMeters(MeterRegistry r) {
    Gauge.builder("tandem.gateway.connections", connections, ConnectionGate::openConnections)
        .description("open HTTP and WebSocket connections").register(r);
    FunctionCounter.builder("tandem.gateway.connections.refused", connections, ConnectionGate::refusedCount)
        .description("connections refused at the cap").register(r);
    FunctionCounter.builder("tandem.gateway.handshake.timeouts", connections, ConnectionGate::handshakeTimeoutCount)
        .register(r);
    FunctionCounter.builder("tandem.gateway.messages.too.large", messageLimit, MessageLimit::closedCount).register(r);
  }

  /** The document side's meters: sessions, documents, outbound bytes, presence. */
  private void registerDocMeters(MeterRegistry r) {
    Gauge.builder("tandem.gateway.sessions", sessions, AtomicInteger::get).description("document sessions").register(r);
    Gauge.builder("tandem.gateway.outbound.queued.bytes", outbound, OutboundBytes::queued).register(r);
    Gauge.builder("tandem.gateway.open.documents", hub, DocHub::openDocuments).register(r);
    FunctionCounter.builder("tandem.gateway.presence.received", presence, PresenceHub::receivedCount).register(r);
    FunctionCounter.builder("tandem.gateway.presence.coalesced", presence, PresenceHub::coalescedCount).register(r);
    FunctionCounter.builder("tandem.gateway.presence.superseded", presence, PresenceHub::supersededCount).register(r);
    FunctionCounter.builder("tandem.gateway.presence.published", presence, PresenceHub::publishedCount).register(r);
    Gauge.builder("tandem.gateway.presence.channels", presence, PresenceHub::channelCount).register(r);
  }

  @Override
  public Future<?> stop() {
    // Running diffs stop at their next step; their PUTs are answered 503.
    diffs.close();
    return vertx.executeBlocking(() -> {
      clientMeters.forEach(Telemetry.Binding::close);
      if (feed != null) {
        feed.stop();
        feedThread.join(10_000);
        submitter.close();
      }
      return null;
    });
  }
}
