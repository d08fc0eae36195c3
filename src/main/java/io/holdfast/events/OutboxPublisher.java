package io.holdfast.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import io.holdfast.cluster.ClusterState;
import io.holdfast.cluster.NodeRole;
import io.holdfast.cluster.PassiveNode;
import io.holdfast.cluster.RoleChanged;
import io.holdfast.platform.HoldfastConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;

/**
 * Sends the outbox to Kafka from the ACTIVE node only, one batch at a time: read past the cursor by the xid rule
 * ({@link OutboxRows#next}), send each row keyed by its aggregate in one Kafka transaction, wait until Kafka
 * acknowledged every one ({@code acks=all}, idempotent, transactional producer), then move the cursor in one fenced
 * transaction. One publisher at a time
 * (the fence) keeps each key's order. Any failure leaves the cursor where it was and the next round sends the same
 * rows again: duplicates, never a gap; consumers deduplicate by {@code eventId}. Kafka down stops nothing but this:
 * the business writes go on and the outbox grows until it is back.
 * <p>
 * What a failure does to the producer follows KafkaProducer's contract: an abortable error (a record that expired
 * undelivered, a TransactionAbortableException) aborts the Kafka transaction and keeps the producer; a fatal one
 * (fenced by the other node's producer, out-of-order sequence, authorization, an unsupported version) and a
 * TimeoutException of a transactional call (after which {@code abortTransaction} is not allowed: the commit may still
 * be completing) close it, and the next round starts a new one, whose {@code initTransactions} ends whatever the old
 * one left open.
 */
@ApplicationScoped
class OutboxPublisher {

    private static final Logger LOG = Logger.getLogger(OutboxPublisher.class);

    private final OutboxRows rows;
    private final EventsConfig config;
    private final ClusterState cluster;
    private final String node;
    private final Counter published;
    private volatile KafkaProducer<String, String> producer;
    private volatile String state;
    private volatile String lastError;
    private volatile OutboxRows.Lag lag = new OutboxRows.Lag(0, 0);
    private final AtomicLong lastLagRead = new AtomicLong();
    private long lastCleanup;
    private volatile boolean topicsReady;
    private long failingSince;

    OutboxPublisher(OutboxRows rows, EventsConfig config, ClusterState cluster, HoldfastConfig holdfast,
            MeterRegistry metrics) {
        this.rows = rows;
        this.config = config;
        this.cluster = cluster;
        this.node = holdfast.node().name();
        this.state = config.bootstrapServers().isPresent() ? "STANDBY" : "OFF";
        this.published = Counter.builder("holdfast_events_published_total")
                .description("Outbox events this node sent to Kafka and saw acknowledged (a resend counts again)")
                .register(metrics);
        Gauge.builder("holdfast_events_lag_rows", this, p -> p.lag.rows())
                .description("Outbox events not yet published (read by the ACTIVE node's publisher)").register(metrics);
        Gauge.builder("holdfast_events_lag_seconds", this, p -> p.lag.seconds())
                .description("Age of the oldest outbox event not yet published, database clock").register(metrics);
    }

    boolean enabled() {
        return config.bootstrapServers().isPresent();
    }

    /** Every 50 ms on the ACTIVE: publish until the outbox is drained, then clean up and read the lag. */
    @Scheduled(every = "0.05s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = PassiveNode.class)
    void run() {
        if (!enabled()) {
            return;
        }
        try {
            int sent;
            do {
                sent = publishBatch();
            } while (sent == config.batch() && cluster.isActive());
            if (failingSince != 0) {
                LOG.infof("Outbox publisher publishing again after %d ms of failures", System.currentTimeMillis()
                        - failingSince);
                failingSince = 0;
            }
            state = "PUBLISHING";
            lastError = null;
            long now = System.currentTimeMillis();
            if (now - lastCleanup >= 1_000) {
                lastCleanup = now;
                while (rows.cleanup(config.cleanupBatch()) == config.cleanupBatch() && cluster.isActive()) {
                    // batch after batch until the published rows are gone
                }
            }
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            failed(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            readLag();
        }
    }

    /** Sends the next batch and moves the cursor past it once Kafka acknowledged all of it; returns its size. */
    int publishBatch() throws InterruptedException, ExecutionException, TimeoutException {
        List<OutboxRows.Row> batch = rows.next(config.batch());
        if (batch.isEmpty()) {
            return 0;
        }
        KafkaProducer<String, String> kafka = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        try {
            kafka.beginTransaction(); // in the try: a producer left in an abortable state throws here, and is aborted
            for (OutboxRows.Row row : batch) {
                acks.add(kafka.send(new ProducerRecord<>(config.topicPrefix() + row.aggregate(), row.key(),
                        envelope(row))));
            }
            // waits until every record is acknowledged by all in-sync replicas, then commits the batch
            kafka.commitTransaction();
        } catch (KafkaException e) {
            endFailedTransaction(kafka, e);
            throw e;
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(1, TimeUnit.SECONDS); // all done by now; a failed one throws here
        }
        OutboxRows.Row last = batch.get(batch.size() - 1);
        rows.advance(last.xid(), last.id(), batch.size());
        published.increment(batch.size());
        return batch.size();
    }

    /**
     * After a failed send or commit: a producer that can go on aborts the Kafka transaction and is kept; one that
     * cannot (fatal error, or a transactional call that timed out) is closed, and the next round makes a new one.
     */
    private void endFailedTransaction(KafkaProducer<String, String> kafka, KafkaException e) {
        if (mustClose(e)) {
            closeProducer();
            return;
        }
        try {
            kafka.abortTransaction();
        } catch (KafkaException abortFailed) {
            LOG.debugf("Aborting the failed Kafka transaction failed too; a new producer follows: %s", abortFailed);
            closeProducer();
        }
    }

    /** KafkaProducer's fatal errors, and a timed-out transactional call (no abortTransaction after it). */
    static boolean mustClose(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException
                    || t instanceof OutOfOrderSequenceException || t instanceof AuthorizationException
                    || t instanceof AuthenticationException || t instanceof UnsupportedVersionException
                    || t instanceof IllegalStateException) {
                return true;
            }
        }
        return e instanceof org.apache.kafka.common.errors.TimeoutException;
    }

