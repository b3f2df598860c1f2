package org.aligndet.trainer.model;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.detect.ClassifierBias;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.SpecException;

/**
 * The classifier sized at run time. A spec that runs with another spec's graphs ({@code graphs_from}:
 * the same detector with another number of classes) differs from them in one layer only, the final
 * classification conv ({@code bbox_head.retina_cls}: A·K outputs; {@code bbox_head.conv_cls}: K). This
 * class puts a layer of the spec's size in place of the graph's ({@link TorchGraph#replaceParameter}):
 * mmdetection's initialisation, weights N(0, 0.01) and the focal-loss prior as bias, trainable, loaded
 * and saved by name like any other parameter. {@link DenseDetector#classify} then runs that conv in
 * Java (3x3, stride 1, padding 1, as the graph's), and the ONNX export resizes the template's
 * classifier the same way ({@code export.onnx.ClassifierResize}).
 */
public final class ClassifierSizing {
    private ClassifierSizing() {
    }

    /**
     * Sizes the graph's classifier for the spec when they differ and the spec takes its graphs from
     * another spec; does nothing when they agree.
     *
     * @return whether the classifier was replaced
     * @throws SpecException when they differ and the spec has no {@code graphs_from} (graphs generated
     *     for another spec), or the graph's layer is not the classifier a dense head has
     */
    public static boolean apply(ModelSpec spec, TorchGraph graph, long seed) {
        if (!(DetectorFamily.of(spec) instanceof DenseFamily dense)) {
            return false;
        }
        String wName = dense.classifierWeight();
        String bName = dense.classifierBias();
        NDArray w = graph.parameters().get(wName);
        if (w == null) {
            throw new SpecException(graph.source() + ": has no classifier " + wName + " for " + spec.name());
        }
        long[] shape = w.getShape().getShape();
        long out = (long) dense.priorsPerLocation() * spec.numClasses();
        if (shape[0] == out) {
            return false;
        }
        if (spec.graphsFrom() == null) {
            throw new SpecException(graph.source() + ": classifier " + wName + " has " + shape[0] + " outputs, spec "
                    + spec.name() + " needs " + out + " (" + spec.numClasses() + " classes): the graphs were generated for"
                    + " another spec; generate them for this one, or name their spec in graphs_from");
        }
        if (shape.length != 4 || shape[2] != 3 || shape[3] != 3 || shape[0] % dense.priorsPerLocation() != 0) {
            throw new SpecException(graph.source() + ": " + wName + " " + Arrays.toString(shape) + " is not a 3x3 classifier conv");
        }
        long[] ws = {out, shape[1], 3, 3};
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5EEDC1A55L);
        float[] wv = new float[Math.toIntExact(out * shape[1] * 9)];
        for (int i = 0; i < wv.length; i++) {
            wv[i] = (float) (0.01 * gaussian(rng));
        }
        float[] bv = new float[(int) out];
        Arrays.fill(bv, (float) ClassifierBias.classifierBiasPrior(spec));
        graph.replaceParameter(wName, HostTensor.ofFloats(ws, wv));
        graph.replaceParameter(bName, HostTensor.ofFloats(new long[] {out}, bv));
        return true;
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
