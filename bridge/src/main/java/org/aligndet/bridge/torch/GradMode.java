package org.aligndet.bridge.torch;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Scoped switch of libtorch's (thread-local) grad mode, restored on close:
 * {@code try (GradMode g = GradMode.off()) { ...in-place updates... }}.
 */
public final class GradMode implements AutoCloseable {
    private final boolean previous;

    private GradMode(boolean enabled) {
        TorchRuntime.init();
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** No autograd recording: for EMA, optimiser steps, copying weights in. */
    public static GradMode off() {
        return new GradMode(false);
    }

    /** Autograd recording on: for the forward pass whose loss will be back-propagated. */
    public static GradMode on() {
        return new GradMode(true);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
