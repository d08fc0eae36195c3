package io.holdfast.web;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import io.holdfast.odds.OddsStream;
import io.holdfast.odds.OddsUpdate;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Multi;

/**
 * Live prices for the pages: every committed price or market-status change as a server-sent event named
 * {@code sel-<id>} whose data is the price as the page shows it; htmx's SSE extension swaps it in.
 */
@Path("/stream/odds")
@PermitAll
public class OddsFeed {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance price(OddsUpdate u, String shown, String decimal);
    }

    private final OddsStream stream;

    OddsFeed(OddsStream stream) {
        this.stream = stream;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> updates(@Context Sse sse, @CookieParam(OddsFormat.COOKIE) String format) {
        OddsFormat spelling = OddsFormat.parse(format);
        // a first event at once, so the page knows it is live before any price moves
        Multi<OutboundSseEvent> hello = Multi.createFrom().item(sse.newEventBuilder().name("live").data(String.class, "")
                .build());
        Multi<OutboundSseEvent> prices = stream.updates().map(u -> sse.newEventBuilder().name("sel-" + u.selectionId())
                .data(String.class, fragment(u, spelling)).build());
        return Multi.createBy().merging().streams(hello, prices);
    }

    static String fragment(OddsUpdate u, OddsFormat spelling) {
        // one line: an SSE data field ends at a newline
        return Templates.price(u, spelling.format(u.odds()), OddsFormat.DECIMAL.format(u.odds())).render()
                .replace('\n', ' ').trim();
    }
}
