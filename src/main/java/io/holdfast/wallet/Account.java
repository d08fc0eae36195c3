package io.holdfast.wallet;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.Formula;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/**
 * An account as the back office finds it. Status changes and sign-up stay SQL ({@link Accounts}: their rules and
 * locks are one statement each); nothing but {@code status} is writable here at all. Money is moved only by
 * the ledger's SQL ({@link Wallet}), so {@code balance} and {@code staked_today} are mapped read-only: the ORM
 * can never write them, whatever an entity holds.
 */
@Entity
@Table(name = "account")
@DynamicUpdate
class Account extends PanacheEntityBase {

    @Id
    public Long id;

    @Column(insertable = false, updatable = false)
    public String username;

    @Enumerated(EnumType.STRING)
    public AccountStatus status;

    @Column(insertable = false, updatable = false)
    public String currency;

    @Column(insertable = false, updatable = false)
    public long balance;

    @Column(name = "staked_today", insertable = false, updatable = false)
    public long stakedToday;

    @Column(name = "staked_day", insertable = false, updatable = false)
    public LocalDate stakedDay;

    /** Today by the database's clock (UTC): {@code staked_today} counts only on the day it was staked. */
    @Formula("date(timezone('UTC', now()))")
    public LocalDate databaseDay;

    @Column(name = "daily_stake_limit", insertable = false, updatable = false)
    public Long dailyStakeLimit;

    @Column(insertable = false, updatable = false)
    public String roles;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "timed_out_until", insertable = false, updatable = false)
    public Instant timedOutUntil;

    @Column(name = "self_excluded_until", insertable = false, updatable = false)
    public Instant selfExcludedUntil;

    /** Now by the database's clock: a time-out shows only while it runs. */
    @Formula("now()")
    public Instant databaseNow;

    AccountView view() {
        return new AccountView(id, username, balance, currency, status, List.of(roles.split(",")), dailyStakeLimit,
                databaseDay.equals(stakedDay) ? stakedToday : 0, createdAt,
                timedOutUntil != null && timedOutUntil.isAfter(databaseNow) ? timedOutUntil : null, selfExcludedUntil);
    }
}
