package io.holdfast.wallet;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.holdfast.cluster.Fenced;
import io.quarkus.cache.CacheResult;
import io.holdfast.platform.AuditLog;
import io.holdfast.platform.HoldfastConfig;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;
import io.holdfast.platform.ProblemException;
import io.holdfast.platform.Sessions;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.StartupEvent;

/** Accounts: sign-up, status, self-exclusion and time-out, and the bootstrap admin and ops users. */
@ApplicationScoped
@Transactional
@ModuleApi
public class Accounts {

    private static final Logger LOG = Logger.getLogger(Accounts.class);
    private static final String COLUMNS = "id, username, balance, currency, status, roles, daily_stake_limit, "
            + "CASE WHEN staked_day = (now() AT TIME ZONE 'UTC')::date THEN staked_today ELSE 0 END AS staked_today, "
            + "created_at, CASE WHEN timed_out_until > now() THEN timed_out_until END AS timed_out_until, "
            + "self_excluded_until";

    private final Jdbc jdbc;
    private final AuditLog audit;
    private final HoldfastConfig config;
    private final Limits limits;
    private final Event<AccountStatusChanged> statusChanged;
    private final Sessions sessions;

    Accounts(Jdbc jdbc, AuditLog audit, HoldfastConfig config, Limits limits, Event<AccountStatusChanged> statusChanged,
            Sessions sessions) {
        this.limits = limits;
        this.sessions = sessions;
        this.statusChanged = statusChanged;
        this.jdbc = jdbc;
        this.audit = audit;
        this.config = config;
    }

