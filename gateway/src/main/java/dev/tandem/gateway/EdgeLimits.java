package dev.tandem.gateway;

import dev.tandem.ops.Settings;

import java.util.Map;

/**
 * What one document connection, and the gateway as a whole, may make the gateway hold. Every
 * resource a client can claim has a cap here; past it the client gets a protocol error (the
 * connection stays) or, for the outbound budget, is closed with {@link #CLOSE_NOT_READING}.
 * HTTP and socket-level settings (idle timeouts, connection caps, frame sizes) are not here:
 * they belong to the HTTP server's own settings.
 *
 * @param maxDocsPerConnection documents one connection may subscribe to at once; a bulk request
 *     for more is refused whole before anything opens ({@code TANDEM_MAX_DOCS_PER_CONNECTION},
 *     1000: an editor with a sidebar of documents stays far below, one {@code bs} of 40,000 ids
 *     does not)
 * @param maxDocs documents this gateway keeps open; at the cap the least recently used document
 *     nobody subscribes to leaves memory, and when every one is subscribed the request is refused
 *     ({@code TANDEM_GATEWAY_MAX_DOCS}, 20000: about 200 MiB of windows at the default window)
 * @param maxPresenceChannelsPerConnection presence channels one connection may subscribe to or
 *     submit to ({@code TANDEM_MAX_PRESENCE_CHANNELS_PER_CONNECTION}, 100)
 * @param maxPresenceChannels presence channels this gateway serves at once
 *     ({@code TANDEM_GATEWAY_MAX_PRESENCE_CHANNELS}, 20000)
 * @param maxPresencesPerConnection presence ids one connection holds across channels
 *     ({@code TANDEM_MAX_PRESENCES_PER_CONNECTION}, 16: a caret and a selection per open editor)
 * @param maxPresenceDepth nesting depth of a presence value; deeper is refused before it reaches
 *     Kafka (presence-service once died on a 998-level value) ({@code TANDEM_MAX_PRESENCE_DEPTH}, 32)
 * @param maxNameLength characters in a collection, document id, presence channel, presence id or
 *     client id ({@code TANDEM_MAX_NAME_LENGTH}, 512)
 * @param outboundBudgetBytes bytes queued for one socket and not yet written to the network; a
 *     client over it is not reading and is closed ({@code TANDEM_OUTBOUND_BUDGET_BYTES}, 8 MiB:
 *     a full catch-up of the window of a busy document is well under 1 MiB)
 * @param feedMaxPending records read from Kafka and not yet handled by the hub; over it the feed
 *     pauses its partitions until the hub has caught up ({@code TANDEM_FEED_MAX_PENDING}, 20000:
 *     ten full polls)
 */
public record EdgeLimits(int maxDocsPerConnection, int maxDocs, int maxPresenceChannelsPerConnection,
    int maxPresenceChannels, int maxPresencesPerConnection, int maxPresenceDepth, int maxNameLength,
    long outboundBudgetBytes, int feedMaxPending) {

  /** WebSocket close code for a client whose queued output went over the budget: 1008, policy violation. */
  public static final short CLOSE_NOT_READING = 1008;

  public EdgeLimits {
    if (maxDocsPerConnection < 1 || maxDocs < 1 || maxPresenceChannelsPerConnection < 1 || maxPresenceChannels < 1
        || maxPresencesPerConnection < 1 || maxPresenceDepth < 1 || maxNameLength < 1 || outboundBudgetBytes < 1
        || feedMaxPending < 1) {
      throw new IllegalArgumentException("every edge limit must be at least 1");
    }
  }

  /** The defaults documented above. */
  public static EdgeLimits defaults() {
    return fromEnv(Map.of());
  }

  public static EdgeLimits fromEnv(Map<String, String> env) {
    return from(new Settings(env));
  }

  public static EdgeLimits from(Settings s) {
    return new EdgeLimits(
        s.integer("TANDEM_MAX_DOCS_PER_CONNECTION", 1000, 1, 10_000_000),
        s.integer("TANDEM_GATEWAY_MAX_DOCS", 20_000, 1, 100_000_000),
        s.integer("TANDEM_MAX_PRESENCE_CHANNELS_PER_CONNECTION", 100, 1, 10_000_000),
        s.integer("TANDEM_GATEWAY_MAX_PRESENCE_CHANNELS", 20_000, 1, 100_000_000),
        s.integer("TANDEM_MAX_PRESENCES_PER_CONNECTION", 16, 1, 100_000),
        s.integer("TANDEM_MAX_PRESENCE_DEPTH", 32, 1, 900),
        s.integer("TANDEM_MAX_NAME_LENGTH", 512, 1, 65_536),
        s.whole("TANDEM_OUTBOUND_BUDGET_BYTES", 8L * 1024 * 1024, 1, 1L << 40),
        s.integer("TANDEM_FEED_MAX_PENDING", 20_000, 1, 10_000_000));
  }

  public EdgeLimits withDocs(int perConnection, int perServer) {
    return new EdgeLimits(perConnection, perServer, maxPresenceChannelsPerConnection, maxPresenceChannels,
        maxPresencesPerConnection, maxPresenceDepth, maxNameLength, outboundBudgetBytes, feedMaxPending);
  }

  public EdgeLimits withPresenceChannels(int perConnection, int perServer) {
    return new EdgeLimits(maxDocsPerConnection, maxDocs, perConnection, perServer, maxPresencesPerConnection,
        maxPresenceDepth, maxNameLength, outboundBudgetBytes, feedMaxPending);
  }

  public EdgeLimits withOutboundBudget(long bytes) {
    return new EdgeLimits(maxDocsPerConnection, maxDocs, maxPresenceChannelsPerConnection, maxPresenceChannels,
        maxPresencesPerConnection, maxPresenceDepth, maxNameLength, bytes, feedMaxPending);
  }

}
