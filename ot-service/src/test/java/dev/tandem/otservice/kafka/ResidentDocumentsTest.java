package dev.tandem.otservice.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.otservice.OtServiceConfig;
import dev.tandem.otservice.state.DocumentState;
import dev.tandem.schemas.DocKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bound on resident documents holds for the instance, also while partitions are rebuilt one after another. */
class ResidentDocumentsTest {

  private static PartitionState withDocs(int partition, int n) {
    PartitionState ps = new PartitionState(partition, null);
    for (int i = 0; i < n; i++) {
      DocKey key = new DocKey("notes", partition + "-" + i);
      ps.docs.put(key, new PartitionState.Resident(DocumentState.empty(key, 10), i));
    }
    return ps;
  }

  @Test
  void aPartitionBeingRebuiltGetsWhatTheOthersLeaveOfTheBound() {
    ResidentDocuments docs = new ResidentDocuments(OtServiceConfig.fromEnv(Map.of()).withResidency(10, Duration.ofMinutes(5)));
    docs.put(withDocs(0, 8));
    assertEquals(2, docs.budgetFor(new PartitionState(1, null)));
    docs.put(withDocs(1, 7));
    assertEquals(0, docs.budgetFor(new PartitionState(2, null)), "never below none");
    assertEquals(3, docs.budgetFor(new PartitionState(0, null)), "a partition rebuilt again does not count its old self");

    // Trimming keeps the budget: clean documents leave, with what was gathered for their history.
    PartitionState rebuilding = withDocs(2, 5);
    Map<DocKey, List<String>> history = new HashMap<>();
    rebuilding.docs.keySet().forEach(k -> history.put(k, List.of("op")));
    docs.trim(rebuilding, history, 2);
    assertEquals(2, rebuilding.docs.size());
    assertEquals(rebuilding.docs.keySet(), history.keySet());
  }
}
