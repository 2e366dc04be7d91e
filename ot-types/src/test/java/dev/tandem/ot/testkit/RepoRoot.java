package dev.tandem.ot.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root: the folder with the parent pom and package.json. */
public final class RepoRoot {

  private RepoRoot() {}

  public static Path find() {
    String configured = System.getProperty("tandem.root");
    if (configured != null && Files.exists(Path.of(configured, "package.json"))) {
      return Path.of(configured).toAbsolutePath();
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      if (Files.exists(p.resolve("package.json")) && Files.exists(p.resolve("pom.xml"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("cannot find the repository root (package.json beside pom.xml)");
  }
}
