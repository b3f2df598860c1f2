package org.aligndet.trainer.backbone;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.bridge.torch.NdTensors;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.augment.AugmentConfig;
import org.aligndet.trainer.augment.FinetunePipeline;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.data.ImageFolderReader;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.loader.BatchLoader;
import org.aligndet.trainer.loader.LoaderOptions;
import org.aligndet.trainer.loader.SampleTransform;
import org.aligndet.trainer.optim.GradClip;
import org.aligndet.trainer.optim.Sgd;
import org.aligndet.trainer.optim.WarmupStepSchedule;
import org.aligndet.trainer.run.Gradients;
import org.aligndet.trainer.spec.ModelSpec;

/**
 * The image-domain stage, for specs that have no pre-trained backbone to import (the tiny ones):
 * supervised classification of object-centric crops (one class per folder, as {@code aligndet synth
 * --crops} writes them) with the detector's own backbone, global average pooling of its last stage
 * and a Java linear classifier. The result holds the backbone's weights under their graph names,
 * ready for {@code pretrain --backbone} and {@code finetune --backbone}.
 */
public final class BackbonePretrainer {
    /** Options; defaults suit the tiny specs on synthetic crops. */
    public static final class Options {
        public ModelSpec spec;
        public Path graph;
        public Path crops;
        public Path out;
        public int epochs = 12;
        public int batch = 32;
        public int size = 64;
        public double lr = 0.05;
        public double weightDecay = 1e-4;
        public double valFraction = 0.1;
        public String device = "auto";
        public long seed = 0;
        public int workers = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    }

    /** Accuracy of the classifier on the held-out crops after each epoch, and where the weights went. */
    public record Result(Path checkpoint, List<Double> trainLoss, List<Double> valAccuracy, int classes, int trainImages, int valImages) {
    }

    private final Options o;
    private final PrintStream log;

    public BackbonePretrainer(Options options, PrintStream log) {
        this.o = options;
        this.log = log;
    }

