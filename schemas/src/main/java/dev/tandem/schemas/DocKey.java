package dev.tandem.schemas;

/**
 * A document's identity: its collection and id. As a Kafka key it reads {@code collection/id};
 * a collection holds no '/', an id may.
 */
public record DocKey(String collection, String id) {

  public DocKey {
    if (collection == null || collection.isEmpty() || collection.indexOf('/') >= 0) {
      throw new IllegalArgumentException("a collection is a non-empty name without '/', got " + collection);
    }
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException("a document id is a non-empty string");
    }
  }

  /** The Kafka key. */
  public String value() {
    return collection + "/" + id;
  }

  /** The key {@code collection/id}. */
  public static DocKey parse(String key) {
    int slash = key.indexOf('/');
    if (slash <= 0) {
      throw new IllegalArgumentException("a document key reads collection/id, got " + key);
    }
    return new DocKey(key.substring(0, slash), key.substring(slash + 1));
  }

  @Override
  public String toString() {
    return value();
  }
}
