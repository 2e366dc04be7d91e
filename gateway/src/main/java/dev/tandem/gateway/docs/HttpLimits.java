package dev.tandem.gateway.docs;

import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * What bounds the document HTTP endpoints of one gateway, shared by all its server instances.
 *
 * @param diffs runs the diffs of whole-content PUTs and bounds the PUTs in progress
 * @param opsStreams permits for {@code GET .../ops} streams in progress
 * @param bodyTimeout how long a PUT's body may take to arrive after its head
 */
public record HttpLimits(DiffRunner diffs, Semaphore opsStreams, Duration bodyTimeout) {}
