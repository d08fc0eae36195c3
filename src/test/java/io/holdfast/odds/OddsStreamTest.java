package io.holdfast.odds;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.holdfast.support.Api;
import io.restassured.RestAssured;
import io.holdfast.support.SseClient;
import io.holdfast.support.SseClient.Event;
import io.quarkus.test.junit.QuarkusTest;

/** The odds streams' event ids and resume (docs/API.md, "The odds stream"). */
@QuarkusTest
class OddsStreamTest {

    @Inject
    OddsStream stream;

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(700);

    static void reprice(long selection, String odds) {
        Api.admin().body(Map.of("odds", new java.math.BigDecimal(odds))).put("/api/admin/selections/" + selection + "/odds")
                .then().statusCode(200);
    }

    /** The next event about {@code selection}, skipping other tests' and other selections' changes. */
    static Event nextAbout(SseClient client, long selection) throws InterruptedException {
        while (true) {
            Event e = client.next(WAIT);
            if (e.data().contains("\"selectionId\":" + selection + ",")) {
                return e;
            }
        }
    }

    static List<Event> about(List<Event> events, long selection) {
        return events.stream().filter(e -> e.data().contains("\"selectionId\":" + selection + ",")).toList();
    }

    @Test
    void shouldGiveEveryChangeAnIncreasingIdAndStartWithOne() throws Exception {
        Api.Market m = Api.market("2.00", "3.00");
        long a = m.selections().get(0);
        try (SseClient client = SseClient.open("/api/odds/stream")) {
            Event hello = client.next(WAIT);
            assertThat(client.status()).contains("200");
            assertThat(client.retry()).isEqualTo("1000");
            assertThat(hello.name()).isEqualTo("(id only)");
            reprice(a, "2.10");
            Event first = nextAbout(client, a);
            reprice(a, "2.20");
            Event second = nextAbout(client, a);
            assertThat(first.data()).contains("\"odds\":2.10").contains("\"version\":2").contains("\"marketId\":" + m.id())
                    .contains("\"marketStatus\":\"OPEN\"");
            assertThat(second.data()).contains("\"odds\":2.20").contains("\"version\":3");
            assertThat(first.revision()).isGreaterThan(hello.revision());
            assertThat(second.revision()).isGreaterThan(first.revision());
        }
    }

    @Test
    void shouldResumeFromLastEventIdWithTheNewestStateOfWhatChangedMeanwhile() throws Exception {
        Api.Market m = Api.market("2.00", "3.00", "4.00");
        long a = m.selections().get(0);
        long b = m.selections().get(1);
        long c = m.selections().get(2);
        String seen;
        try (SseClient client = SseClient.open("/api/odds/stream")) {
            client.next(WAIT);
            reprice(a, "2.10");
            seen = nextAbout(client, a).id();
        }
        // while the client is away: a moves twice, b once, c not at all
        reprice(a, "2.20");
        reprice(b, "3.10");
        reprice(a, "2.30");
        try (SseClient client = SseClient.open("/api/odds/stream", seen, null)) {
            List<Event> all = client.drain(QUIET);
            // first the position it resumes from, then the changes after it
            assertThat(all.get(0)).isEqualTo(new Event(seen, "(id only)", ""));
            List<Event> events = all.subList(1, all.size());
            assertThat(events).noneMatch(e -> e.name().equals("snapshot"));
            List<Event> ofA = about(events, a);
            List<Event> ofB = about(events, b);
            assertThat(ofA).hasSize(1);
            assertThat(ofA.get(0).data()).contains("\"odds\":2.30");
            assertThat(ofB).hasSize(1);
            assertThat(ofB.get(0).data()).contains("\"odds\":3.10");
            assertThat(about(events, c)).isEmpty();
            assertThat(events).allMatch(e -> e.revision() > Long.parseLong(seen));
            assertThat(events.stream().mapToLong(Event::revision).toArray()).isSorted();
            // and live after the catch-up
            reprice(c, "4.10");
            assertThat(nextAbout(client, c).data()).contains("\"odds\":4.10");
        }
    }

    @Test
    void shouldResumeFromTheFirstIdWhenNothingWasSeenButIt() throws Exception {
        Api.Market m = Api.market("2.00");
        long a = m.selections().get(0);
        String hello;
        try (SseClient client = SseClient.open("/api/odds/stream")) {
            hello = client.next(WAIT).id();
        }
        reprice(a, "2.50");
        try (SseClient client = SseClient.open("/api/odds/stream", hello, null)) {
            assertThat(about(client.drain(QUIET), a)).singleElement()
                    .satisfies(e -> assertThat(e.data()).contains("\"odds\":2.50"));
        }
    }

