package io.holdfast.wallet;

public enum AccountStatus {
    ACTIVE, BLOCKED, SELF_EXCLUDED
}
