package io.holdfast.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.holdfast.betting.BetStatus;
import io.holdfast.betting.BetStore;
import io.holdfast.betting.BetView;
import io.holdfast.odds.EventStatus;
import io.holdfast.odds.OddsCatalog;
import io.holdfast.odds.Views.EventFilter;
import io.holdfast.odds.Views.EventView;
import io.holdfast.odds.Views.SportView;
import io.holdfast.platform.CurrentUser;
import io.holdfast.wallet.AccountView;
import io.holdfast.wallet.Accounts;
import io.holdfast.web.BetRows.BetRow;
import io.holdfast.web.EventBoard.EventCard;
import io.holdfast.web.EventBoard.MarketGroup;
import io.holdfast.web.EventBoard.SportGroup;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;

/** The bettor's home (the odds by sport and competition, live first; public), an event's page, and their bets. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class HomePages {

    /** Bets per page of "my bets"; older ones are a link away. */
    static final int BETS_PER_PAGE = 100;

    /** Events the home page lists at most; a sport, competition or search narrows them. */
    static final int EVENTS_PER_PAGE = 300;

    /** What the home page shows: the sports menu, live events, upcoming ones by sport and competition. */
    public record Board(List<SportView> sports, List<EventCard> live, List<SportGroup> upcoming, String sport,
            String competition, String q, String next) {
        public boolean filtered() {
            return sport != null || competition != null || q != null;
        }

        public String heading() {
            if (q != null) {
                return "Search: " + q;
            }
            if (competition != null) {
                return (sport == null ? "" : sport + " · ") + competition;
            }
            return sport;
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance home(Board board, AccountView me, List<OddsFormat> formats, OddsFormat current);

        static native TemplateInstance event(EventView e, List<MarketGroup> groups, int closed, AccountView me);

        static native TemplateInstance missing();

        static native TemplateInstance bets(List<BetRow> open, List<BetRow> settled, Long older);
    }

    private final OddsCatalog catalog;
    private final Accounts accounts;
    private final BetStore bets;
    private final CurrentUser user;
    private final SecurityIdentity identity;
    private final Viewer viewer;

    HomePages(Viewer viewer, OddsCatalog catalog, Accounts accounts, BetStore bets, CurrentUser user,
            SecurityIdentity identity) {
        this.catalog = catalog;
        this.accounts = accounts;
        this.bets = bets;
        this.user = user;
        this.identity = identity;
        this.viewer = viewer;
    }

    @GET
    public TemplateInstance home(@QueryParam("sport") String sport, @QueryParam("competition") String competition,
            @QueryParam("q") String q) {
        EventFilter filter = new EventFilter(clean(sport), clean(competition), clean(q), true);
        List<EventView> events = catalog.events(List.of(EventStatus.LIVE, EventStatus.SCHEDULED), filter,
                EVENTS_PER_PAGE);
        List<EventCard> live = EventBoard.cards(events.stream().filter(e -> e.status() == EventStatus.LIVE).toList());
        List<EventCard> upcoming = EventBoard.cards(events.stream().filter(e -> e.status() == EventStatus.SCHEDULED)
                .toList());
        Board board = new Board(catalog.sports(), live, EventBoard.bySport(upcoming), filter.sport(),
                filter.competition(), filter.q(), here(filter));
        return Templates.home(board, me(), List.of(OddsFormat.values()), viewer.getOddsFormat());
    }

    /** One event with all its markets that trade or are suspended, grouped by kind. */
    @GET
    @Path("events/{id}")
    public Response event(@PathParam("id") String id) {
        EventView event = id.matches("[0-9]{1,18}") ? catalog.event(Long.parseLong(id)).orElse(null) : null;
        if (event == null) {
            return Pages.page(404, Templates.missing());
        }
        int closed = event.markets().size() - EventBoard.shownMarkets(event).size();
        return Pages.page(200, Templates.event(event, EventBoard.byKind(event), closed, me()));
    }

    private AccountView me() {
        return identity.hasRole("bettor") ? accounts.get(user.accountId()) : null;
    }

    /** Blank is no filter; a page clips what the API would refuse (100 characters). */
    private static String clean(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        String t = s.trim();
        return t.length() > 100 ? t.substring(0, 100) : t;
    }

    /** This page's own address, for the odds-format form to come back to. */
    private static String here(EventFilter f) {
        StringBuilder sb = new StringBuilder("/");
        String sep = "?";
        for (String[] p : new String[][] { { "sport", f.sport() }, { "competition", f.competition() }, { "q", f.q() } }) {
            if (p[1] != null) {
                sb.append(sep).append(p[0]).append('=').append(URLEncoder.encode(p[1], StandardCharsets.UTF_8));
                sep = "&";
            }
        }
        return sb.toString();
    }

    @GET
    @Path("my/bets")
    public TemplateInstance myBets(@QueryParam("before") Long before) {
        BetRows rows = new BetRows(catalog);
        List<BetRow> open = new ArrayList<>();
        List<BetRow> settled = new ArrayList<>();
        List<BetView> page = bets.history(user.accountId(), null, before, BETS_PER_PAGE);
        for (BetView bet : page) {
            BetRow row = rows.row(bet);
            (bet.status() == BetStatus.PENDING || bet.status() == BetStatus.ACCEPTED ? open : settled).add(row);
        }
        // a full page may have older bets behind it: link to them by the last id shown
        Long older = page.size() == BETS_PER_PAGE ? page.get(page.size() - 1).id() : null;
        return Templates.bets(open, settled, older);
    }
}