    @Test
    void shouldTellAClientWhoseIdItCannotResumeFromToReload() throws Exception {
        for (String unknown : List.of("1", "999999999999999", "not-a-number")) {
            try (SseClient client = SseClient.open("/api/odds/stream", unknown, null)) {
                Event first = client.next(WAIT);
                assertThat(first.name()).as("Last-Event-ID " + unknown).isEqualTo("snapshot");
                assertThat(first.data()).contains("\"reload\":true");
                long from = first.revision();
                Api.Market m = Api.market("2.00");
                reprice(m.selections().get(0), "2.40");
                Event next = nextAbout(client, m.selections().get(0));
                assertThat(next.revision()).isGreaterThan(from);
            }
        }
    }

    @Test
    void shouldSpellThePagesPricesInTheBettorsFormat() throws Exception {
        Api.Market m = Api.market("2.00");
        long a = m.selections().get(0);
        try (SseClient decimal = SseClient.open("/stream/odds");
                SseClient fractional = SseClient.open("/stream/odds", null, "holdfast-odds=fractional")) {
            assertThat(decimal.next(WAIT).name()).isEqualTo("live");
            assertThat(fractional.next(WAIT).name()).isEqualTo("live");
            reprice(a, "2.50");
            Event d = nextNamed(decimal, "sel-" + a);
            Event f = nextNamed(fractional, "sel-" + a);
            assertThat(d.data()).contains(">2.50<").contains("data-odds=\"2.50\"").contains("data-status=\"OPEN\"");
            assertThat(f.data()).contains(">3/2<").contains("data-odds=\"2.50\"");
            assertThat(d.id()).isEqualTo(f.id());
        }
    }

    @Test
    void shouldGiveAPageThatCannotResumeAReloadEvent() throws Exception {
        try (SseClient page = SseClient.open("/stream/odds", "7", null)) {
            assertThat(page.next(WAIT).name()).isEqualTo("reload");
            assertThat(page.next(WAIT).name()).isEqualTo("live");
        }
    }

    static Event nextNamed(SseClient client, String name) throws InterruptedException {
        while (true) {
            Event e = client.next(WAIT);
            if (e.name().equals(name)) {
                return e;
            }
        }
    }

