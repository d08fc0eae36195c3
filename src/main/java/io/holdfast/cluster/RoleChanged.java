package io.holdfast.cluster;

import io.holdfast.platform.ModuleApi;

/**
 * Fired whenever this node's role or epoch changes, after the change took effect, in order, on the thread
 * {@code role-events} (never the lease keeper's: an observer must not delay a renewal).
 */
@ModuleApi
public record RoleChanged(String node, NodeRole from, NodeRole to, long epoch, String reason) {
}
