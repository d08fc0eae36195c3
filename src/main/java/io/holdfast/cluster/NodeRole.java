package io.holdfast.cluster;

import io.holdfast.platform.ModuleApi;

/** docs/ARCHITECTURE.md §3: only the ACTIVE node writes, runs background jobs and is ready. */
@ModuleApi
public enum NodeRole {
    ACTIVE, PASSIVE
}
