package dev.tandem.schemas;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The Kafka topics Tandem uses, with a prefix so several installations (or tests) can share
 * one cluster. The document topics must have the same number of partitions: a document's ops,
 * commits, replies and snapshots then live in the same partition number of each.
 */
public record Topics(String prefix) {

  /** The default names: {@code tandem.ops.submitted} and so on. */
  public static final Topics DEFAULT = new Topics("tandem");

  public String submitted() {
    return prefix + ".ops.submitted";
  }

  /** The event log: every committed op, kept forever. */
  public String committed() {
    return prefix + ".ops.committed";
  }

  /** Answers to gateways that are not commits: rejections, duplicate acks, document loads. */
  public String replies() {
    return prefix + ".ops.replies";
  }

  /** Document snapshots, compacted: the latest per document. */
  public String snapshots() {
    return prefix + ".snapshots";
  }

  /** Presence updates, heartbeats and presence-service's answers; short-lived. */
  public String presence() {
    return prefix + ".presence";
  }

  /** Signaling between peers on different instances, key: the room. */
  public String signals() {
    return prefix + ".signals";
  }

  /** Call-quality reports from clients, key: the room; kept for analysts. */
  public String telemetry() {
    return prefix + ".telemetry";
  }

  /**
   * Every topic Tandem needs, with its partitions and configs (the replication factor is the
   * cluster's default); the Kubernetes manifests declare the same (a test compares them).
   */
  public List<NewTopic> specs(int partitions) {
    String big = String.valueOf(16 * 1024 * 1024);
    List<NewTopic> wanted = new ArrayList<>();
    // The event log is kept forever: history is replayed from it.
    wanted.add(new NewTopic(committed(), partitions, (short) -1)
        .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1", "max.message.bytes", big)));
    // Submitted ops only need to live until ot-service has committed them.
    wanted.add(new NewTopic(submitted(), partitions, (short) -1)
        .configs(Map.of("retention.ms", String.valueOf(7L * 24 * 3600 * 1000), "max.message.bytes", big)));
    wanted.add(new NewTopic(replies(), partitions, (short) -1)
        .configs(Map.of("retention.ms", String.valueOf(24L * 3600 * 1000), "max.message.bytes", big)));
    // Presence only matters while people are there.
    wanted.add(new NewTopic(presence(), partitions, (short) -1)
        .configs(Map.of("retention.ms", String.valueOf(3600L * 1000))));
    // Signals are relayed live and never replayed.
    wanted.add(new NewTopic(signals(), partitions, (short) -1)
        .configs(Map.of("retention.ms", String.valueOf(3600L * 1000))));
    // Call quality is read by analysts (`tandem-history calls`) for a month.
    wanted.add(new NewTopic(telemetry(), partitions, (short) -1)
        .configs(Map.of("retention.ms", String.valueOf(30L * 24 * 3600 * 1000))));
    // Only the latest snapshot of a document matters.
    wanted.add(new NewTopic(snapshots(), partitions, (short) -1)
        .configs(Map.of("cleanup.policy", "compact", "max.message.bytes", big)));
    return wanted;
  }

  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  public void ensure(Admin admin, int partitions) {
    List<NewTopic> wanted = specs(partitions);
    try {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create Tandem's topics", e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
