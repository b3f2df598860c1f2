package org.aligndet.trainer.backbone;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.tensor.HostTensor;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.augment.AugmentConfig;
import org.aligndet.trainer.augment.FinetunePipeline;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.loader.BatchLoader;
import org.aligndet.trainer.loader.LoaderOptions;
import org.aligndet.trainer.loader.SampleTransform;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.run.CheckpointParts;
import org.aligndet.trainer.run.TrainingTask;

/**
 * The image-domain step: crops through the detector's backbone, global average pooling of its last
 * stage, a Java linear classifier, cross-entropy. After each epoch the held-out crops are scored.
 */
final class BackboneTask implements TrainingTask, AutoCloseable {
    private final BackboneOptions o;
    private final List<ImageRecord> train;
    private final List<ImageRecord> heldOut;
    private final List<String> classes;
    private final PrintStream log;
    private final NDManager manager;
    private final TorchGraph graph;
    private final CropClassifier head;
    private final Map<String, NDArray> trainable = new LinkedHashMap<>();
    final List<Double> epochLoss = new ArrayList<>();
    final List<Double> accuracy = new ArrayList<>();
    private double lossSum;
    private int lossCount;

    BackboneTask(BackboneOptions o, List<ImageRecord> train, List<ImageRecord> heldOut, List<String> classes, Device device,
                 PrintStream log) {
        this.o = o;
        this.train = train;
        this.heldOut = heldOut;
        this.classes = classes;
        this.log = log;
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        this.graph = TorchGraph.load(o.graph, device, "backbone_forward");
        graph.freeze(n -> !n.startsWith("backbone.") || n.endsWith("running_mean") || n.endsWith("running_var"));
        graph.setTraining(true);
        graph.trainableNames().forEach(n -> trainable.put(n, graph.parameters().get(n)));
        this.head = new CropClassifier(manager, (int) lastStageChannels(graph), classes.size(), o.seed);
        trainable.putAll(head.parameters());
    }

    @Override
    public String stage() {
        return "backbone";
    }

    @Override
    public String title() {
        return "Image-domain stage: " + o.spec.name();
    }

    @Override
    public List<ImageRecord> records() {
        return train;
    }

    @Override
    public SampleTransform transform() {
        return transform(0.5, true);
    }

    private SampleTransform transform(double flip, boolean photometric) {
        return SampleTransform.finetune(new FinetunePipeline(new AugmentConfig(o.size, List.of(o.size), flip, photometric,
                o.spec.mean(), o.spec.std(), 32, 0f)));
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public Map<String, NDArray> trainable() {
        return trainable;
    }

    @Override
    public LossTerms forward(Batch batch, NDManager scope, long iteration, Map<String, Double> logged) {
        NDArray labels = scope.create(labels(batch));
        NDArray logits = head.forward(pooled(batch.views().get(0).toNd(scope), true));
        NDArray loss = logits.logSoftmax(1).mul(labels.oneHot(classes.size())).sum(new int[] {1}).neg().mean();
        lossSum += loss.getFloat();
        lossCount++;
        return new LossTerms().put("loss_cls", loss);
    }

    @Override
    public Map<String, Double> endOfEpoch(int epoch) {
        double mean = lossCount == 0 ? Double.NaN : lossSum / lossCount;
        lossSum = 0;
        lossCount = 0;
        double acc = accuracy(heldOut.isEmpty() ? train : heldOut);
        epochLoss.add(mean);
        accuracy.add(acc);
        log.printf("backbone: epoch %d/%d  loss %.4f  held-out top-1 %.3f%n", epoch + 1, o.epochs, mean, acc);
        return Map.of("train_loss", mean, "heldout_top1", acc);
    }

    @Override
    public Map<String, Object> meta() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("spec", o.spec.name());
        meta.put("classes", classes);
        meta.put("size", (long) o.size);
        return meta;
    }

    @Override
    public void save(Map<String, Object> root) {
        root.put("state_dict", graph.stateDict());
        root.put("classifier", head.state());
    }

    @Override
    public void restore(Map<String, Object> root, Path file) {
        CheckpointParts.requireSpec(root, o.spec.name(), file);
        CheckpointParts.loadComplete(graph, root.get("state_dict"), file, "state_dict");
        CheckpointParts.copyInto(head.parameters(), root.get("classifier"), file, "classifier");
    }

    /** The backbone's weights under their graph names, ready for {@code pretrain --backbone} and {@code finetune --backbone}. */
    @Override
    public void finish(long iterations) throws IOException {
        Map<String, HostTensor> backbone = new LinkedHashMap<>();
        graph.stateDict().forEach((name, t) -> {
            if (name.startsWith("backbone.")) {
                backbone.put(name, t);
            }
        });
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("aligndet_version", "0.1.0");
        meta.put("stage", "image-domain");
        meta.putAll(meta());
        meta.put("epochs", (long) o.epochs);
        meta.put("heldout_top1", accuracy.isEmpty() ? Double.NaN : accuracy.get(accuracy.size() - 1));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", backbone);
        root.put("meta", meta);
        root.put("classifier", head.state());
        TorchCheckpoint.write(o.checkpoint, root);
        log.printf("backbone: wrote %s (%d tensors)%n", o.checkpoint, backbone.size());
    }

    private static long[] labels(Batch b) {
        long[] l = new long[b.samples().size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = b.samples().get(i).record().instances().get(0).label();
        }
        return l;
    }

    /** Global average pool of the backbone's last stage: [N, C]. */
    private NDArray pooled(NDArray x, boolean grad) {
        NDList feats = graph.call("backbone_forward", grad, x);
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

    private double accuracy(List<ImageRecord> records) {
        LoaderOptions lo = new LoaderOptions(o.batch, o.workers, Math.max(2, 2 * o.workers), false, false, o.seed);
        int right = 0;
        int total = 0;
        try (BatchLoader loader = new BatchLoader(records, transform(0.0, false), lo, 0)) {
            while (loader.hasNext()) {
                Batch b = loader.next();
                try (NDManager step = manager.newSubManager()) {
                    long[] p = head.forward(pooled(b.views().get(0).toNd(step), false)).argMax(1).toLongArray();
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

    @Override
    public void close() {
        graph.close();
        manager.close();
    }
}
