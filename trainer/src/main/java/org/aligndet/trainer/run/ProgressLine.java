package org.aligndet.trainer.run;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * A live progress line for training: iteration, loss parts, lr, momentum, it/s and ETA. On a
 * terminal it rewrites one line; otherwise (logs, CI) it prints a line every {@code every} iterations.
 */
public final class ProgressLine {
    private final PrintStream out;
    private final long total;
    private final int every;
    private final boolean tty;
    private final long startNanos = System.nanoTime();
    private final long startIter;

    public ProgressLine(PrintStream out, long startIter, long total, int every) {
        this.out = out;
        this.total = total;
        this.every = Math.max(1, every);
        this.startIter = startIter;
        this.tty = System.console() != null;
    }

    public void update(long iter, int epoch, Map<String, Double> losses, double lr, double momentum) {
        if (!tty && iter % every != 0 && iter != total) {
            return;
        }
        double secs = (System.nanoTime() - startNanos) / 1e9;
        double rate = (iter - startIter) / Math.max(secs, 1e-9);
        long eta = rate > 0 ? (long) ((total - iter) / rate) : -1;
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "[%d/%d ep %d]", iter, total, epoch + 1));
        losses.forEach((k, v) -> {
            if (k.startsWith("loss") || k.equals("grad_norm")) {
                b.append(String.format(Locale.ROOT, " %s %.4f", k, v));
            }
        });
        b.append(String.format(Locale.ROOT, " lr %.2e", lr));
        if (momentum > 0) {
            b.append(String.format(Locale.ROOT, " m %.5f", momentum));
        }
        b.append(String.format(Locale.ROOT, " %.2f it/s eta %s", rate, eta < 0 ? "?" : hms(eta)));
        if (tty) {
            out.print("\r" + b + "   ");
            if (iter == total) {
                out.println();
            }
        } else {
            out.println(b);
        }
        out.flush();
    }

    static String hms(long s) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
