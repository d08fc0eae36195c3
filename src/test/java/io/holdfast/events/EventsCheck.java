package io.holdfast.events;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The consumer that proves the stream (issue 14; {@code ha-config/holdfast-pair events-check}): reads the three
 * topics from the beginning, deduplicates by event id as every consumer must, and compares with the database. Every
 * committed bet has one {@code bet.placed}, every ledger journal one {@code wallet.journal}, every settled bet a
 * {@code bet.settled} at its settlement sequence, every decided live bet its decision; no event names a bet or a
 * journal the database does not have; each key's events come in the order they were written (xid, seq).
 */
public final class EventsCheck {

    /** The counts it prints; {@link #clean()} when nothing is missing, invented or out of order. */
    public record Result(long records, long distinct, long duplicates, long conflicting, long missingBets,
            long missingJournals, long missingSettlements, long missingDecisions, long phantom, long outOfOrder,
            long unpublished) {

        public long missing() {
            return missingBets + missingJournals + missingSettlements + missingDecisions;
        }

        public boolean clean() {
            return missing() == 0 && phantom == 0 && outOfOrder == 0 && conflicting == 0;
        }

        @Override
        public String toString() {
            return "events-check: records=" + records + " distinct=" + distinct + " duplicates=" + duplicates
                    + " conflicting=" + conflicting + " missing=" + missing() + " (bets " + missingBets + ", journals "
                    + missingJournals + ", settlements " + missingSettlements + ", live decisions " + missingDecisions
                    + ") phantom=" + phantom + " out-of-order=" + outOfOrder + " unpublished=" + unpublished
                    + (clean() ? " OK" : " FAILED");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TOPICS = List.of("holdfast.bet", "holdfast.account", "holdfast.market");

    private EventsCheck() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: EventsCheck BOOTSTRAP JDBC_URL USER PASSWORD");
            System.exit(2);
        }
        Result r = check(args[0], args[1], args[2], args[3]);
        System.out.println(r);
        System.exit(r.clean() ? 0 : 1);
    }

    public static Result check(String bootstrap, String jdbcUrl, String user, String password) throws Exception {
        Map<String, JsonNode> events = new HashMap<>();
        long[] records = { 0 };
        long duplicates = 0;
        long conflicting = 0;
        long outOfOrder = 0;
        // per topic and key, the (xid, seq) of the last first-seen event
        Map<String, long[]> lastByKey = new HashMap<>();
        for (ConsumerRecord<String, String> rec : readAll(bootstrap, records)) {
            JsonNode e = JSON.readTree(rec.value());
            String id = e.path("eventId").asText();
            JsonNode earlier = events.putIfAbsent(id, e);
            if (earlier != null) {
                duplicates++;
                if (!earlier.equals(e)) {
                    conflicting++;
                }
                continue;
            }
            long[] order = { Long.parseLong(e.path("xid").asText()), e.path("seq").asLong() };
            long[] last = lastByKey.put(rec.topic() + "/" + rec.key(), order);
            if (last != null && (order[0] < last[0] || order[0] == last[0] && order[1] < last[1])) {
                outOfOrder++;
            }
        }
        Set<Long> placed = new HashSet<>();
        Set<Long> journals = new HashSet<>();
        Set<String> settled = new HashSet<>();
        Set<Long> decided = new HashSet<>();
        for (JsonNode e : events.values()) {
            JsonNode p = e.path("payload");
            switch (e.path("type").asText()) {
                case "bet.placed" -> placed.add(p.path("betId").asLong());
                case "wallet.journal" -> journals.add(p.path("journalId").asLong());
                case "bet.settled" -> settled.add(p.path("betId").asLong() + "/" + p.path("settlementSeq").asLong());
                case "bet.accepted", "bet.rejected" -> decided.add(p.path("betId").asLong());
                default -> {
                }
            }
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement st = c.createStatement()) {
            Set<Long> bets = longs(st, "SELECT id FROM bet");
            Set<Long> ledger = longs(st, "SELECT DISTINCT journal_id FROM ledger_entry WHERE book = 'PLAYER'");
            Set<String> settlements = strings(st, "SELECT id || '/' || settlement_seq FROM bet "
                    + "WHERE status IN ('WON', 'LOST', 'VOID')");
            Set<Long> decisions = longs(st, "SELECT id FROM bet WHERE decided_at IS NOT NULL");
            long unpublished = longs(st, """
                    SELECT count(*) FROM event_outbox o, event_cursor k
                    WHERE k.id = 1 AND (o.xid, o.id) > (k.xid, k.outbox_id)""").iterator().next();
            long phantom = minus(placed, bets) + minus(journals, ledger) + minus(decided, bets)
                    + settled.stream().filter(s -> !bets.contains(Long.parseLong(s.substring(0, s.indexOf('/')))))
                            .count();
            return new Result(records[0], events.size(), duplicates, conflicting, minus(bets, placed),
                    minus(ledger, journals), minus(settlements, settled), minus(decisions, decided), phantom,
                    outOfOrder, unpublished);
        }
    }

    /** Every record of the three topics, partition by partition in offset order, up to the end seen at the start. */
    private static List<ConsumerRecord<String, String>> readAll(String bootstrap, long[] count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // the publisher sends each batch in a Kafka transaction: a batch it aborted (or a fenced producer's) is not read
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            Map<String, List<PartitionInfo>> topics = consumer.listTopics(Duration.ofSeconds(30));
            for (String topic : TOPICS) {
                for (PartitionInfo p : topics.getOrDefault(topic, List.of())) {
                    partitions.add(new TopicPartition(topic, p.partition()));
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.currentTimeMillis() + 120_000;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the topics were not read to their end within 120 s");
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(r);
                }
            }
        }
        count[0] = out.size();
        return out;
    }

    private static <T> long minus(Set<T> a, Set<T> b) {
        return a.stream().filter(x -> !b.contains(x)).count();
    }

    private static Set<Long> longs(Statement st, String sql) throws SQLException {
        Set<Long> out = new HashSet<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    private static Set<String> strings(Statement st, String sql) throws SQLException {
        Set<String> out = new HashSet<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
