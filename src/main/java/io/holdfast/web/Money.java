package io.holdfast.web;

import java.math.BigDecimal;

/** Amounts typed by people ("12.50") to minor units and back; the API and the database use minor units. */
final class Money {

    private Money() {
    }

    static String format(long cents) {
        return BigDecimal.valueOf(cents, 2).toPlainString();
    }

    /** "12.5" → 1250; null when it is not a positive amount with at most two decimals. */
    static Long parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            BigDecimal amount = new BigDecimal(text.trim().replace(',', '.'));
            if (amount.signum() <= 0 || amount.scale() > 2 || amount.precision() - amount.scale() > 12) {
                return null;
            }
            return amount.movePointRight(2).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }
}
