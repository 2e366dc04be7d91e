package dev.tandem.bench;

import dev.tandem.signal.sfu.JanusSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Calls of 2, 4, 6 and 8 Chromium pages, mesh and SFU side by side ({@code bench/node/call-bench.js}):
 * time to first frame, upstream bitrate and CPU per page, and Janus's CPU. Starts its own Janus
 * (a generated configuration on loopback) and a fresh standalone server per mode: one whose
 * calls stay mesh, one whose calls all go through the SFU.
 * {@code java -cp bench/target/tandem-bench.jar dev.tandem.bench.CallBench [SIZES]}.
 */
public final class CallBench {

  private CallBench() {}

  public static void main(String[] args) throws Exception {
    String sizes = args.length > 0 ? args[0] : "2,4,6,8";
    Path jar = Path.of("standalone/target/tandem.jar").toAbsolutePath();
    Path dir = Files.createTempDirectory("call-bench-janus-");
    String api = UUID.randomUUID().toString();
    String admin = UUID.randomUUID().toString();
    JanusSetup setup = new JanusSetup("127.0.0.1", LoadBench.freePort(), api, admin, "44000-44999", List.of("lo"),
        JanusSetup.debianLibraries());
    setup.write(dir);
    Process janus = Children.start(new ProcessBuilder("janus", "-F", dir.toString(), "-C",
        dir.resolve("janus.jcfg").toString(), "-o").redirectErrorStream(true).redirectOutput(dir.resolve("janus.log").toFile()));
    Thread.sleep(2_000);
    List<String> out = new ArrayList<>();
    try {
      for (String mode : List.of("mesh", "sfu")) {
        Map<String, String> env = mode.equals("mesh") ? Map.of("TANDEM_SFU_THRESHOLD", "1000")
            : Map.of("TANDEM_JANUS_URLS", setup.url(), "TANDEM_JANUS_API_SECRET", api, "TANDEM_JANUS_ADMIN_KEY", admin,
                "TANDEM_SFU_THRESHOLD", "1");
        try (TandemServer server = TandemServer.start(jar, env, false)) {
          ProcessBuilder pb = new ProcessBuilder("node", "bench/node/call-bench.js", "http://127.0.0.1:" + server.port(),
              mode, sizes, String.valueOf(janus.pid())).redirectErrorStream(true);
          Process node = Children.start(pb);
          for (String line : new String(node.getInputStream().readAllBytes()).split("\n")) {
            System.out.println(line);
            if (!line.startsWith("[")) {
              out.add(line);
            }
          }
          if (node.waitFor() != 0) {
            throw new IllegalStateException("the " + mode + " run failed");
          }
        }
      }
    } finally {
      Children.stop(janus, 2);
    }
    System.out.println();
    out.forEach(System.out::println);
  }
}
