package io.holdfast.web;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;

/** How a bettor likes to read prices; the book stores decimal odds, these are only their spellings. */
public enum OddsFormat {
    DECIMAL, FRACTIONAL, AMERICAN;

    public static final String COOKIE = "holdfast-odds";

    public static OddsFormat parse(String value) {
        if (value == null) {
            return DECIMAL;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return DECIMAL;
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String format(BigDecimal odds) {
        if (odds == null) {
            return "";
        }
        BigDecimal decimal = odds.setScale(2, RoundingMode.DOWN);
        return switch (this) {
            case DECIMAL -> decimal.toPlainString();
            case FRACTIONAL -> fractional(decimal);
            case AMERICAN -> american(decimal);
        };
    }

    private static String fractional(BigDecimal decimal) {
        BigInteger numerator = decimal.subtract(BigDecimal.ONE).movePointRight(2).toBigIntegerExact();
        BigInteger denominator = BigInteger.valueOf(100);
        BigInteger gcd = numerator.gcd(denominator);
        if (gcd.signum() == 0) {
            return "0/1";
        }
        return numerator.divide(gcd) + "/" + denominator.divide(gcd);
    }

    private static String american(BigDecimal decimal) {
        BigDecimal profit = decimal.subtract(BigDecimal.ONE);
        if (decimal.compareTo(BigDecimal.valueOf(2)) >= 0) {
            return "+" + profit.movePointRight(2).setScale(0, RoundingMode.HALF_UP).toPlainString();
        }
        return "-" + BigDecimal.valueOf(100).divide(profit, 0, RoundingMode.HALF_UP).toPlainString();
    }
}
