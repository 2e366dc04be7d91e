package dev.tandem.gateway.auth;

import dev.tandem.access.Admission;
import dev.tandem.access.AuthMode;
import dev.tandem.access.DevTokens;
import dev.tandem.access.DocLevel;
import dev.tandem.access.Gate;
import dev.tandem.access.Principal;
import dev.tandem.access.UserNames;
import dev.tandem.access.web.RequestPrincipal;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The HTTP side of the door, mounted before every other route: the Host is checked for every
 * request but the probes ({@code /health}, {@code /metrics}); everything under {@code /v1/}
 * needs a token (or {@code dev}), state changes need an allowed Origin, and a document route
 * needs its grant: {@code read} for GET (snapshot, {@code /ops}), {@code write} for PUT. In
 * {@code dev}, {@code POST /v1/dev/token} mints tokens.
 */
public final class HttpDoors {

  private final Gate gate;
  private final DevTokens devTokens;

  public HttpDoors(Gate gate, DevTokens devTokens) {
    this.gate = gate;
    this.devTokens = devTokens;
  }

  public void mount(Router router) {
    router.route().order(-100).handler(this::checkHost);
    if (gate.config().mode() == AuthMode.DEV) {
      router.post("/v1/dev/token").order(-99).handler(BodyHandler.create().setBodyLimit(16 * 1024));
      router.post("/v1/dev/token").order(-98).handler(this::devToken);
    }
    router.route("/v1/*").order(-97).handler(this::admit);
    router.route("/v1/docs/:c/:d").order(-96).handler(ctx -> document(ctx, ctx.request().method() == HttpMethod.GET
        || ctx.request().method() == HttpMethod.HEAD ? DocLevel.READ : DocLevel.WRITE));
    router.route("/v1/docs/:c/:d/ops").order(-95).handler(ctx -> document(ctx, DocLevel.READ));
  }

  private void checkHost(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    String host = host(ctx);
    if (path.startsWith("/health") || path.equals("/metrics") || host != null && gate.hostServed(host)) {
      ctx.next();
      return;
    }
    refuse(ctx, 403, Gate.UNKNOWN_HOST, "this server does not serve the host " + host);
  }

  private void admit(RoutingContext ctx) {
    if (ctx.normalizedPath().equals("/v1/dev/token")) {
      ctx.next();
      return;
    }
    HttpMethod m = ctx.request().method();
    Gate.Kind kind = m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS ? Gate.Kind.READ
        : Gate.Kind.CHANGE;
    Admission a = gate.admit(host(ctx), ctx.request().headers(), ctx.request().uri(), kind,
        System.currentTimeMillis());
    if (a instanceof Admission.Refused r) {
      if (r.status() == 401) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"tandem\"");
      }
      refuse(ctx, r.status(), r.code(), r.reason());
      return;
    }
    RequestPrincipal.set(ctx, ((Admission.Admitted) a).principal());
    ctx.next();
  }

  private void document(RoutingContext ctx, DocLevel needed) {
    Principal p = RequestPrincipal.of(ctx).orElseThrow();
    String c = ctx.pathParam("c");
    String d = ctx.pathParam("d");
    if (c != null && d != null && !p.doc(c, d).allows(needed)) {
      refuse(ctx, 403, Gate.ACCESS_DENIED, DocGrants.denied(c, d, needed));
      return;
    }
    ctx.next();
  }

  /** {@code {"user": NAME, "tandem": GRANTS?, "ttl": SECONDS?}} to {@code {"token", "user", "exp"}}. */
  private void devToken(RoutingContext ctx) {
    String origin = ctx.request().headers().get("Origin");
    if (origin != null && !gate.originAllowed(origin, host(ctx))) {
      refuse(ctx, 403, Gate.FORBIDDEN_ORIGIN, "pages from origin " + origin + " may not ask for tokens here");
      return;
    }
    JsonObject body;
    String user;
    int ttl;
    JsonObject grants;
    try {
      body = ctx.body().asJsonObject();
      if (body == null) {
        body = new JsonObject();
      }
      user = UserNames.plain(body.getString("user", "anonymous"));
      ttl = body.getInteger("ttl", DevTokens.DEFAULT_TTL_S);
      if (ttl < 1 || ttl > DevTokens.MAX_TTL_S) {
        throw new IllegalArgumentException("ttl is 1 to " + DevTokens.MAX_TTL_S + " seconds");
      }
      grants = body.getJsonObject("tandem");
      if (grants != null) {
        dev.tandem.access.Grants.parse(grants);
      }
    } catch (RuntimeException e) {
      refuse(ctx, 400, Gate.BAD_REQUEST, "the body is {\"user\": NAME, \"tandem\": GRANTS, \"ttl\": SECONDS}: "
          + e.getMessage());
      return;
    }
    String token = devTokens.mint(user, grants, ttl);
    ctx.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
        .end(new JsonObject().put("token", token).put("user", user)
            .put("exp", System.currentTimeMillis() / 1000 + ttl).encode());
  }

  /** The host a request names: its Host header, or its authority over HTTP/2. */
  private static String host(RoutingContext ctx) {
    String h = ctx.request().headers().get("Host");
    if (h == null && ctx.request().authority() != null) {
      var a = ctx.request().authority();
      h = a.port() > 0 ? a.host() + ":" + a.port() : a.host();
    }
    return h;
  }

  static void refuse(RoutingContext ctx, int status, String code, String message) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)).encode());
  }
}
