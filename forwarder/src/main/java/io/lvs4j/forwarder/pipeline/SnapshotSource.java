package io.lvs4j.forwarder.pipeline;

/**
 * Where a worker gets the current {@link ForwardingSnapshot}: one volatile read per batch.
 */
@FunctionalInterface
public interface SnapshotSource
{
    /** @return the snapshot to use for the next batch. */
    ForwardingSnapshot snapshot();
}
