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

    static String time(Instant at) {
        return at == null ? "" : TIME.format(at);
    }
}
