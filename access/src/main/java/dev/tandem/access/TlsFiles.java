package dev.tandem.access;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS from PEM files ({@code --tls-cert FILE --tls-key FILE}, {@code TANDEM_TLS_CERT},
 * {@code TANDEM_TLS_KEY}): https and wss on the server's one port, the files re-read when they
 * change (a renewed certificate takes effect without a restart, for new connections).
 *
 * @param cert the certificate chain, PEM
 * @param key its private key, PEM (PKCS#8 or PKCS#1)
 */
public record TlsFiles(Path cert, Path key) {

  private static final Logger LOG = LoggerFactory.getLogger(TlsFiles.class);
  /** How often the files are checked for a change: a stat every 5 s costs nothing. */
  private static final long POLL_MS = 5_000;

  /** The files named in {@code env}, when both are. */
  public static Optional<TlsFiles> fromEnv(Map<String, String> env) {
    return from(new dev.tandem.ops.Settings(env));
  }

  /** The files named by {@code TANDEM_TLS_CERT} and {@code TANDEM_TLS_KEY}, when both are. */
  public static Optional<TlsFiles> from(dev.tandem.ops.Settings s) {
    String c = s.optional("TANDEM_TLS_CERT").orElse(null);
    String k = s.optional("TANDEM_TLS_KEY").orElse(null);
    if ((c == null) != (k == null)) {
      throw new IllegalArgumentException("TLS needs both a certificate (TANDEM_TLS_CERT) and a key (TANDEM_TLS_KEY)");
    }
    return c == null ? Optional.empty() : Optional.of(new TlsFiles(Path.of(c), Path.of(k)));
  }

  private PemKeyCertOptions pem() {
    return new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString());
  }

  /** {@code options} serving TLS with these files. */
  public HttpServerOptions apply(HttpServerOptions options) {
    if (!Files.isReadable(cert) || !Files.isReadable(key)) {
      throw new IllegalArgumentException("TLS certificate " + cert + " or key " + key + " cannot be read");
    }
    return options.setSsl(true).setKeyCertOptions(pem());
  }

  /** Re-reads the files into {@code server} whenever either changes. */
  public void watch(Vertx vertx, HttpServer server) {
    long[] seen = {stamp()};
    vertx.setPeriodic(POLL_MS, id -> vertx.executeBlocking(this::stamp, false).onSuccess(now -> {
      if (now != seen[0]) {
        seen[0] = now;
        server.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(pem()), true).onComplete(done -> {
          if (done.succeeded()) {
            LOG.info("TLS certificate re-read from {}", cert);
          } else {
            LOG.warn("TLS certificate {} not usable ({}); keeping the one served", cert, done.cause().getMessage());
          }
        });
      }
    }));
  }

  private long stamp() {
    try {
      return Files.getLastModifiedTime(cert).toMillis() * 31 + Files.getLastModifiedTime(key).toMillis()
          + Files.size(cert) + Files.size(key);
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
