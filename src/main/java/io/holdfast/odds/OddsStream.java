package io.holdfast.odds;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.holdfast.cluster.NodeRole;
import io.holdfast.cluster.RoleChanged;
import io.holdfast.platform.Jdbc;
import io.holdfast.platform.ModuleApi;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.impl.ContextInternal;
import io.vertx.ext.web.RoutingContext;

/**
 * Fans committed price and status changes out to every open odds stream (server-sent events: the API's
 * {@code GET /api/odds/stream} and the pages' {@code /stream/odds}).
 *
 * <p>Each change gets an event id, a revision, and becomes the newest entry of its selection; the stream's state is
 * the latest entry per selection, ordered by revision. A connection only remembers the revision it has been sent up
 * to. Whenever something is published, each Vert.x event loop wakes once (at most once per
 * {@link Config#coalesceMillis()}: a burst of changes goes out in one pass), and writes to each of its connections the
 * entries after that connection's revision, as one buffer; the buffer is built once per format and starting point
 * (all connections that are up to date share it), and each entry is spelled once per format. So the cost of a burst
 * is one write per connection, and changes that come faster than a connection drains are coalesced, never queued
 * without bound: a connection whose socket is full is skipped until it drains, then sent what changed meanwhile
 * (the newest state of each selection). A client that reconnects with {@code Last-Event-ID} resumes the same way.
 *
 * <p>Revisions come in blocks of {@link #BLOCK} taken from the database ({@code odds_stream_block}, a committed
 * update), once when the node starts and again whenever it turns ACTIVE: ids are unique across the pair, increasing
 * on a node, and those of a new ACTIVE are greater than any the pair gave before. A node resumes only from ids it gave
 * itself and still holds the changes after; any other id (another node's, before a switchover; one older than the
 * entries kept) gets a {@code snapshot} event: reload the prices, then go on from this event's id.
 */
@ApplicationScoped
@ModuleApi
public class OddsStream {

    private static final Logger LOG = Logger.getLogger(OddsStream.class);

    /** Ids per block: a block lasts 5.5 h at 50 changes/s. */
    static final long BLOCK = 1_000_000;

    @ConfigMapping(prefix = "holdfast.odds-stream")
    public interface Config {
        /** Selections whose newest change is kept for resuming; beyond it the oldest go and resumes before them reload. */
        @WithDefault("100000")
        int resumeEntries();

        /** A comment line this often on every stream: keeps proxies (HAProxy's timeout server) from cutting it. */
        @WithDefault("10000")
        long heartbeatMillis();

        /**
         * An event loop writes to its streams at most once per this many milliseconds: the changes of a burst go out
         * together, one event per selection (its newest state), in one write per stream. A change after a quiet spell
         * goes out at once. 0: a pass per change.
         */
        @WithDefault("100")
        long coalesceMillis();

        /**
         * A pass writes to at most this many streams at a time, then lets its event loop serve its other sockets (a
         * price change's request, a health check) before it goes on: with thousands of streams on a loop, a pass is
         * hundreds of milliseconds of writes, and nothing else on that loop would move meanwhile. 0: the whole pass
         * at once.
         */
        @WithDefault("256")
        int passSlice();
    }

    /** How one kind of client spells an entry: the SSE lines of one event, without its id and the ending blank line. */
    public abstract static class Format {
        private static final AtomicInteger SLOTS = new AtomicInteger();
        final int slot = SLOTS.getAndIncrement();

        /** Lines sent once when a stream opens, after the reconnection delay and the id (may be empty). */
        protected String hello() {
            return "";
        }

        /** The event telling a client whose Last-Event-ID cannot be resumed to reload the prices. */
        protected abstract String snapshot(long revision);

        protected abstract String event(OddsUpdate update);
    }

    private static final int FORMATS = 8;

    /** One selection's newest change. */
    static final class Entry {
        final long revision;
        final OddsUpdate update;
        private final AtomicReferenceArray<byte[]> spelled = new AtomicReferenceArray<>(FORMATS);

        Entry(long revision, OddsUpdate update) {
            this.revision = revision;
            this.update = update;
        }

        byte[] bytes(Format format) {
            byte[] b = spelled.get(format.slot);
            if (b == null) {
                b = ("id: " + revision + "\n" + format.event(update) + "\n\n").getBytes(StandardCharsets.UTF_8);
                spelled.set(format.slot, b);
            }
            return b;
        }
    }

    private final Jdbc jdbc;
    private final Vertx vertx;
    private final Config config;

    private final Object lock = new Object();
    // guarded by lock
    private final Map<Long, Entry> bySelection = new HashMap<>();
    private final List<long[]> blocks = new ArrayList<>(); // {first, last} of each block this node took
    private long next;
    private long blockEnd;
    /** Every change after this revision is in {@link #byRevision} (as the newest of its selection). */
    private volatile long floor;

    private final ConcurrentSkipListMap<Long, Entry> byRevision = new ConcurrentSkipListMap<>();
    /** The newest revision published (or the start of the first block). */
    private volatile long last;