    public Result run() throws IOException {
        Device device = Devices.resolveAndLog(o.device);
        Dataset d = ImageFolderReader.readClassFolders(o.crops);
        if (d.classes().size() < 2) {
            throw new IllegalArgumentException(o.crops + ": needs at least two class folders of images, found " + d.classes());
        }
        List<ImageRecord> train = new ArrayList<>();
        List<ImageRecord> val = new ArrayList<>();
        split(d.images(), train, val);
        int k = d.classes().size();
        log.printf("backbone: %s on %s, %d classes, %d train / %d held-out crops at %d px%n", o.spec.name(),
                Devices.describe(device), k, train.size(), val.size(), o.size);
        AugmentConfig aug = new AugmentConfig(o.size, List.of(o.size), 0.5, true, o.spec.mean(), o.spec.std(), 32, 0f);
        AugmentConfig plain = new AugmentConfig(o.size, List.of(o.size), 0.0, false, o.spec.mean(), o.spec.std(), 32, 0f);
        int perEpoch = Math.max(1, train.size() / o.batch);
        WarmupStepSchedule lrs = new WarmupStepSchedule(o.lr, Math.min(100, perEpoch), 0.001,
                new int[] {(int) (o.epochs * 0.67), (int) (o.epochs * 0.9)}, 0.1);
        List<Double> losses = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(device, "PyTorch");
             TorchGraph g = TorchGraph.load(o.graph, device, "backbone_forward");
             Sgd sgd = new Sgd(0.9, o.weightDecay)) {
            g.freeze(n -> !n.startsWith("backbone.") || n.endsWith("running_mean") || n.endsWith("running_var"));
            g.setTraining(true);
            Map<String, NDArray> params = new LinkedHashMap<>();
            g.trainableNames().forEach(n -> params.put(n, g.parameters().get(n)));
            long channels = lastStageChannels(g);
            Classifier head = new Classifier(manager, (int) channels, k, o.seed);
            params.putAll(head.parameters());
            long it = 0;
            for (int epoch = 0; epoch < o.epochs; epoch++) {
                double sum = 0;
                int n = 0;
                LoaderOptions lo = new LoaderOptions(o.batch, o.workers, Math.max(2, 2 * o.workers), true, true, o.seed);
                try (BatchLoader loader = new BatchLoader(train, SampleTransform.finetune(new FinetunePipeline(aug)), lo, epoch)) {
                    while (loader.hasNext()) {
                        Batch b = loader.next();
                        double lr = lrs.lr((int) it++, epoch);
                        try (NDManager step = manager.newSubManager()) {
                            NDArray x = b.views().get(0).toNd(step);
                            NDArray labels = step.create(labels(b));
                            NDArray loss;
                            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                                NDArray logits = head.forward(pooled(g, x, true));
                                loss = logits.logSoftmax(1).mul(labels.oneHot(k)).sum(new int[] {1}).neg().mean();
                                gc.backward(loss);
                            }
                            float lv = loss.getFloat();
                            if (!Float.isFinite(lv)) {
                                throw new IllegalStateException("backbone pre-training diverged (loss " + lv + ") at epoch " + (epoch + 1) + ": lower --lr");
                            }
                            sum += lv;
                            n++;
                            Map<String, NDArray> grads = Gradients.of(params);
                            GradClip.clip(grads, 35);
                            sgd.step(params, grads, lr);
                            Gradients.release(grads, params.values());
                        }
                    }
                }
                losses.add(n == 0 ? Double.NaN : sum / n);
                double acc = accuracy(g, head, val.isEmpty() ? train : val, plain, manager);
                accuracy.add(acc);
                log.printf("backbone: epoch %d/%d  loss %.4f  held-out top-1 %.3f%n", epoch + 1, o.epochs, losses.get(epoch), acc);
            }
            Map<String, HostTensor> backbone = new LinkedHashMap<>();
            g.stateDict().forEach((name, t) -> {
                if (name.startsWith("backbone.")) {
                    backbone.put(name, t);
                }
            });
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("aligndet_version", "0.1.0");
            meta.put("spec", o.spec.name());
            meta.put("stage", "image-domain");
            meta.put("classes", d.classes());
            meta.put("epochs", (long) o.epochs);
            meta.put("size", (long) o.size);
            meta.put("heldout_top1", accuracy.get(accuracy.size() - 1));
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("state_dict", backbone);
            root.put("meta", meta);
            root.put("classifier", head.state());
            TorchCheckpoint.write(o.out, root);
            log.printf("backbone: wrote %s (%d tensors)%n", o.out, backbone.size());
        }
        return new Result(o.out, losses, accuracy, k, train.size(), val.size());
    }

    /** A seeded, class-stratified hold-out: every {@code 1/valFraction}-th crop of each class after a shuffle. */
    private void split(List<ImageRecord> all, List<ImageRecord> train, List<ImageRecord> val) {
        List<ImageRecord> shuffled = new ArrayList<>(all);
        SplittableRandom rng = new SplittableRandom(o.seed ^ 0x5DEECE66DL);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            ImageRecord t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        int every = o.valFraction <= 0 ? Integer.MAX_VALUE : (int) Math.max(2, Math.round(1 / o.valFraction));
        Map<Integer, Integer> seen = new LinkedHashMap<>();
        for (ImageRecord r : shuffled) {
            if (r.instances().isEmpty()) {
                continue; // header unreadable: size unknown, no label box
            }
            int label = r.instances().get(0).label();
            int c = seen.merge(label, 1, Integer::sum);
            (c % every == 0 ? val : train).add(r);
        }
    }

    private static long[] labels(Batch b) {
        long[] l = new long[b.samples().size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = b.samples().get(i).record().instances().get(0).label();
        }
        return l;
    }


    /** Global average pool of the backbone's last stage: [N, C]. */
    static NDArray pooled(TorchGraph g, NDArray x, boolean grad) {
        NDList feats = g.call("backbone_forward", grad, x);
        return feats.get(feats.size() - 1).mean(new int[] {3}).mean(new int[] {2});
    }

    private static long lastStageChannels(TorchGraph g) {
        long c = 0;
        for (var e : g.parameters().entrySet()) {
            if (e.getKey().startsWith("backbone.layer4.") && e.getKey().endsWith("weight") && e.getValue().getShape().dimension() == 4) {
                c = e.getValue().getShape().get(0);
            }
        }
        if (c == 0) {
            throw new IllegalStateException(g.source() + ": no backbone.layer4 convolution found");
        }
        return c;
    }

    private double accuracy(TorchGraph g, Classifier head, List<ImageRecord> records, AugmentConfig plain, NDManager manager) {
        LoaderOptions lo = new LoaderOptions(o.batch, o.workers, Math.max(2, 2 * o.workers), false, false, o.seed);
        int right = 0;
        int total = 0;
        try (BatchLoader loader = new BatchLoader(records, SampleTransform.finetune(new FinetunePipeline(plain)), lo, 0)) {
            while (loader.hasNext()) {
                Batch b = loader.next();
                try (NDManager step = manager.newSubManager()) {
                    NDArray pred = head.forward(pooled(g, b.views().get(0).toNd(step), false)).argMax(1);
                    long[] p = pred.toLongArray();
                    long[] l = labels(b);
                    for (int i = 0; i < p.length; i++) {
                        right += p[i] == l[i] ? 1 : 0;
                    }
                    total += p.length;
                }
            }
        }
        return total == 0 ? 0 : (double) right / total;
    }

    /** The linear classifier on pooled features: logits = x W^T + b, W ~ N(0, 0.01). */
    static final class Classifier {
        private final Map<String, NDArray> params = new LinkedHashMap<>();

        Classifier(NDManager m, int channels, int classes, long seed) {
            SplittableRandom rng = new SplittableRandom(seed + 17);
            float[] w = new float[classes * channels];
            for (int i = 0; i < w.length; i++) {
                double u1 = 1.0 - rng.nextDouble();
                double u2 = rng.nextDouble();
                w[i] = (float) (0.01 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
            }
            NDArray weight = m.create(w, new Shape(classes, channels));
            NDArray bias = m.zeros(new Shape(classes));
            weight.setRequiresGradient(true);
            bias.setRequiresGradient(true);
            params.put("classifier.weight", weight);
            params.put("classifier.bias", bias);
        }

        NDArray forward(NDArray x) {
            return x.matMul(params.get("classifier.weight").transpose()).add(params.get("classifier.bias"));
        }

        Map<String, NDArray> parameters() {
            return params;
        }

        Map<String, HostTensor> state() {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            params.forEach((k, v) -> out.put(k, NdTensors.toHost(v)));
            return out;
        }
    }
}
