package dev.tandem.access;

import dev.tandem.ops.Settings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Who may connect and how tokens are checked, read in one place from the environment.
 *
 * @param mode {@code TANDEM_AUTH}: {@code jwt} or {@code dev}. Unset: {@code dev} while the
 *     server listens on loopback only, else {@code jwt}; {@code dev} on another address only when
 *     set explicitly (a local convenience must not become an open server by accident)
 * @param jwtSecret {@code TANDEM_JWT_SECRET}: the HS256 secret of the token issuer (at least 32 bytes,
 *     as RFC 7518 asks of HS256 keys)
 * @param keysFile {@code TANDEM_JWT_KEYS}: a file of PEM public keys or a JWKS (RS256, ES256), chosen
 *     by {@code kid}; re-read when it changes so keys rotate without a restart
 * @param audience {@code TANDEM_JWT_AUDIENCE} ({@code tandem}): a token for another service is refused
 * @param issuer {@code TANDEM_JWT_ISSUER}: checked when set
 * @param trustUserHeader {@code TANDEM_TRUST_USER_HEADER} ({@code false}): honour {@code X-Tandem-User},
 *     only for an authenticating proxy that sets it and strips the client's
 * @param allowedOrigins {@code TANDEM_ALLOWED_ORIGINS} (comma-separated; empty: only the server's own
 *     origin): browsers' pages that may open sockets and change state
 * @param publicHosts {@code TANDEM_PUBLIC_HOSTS} (comma-separated; default: localhost names, the listen
 *     address, and this machine's addresses when listening on all): Host headers served (DNS rebinding)
 * @param expiryNotice {@code TANDEM_AUTH_EXPIRY_NOTICE_S} (60): how long before a token's {@code exp}
 *     the client is asked for a fresh one; a minute covers a round trip to any token endpoint
 * @param keysPoll {@code TANDEM_JWT_KEYS_POLL_MS} (2000): how often the keys file is checked for a
 *     change; a stat every 2 s costs nothing and a rotation takes effect within it
 * @param devSecret the HS256 secret the server signs its own dev tokens with (the standalone keeps it
 *     in its data dir so tokens survive a restart); random per process otherwise
 */
public record AccessConfig(AuthMode mode, Optional<String> jwtSecret, Optional<Path> keysFile, String audience,
    Optional<String> issuer, boolean trustUserHeader, List<String> allowedOrigins, List<String> publicHosts,
    Duration expiryNotice, Duration keysPoll, String devSecret) {

  public AccessConfig {
    jwtSecret.ifPresent(s -> {
      if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
        throw new IllegalArgumentException("TANDEM_JWT_SECRET must have at least 32 bytes");
      }
    });
    if (mode == AuthMode.JWT && jwtSecret.isEmpty() && keysFile.isEmpty()) {
      throw new IllegalArgumentException("TANDEM_AUTH=jwt needs TANDEM_JWT_SECRET or TANDEM_JWT_KEYS"
          + " (or run on loopback, or set TANDEM_AUTH=dev explicitly)");
    }
    allowedOrigins = List.copyOf(allowedOrigins);
    publicHosts = List.copyOf(publicHosts);
  }

  /** The settings in {@code env} for a server listening on {@code listenHost}. */
  public static AccessConfig fromEnv(Map<String, String> env, String listenHost) {
    return from(new Settings(env), listenHost);
  }

  public static AccessConfig from(Settings s, String listenHost) {
    Optional<String> explicit = s.optional("TANDEM_AUTH");
    AuthMode mode = explicit.isEmpty()
        ? (loopback(listenHost) ? AuthMode.DEV : AuthMode.JWT)
        : (s.choice("TANDEM_AUTH", "jwt", List.of("jwt", "dev")).equals("dev") ? AuthMode.DEV : AuthMode.JWT);
    return new AccessConfig(mode,
        s.optional("TANDEM_JWT_SECRET"),
        s.optional("TANDEM_JWT_KEYS").map(Path::of),
        s.text("TANDEM_JWT_AUDIENCE", "tandem"),
        s.optional("TANDEM_JWT_ISSUER"),
        s.flag("TANDEM_TRUST_USER_HEADER", false),
        s.list("TANDEM_ALLOWED_ORIGINS", ""),
        hosts(s.optional("TANDEM_PUBLIC_HOSTS").orElse(null), listenHost),
        s.seconds("TANDEM_AUTH_EXPIRY_NOTICE_S", 60, 0),
        s.millis("TANDEM_JWT_KEYS_POLL_MS", 2000, 10),
        s.text("TANDEM_DEV_SECRET", randomSecret()));
  }

  /** The same signing its dev tokens with {@code secret}. */
  public AccessConfig withDevSecret(String secret) {
    return new AccessConfig(mode, jwtSecret, keysFile, audience, issuer, trustUserHeader, allowedOrigins, publicHosts,
        expiryNotice, keysPoll, secret);
  }

  public static boolean loopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static List<String> list(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static List<String> hosts(String configured, String listenHost) {
    if (configured != null && !configured.isBlank()) {
      return list(configured.toLowerCase(Locale.ROOT));
    }
    List<String> out = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
    try {
      InetAddress listen = InetAddress.getByName(listenHost);
      if (listen.isAnyLocalAddress()) {
        var interfaces = java.net.NetworkInterface.getNetworkInterfaces();
        while (interfaces.hasMoreElements()) {
          interfaces.nextElement().getInetAddresses().asIterator()
              .forEachRemaining(a -> out.add(a.getHostAddress().replaceAll("%.*$", "").toLowerCase(Locale.ROOT)));
        }
      } else {
        out.add(listenHost.toLowerCase(Locale.ROOT));
      }
    } catch (java.io.IOException e) {
      out.add(listenHost.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private static String randomSecret() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(key);
  }

  /** Every setting but the secrets. */
  @Override
  public String toString() {
    return "AccessConfig[mode=" + mode + ", jwtSecret=" + (jwtSecret.isPresent() ? "(set)" : "(none)") + ", keys="
        + keysFile + ", audience=" + audience + ", issuer=" + issuer + ", trustUserHeader=" + trustUserHeader
        + ", allowedOrigins=" + allowedOrigins + ", publicHosts=" + publicHosts + ", expiryNotice=" + expiryNotice + "]";
  }
}