    private final Map<Context, Loop> loops = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    OddsStream(Jdbc jdbc, Vertx vertx, Config config, MeterRegistry metrics) {
        this.jdbc = jdbc;
        this.vertx = vertx;
        this.config = config;
        Gauge.builder("holdfast.odds.streams", open, AtomicInteger::get)
                .description("Odds streams (API and pages) open on this node").register(metrics);
    }

    void start(@Observes StartupEvent ignored) {
        synchronized (lock) {
            if (blocks.isEmpty()) {
                newBlock();
                floor = last;
            }
        }
    }

    void onRoleChange(@Observes RoleChanged change) {
        if (change.to() == NodeRole.ACTIVE && change.from() != NodeRole.ACTIVE) {
            // the new ACTIVE's ids are greater than any the old one gave: a client that comes over sees them go up
            synchronized (lock) {
                try {
                    newBlock();
                } catch (RuntimeException e) {
                    LOG.warnf("Odds stream: no new block of event ids (%s); going on with the current one", e.getMessage());
                }
            }
        }
    }

    // under lock
    private void newBlock() {
        long block = jdbc.queryOne("UPDATE odds_stream_block SET last = last + 1 RETURNING last", rs -> rs.getLong(1))
                .orElseThrow();
        long first = block * BLOCK;
        next = first + 1;
        blockEnd = first + BLOCK - 1;
        blocks.add(new long[] { first, first });
        last = Math.max(last, first);
    }

    void publish(OddsUpdate update) {
        synchronized (lock) {
            if (blocks.isEmpty() || next > blockEnd) {
                newBlock();
            }
            long revision = next++;
            blocks.get(blocks.size() - 1)[1] = revision;
            Entry entry = new Entry(revision, update);
            byRevision.put(revision, entry); // before the old one goes: a drain never sees neither
            Entry old = bySelection.put(update.selectionId(), entry);
            if (old != null) {
                byRevision.remove(old.revision);
            }
            while (bySelection.size() > config.resumeEntries()) {
                Entry oldest = byRevision.pollFirstEntry().getValue();
                bySelection.remove(oldest.update.selectionId());
                floor = oldest.revision;
            }
            last = revision;
        }
        loops.values().forEach(Loop::signal);
    }

