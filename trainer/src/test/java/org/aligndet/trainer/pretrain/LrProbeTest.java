package org.aligndet.trainer.pretrain;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aligndet.trainer.run.MetricsLog;
import org.junit.jupiter.api.Test;

class LrProbeTest {
    @Test
    void probe() throws Exception {
        for (String cfg : System.getProperty("probe.cfgs", "0.02:10:35,0.02:10:0,0.05:10:35").split(",")) {
            String[] c = cfg.split(":");
            double lr = Double.parseDouble(c[0]);
            Path dir = java.nio.file.Files.createTempDirectory(Path.of("/tmp/scratch"), "probe");
            PretrainOptions o = PretrainFixture.make(dir, System.getProperty("probe.spec", "retinanet_tiny"), 2);
            o.flipProb = 0;
            o.photometric = false;
            o.epochs = 30;
            o.lr = lr;
            o.warmupIters = Integer.parseInt(c[1]);
            o.gradClip = Double.parseDouble(c[2]);
            AlignDetPretrainer.Result r = new AlignDetPretrainer(o, AlignDetPretrainerTest.QUIET).run();
            List<Map<String, Double>> rows = MetricsLog.read(r.metrics());
            StringBuilder b = new StringBuilder("PROBE " + cfg + ":");
            for (Map<String, Double> row : rows) {
                b.append(String.format(" %.3f/%.3f/%.1f", row.get("loss_contrastive"), row.get("loss_bbox"), row.get("grad_norm")));
            }
            System.out.println(b);
        }
    }
}
