package org.aligndet.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;

class WeightImportTest {
    static final HostTensor T = HostTensor.ofFloats(new long[] {1}, 1f);

    static Map<String, HostTensor> of(String... names) {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, T);
        }
        return m;
    }

    @Test
    void torchvisionResNetGoesUnderBackboneWithoutItsClassifier() {
        var r = WeightImport.toGraphNames(of("conv1.weight", "bn1.running_mean", "bn1.num_batches_tracked",
                "layer1.0.conv1.weight", "layer4.2.downsample.1.bias", "fc.weight", "fc.bias"));
        assertEquals(List.of("backbone.conv1.weight", "backbone.bn1.running_mean", "backbone.layer1.0.conv1.weight",
                "backbone.layer4.2.downsample.1.bias"), List.copyOf(r.tensors().keySet()));
        assertEquals(3, r.dropped().size());
    }

    @Test
    void mmdetectionNamesAreKeptAndWrappersStripped() {
        var r = WeightImport.toGraphNames(of("backbone.conv1.weight", "neck.fpn_convs.0.conv.bias",
                "module.encoder_q.layer2.0.conv2.weight", "module.encoder_k.conv1.weight", "queue"));
        assertEquals(List.of("backbone.conv1.weight", "neck.fpn_convs.0.conv.bias", "backbone.layer2.0.conv2.weight"),
                List.copyOf(r.tensors().keySet()));
        assertTrue(r.dropped().stream().anyMatch(d -> d.startsWith("module.encoder_k.")));
        assertEquals(List.of("backbone.conv1.weight", "backbone.layer2.0.conv2.weight"),
                List.copyOf(WeightImport.under(r.tensors(), "backbone.").keySet()));
    }
}