    /** Whether a client that has everything up to {@code revision} can be sent just what came after it. */
    boolean resumable(long revision) {
        synchronized (lock) {
            if (revision < floor || revision > last) {
                return false;
            }
            for (long[] b : blocks) {
                if (revision >= b[0] && revision <= b[1]) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Turns the request into a stream of {@code format}'s events: from the Last-Event-ID header (or the
     * {@code lastEventId} query parameter) on, when this node can resume from it; else a snapshot event first.
     * Must be called on the request's event loop.
     */
    public void open(RoutingContext rc, Format format) {
        String header = rc.request().getHeader("Last-Event-ID");
        if (header == null) {
            header = rc.request().getParam("lastEventId");
        }
        long from = last;
        boolean snapshot = false;
        if (header != null && !header.isBlank()) {
            long asked = parse(header.trim());
            if (asked >= 0 && resumable(asked)) {
                from = asked;
            } else {
                snapshot = true;
            }
        }
        HttpServerResponse response = rc.response();
        response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no");
        Loop loop = loops.computeIfAbsent(eventLoop(), Loop::new);
        Connection c = new Connection(response, format, from);
        // a browser reconnects 1 s after a drop; the first event carries the id to resume from even if nothing moves
        StringBuilder first = new StringBuilder("retry: 1000\n");
        if (snapshot) {
            first.append("id: ").append(from).append('\n').append(format.snapshot(from)).append("\n\n");
        }
        String hello = format.hello();
        if (!hello.isEmpty()) {
            first.append("id: ").append(from).append('\n').append(hello).append("\n\n");
        } else if (!snapshot) {
            first.append("id: ").append(from).append("\n\n");
        }
        response.closeHandler(v -> loop.remove(c));
        response.exceptionHandler(e -> loop.remove(c));
        response.write(first.toString());
        if (!response.closed()) {
            loop.add(c);
            if (last > from) {
                loop.signal();
            }
        }
    }

    /** Event loops that have had a stream. */
    int loops() {
        return loops.size();
    }

    /** Passes so far, on all loops. */
    long passes() {
        return loops.values().stream().mapToLong(l -> l.passes.get()).sum();
    }

    /** Slices the passes took so far, on all loops (a pass over fewer streams than a slice is one). */
    long slices() {
        return loops.values().stream().mapToLong(l -> l.slices.get()).sum();
    }

    private static long parse(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Context eventLoop() {
        Context context = Vertx.currentContext();
        // Quarkus runs each request on a duplicate of its connection's event-loop context: group by the loop itself
        return context instanceof ContextInternal internal ? internal.unwrap() : context;
    }

    /** One open stream. Touched only on its event loop. */
    static final class Connection {
        final HttpServerResponse response;
        final Format format;
        long revision;
        boolean waiting;
        boolean closed;

        Connection(HttpServerResponse response, Format format, long revision) {
            this.response = response;
            this.format = format;
            this.revision = revision;
        }
    }

    /**
     * The streams of one event loop, and its one pass at a time. A pass sends each connection what changed since its
     * revision, in slices of {@link Config#passSlice()} connections; each next slice is a task scheduled on the loop,
     * which Netty runs only after it has polled its sockets again, so requests on the loop wait for one slice, not for
     * the whole pass. The heartbeat is a pass too: it pings the connections it has nothing else for.
     */
    final class Loop {
        private final Context context;
        private final EventLoop eventLoop;
        private final List<Connection> connections = new ArrayList<>();
        /** A pass is due or under way; a signal meanwhile is picked up when it ends. */
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final long coalesceNanos = config.coalesceMillis() * 1_000_000L;
        private final int slice = config.passSlice() > 0 ? config.passSlice() : Integer.MAX_VALUE;
        private final Runnable resume = this::resume;
        // touched on the loop only
        private long lastPass = System.nanoTime() - coalesceNanos;
        private int closed;
        private boolean pingDue;
        /** The pass under way: the next connection (-1: none), what it sends up to, its shared buffers. */
        private int cursor = -1;
        private long upTo;
        private long lowest;
        private boolean ping;
        private Map<Long, Buffer> batches;
        final AtomicLong passes = new AtomicLong();
        final AtomicLong slices = new AtomicLong();

        Loop(Context context) {
            this.context = context;
            this.eventLoop = ((ContextInternal) context).nettyEventLoop();
            context.runOnContext(v -> vertx.setPeriodic(config.heartbeatMillis(), id -> {
                pingDue = true;
                signal();
            }));
        }

        void signal() {
            if (scheduled.compareAndSet(false, true)) {
                context.runOnContext(v -> {
                    long wait = lastPass + coalesceNanos - System.nanoTime();
                    if (wait < 1_000_000L) {
                        pass();
                    } else {
                        vertx.setTimer(wait / 1_000_000L, id -> pass());
                    }
                });
            }
        }

        void add(Connection c) {
            connections.add(c);
            open.incrementAndGet();
        }

        /** Marks it closed; the list drops it after a pass (a write may close a connection mid-pass). */
        void remove(Connection c) {
            if (!c.closed) {
                c.closed = true;
                closed++;
                open.decrementAndGet();
            }
        }

        private void pass() {
            lastPass = System.nanoTime();
            upTo = last;
            lowest = floor;
            ping = pingDue;
            pingDue = false;
            cursor = 0;
            passes.incrementAndGet();
            resume();
        }

        private void resume() {
            slices.incrementAndGet();
            int end = cursor + Math.min(slice, connections.size() - cursor);
            while (cursor < end) {
                send(connections.get(cursor++));
            }
            if (cursor < connections.size()) {
                // the rest after the loop has read its sockets: a scheduled task, unlike a queued one, waits for that
                eventLoop.schedule(resume, 0, TimeUnit.NANOSECONDS);
                return;
            }
            cursor = -1;
            batches = null;
            compact();
            scheduled.set(false);
            if (last > upTo || pingDue) { // published during the pass (its signal found the pass under way)
                signal();
            }
        }

        private void send(Connection c) {
            if (c.closed || c.waiting) {
                return;
            }
            if (c.revision >= upTo) {
                if (ping && !c.response.writeQueueFull()) {
                    write(c, PING);
                }
                return;
            }
            if (c.response.writeQueueFull()) {
                // a slow reader: skipped until its socket drains, then sent what changed meanwhile
                c.waiting = true;
                c.response.drainHandler(v -> {
                    c.waiting = false;
                    signal();
                });
                return;
            }
            if (batches == null) {
                batches = new HashMap<>();
            }
            Buffer batch;
            if (c.revision < lowest) {
                batch = Buffer.buffer(("id: " + upTo + "\n" + c.format.snapshot(upTo) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
            } else {
                long from = c.revision;
                batch = batches.computeIfAbsent(from * FORMATS + c.format.slot, k -> batch(from, upTo, c.format));
            }
            c.revision = upTo;
            if (batch.length() > 0) { // nothing, when what changed changed again after upTo: the next pass sends it
                write(c, batch);
            } else if (ping) {
                write(c, PING);
            }
        }

        private void write(Connection c, Buffer bytes) {
            try {
                c.response.write(bytes);
            } catch (IllegalStateException e) {
                remove(c); // closed under us
            }
        }

        private void compact() {
            // amortized: when thousands close one by one (a client gone), not one pass over the list per close
            if (closed > 0 && closed >= connections.size() / 8) {
                connections.removeIf(c -> c.closed);
                closed = 0;
            }
        }
    }

    private static final Buffer PING = Buffer.buffer(":\n\n");

    private Buffer batch(long after, long upTo, Format format) {
        Buffer b = Buffer.buffer();
        for (Entry e : byRevision.subMap(after, false, upTo, true).values()) {
            b.appendBytes(e.bytes(format));
        }
        return b;
    }
}
