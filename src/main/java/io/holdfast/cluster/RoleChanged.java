package io.holdfast.cluster;

/** Fired (synchronously, on the lease keeper's thread) whenever this node's role or epoch changes. */
public record RoleChanged(String node, NodeRole from, NodeRole to, long epoch, String reason) {
}