    @Test
    void shouldNotLetAReaderThatStopsReadingHoldTheOthersBackAndCatchItUpWhenItReadsAgain() throws Exception {
        // a client that reads nothing, with a small receive buffer: the node's socket for it fills up
        try (java.net.Socket stuck = new java.net.Socket(); SseClient reader = SseClient.open("/api/odds/stream")) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new java.net.InetSocketAddress("127.0.0.1", RestAssured.port));
            stuck.getOutputStream().write("GET /api/odds/stream HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            reader.next(WAIT);
            Thread.sleep(300);
            // ~10 MB of events, far more than the kernel and Netty buffer for one connection; selection ids no test uses
            long first = 9_000_000_000L;
            int n = 80_000;
            for (int i = 0; i < n; i++) {
                stream.publish(new OddsUpdate(first + i, new java.math.BigDecimal("1.50"), 1, 9_000_000_000L,
                        MarketStatus.OPEN));
            }
            long lastSelection = first + n - 1;
            // the reader gets everything, the newest included, while the stuck one reads nothing
            Event newest;
            do {
                newest = reader.next(WAIT);
            } while (!newest.data().contains("\"selectionId\":" + lastSelection + ","));

            // the stuck client reads now: it catches up, and ends with the newest state of every selection
            java.io.InputStream in = stuck.getInputStream();
            stuck.setSoTimeout(20_000);
            byte[] buf = new byte[1 << 16];
            StringBuilder tail = new StringBuilder();
            long read = 0;
            String want = "\"selectionId\":" + lastSelection + ",";
            while (true) {
                int r = in.read(buf);
                assertThat(r).as("the stuck client's stream went on").isPositive();
                read += r;
                tail.append(new String(buf, 0, r, java.nio.charset.StandardCharsets.US_ASCII));
                if (tail.indexOf(want) >= 0) {
                    break;
                }
                if (tail.length() > 2 * want.length()) {
                    tail.delete(0, tail.length() - want.length());
                }
            }
            assertThat(read).isGreaterThan(1_000_000);
        }
    }

    @Test
    void shouldSendABurstOfChangesTogetherAsTheNewestStateOfEachSelection() throws Exception {
        long a = 9_000_000_001L; // selections no other test has: straight into the stream, no database
        long b = 9_000_000_002L;
        try (SseClient client = SseClient.open("/api/odds/stream")) {
            client.next(WAIT);
            // a lone change after a quiet spell goes out at once, then a burst within the coalescing window
            // (holdfast.odds-stream.coalesce-millis, 100 ms): far fewer writes than changes, none of them lost
            long start = System.nanoTime();
            for (int i = 1; i <= 40; i++) {
                stream.publish(new OddsUpdate(i % 2 == 0 ? a : b, new java.math.BigDecimal("2.00")
                        .add(java.math.BigDecimal.valueOf(i, 2)), i, 9_000_000_000L, MarketStatus.OPEN));
                Thread.sleep(5); // a change every 5 ms: without the window, a write each
            }
            long passes = (System.nanoTime() - start) / 100_000_000L + 2; // at most one pass per 100 ms
            List<Event> events = client.drain(QUIET);
            List<Event> aboutA = about(events, a);
            List<Event> aboutB = about(events, b);
            assertThat(aboutA).isNotEmpty();
            assertThat(aboutB).isNotEmpty();
            assertThat(aboutA.get(aboutA.size() - 1).data()).contains("\"odds\":2.40");
            assertThat(aboutB.get(aboutB.size() - 1).data()).contains("\"odds\":2.39");
            assertThat(aboutA.size() + aboutB.size()).as("events for 40 changes").isLessThanOrEqualTo((int) (2 * passes))
                    .isLessThan(40);
        }
    }

    @Test
    void shouldWriteToManyStreamsInSlicesAndReachEveryOne() throws Exception {
        // the test profile slices passes every 4 streams (holdfast.odds-stream.pass-slice); with 16 streams per event
        // loop, a pass over them is at least 4 slices on each loop: the loop serves its other sockets in between
        int n = 16 * Math.max(4, stream.loops());
        long selection = 9_000_000_003L; // no other test's: straight into the stream, no database
        String want = "\"selectionId\":" + selection + ",";
        List<java.net.Socket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", RestAssured.port);
                s.setSoTimeout(10_000);
                s.getOutputStream().write("GET /api/odds/stream HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            for (java.net.Socket s : sockets) {
                readUntil(s, "retry: 1000");
            }
            long passes = stream.passes();
            long slices = stream.slices();
            stream.publish(new OddsUpdate(selection, new java.math.BigDecimal("3.30"), 1, 9_000_000_000L,
                    MarketStatus.OPEN));
            for (java.net.Socket s : sockets) {
                assertThat(readUntil(s, want)).as("every stream got the change").contains(want);
            }
            long extra = (stream.slices() - slices) - (stream.passes() - passes);
            assertThat(extra).as("slices beyond one per pass, for %d streams on %d loops", n, stream.loops())
                    .isGreaterThanOrEqualTo(n / 4 - stream.loops());
        } finally {
            for (java.net.Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void shouldSendAStreamWithNothingElseToSayACommentEveryHeartbeat() throws Exception {
        // the test profile's heartbeat is 1 s (holdfast.odds-stream.heartbeat-millis): two within 5 s
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET /api/odds/stream HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            readUntil(s, "retry: 1000");
            long start = System.nanoTime();
            String comment = "\r\n:\n\n\r\n"; // a chunk holding just the comment line and its blank line
            String got = readUntil(s, comment);
            assertThat(got).contains(comment);
            assertThat(readUntil(s, comment)).contains(comment);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(4_500));
        }
    }

    /** Reads from a raw stream until {@code marker} has been read; returns what was read. */
    private static String readUntil(java.net.Socket s, String marker) throws java.io.IOException {
        StringBuilder got = new StringBuilder();
        byte[] buf = new byte[4096];
        while (got.indexOf(marker) < 0) {
            int r = s.getInputStream().read(buf);
            if (r < 0) {
                break;
            }
            got.append(new String(buf, 0, r, java.nio.charset.StandardCharsets.US_ASCII));
        }
        return got.toString();
    }
}
