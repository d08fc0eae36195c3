package io.holdfast.odds;

import java.util.List;

import jakarta.annotation.security.PermitAll;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import io.holdfast.odds.Views.EventView;
import io.holdfast.platform.ProblemException;

/** Public odds: events with markets and prices (the live stream of changes is {@link OddsStreamRoute}). */
@Path("/api")
@PermitAll
public class OddsResource {

    private final OddsCatalog catalog;
    private final OddsBook book;

    OddsResource(OddsCatalog catalog, OddsBook book) {
        this.catalog = catalog;
        this.book = book;
    }

    @GET
    @Path("/events")
    public List<EventView> events(@QueryParam("status") List<String> status,
            @QueryParam("limit") @DefaultValue("200") @Min(1) @Max(1000) int limit,
            @QueryParam("sport") @Size(max = 100) String sport,
            @QueryParam("competition") @Size(max = 100) String competition,
            @QueryParam("q") @Size(max = 100) String q) {
        List<EventStatus> statuses = status == null || status.isEmpty()
                ? List.of(EventStatus.SCHEDULED, EventStatus.LIVE)
                : status.stream().flatMap(s -> List.of(s.split("[,|]")).stream()).map(OddsResource::parse).toList();
        return catalog.events(statuses, new Views.EventFilter(blankless(sport), blankless(competition), blankless(q), false),
                limit);
    }

    /** Sports, each with its competitions and their counts of open (scheduled or live) events. */
    @GET
    @Path("/sports")
    public List<Views.SportView> sports() {
        return catalog.sports();
    }

    private static String blankless(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    @GET
    @Path("/events/{id}")
    public EventView event(@PathParam("id") long id) {
        return catalog.event(id).orElseThrow(() -> ProblemException.notFound("Event"));
    }

    /** A selection's quote as this node's replicated odds book holds it (either node answers). */
    @GET
    @Path("/odds/{selectionId}")
    public OddsUpdate quote(@PathParam("selectionId") long selectionId) {
        Quote q = book.replicated(selectionId).or(() -> book.quote(selectionId))
                .orElseThrow(() -> ProblemException.notFound("Selection"));
        return new OddsUpdate(q.selectionId(), q.odds(), q.version(), q.marketId(), q.marketStatus());
    }

    private static EventStatus parse(String s) {
        try {
            return EventStatus.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("status must be one of SCHEDULED, LIVE, FINISHED, CANCELLED");
        }
    }
}
