package io.holdfast.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many server-sent-event streams on one thread: plain non-blocking sockets, HTTP/1.1 with chunked transfer decoding,
 * and a line parser that looks only at {@code id:} and {@code data:} lines. A JDK HttpClient per stream costs several
 * times the CPU, and the client shares the machine with the node it measures.
 */
final class SseLoad implements Runnable {

    /** What the benchmark does with each event's data line (called on the load's one thread). */
    interface Listener {
        void data(int stream, byte[] line, int from, int to);
    }

    private static final int HEADERS = 0;
    private static final int SIZE = 1;
    private static final int BODY = 2;
    private static final int BODY_END = 3;

    private final class Stream {
        final int index;
        final SocketChannel channel;
        int state = HEADERS;
        long remaining;
        byte[] line = new byte[512];
        int length;
        int headerEnds; // how many of "\r\n\r\n" matched
        long lastId = -1;

        Stream(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
        }
    }

    private final Selector selector;
    private final InetSocketAddress address;
    private final String path;
    private final Listener listener;
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger ended = new AtomicInteger();
    final AtomicLong bytes = new AtomicLong();
    private volatile boolean stopped;
    private final ByteBuffer read = ByteBuffer.allocateDirect(256 * 1024);
    private final byte[] chunk = new byte[256 * 1024];

    SseLoad(String host, int port, String path, Listener listener) throws IOException {
        this.selector = Selector.open();
        this.address = new InetSocketAddress(host, port);
        this.path = path;
        this.listener = listener;
    }

    private final java.util.concurrent.ConcurrentLinkedQueue<Integer> toOpen = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Asks the load's thread to open stream number {@code index}. */
    void open(int index) {
        toOpen.add(index);
        selector.wakeup();
    }

    void stop() {
        stopped = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                Integer next;
                while ((next = toOpen.poll()) != null) {
                    SocketChannel ch = SocketChannel.open();
                    ch.configureBlocking(false);
                    ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                    Stream s = new Stream(next, ch);
                    if (ch.connect(address)) {
                        connected(s);
                    } else {
                        ch.register(selector, SelectionKey.OP_CONNECT, s);
                    }
                }
                selector.select(100);
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey k = keys.next();
                    keys.remove();
                    Stream s = (Stream) k.attachment();
                    try {
                        if (k.isConnectable()) {
                            s.channel.finishConnect();
                            connected(s);
                        } else if (k.isReadable()) {
                            readFrom(s, k);
                        }
                    } catch (IOException e) {
                        close(s, k);
                    }
                }
            }
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void connected(Stream s) throws IOException {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.wrap(request);
        while (b.hasRemaining()) {
            s.channel.write(b);
        }
        s.channel.register(selector, SelectionKey.OP_READ, s);
    }

    private void close(Stream s, SelectionKey k) {
        k.cancel();
        try {
            s.channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        if (s.state != HEADERS) {
            ended.incrementAndGet();
        }
    }

    private void readFrom(Stream s, SelectionKey k) throws IOException {
        read.clear();
        int n = s.channel.read(read);
        if (n < 0) {
            close(s, k);
            return;
        }
        bytes.addAndGet(n);
        read.flip();
        read.get(chunk, 0, n);
        int i = 0;
        while (i < n) {
            switch (s.state) {
                case HEADERS -> {
                    byte c = chunk[i++];
                    s.headerEnds = (c == '\r' || c == '\n') ? s.headerEnds + 1 : 0;
                    if (s.headerEnds == 4) {
                        s.state = SIZE;
                        s.length = 0;
                        open.incrementAndGet();
                    }
                }
                case SIZE -> {
                    byte c = chunk[i++];
                    if (c == '\n') {
                        long size = 0;
                        for (int j = 0; j < s.length; j++) {
                            int d = Character.digit(s.line[j], 16);
                            if (d < 0) {
                                break;
                            }
                            size = size * 16 + d;
                        }
                        s.length = 0;
                        if (size == 0) {
                            close(s, k); // the last chunk: the stream ended
                            return;
                        }
                        s.remaining = size;
                        s.state = BODY;
                    } else if (c != '\r') {
                        s.line[s.length++] = c;
                    }
                }
                case BODY -> {
                    int take = (int) Math.min(s.remaining, n - i);
                    for (int j = i; j < i + take; j++) {
                        byte c = chunk[j];
                        if (c == '\n') {
                            line(s);
                            s.length = 0;
                        } else {
                            if (s.length == s.line.length) {
                                s.line = java.util.Arrays.copyOf(s.line, s.line.length * 2);
                            }
                            s.line[s.length++] = c;
                        }
                    }
                    i += take;
                    s.remaining -= take;
                    if (s.remaining == 0) {
                        s.state = BODY_END;
                        s.headerEnds = 0;
                    }
                }
                default -> { // the CRLF after a chunk's data
                    byte c = chunk[i++];
                    if (c == '\n') {
                        s.state = SIZE;
                        s.length = 0;
                    }
                }
            }
        }
    }

    private void line(Stream s) {
        byte[] l = s.line;
        if (s.length > 5 && l[0] == 'd' && l[1] == 'a' && l[2] == 't' && l[3] == 'a' && l[4] == ':') {
            listener.data(s.index, l, 5, s.length);
        }
    }

    /** The long value of the digits right after {@code key} in {@code line[from, to)}, or -1. */
    static long number(byte[] line, int from, int to, byte[] key) {
        int at = indexOf(line, from, to, key);
        if (at < 0) {
            return -1;
        }
        long v = 0;
        int i = at + key.length;
        boolean any = false;
        for (; i < to && line[i] >= '0' && line[i] <= '9'; i++) {
            v = v * 10 + (line[i] - '0');
            any = true;
        }
        return any ? v : -1;
    }

    /** Decimal odds after {@code key} as hundredths ({@code 2.5} and {@code 2.50} are 250), or -1. */
    static long hundredths(byte[] line, int from, int to, byte[] key) {
        int at = indexOf(line, from, to, key);
        if (at < 0) {
            return -1;
        }
        long whole = 0;
        int i = at + key.length;
        for (; i < to && line[i] >= '0' && line[i] <= '9'; i++) {
            whole = whole * 10 + (line[i] - '0');
        }
        long frac = 0;
        int digits = 0;
        if (i < to && line[i] == '.') {
            for (i++; i < to && line[i] >= '0' && line[i] <= '9'; i++) {
                if (digits < 2) {
                    frac = frac * 10 + (line[i] - '0');
                    digits++;
                }
            }
        }
        for (; digits < 2; digits++) {
            frac *= 10;
        }
        return whole * 100 + frac;
    }

    private static int indexOf(byte[] line, int from, int to, byte[] key) {
        outer:
        for (int i = from; i <= to - key.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (line[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
