package io.holdfast.wallet;

import io.holdfast.platform.ModuleApi;

@ModuleApi
public enum AccountStatus {
    ACTIVE, BLOCKED, SELF_EXCLUDED
}
