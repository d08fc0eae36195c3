package io.holdfast.betting;

import java.math.BigDecimal;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import io.holdfast.platform.ModuleApi;

/** POST /api/bets: one leg is a single, 2..20 legs an accumulator. {@code odds} per leg is the price the bettor saw. */
@ModuleApi
public record PlaceBetCommand(
        @NotBlank @Size(max = 64) String requestId,
        @NotNull @Positive Long stake,
        @NotNull @Size(min = 1, max = 20) List<@Valid @NotNull Leg> legs,
        OddsChangePolicy oddsChange) {

    public record Leg(@NotNull @Positive Long selectionId,
            @NotNull @DecimalMin("1.01") @DecimalMax("1000.00") @Digits(integer = 4, fraction = 2) BigDecimal odds) {
    }

    public OddsChangePolicy policy() {
        return oddsChange == null ? OddsChangePolicy.NONE : oddsChange;
    }

    /** A stable digest of what was asked, to tell a retry (same body) from a reuse of the id (other body). */
    String fingerprint() {
        StringBuilder sb = new StringBuilder().append(stake).append('|').append(policy());
        for (Leg leg : legs) {
            sb.append('|').append(leg.selectionId()).append('@').append(leg.odds().stripTrailingZeros().toPlainString());
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
