package io.holdfast.web;

import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.holdfast.betting.BetStatus;
import io.holdfast.betting.BetStore;
import io.holdfast.betting.BetView;
import io.holdfast.odds.EventStatus;
import io.holdfast.odds.OddsCatalog;
import io.holdfast.odds.Views.EventView;
import io.holdfast.platform.CurrentUser;
import io.holdfast.wallet.AccountView;
import io.holdfast.wallet.Accounts;
import io.holdfast.web.BetRows.BetRow;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;

/** The bettor's home (the odds, public) and their bets, open and settled. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class HomePages {

    /** Bets per page of "my bets"; older ones are a link away. */
    static final int BETS_PER_PAGE = 100;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance home(List<EventView> live, List<EventView> upcoming, AccountView me,
                List<OddsFormat> formats, OddsFormat current);

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
    public TemplateInstance home() {
        List<EventView> events = catalog.events(List.of(EventStatus.LIVE, EventStatus.SCHEDULED), 200);
        AccountView me = identity.hasRole("bettor") ? accounts.get(user.accountId()) : null;
        return Templates.home(events.stream().filter(e -> e.status() == EventStatus.LIVE).toList(),
                events.stream().filter(e -> e.status() == EventStatus.SCHEDULED).toList(), me,
                List.of(OddsFormat.values()), viewer.getOddsFormat());
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
