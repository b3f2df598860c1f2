package org.aligndet.trainer.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pre-training steps are deterministic under load: repeated runs with several loader threads while
 * other threads burn CPU, allocate direct memory and force collections end bit for bit where a quiet
 * single-threaded run ends. The load reproduces the failure of a native buffer freed while libtorch
 * still read it (an index array closed before backward: its Java direct buffer was collected and
 * reused, and backward read garbage indices or produced NaN gradients).
 */
class PretrainStressTest {
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());
    static final int ITERS = 3;
    static final int REPEATS = 4;

    @Test
    void loadedRunsMatchAQuietRunBitForBit(@TempDir Path dir) throws Exception {
        PretrainOptions quiet = options(dir, "quiet", 1);
        new AlignDetPretrainer(quiet, QUIET).run();
        Map<String, HostTensor> reference = TorchCheckpoint.readStateDict(quiet.out.resolve("pretrained.pth"));

        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> load = startLoad(stop);
        try {
            for (int r = 0; r < REPEATS; r++) {
                PretrainOptions loaded = options(dir, "loaded" + r, 3);
                loaded.images = quiet.images;
                loaded.proposals = quiet.proposals;
                new AlignDetPretrainer(loaded, QUIET).run();
                Map<String, HostTensor> got = TorchCheckpoint.readStateDict(loaded.out.resolve("pretrained.pth"));
                assertEquals(reference.keySet(), got.keySet());
                for (String k : reference.keySet()) {
                    assertTrue(java.util.Arrays.equals(reference.get(k).bytes(), got.get(k).bytes()),
                            "repeat " + r + ": " + k + " differs from the quiet run");
                }
            }
        } finally {
            stop.set(true);
            for (Thread t : load) {
                t.join();
            }
        }
    }

    private static PretrainOptions options(Path dir, String name, int workers) throws Exception {
        PretrainOptions o = name.equals("quiet") ? PretrainFixture.make(dir.resolve("data-run"), "retinanet_tiny", 4)
                : PretrainFixture.options(dir.resolve("data-run"), "retinanet_tiny");
        o.out = dir.resolve(name);
        o.iters = ITERS;
        o.threads = 1;
        o.workers = workers;
        o.checkpointEvery = 0;
        return o;
    }

    /** Two threads: one spins on arithmetic, one allocates and drops direct buffers and asks for collections. */
    private static List<Thread> startLoad(AtomicBoolean stop) {
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> {
            double x = 1;
            while (!stop.get()) {
                x = Math.sqrt(x + 1.5) * 1.0000001;
            }
            if (x < 0) {
                System.out.println(x);
            }
        }, "stress-cpu"));
        threads.add(new Thread(() -> {
            List<ByteBuffer> held = new ArrayList<>();
            while (!stop.get()) {
                ByteBuffer b = ByteBuffer.allocateDirect(1 << 16);
                for (int i = 0; i < b.capacity(); i += 8) {
                    b.putLong(i, 0x7f7f7f7f7f7f7f7fL);
                }
                held.add(b);
                if (held.size() > 64) {
                    held.clear();
                    System.gc();
                }
            }
        }, "stress-gc"));
        threads.forEach(Thread::start);
        return threads;
    }
}
