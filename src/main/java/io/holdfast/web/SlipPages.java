package io.holdfast.web;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestForm;

import io.holdfast.betting.BetStore;
import io.holdfast.betting.BetView;
import io.holdfast.betting.OddsChangePolicy;
import io.holdfast.betting.PlaceBet;
import io.holdfast.betting.PlaceBetCommand;
import io.holdfast.odds.OddsCatalog;
import io.holdfast.platform.CurrentUser;
import io.holdfast.platform.ProblemException;
import io.holdfast.wallet.AccountView;
import io.holdfast.wallet.Accounts;
import io.holdfast.web.BetRows.BetRow;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The bet slip: placing its selections as singles or an accumulator, and what became of each placement. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class SlipPages {

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
        static native TemplateInstance outcomes(List<Outcome> outcomes, AccountView me);

        static native TemplateInstance outcomes$item(Outcome o);
    }

    private final OddsCatalog catalog;
    private final Accounts accounts;
    private final PlaceBet placeBet;
    private final BetStore bets;
    private final CurrentUser user;
    private final Validator validator;

    SlipPages(OddsCatalog catalog, Accounts accounts, PlaceBet placeBet, BetStore bets, CurrentUser user,
            Validator validator) {
        this.catalog = catalog;
        this.accounts = accounts;
        this.placeBet = placeBet;
        this.bets = bets;
        this.user = user;
        this.validator = validator;
    }

    /** A pending bet's outcome, asked for again by the slip when its live delay ends. */
    @GET
    @Path("my/bets/{id}/outcome")
    public TemplateInstance betOutcome(@PathParam("id") long id) {
        BetView bet = bets.find(user.accountId(), id).orElseThrow(() -> ProblemException.notFound("Bet"));
        return Templates.outcomes$item(outcome(bet));
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

    private Outcome placeOne(PlaceBetCommand command) {
        var violations = validator.validate(command);
        if (!violations.isEmpty()) {
            return refused(violations.iterator().next().getPropertyPath() + " " + violations.iterator().next().getMessage());
        }
        try {
            return outcome(placeBet.place(user.accountId(), command).bet());
        } catch (ProblemException e) {
            // a refusal is one outcome among the slip's others, not the page's status
            return new Outcome("refused", "Not placed: " + e.code(), e.getMessage(), null, 0, null);
        }
    }

    private Outcome outcome(BetView bet) {
        BetRow row = new BetRows(catalog).row(bet);
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
}
