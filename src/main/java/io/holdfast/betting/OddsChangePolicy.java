package io.holdfast.betting;

import java.math.BigDecimal;

import io.holdfast.platform.ModuleApi;

/** What the bettor accepts when the price moved between the slip and the placement (or the live delay). */
@ModuleApi
public enum OddsChangePolicy {
    /** only the exact price seen */
    NONE,
    /** the price seen or a better one */
    HIGHER,
    /** any price */
    ANY;

    public boolean accepts(BigDecimal seen, BigDecimal current) {
        return switch (this) {
            case NONE -> current.compareTo(seen) == 0;
            case HIGHER -> current.compareTo(seen) >= 0;
            case ANY -> true;
        };
    }
}
