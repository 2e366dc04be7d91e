package dev.tandem.ot;

/**
 * Which op wins a tie when two concurrent ops insert at the same place.
 *
 * <p>The op transformed with {@code LEFT} keeps its insert first. ShareDB's server transforms
 * a submitted op against committed ops with {@code LEFT} (the committed op counts as right);
 * clients transform their pending ops with the mirror image, so both ends converge.
 */
public enum Side {
  LEFT,
  RIGHT;

  /** The side as the npm types spell it. */
  public String wireName() {
    return this == LEFT ? "left" : "right";
  }

  /** The other side. */
  public Side opposite() {
    return this == LEFT ? RIGHT : LEFT;
  }
}
