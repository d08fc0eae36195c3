package io.holdfast.cluster;

import io.holdfast.platform.ModuleApi;

/** Fired (synchronously, on the lease keeper's thread) whenever this node's role or epoch changes. */
@ModuleApi
public record RoleChanged(String node, NodeRole from, NodeRole to, long epoch, String reason) {
}
