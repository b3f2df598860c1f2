package org.aligndet.trainer.run;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns SIGINT/SIGTERM into a polite stop: a shutdown hook raises {@link #requested()}, then waits
 * (up to a limit) until the training loop has written its checkpoint and called {@link #done()}.
 */
public final class StopSignal implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    public StopSignal(long waitSeconds) {
        hook = new Thread(() -> {
            requested.set(true);
            try {
                finished.await(waitSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "aligndet-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** True once a stop was asked for (signal, or {@link #request()} from a test). */
    public boolean requested() {
        return requested.get();
    }

    public void request() {
        requested.set(true);
    }

    /** The loop has saved and is leaving: lets the JVM exit. */
    public void done() {
        finished.countDown();
    }

    @Override
    public void close() {
        done();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running and has been released by done()
        }
    }
}
