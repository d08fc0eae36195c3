package io.holdfast.web;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;

import io.holdfast.betting.BetStatus;
import io.holdfast.betting.BetStore;
import io.holdfast.betting.BetView;
import io.holdfast.betting.OddsChangePolicy;
import io.holdfast.betting.PlaceBet;
import io.holdfast.betting.PlaceBetCommand;
import io.holdfast.odds.EventStatus;
import io.holdfast.odds.OddsCatalog;
import io.holdfast.odds.Views.EventView;
import io.holdfast.odds.Views.MarketView;
import io.holdfast.odds.Views.SelectionView;
import io.holdfast.platform.CurrentUser;
import io.holdfast.platform.ProblemException;
import io.holdfast.wallet.AccountView;
import io.holdfast.wallet.Accounts;
import io.holdfast.wallet.Transaction;
import io.holdfast.wallet.Wallet;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;

/** The bettor's pages: the odds (public), the bet slip's placement, my bets, the wallet, the limits. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class BettorPages {

    /** A bet with its legs named for people. */
    public record BetRow(BetView bet, List<LegRow> legs) {
        public boolean accumulator() {
            return legs.size() > 1;
        }
    }

    public record LegRow(String label, BigDecimal odds, String result) {
    }

    /** What became of one placement: accepted, pending (live delay), rejected or refused, and why. */
    public record Outcome(String kind, String title, String detail, Long betId, long remainingMillis, BetRow bet) {
        /** When the page asks again: just after the live delay ends. */
        public long pollAfterMillis() {
            return remainingMillis + 300;
        }

        public long seconds() {
            return (remainingMillis + 999) / 1000;
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance home(List<EventView> live, List<EventView> upcoming, AccountView me,
                List<OddsFormat> formats, OddsFormat current);

        static native TemplateInstance bets(List<BetRow> open, List<BetRow> settled);

        static native TemplateInstance wallet(AccountView me, List<Transaction> transactions, String requestId,
                String message, String error);

        static native TemplateInstance settings(AccountView me, String message, String error);

        static native TemplateInstance outcomes(List<Outcome> outcomes, AccountView me);

        static native TemplateInstance outcomes$item(Outcome o);
    }

    private final OddsCatalog catalog;
    private final Accounts accounts;
    private final Wallet wallet;
    private final PlaceBet placeBet;
    private final BetStore bets;
    private final CurrentUser user;
    private final SecurityIdentity identity;
    private final Validator validator;
    private final Viewer viewer;

    BettorPages(Viewer viewer, OddsCatalog catalog, Accounts accounts, Wallet wallet, PlaceBet placeBet, BetStore bets,
            CurrentUser user, SecurityIdentity identity, Validator validator) {
        this.catalog = catalog;
        this.accounts = accounts;
        this.wallet = wallet;
        this.placeBet = placeBet;
        this.bets = bets;
        this.user = user;
        this.identity = identity;
        this.validator = validator;
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
    public TemplateInstance myBets() {
        Names names = new Names();
        List<BetRow> open = new ArrayList<>();
        List<BetRow> settled = new ArrayList<>();
        for (BetView bet : bets.history(user.accountId(), null, 200)) {
            BetRow row = names.row(bet);
            (bet.status() == BetStatus.PENDING || bet.status() == BetStatus.ACCEPTED ? open : settled).add(row);
        }
        return Templates.bets(open, settled);
    }

    @GET
    @Path("my/bets/{id}/outcome")
    public TemplateInstance betOutcome(@PathParam("id") long id) {
        BetView bet = bets.find(user.accountId(), id).orElseThrow(() -> ProblemException.notFound("Bet"));
        return Templates.outcomes$item(outcome(bet, new Names()));
    }

    @POST
    @Path("slip/place")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public TemplateInstance place(@FormParam("leg") List<String> legs, @RestForm String stake, @RestForm String mode,
            @RestForm String policy, @RestForm String requestId) {
        List<Outcome> outcomes = new ArrayList<>();
        Long cents = Money.parse(stake);
        List<PlaceBetCommand.Leg> parsed = parseLegs(legs);
        OddsChangePolicy oddsChange = parsePolicy(policy);
        String base = requestId == null || requestId.isBlank() || requestId.length() > 60
                ? UUID.randomUUID().toString() : requestId.trim();
        if (cents == null) {
            outcomes.add(refused("Enter a stake, e.g. 5.00"));
        } else if (parsed == null || parsed.isEmpty()) {
            outcomes.add(refused("Add selections to the slip first"));
        } else if (oddsChange == null) {
            outcomes.add(refused("Choose what to do when the price changes"));
        } else if ("acca".equals(mode)) {
            if (parsed.size() < 2) {
                outcomes.add(refused("An accumulator needs at least two selections"));
            } else {
                outcomes.add(placeOne(new PlaceBetCommand(base, cents, parsed, oddsChange)));
            }
        } else {
            for (int i = 0; i < parsed.size(); i++) {
                outcomes.add(placeOne(new PlaceBetCommand(base + "-" + i, cents, List.of(parsed.get(i)), oddsChange)));
            }
        }
        // the fragment also carries the new balance for the page's header (an htmx out-of-band swap)
        return Templates.outcomes(outcomes, accounts.get(user.accountId()));
    }

    @GET
    @Path("my/wallet")
    public TemplateInstance walletPage(@QueryParam("deposited") String deposited, @QueryParam("welcome") String welcome) {
        String message = deposited != null ? "Deposit received." : welcome != null ? "Welcome! Deposit to start betting." : null;
        return walletView(message, null);
    }

    @POST
    @Path("my/wallet/deposit")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response deposit(@RestForm String amount, @RestForm String requestId) {
        Long cents = Money.parse(amount);
        if (cents == null || requestId == null || requestId.isBlank() || requestId.length() > 64) {
            return Pages.page(422, walletView(null, "Enter an amount, e.g. 50.00"));
        }
        try {
            wallet.deposit(user.accountId(), requestId, cents);
        } catch (ProblemException e) {
            return Pages.page(e.status(), walletView(null, e.getMessage()));
        }
        return Response.seeOther(URI.create("/my/wallet?deposited=1")).build();
    }

    @GET
    @Path("my/settings")
    public TemplateInstance settingsPage(@QueryParam("saved") String saved) {
        return Templates.settings(accounts.get(user.accountId()), saved != null ? "Saved." : null, null);
    }

    @POST
    @Path("my/settings/limit")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response dailyLimit(@RestForm String limit) {
        Long cents = Money.parse(limit);
        if (cents == null) {
            return Pages.page(422, Templates.settings(accounts.get(user.accountId()), null,
                    "Enter a daily stake limit, e.g. 100.00"));
        }
        try {
            accounts.setDailyStakeLimit(user.accountId(), cents);
        } catch (ProblemException e) {
            return Pages.page(e.status(), Templates.settings(accounts.get(user.accountId()), null, e.getMessage()));
        }
        return Response.seeOther(URI.create("/my/settings?saved=1")).build();
    }

    @POST
    @Path("my/settings/self-exclusion")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response selfExclude(@RestForm String confirm) {
        if (!"yes".equals(confirm)) {
            return Pages.page(422, Templates.settings(accounts.get(user.accountId()), null,
                    "Tick the box to confirm the self-exclusion."));
        }
        try {
            accounts.selfExclude(user.accountId());
        } catch (ProblemException e) {
            return Pages.page(e.status(), Templates.settings(accounts.get(user.accountId()), null, e.getMessage()));
        }
        return Response.seeOther(URI.create("/my/settings?saved=1")).build();
    }

    private TemplateInstance walletView(String message, String error) {
        long id = user.accountId();
        return Templates.wallet(accounts.get(id), wallet.transactions(id, 100), UUID.randomUUID().toString(), message,
                error);
    }

    private Outcome placeOne(PlaceBetCommand command) {
        var violations = validator.validate(command);
        if (!violations.isEmpty()) {
            return refused(violations.iterator().next().getPropertyPath() + " " + violations.iterator().next().getMessage());
        }
        try {
            return outcome(placeBet.place(user.accountId(), command).bet(), new Names());
        } catch (ProblemException e) {
            return new Outcome("refused", "Not placed: " + e.code(), e.getMessage(), null, 0, null);
        }
    }

    private Outcome outcome(BetView bet, Names names) {
        BetRow row = names.row(bet);
        return switch (bet.status()) {
            case PENDING -> new Outcome("pending", "Pending: live bet delay", "Bet " + bet.id() + " is checked again when the delay ends.",
                    bet.id(), bet.dueAt() == null ? 0 : Math.max(0, Duration.between(Instant.now(), bet.dueAt()).toMillis()), row);
            case REJECTED -> new Outcome("rejected", "Rejected", bet.rejectReason() == null ? "The bet was rejected and the stake refunded"
                    : bet.rejectReason() + " (stake refunded)", bet.id(), 0, row);
            default -> new Outcome("accepted", "Accepted", "Bet " + bet.id() + " is " + bet.status(), bet.id(), 0, row);
        };
    }

    private static Outcome refused(String why) {
        return new Outcome("refused", "Not placed", why, null, 0, null);
    }

    /** "selectionId:odds" pairs from the slip; null if one of them is malformed. */
    private static List<PlaceBetCommand.Leg> parseLegs(List<String> legs) {
        if (legs == null) {
            return List.of();
        }
        List<PlaceBetCommand.Leg> out = new ArrayList<>();
        for (String leg : legs) {
            int colon = leg.indexOf(':');
            if (colon <= 0 || legs.size() > 20) {
                return null;
            }
            try {
                out.add(new PlaceBetCommand.Leg(Long.parseLong(leg.substring(0, colon).trim()),
                        new BigDecimal(leg.substring(colon + 1).trim())));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out;
    }

    private static OddsChangePolicy parsePolicy(String policy) {
        if (policy == null || policy.isBlank()) {
            return OddsChangePolicy.NONE;
        }
        try {
            return OddsChangePolicy.valueOf(policy.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Names of the selections of bets, read once per event per page. */
    private final class Names {
        private final Map<Long, String> labels = new HashMap<>();
        private final Map<Long, Boolean> loaded = new HashMap<>();

        BetRow row(BetView bet) {
            List<LegRow> legs = bet.legs().stream()
                    .map(l -> new LegRow(label(l.eventId(), l.selectionId()), l.odds(), l.result())).toList();
            return new BetRow(bet, legs);
        }

        private String label(long eventId, long selectionId) {
            if (loaded.putIfAbsent(eventId, Boolean.TRUE) == null) {
                catalog.event(eventId).ifPresent(e -> {
                    for (MarketView m : e.markets()) {
                        for (SelectionView s : m.selections()) {
                            labels.put(s.id(), e.name() + " · " + m.name() + " · " + s.name());
                        }
                    }
                });
            }
            return labels.getOrDefault(selectionId, "Selection " + selectionId);
        }
    }
}
