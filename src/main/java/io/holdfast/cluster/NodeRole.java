package io.holdfast.cluster;

/** docs/ARCHITECTURE.md §3: only the ACTIVE node writes, runs background jobs and is ready. */
public enum NodeRole {
    ACTIVE, PASSIVE
}