    @Fenced
    public AccountView register(String username, String password) {
        return create(username, password, Set.of("bettor"))
                .orElseThrow(() -> ProblemException.conflict("USERNAME_TAKEN", "That username is taken"));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<AccountView> find(long id) {
        return jdbc.queryOne("SELECT " + COLUMNS + " FROM account WHERE id = ?", Accounts::view, id);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public AccountView get(long id) {
        return find(id).orElseThrow(() -> ProblemException.notFound("Account"));
    }

    /** Accounts whose username contains this part, any case, oldest first (the back office's search). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<AccountView> search(String usernamePart, int limit) {
        return Account.<Account>find("locate(?1, lower(username)) > 0", Sort.ascending("id"),
                usernamePart.toLowerCase(Locale.ROOT)).page(Page.ofSize(limit)).list().stream().map(Account::view).toList();
    }

    /**
     * An admin's change of status. Blocking and unblocking are theirs to make; a self-exclusion or time-out
     * that still runs is not: making such an account ACTIVE is refused (409 SELF_EXCLUDED), also when it is
     * blocked as well. An admin may exclude an account (for the minimum six months). Fires
     * {@link AccountStatusChanged}: the one call point for what must follow a status change (sessions).
     */
    @Fenced
    public AccountView setStatus(String actor, long id, AccountStatus status) {
        var row = jdbc.queryOne("SELECT username, " + Standing.COLUMNS + " FROM account WHERE id = ? FOR UPDATE",
                rs -> Map.entry(rs.getString("username"), Standing.of(rs)), id)
                .orElseThrow(() -> ProblemException.notFound("Account"));
        Standing standing = row.getValue();
        AccountStatus from = AccountStatus.valueOf(standing.status());
        if (status == AccountStatus.ACTIVE && (standing.selfExcluded() || standing.timedOut())) {
            throw ProblemException.conflict("SELF_EXCLUDED", "Account " + id + " is "
                    + (standing.selfExcluded() ? "self-excluded" : "taking a time-out")
                    + " until its end; nobody can lift that early");
        }
        jdbc.update("UPDATE account SET status = ?, self_excluded_until = CASE WHEN ? THEN GREATEST("
                + "coalesce(self_excluded_until, now()), now() + interval '6 months') ELSE self_excluded_until END "
                + "WHERE id = ?", status.name(), status == AccountStatus.SELF_EXCLUDED, id);
        audit.record(actor, "ACCOUNT_STATUS", "account " + id + " " + from + " -> " + status);
        if (from != status) {
            statusChanged.fire(new AccountStatusChanged(id, row.getKey(), from, status, actor));
        }
        if (status == AccountStatus.BLOCKED) {
            sessions.endAllOf(id, null, "BLOCKED"); // every session of the account, on every node
        }
        return get(id);
    }

    /** Self-exclusion by the bettor for six months: nobody, the bettor included, can lift it early. */
    @Fenced
    public AccountView selfExclude(long id) {
        return selfExclude(id, 6);
    }

    /**
     * Self-exclusion for 6, 12 or 60 months. A longer running exclusion is never shortened; a blocked account
     * stays blocked (and excluded). When it ends the account stays SELF_EXCLUDED until staff reopen it.
     */
    @Fenced
    public AccountView selfExclude(long id, int months) {
        if (months != 6 && months != 12 && months != 60) {
            throw ProblemException.badRequest("months must be 6, 12 or 60");
        }
        var row = jdbc.queryOne("SELECT username, status FROM account WHERE id = ? FOR UPDATE",
                rs -> Map.entry(rs.getString(1), rs.getString(2)), id)
                .orElseThrow(() -> ProblemException.notFound("Account"));
        AccountStatus from = AccountStatus.valueOf(row.getValue());
        AccountStatus to = from == AccountStatus.BLOCKED ? from : AccountStatus.SELF_EXCLUDED;
        Instant until = jdbc.queryOne("UPDATE account SET status = ?, self_excluded_until = GREATEST("
                + "coalesce(self_excluded_until, now()), now() + ? * interval '1 month') WHERE id = ? "
                + "RETURNING self_excluded_until", rs -> Jdbc.instant(rs, "self_excluded_until"), to.name(), months, id)
                .orElseThrow();
        audit.record("account:" + id, "SELF_EXCLUSION", "account " + id + " excluded itself for " + months
                + " months, until " + until);
        if (from != to) {
            statusChanged.fire(new AccountStatusChanged(id, row.getKey(), from, to, "account:" + id));
        }
        return get(id);
    }

    /** A time-out of 1, 7 or 30 days that the bettor cannot end early; a longer running one is never shortened. */
    @Fenced
    public AccountView timeOut(long id, int days) {
        if (days != 1 && days != 7 && days != 30) {
            throw ProblemException.badRequest("days must be 1, 7 or 30");
        }
        Instant until = jdbc.queryOne("UPDATE account SET timed_out_until = GREATEST(coalesce(timed_out_until, now()), "
                + "now() + ? * interval '1 day') WHERE id = ? RETURNING timed_out_until",
                rs -> Jdbc.instant(rs, "timed_out_until"), days, id)
                .orElseThrow(() -> ProblemException.notFound("Account"));
        audit.record("account:" + id, "TIME_OUT", "account " + id + " took a time-out of " + days + " days, until "
                + until);
        return get(id);
    }

    /** The daily stake limit alone (the settings page's form): as {@link Limits#change}. */
    @Fenced
    public AccountView setDailyStakeLimit(long id, long limit) {
        limits.change(id, Map.of(Limits.Name.dailyStakeLimit, limit));
        return get(id);
    }

    /**
     * Who a session cookie names, cached for a moment: a request with a session then costs no database
     * round trip for authentication. A block still stops bets at once (the debit checks the status).
     */
    @CacheResult(cacheName = "session-credentials")
    @Transactional(Transactional.TxType.SUPPORTS)
    Optional<Credentials> sessionCredentials(String username) {
        return credentials(username);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    Optional<Credentials> credentials(String username) {
        return jdbc.queryOne("SELECT id, username, password_hash, roles, status FROM account WHERE lower(username) = lower(?)",
                rs -> new Credentials(rs.getLong("id"), rs.getString("username"), rs.getString("password_hash"),
                        roles(rs.getString("roles")), AccountStatus.valueOf(rs.getString("status"))),
                username);
    }

    /** Seeds the admin and ops users from configuration on first start; later starts leave them alone. */
    void bootstrap(@Observes StartupEvent ignored) {
        bootstrapUser("admin", config.bootstrap().adminPassword(), Set.of("admin"));
        bootstrapUser("ops", config.bootstrap().opsPassword(), Set.of("ops"));
    }

    private void bootstrapUser(String username, String password, Set<String> roles) {
        if (create(username, password, roles).isPresent()) {
            LOG.infof("Created bootstrap user %s", username);
        }
    }

    private Optional<AccountView> create(String username, String password, Set<String> roles) {
        String hash = BcryptUtil.bcryptHash(password, config.security().bcryptCost());
        return jdbc.queryOne("INSERT INTO account (username, password_hash, roles, currency, daily_stake_limit) "
                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING " + COLUMNS, Accounts::view,
                username, hash, String.join(",", roles), config.currency(),
                roles.contains("bettor") ? config.limits().dailyStake() : null);
    }

    private static AccountView view(ResultSet rs) throws SQLException {
        return new AccountView(rs.getLong("id"), rs.getString("username"), rs.getLong("balance"),
                rs.getString("currency"), AccountStatus.valueOf(rs.getString("status")),
                List.copyOf(roles(rs.getString("roles"))), Jdbc.nullableLong(rs, "daily_stake_limit"),
                rs.getLong("staked_today"), Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "timed_out_until"),
                Jdbc.instant(rs, "self_excluded_until"));
    }

    private static Set<String> roles(String csv) {
        return new LinkedHashSet<>(Arrays.asList(csv.split(",")));
    }
}
