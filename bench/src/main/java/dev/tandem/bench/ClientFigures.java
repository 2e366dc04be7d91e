package dev.tandem.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one workload measured on one server: named figures in print order, or why it failed.
 *
 * @param figures figure name to its printed value, in the order to print them
 */
record ClientFigures(String server, Map<String, String> figures, Optional<String> failure) {

  static ClientFigures failed(String server, String why) {
    return new ClientFigures(server, new LinkedHashMap<>(), Optional.of(why));
  }

  static ClientFigures skipped(String server, String why) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("", why);
    return new ClientFigures(server, f, Optional.empty());
  }
}
