package enclave.serving.runtime;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops that read workers' answers (one per four cores, at least one), and the timer that ends overdue
 * requests. Continuations of a {@link WorkerClient} future run on these threads, so they must not block: the gateway
 * writes its response asynchronously, the next queued request is sent with a non-blocking write, and the server lets
 * a loop resume the client's connection for its next request ({@link WorkerIoThreads}).
 */
final class WorkerIo {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerIo.class);
    private static final int READ_BUFFER_BYTES = 16 * 1024;

    /** Ends requests past their timeout and slot waits past max_queue_wait; one daemon thread for every worker. */
    private static final ScheduledThreadPoolExecutor TIMEOUTS = timeouts();

    private static final Loop[] LOOPS = loops(Math.max(1, Runtime.getRuntime().availableProcessors() / 4));
    private static final AtomicInteger NEXT = new AtomicInteger();

    private WorkerIo() {}

    /** Runs {@code expire} once {@code delay} has passed, unless {@code outcome} is complete by then (its timer is dropped). */
    static void expireUnlessDone(CompletableFuture<?> outcome, Duration delay, Runnable expire) {
        var deadline = TIMEOUTS.schedule(expire, Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
        outcome.whenComplete((result, failure) -> deadline.cancel(false));
    }

    /** A new connection to a worker's socket, watched by one of the loops. */
    static Connection open(UnixDomainSocketAddress address, int generation) throws IOException {
        SocketChannel channel = SocketChannel.open(address);
        try {
            channel.configureBlocking(false);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        Loop loop = LOOPS[Math.floorMod(NEXT.getAndIncrement(), LOOPS.length)];
        Connection connection = new Connection(channel, generation, loop);
        loop.submit(connection::register);
        return connection;
    }

    /** One persistent connection to a worker; at most one exchange on it at a time. */
    static final class Connection {
        private final SocketChannel channel;
        private final int generation;
        private final Loop loop;
        private volatile WorkerClient.Exchange current;
        private SelectionKey key; // loop thread only
        private ByteBuffer[] outgoing; // guarded by this: the rest of a frame the socket would not take at once
        // The answer being read; loop thread only.
        private final ByteBuffer input = ByteBuffer.allocate(READ_BUFFER_BYTES);
        private ByteBuffer head;
        private ByteBuffer body;

        private Connection(SocketChannel channel, int generation, Loop loop) {
            this.channel = channel;
            this.generation = generation;
            this.loop = loop;
        }

        int generation() {
            return generation;
        }

        boolean isOpen() {
            return channel.isOpen();
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is all that was wanted
            }
        }

        /** Starts an exchange: writes what the socket takes now; the loop writes the rest. */
        void send(WorkerClient.Exchange exchange, byte[] headBytes, byte[] bodyBytes) {
            current = exchange;
            ByteBuffer[] frame = WorkerClient.frame(headBytes, bodyBytes);
            try {
                synchronized (this) {
                    channel.write(frame);
                    if (frame[0].hasRemaining() || frame[1].hasRemaining()) {
                        outgoing = frame;
                        loop.submit(this::wantWrite);
                    }
                }
            } catch (IOException e) {
                exchange.failed(WorkerClient.describe(e));
            }
        }

        private void register() {
            try {
                key = channel.register(loop.selector, SelectionKey.OP_READ, this);
                wantWrite();
            } catch (IOException e) {
                fail("cannot watch the connection: " + WorkerClient.describe(e));
            }
        }

        private void wantWrite() {
            synchronized (this) {
                if (outgoing != null && key != null && key.isValid()) {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                }
            }
        }

        private void onWritable() throws IOException {
            synchronized (this) {
                if (outgoing != null) {
                    channel.write(outgoing);
                    if (outgoing[0].hasRemaining() || outgoing[1].hasRemaining()) {
                        return;
                    }
                    outgoing = null;
                }
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        /** Reads what has arrived; an answer read whole completes its exchange (possibly starting the next one on it). */
        private void onReadable() throws IOException {
            while (true) {
                if (head == null) {
                    int read = channel.read(input);
                    if (read < 0) {
                        fail("the worker closed the connection before answering");
                        return;
                    }
                    if (input.position() < 8) {
                        return;
                    }
                    startAnswer();
                } else {
                    ByteBuffer target = head.hasRemaining() ? head : body;
                    if (target.hasRemaining()) {
                        int read = channel.read(target);
                        if (read < 0) {
                            fail("the worker closed the connection in the middle of its answer");
                            return;
                        }
                        if (read == 0) {
                            return;
                        }
                    }
                }
                if (head != null && !head.hasRemaining() && !body.hasRemaining()) {
                    finishAnswer();
                }
                if (!channel.isOpen()) {
                    return;
                }
            }
        }

        /** The lengths are in: size the header and body, and move over what was read past them. */
        private void startAnswer() throws IOException {
            int headLength = input.getInt(0);
            int bodyLength = input.getInt(4);
            if (headLength < 0 || headLength > WorkerClient.MAX_HEAD_BYTES) {
                throw new IOException("the worker sent a malformed answer (a header of " + headLength + " bytes)");
            }
            if (bodyLength < 0 || bodyLength > WorkerClient.MAX_RESPONSE_BYTES) {
                throw new IOException("the worker's answer is larger than " + WorkerClient.MAX_RESPONSE_BYTES + " bytes");
            }
            if (current == null) {
                throw new IOException("the worker answered a request nobody sent");
            }
            head = ByteBuffer.allocate(headLength);
            body = ByteBuffer.allocate(bodyLength);
            input.flip().position(8);
            int forHead = Math.min(input.remaining(), headLength);
            head.put(head.position(), input, input.position(), forHead).position(forHead);
            input.position(input.position() + forHead);
            int forBody = Math.min(input.remaining(), bodyLength);
            body.put(body.position(), input, input.position(), forBody).position(forBody);
            input.position(input.position() + forBody);
            if (input.hasRemaining()) {
                throw new IOException("the worker sent more than one answer");
            }
            input.clear();
        }

        private void finishAnswer() {
            WorkerClient.Exchange exchange = current;
            String headText = new String(head.array(), StandardCharsets.UTF_8);
            byte[] bodyBytes = body.array();
            current = null;
            head = null;
            body = null;
            if (exchange != null) {
                exchange.answered(headText, bodyBytes);
            }
        }

        private void fail(String reason) {
            WorkerClient.Exchange exchange = current;
            close();
            if (exchange != null) {
                exchange.failed(reason);
            }
        }
    }

    /** One selector thread. */
    private static final class Loop implements Runnable {
        private final Selector selector;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

        Loop() throws IOException {
            selector = Selector.open();
        }

        void submit(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        @Override
        public void run() {
            while (true) {
                try {
                    selector.select();
                    for (Runnable task; (task = tasks.poll()) != null; ) {
                        task.run();
                    }
                    for (SelectionKey ready : selector.selectedKeys()) {
                        Connection connection = (Connection) ready.attachment();
                        try {
                            if (ready.isValid() && ready.isWritable()) {
                                connection.onWritable();
                            }
                            if (ready.isValid() && ready.isReadable()) {
                                connection.onReadable();
                            }
                        } catch (IOException | RuntimeException e) {
                            connection.fail(e instanceof IOException io ? WorkerClient.describe(io) : e.toString());
                        }
                    }
                    selector.selectedKeys().clear();
                } catch (IOException | RuntimeException e) {
                    LOG.error("worker I/O loop failed; it goes on", e);
                }
            }
        }
    }

    private static Loop[] loops(int count) {
        Loop[] loops = new Loop[count];
        for (int i = 0; i < count; i++) {
            try {
                loops[i] = new Loop();
            } catch (IOException e) {
                throw new IllegalStateException("cannot open a selector for the worker I/O loop", e);
            }
            Thread thread = new LoopThread(loops[i], "enclave-worker-io-" + i);
            thread.setDaemon(true);
            thread.start();
        }
        return loops;
    }

    /** Whether the calling thread is one of the loops (where answers are completed and responses written). */
    static boolean onLoopThread() {
        return Thread.currentThread() instanceof LoopThread;
    }

    private static final class LoopThread extends Thread {
        LoopThread(Runnable loop, String name) {
            super(loop, name);
        }
    }

    private static ScheduledThreadPoolExecutor timeouts() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "enclave-worker-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
