package dev.tandem.signal.sfu;

import dev.tandem.ops.Settings;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Calls through Janus: which instances ({@code TANDEM_JANUS_URLS}, the HTTP API of each, in order
 * of preference; empty: every call is a mesh), the API secret every request to them carries
 * ({@code TANDEM_JANUS_API_SECRET}) and the VideoRoom admin key ({@code TANDEM_JANUS_ADMIN_KEY})
 * rooms are created with, the secret room secrets are derived from ({@code TANDEM_SFU_SECRET}:
 * the same on every signaling instance of an installation; random when unset, which suits one),
 * the size above which a room moves to the SFU ({@code TANDEM_SFU_THRESHOLD}, 4), publishers
 * per room and the bitrate cap per publisher.
 */
public record SfuConfig(List<String> janusUrls, String apiSecret, String adminKey, String roomSecret, int threshold,
    int maxPublishers, int bitrate) {

  public static SfuConfig fromEnv(Map<String, String> env) {
    return from(new Settings(env));
  }

  public static SfuConfig from(Settings s) {
    return new SfuConfig(
        s.list("TANDEM_JANUS_URLS", ""),
        s.optional("TANDEM_JANUS_API_SECRET").orElse(null),
        s.optional("TANDEM_JANUS_ADMIN_KEY").orElse(null),
        s.optional("TANDEM_SFU_SECRET").orElseGet(SfuConfig::randomSecret),
        s.integer("TANDEM_SFU_THRESHOLD", 4, 1, 1000),
        s.integer("TANDEM_SFU_MAX_PUBLISHERS", 50, 1, 1000),
        s.integer("TANDEM_SFU_BITRATE", 512_000, 64_000, 50_000_000));
  }

  /** No Janus: every call is a mesh. */
  public static SfuConfig none() {
    return new SfuConfig(List.of(), null, null, randomSecret(), 4, 50, 512_000);
  }

  private static String randomSecret() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
