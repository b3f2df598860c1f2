package org.aligndet.trainer.pretrain;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.run.MetricsLog;
import org.junit.jupiter.api.Test;

class LrProbeTest {
    @Test
    void probe() throws Exception {
        for (double lr : new double[] {0.1, 0.5}) {
            Path dir = Path.of("/tmp/scratch/probe_" + lr);
            PretrainOptions o = PretrainFixture.make(dir, System.getProperty("probe.spec", "retinanet_tiny"), 2);
            o.flipProb = 0;
            o.photometric = false;
            o.epochs = 30;
            o.lr = lr;
            AlignDetPretrainer.Result r = new AlignDetPretrainer(o, AlignDetPretrainerTest.QUIET).run();
            List<Map<String, Double>> rows = MetricsLog.read(r.metrics());
            StringBuilder b = new StringBuilder("PROBE lr " + lr + ":");
            for (Map<String, Double> row : rows) {
                b.append(String.format(" %.3f/%.3f", row.get("loss_contrastive"), row.get("loss_bbox")));
            }
            System.out.println(b);
        }
    }
}
