package io.holdfast.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.restassured.RestAssured;

/**
 * A server-sent-event stream as a browser's EventSource reads it: HTTP/1.1 over a plain socket (chunked transfer
 * decoded), the events parsed into id, name and data; {@code Last-Event-ID} and cookies sent as asked.
 */
public final class SseClient implements AutoCloseable {

    /** One dispatched event: its id field ({@code null} if it had none), its name ("message" by default), its data. */
    public record Event(String id, String name, String data) {
        public long revision() {
            return Long.parseLong(id);
        }
    }

    private final Socket socket;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile String retry;
    private volatile String status;

    private SseClient(int port, String path, String lastEventId, String cookie) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(0);
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n")
                + (cookie == null ? "" : "Cookie: " + cookie + "\r\n") + "\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        reader = new Thread(() -> read(in), "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** A stream of the node under test (Quarkus' test port). */
    public static SseClient open(String path) throws IOException {
        return open(path, null, null);
    }

    public static SseClient open(String path, String lastEventId, String cookie) throws IOException {
        return new SseClient(RestAssured.port, path, lastEventId, cookie);
    }

    /** A stream of the node at {@code baseUrl} ({@code http://127.0.0.1:PORT}). */
    public static SseClient at(String baseUrl, String path, String lastEventId) throws IOException {
        return new SseClient(java.net.URI.create(baseUrl).getPort(), path, lastEventId, null);
    }

    private void read(BufferedReader in) {
        try {
            status = in.readLine();
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // headers
            }
            String id = null;
            String name = null;
            StringBuilder data = null;
            while ((line = in.readLine()) != null) {
                if (line.matches("[0-9a-fA-F]+")) {
                    continue; // a chunk's size (each of the node's writes ends with a blank line: whole events)
                }
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, name == null ? "message" : name, data.toString()));
                    } else if (id != null) {
                        events.add(new Event(id, "(id only)", ""));
                    }
                    id = null;
                    name = null;
                    data = null;
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> name = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    case "retry" -> retry = value;
                    default -> {
                        // a comment (heartbeat)
                    }
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    public String status() {
        return status;
    }

    public String retry() {
        return retry;
    }

    /** The next event, or fails after {@code timeout}. */
    public Event next(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + timeout);
        }
        return e;
    }

    /** The events that arrive within {@code quiet} of each other. */
    public List<Event> drain(Duration quiet) throws InterruptedException {
        List<Event> out = new ArrayList<>();
        Event e;
        while ((e = events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            out.add(e);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
