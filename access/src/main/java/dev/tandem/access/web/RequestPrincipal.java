package dev.tandem.access.web;

import dev.tandem.access.Principal;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * The principal the gateway's door admitted an HTTP request as, kept in its routing context so
 * every route behind the door (documents, TURN credentials) asks the same question.
 */
public final class RequestPrincipal {

  private static final String KEY = "tandem.principal";

  private RequestPrincipal() {}

  public static void set(RoutingContext ctx, Principal p) {
    ctx.put(KEY, p);
  }

  /** The principal; empty only for a route the door does not cover (a bug in the routing). */
  public static Optional<Principal> of(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(KEY));
  }
}
