package io.holdfast.cluster;

import io.holdfast.platform.ModuleApi;

/**
 * Fired once this node has been ACTIVE at {@code epoch} for {@code holdfast.lease.settle} (and still is), on the
 * thread {@code role-events} after the {@link RoleChanged} that made it ACTIVE. Work that a new ACTIVE must do but
 * bettors need not wait for (cache rebuilds from the database) observes this rather than the role change: the first
 * placements after a failover are the bettors' gap, and on two cores they would share the CPU with it.
 */
@ModuleApi
public record ActiveSettled(String node, long epoch) {
}
