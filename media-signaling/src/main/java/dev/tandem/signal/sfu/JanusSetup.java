package dev.tandem.signal.sfu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Janus configuration for Tandem, generated rather than taken from the package's demo
 * defaults (whose demo rooms and well-known admin secret must not be used): only the VideoRoom
 * plugin and the HTTP transport, on one address; an API secret every request must carry; a
 * VideoRoom admin key so that only Tandem creates rooms; no rooms defined; ICE on the given
 * interfaces only. Written as {@code janus.jcfg} and the two plugin files into a folder; start
 * Janus with {@code janus -F DIR -C DIR/janus.jcfg}.
 */
public record JanusSetup(String ip, int httpPort, String apiSecret, String adminKey, String rtpPorts,
    List<String> iceInterfaces, Path libraries) {

  /** Where Debian's janus package puts its plugins ({@code /usr/lib/<arch>/janus}), if it is installed. */
  public static Path debianLibraries() throws IOException {
    try (var dirs = Files.list(Path.of("/usr/lib"))) {
      return dirs.map(d -> d.resolve("janus")).filter(d -> Files.isDirectory(d.resolve("plugins"))).findFirst()
          .orElseThrow(() -> new IOException("no janus plugins under /usr/lib/*/janus (apt-get install janus)"));
    }
  }

  /** Writes the configuration into {@code dir}. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> plugins;
    List<String> transports;
    try (var p = Files.list(libraries.resolve("plugins")); var t = Files.list(libraries.resolve("transports"))) {
      plugins = p.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".so") && !f.equals("libjanus_videoroom.so"))
          .sorted().toList();
      transports = t.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".so") && !f.equals("libjanus_http.so"))
          .sorted().toList();
    }
    Files.writeString(dir.resolve("janus.jcfg"), """
        general: {
          configs_folder = "%s"
          plugins_folder = "%s"
          transports_folder = "%s"
          events_folder = "%s"
          loggers_folder = "%s"
          debug_level = 4
          admin_secret = "%s"
          api_secret = "%s"
          server_name = "tandem-sfu"
          session_timeout = 60
        }
        media: {
          rtp_port_range = "%s"
        }
        nat: {
          ice_enforce_list = "%s"
          ignore_mdns = true
        }
        plugins: {
          disable = "%s"
        }
        transports: {
          disable = "%s"
        }
        events: {
          broadcast = false
        }
        """.formatted(dir, libraries.resolve("plugins"), libraries.resolve("transports"), libraries.resolve("events"),
        libraries.resolve("loggers"), adminKey, apiSecret, rtpPorts, String.join(",", iceInterfaces),
        String.join(",", plugins), String.join(",", transports)));
    Files.writeString(dir.resolve("janus.transport.http.jcfg"), """
        general: {
          json = "compact"
          base_path = "/janus"
          http = true
          port = %d
          ip = "%s"
          https = false
        }
        admin: {
          admin_http = false
        }
        """.formatted(httpPort, ip));
    Files.writeString(dir.resolve("janus.plugin.videoroom.jcfg"), """
        general: {
          admin_key = "%s"
          lock_rtp_forward = true
          string_ids = true
        }
        """.formatted(adminKey));
  }

  /** The URL of its HTTP API. */
  public String url() {
    return "http://" + ip + ":" + httpPort + "/janus";
  }
}
