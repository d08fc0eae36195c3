package io.holdfast.wallet;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
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
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.StartupEvent;

/** Accounts: sign-up, status, bettor-set limits, and the bootstrap admin and ops users. */
@ApplicationScoped
@Transactional
@ModuleApi
public class Accounts {

    private static final Logger LOG = Logger.getLogger(Accounts.class);
    private static final String COLUMNS = "id, username, balance, currency, status, roles, daily_stake_limit, "
            + "CASE WHEN staked_day = (now() AT TIME ZONE 'UTC')::date THEN staked_today ELSE 0 END AS staked_today, "
            + "created_at";

    private final Jdbc jdbc;
    private final AuditLog audit;
    private final HoldfastConfig config;

    Accounts(Jdbc jdbc, AuditLog audit, HoldfastConfig config) {
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

    @Fenced
    public AccountView setStatus(String actor, long id, AccountStatus status) {
        Account account = Account.<Account>findByIdOptional(id).orElseThrow(() -> ProblemException.notFound("Account"));
        account.status = status;
        audit.record(actor, "ACCOUNT_STATUS", "account " + id + " -> " + status);
        // written now, before anything else in this transaction reads the row with plain SQL
        Account.flush();
        return account.view();
    }

    /** Self-exclusion by the bettor: only an admin can lift it. */
    @Fenced
    public AccountView selfExclude(long id) {
        jdbc.update("UPDATE account SET status = 'SELF_EXCLUDED' WHERE id = ?", id);
        audit.record("account:" + id, "SELF_EXCLUSION", "account " + id + " excluded itself");
        return get(id);
    }

    @Fenced
    public AccountView setDailyStakeLimit(long id, long limit) {
        jdbc.update("UPDATE account SET daily_stake_limit = ? WHERE id = ?", limit, id);
        audit.record("account:" + id, "DAILY_STAKE_LIMIT", "account " + id + " limit " + limit);
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
                rs.getLong("staked_today"), Jdbc.instant(rs, "created_at"));
    }

    private static Set<String> roles(String csv) {
        return new LinkedHashSet<>(Arrays.asList(csv.split(",")));
    }
}
