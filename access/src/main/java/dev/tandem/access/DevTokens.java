package dev.tandem.access;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/**
 * The tokens a {@code dev} server mints for its own web client and for trying grants locally
 * ({@code POST /v1/dev/token}): HS256 under the server's dev secret, kid {@value #KID}.
 */
public final class DevTokens {

  public static final String KID = "tandem-dev";
  /** A dev token lives an hour unless asked otherwise, at most a day. */
  public static final int DEFAULT_TTL_S = 3600;
  public static final int MAX_TTL_S = 86_400;

  private final JWTAuth signer;
  private final AccessConfig config;

  public DevTokens(Vertx vertx, AccessConfig config) {
    this.config = config;
    this.signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.devSecret()).setId(KID)));
  }

  /**
   * A token for {@code user} with {@code grants} (a claim {@code tandem}; every grant when absent),
   * valid {@code ttlSeconds} from now.
   */
  public String mint(String user, JsonObject grants, int ttlSeconds) {
    JsonObject claims = new JsonObject().put("sub", user).put("name", user).put("aud", config.audience())
        .put("tandem", grants == null ? Grants.ALL.toJson() : grants);
    config.issuer().ifPresent(i -> claims.put("iss", i));
    JWTOptions options = new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(ttlSeconds)
        .setHeader(new JsonObject().put("kid", KID));
    return signer.generateToken(claims, options);
  }
}
