package io.holdfast.betting;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import io.holdfast.platform.ModuleApi;

/** POST /api/bets/{id}/cash-out: take the quote {@code quoteId}; a retry with the same {@code requestId} is the same. */
@ModuleApi
public record CashOutCommand(@NotBlank @Size(max = 64) String requestId, @NotBlank @Size(max = 64) String quoteId) {
}