    /** The record's value (docs/events.md, "The Kafka record"); the payload is the jsonb as PostgreSQL wrote it. */
    static String envelope(OutboxRows.Row row) {
        return "{\"eventId\":\"" + row.eventId() + "\",\"type\":\"" + row.type() + "\",\"aggregate\":\""
                + row.aggregate() + "\",\"key\":\"" + row.key() + "\",\"at\":\"" + row.at() + "\",\"epoch\":"
                + row.epoch() + ",\"xid\":\"" + row.xid() + "\",\"seq\":" + row.id() + ",\"payload\":" + row.payload()
                + "}";
    }

    private KafkaProducer<String, String> producer() throws InterruptedException, ExecutionException,
            TimeoutException {
        KafkaProducer<String, String> p = producer;
        if (p == null) {
            if (!topicsReady) {
                ensureTopics();
                topicsReady = true;
            }
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers().orElseThrow());
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "holdfast-outbox-" + node);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            // One transactional id for both nodes: a new active's producer fences the old one's (Kafka's zombie
            // fencing), so a paused old active that wakes up cannot slip a batch in after the new one's; each batch
            // is one Kafka transaction, and consumers read committed (docs/events.md).
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30_000);
            // at most 5 in flight keeps the idempotent producer's per-partition order
            props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.deliveryTimeout().toMillis());
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            // send(), initTransactions() and commitTransaction() wait this long at most (no broker answering, a batch
            // not yet acknowledged during a leader election), then the round fails and starts over
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) config.deliveryTimeout().toMillis());
            props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
            props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p = new KafkaProducer<>(props);
            try {
                p.initTransactions(); // aborts what an earlier producer of this id left open, fences it
            } catch (RuntimeException e) {
                p.close(Duration.ZERO);
                throw e;
            }
            producer = p;
            LOG.infof("Outbox publisher connected a producer to %s%s", config.bootstrapServers().get(),
                    failingSince == 0 ? "" : " after " + (System.currentTimeMillis() - failingSince) + " ms of failures");
        }
        return p;
    }

    /** Creates the three topics when they are missing (RF 3, min.insync.replicas 2 by default); existing ones stay. */
    private void ensureTopics() throws InterruptedException, ExecutionException, TimeoutException {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers().orElseThrow());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        try (Admin admin = Admin.create(props)) {
            // only the missing ones: creating an existing topic of RF 3 while a broker is down would fail for nothing
            java.util.Set<String> existing = admin.listTopics().names().get(5, TimeUnit.SECONDS);
            List<NewTopic> topics = new ArrayList<>();
            for (Outbox.Aggregate a : Outbox.Aggregate.values()) {
                String name = config.topicPrefix() + a.wire();
                if (!existing.contains(name)) {
                    topics.add(new NewTopic(name, config.partitions(), config.replicationFactor()).configs(
                            java.util.Map.of("min.insync.replicas", Integer.toString(config.minInsyncReplicas()))));
                }
            }
            if (topics.isEmpty()) {
                return;
            }
            LOG.infof("Creating the event topics %s", topics);
            admin.createTopics(topics).values().values().forEach(f -> {
                try {
                    f.get(5, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Creating the event topics failed: " + e.getCause(), e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("Kafka did not answer within 5 s", e);
                }
            });
        }
    }

    private void failed(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String message = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        if (!(cause instanceof KafkaException) || mustClose(cause)) {
            closeProducer(); // anything but an abortable Kafka error already handled: start from a new producer
        }
        if (!message.equals(lastError)) {
            LOG.warnf("Publishing the outbox failed; the same rows go again %s: %s",
                    producer == null ? "with a new producer" : "in a new Kafka transaction", message);
        }
        if (failingSince == 0) {
            failingSince = System.currentTimeMillis();
        }
        lastError = message;
        state = "FAILING";
    }

    private void readLag() {
        long now = System.currentTimeMillis();
        if (now - lastLagRead.get() >= 1_000) {
            lastLagRead.set(now);
            try {
                lag = rows.lag();
            } catch (RuntimeException e) {
                LOG.debugf("Reading the outbox lag failed: %s", e.getMessage());
            }
        }
    }

    /** A node that is no longer ACTIVE sends nothing more: its producer goes at once. */
    void onRoleChange(@Observes RoleChanged change) {
        if (change.to() != NodeRole.ACTIVE && enabled()) {
            closeProducer();
            state = "STANDBY";
        }
    }

    private void closeProducer() {
        KafkaProducer<String, String> p = producer;
        producer = null;
        if (p != null) {
            p.close(Duration.ZERO);
        }
    }

    @PreDestroy
    void stop() {
        closeProducer();
    }

    /** What the readiness detail shows: OFF, STANDBY (not active), PUBLISHING or FAILING, the lag, the last error. */
    record Status(String state, long lagRows, double lagSeconds, String lastError) {
    }

    Status status() {
        OutboxRows.Lag l = lag;
        return new Status(cluster.isActive() || !enabled() ? state : "STANDBY", l.rows(), l.seconds(), lastError);
    }
}
