package io.holdfast.web;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.quarkus.arc.Arc;
import io.quarkus.qute.TemplateExtension;

/** Formatting for templates: {@code {fmt:money(cents)}}, {@code {fmt:odds(decimal)}}, {@code {fmt:time(instant)}}. */
@TemplateExtension(namespace = "fmt")
public final class Fmt {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter KICKOFF = DateTimeFormatter.ofPattern("EEE d MMM HH:mm", java.util.Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private Fmt() {
    }

    /** Minor units as a plain amount with two decimals, e.g. 1234 → "12.34". */
    static String money(Long cents) {
        return cents == null ? "" : Money.format(cents);
    }

    /** Decimal odds in the viewer's preferred spelling. */
    static String odds(BigDecimal odds) {
        // the viewer's preference where there is a request (a page); decimal elsewhere
        OddsFormat format = Arc.container().requestContext().isActive()
                ? Arc.container().instance(Viewer.class).get().getOddsFormat() : OddsFormat.DECIMAL;
        return format.format(odds);
    }

    static String decimal(BigDecimal odds) {
        return odds == null ? "" : odds.setScale(2, java.math.RoundingMode.DOWN).toPlainString();
    }

    /** A query parameter's value: {@code /?sport={fmt:url(s.sport)}}. */
    static String url(String value) {
        return value == null ? "" : java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** When an event starts, as a bettor reads it: "Wed 2 Dec 19:45" (UTC). */
    static String kickoff(Instant at) {
        return at == null ? "" : KICKOFF.format(at);
    }

    static String time(Instant at) {
        return at == null ? "" : TIME.format(at);
    }
}
