package io.holdfast.web;

import java.util.EnumMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.holdfast.odds.OddsStream;
import io.holdfast.odds.OddsUpdate;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.Router;

/**
 * Live prices for the pages: every committed price or market-status change as a server-sent event named
 * {@code sel-<id>} whose data is the price as the page shows it; htmx's SSE extension swaps it in. A Vert.x route,
 * not a JAX-RS method: the odds stream writes each change's bytes, rendered once per odds format, to every open
 * page itself (see {@link OddsStream}). A page that comes back after a switchover or a long gap gets {@code reload}
 * and reloads itself.
 */
@ApplicationScoped
public class OddsFeed {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance price(OddsUpdate u, String shown, String decimal);
    }

    /** The pages' events in one odds format. */
    static final class PageFormat extends OddsStream.Format {
        private final OddsFormat spelling;

        PageFormat(OddsFormat spelling) {
            this.spelling = spelling;
        }

        @Override
        protected String hello() {
            // a first event at once, so the page knows it is live before any price moves
            return "event: live\ndata: ";
        }

        @Override
        protected String snapshot(long revision) {
            return "event: reload\ndata: ";
        }

        @Override
        protected String event(OddsUpdate u) {
            return "event: sel-" + u.selectionId() + "\ndata: " + fragment(u, spelling);
        }
    }

    private static final Map<OddsFormat, PageFormat> FORMATS = new EnumMap<>(OddsFormat.class);

    static {
        for (OddsFormat f : OddsFormat.values()) {
            FORMATS.put(f, new PageFormat(f));
        }
    }

    private final OddsStream stream;

    OddsFeed(OddsStream stream) {
        this.stream = stream;
    }

    void install(@Observes Router router) {
        router.get("/stream/odds").handler(rc -> {
            Cookie format = rc.request().getCookie(OddsFormat.COOKIE);
            stream.open(rc, FORMATS.get(OddsFormat.parse(format == null ? null : format.getValue())));
        });
    }

    static String fragment(OddsUpdate u, OddsFormat spelling) {
        // one line: an SSE data field ends at a newline
        return Templates.price(u, spelling.format(u.odds()), OddsFormat.DECIMAL.format(u.odds())).render()
                .replace('\n', ' ').trim();
    }
}
