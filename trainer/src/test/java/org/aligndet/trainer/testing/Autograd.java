package org.aligndet.trainer.testing;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.Function;
import org.aligndet.bridge.torch.TorchRuntime;

/** A loss's value and its gradient with respect to one input, through DJL's (single) gradient collector. */
public final class Autograd {
    private Autograd() {
    }

    /** The value and gradient of {@code f(x)} at {@code x}, a scalar function. */
    public record Result(float value, float[] grad) {
    }

    public static NDManager manager() {
        TorchRuntime.init();
        return NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
    }

    public static Result evaluate(NDManager m, float[] x, Shape shape, Function<NDArray, NDArray> f) {
        NDArray in = m.create(x, shape);
        in.setRequiresGradient(true);
        float value;
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray loss = f.apply(in);
            if (loss.getShape().size() != 1) {
                throw new IllegalStateException("loss is not a scalar: " + loss.getShape());
            }
            value = loss.getFloat();
            gc.backward(loss);
        }
        return new Result(value, in.getGradient().toFloatArray());
    }
}
