package org.aligndet.trainer.finetune;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.augment.AugmentConfig;
import org.aligndet.trainer.augment.FinetunePipeline;
import org.aligndet.trainer.augment.View;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.detect.DenseSupervisedLoss;
import org.aligndet.trainer.detect.GtBoxes;
import org.aligndet.trainer.detect.TwoStageSupervised;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.family.TwoStageFamily;
import org.aligndet.trainer.infer.TorchPredictor;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.loader.SampleTransform;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.mask.MaskGeometry;
import org.aligndet.trainer.mask.Rle;
import org.aligndet.trainer.model.ClassifierSizing;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.model.FeatureStats;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.run.CheckpointParts;
import org.aligndet.trainer.run.StepSections;
import org.aligndet.trainer.run.TrainingTask;
import org.aligndet.trainer.weights.DetectorInit;
import org.aligndet.trainer.weights.InitReport;

/**
 * Supervised fine-tuning of a dense detector, mmdetection's way: a batch through the fine-tuning
 * pipeline (keep-ratio resize, flip 0.5, normalise, pad); backbone, neck, head and classifier with
 * gradients (the stem and the first {@code frozenStages} stages frozen, norm statistics frozen); the
 * family's {@link DenseSupervisedLoss}. The {@link Validator}, when given, scores the detector every
 * {@code valEvery} iterations and at the end; {@code best.pth} follows its primary metric and
 * {@code last.pth} is the final model.
 */
final class FinetuneTask implements TrainingTask, AutoCloseable {
    private final FinetuneOptions o;
    private final TrainingSet data;
    private final Validator validator;
    private final PrintStream log;
    private final TorchGraph graph;
    private final InitReport init;
    private final SupervisedStep step;
    private final TorchPredictor predictor;
    private final Map<String, NDArray> trainable = new LinkedHashMap<>();
    double bestScore = Double.NaN;
    long bestIter = -1;
    Path bestPath;
    ValidationResult lastValidation;

    FinetuneTask(FinetuneOptions o, TrainingSet data, Validator validator, Device device, PrintStream log) throws IOException {
        this.o = o;
        this.data = data;
        this.validator = validator;
        this.log = log;
        DetectorFamily family = DetectorFamily.of(o.spec);
        this.graph = TorchGraph.load(o.graph, device, family.graphMethods().toArray(new String[0]));
        if (ClassifierSizing.apply(o.spec, graph, o.seed)) {
            log.println("finetune: classifier sized at run time for " + o.spec.numClasses() + " classes (graphs of "
                    + o.spec.graphsFrom() + ")");
        }
        this.init = initialise();
        init.write(o.out.resolve("init_report.json"));
        log.println("finetune: " + init.summary());
        int frozen = graph.freeze(this::frozen);
        graph.setTraining(true);
        graph.trainableNames().forEach(n -> trainable.put(n, graph.parameters().get(n)));
        this.step = family instanceof DenseFamily d ? new DenseStep(d) : new TwoStageStep(DetectorFamily.twoStage(o.spec));
        this.predictor = TorchPredictor.of(family, graph);
        log.printf("finetune: %d tensors frozen%n", frozen);
    }

    private InitReport initialise() throws IOException {
        if (o.init != null) {
            return DetectorInit.fromPretrained(graph, o.spec, o.init, o.seed, o.freshRegression);
        }
        if (o.backbone != null) {
            return DetectorInit.fromBackbone(graph, o.spec, o.backbone);
        }
        log.println("finetune: neither --init nor --backbone: starting from the graph's own weights");
        return DetectorInit.graphOnly(graph);
    }

    /** mmdetection's ResNet {@code frozen_stages} plus frozen norm statistics. */
    boolean frozen(String name) {
        if (name.endsWith("running_mean") || name.endsWith("running_var") || name.endsWith("num_batches_tracked")) {
            return true;
        }
        if (o.frozenStages >= 0 && (name.startsWith("backbone.conv1.") || name.startsWith("backbone.bn1.")
                || name.startsWith("backbone.stem."))) {
            return true;
        }
        for (int i = 1; i <= o.frozenStages; i++) {
            if (name.startsWith("backbone.layer" + i + ".")) {
                return true;
            }
        }
        return false;
    }

    InitReport init() {
        return init;
    }

    @Override
    public String stage() {
        return "finetune";
    }

    @Override
    public String title() {
        return "Fine-tuning (" + o.recipe + "): " + o.spec.name();
    }

    @Override
    public List<ImageRecord> records() {
        return data.images();
    }

    @Override
    public SampleTransform transform() {
        AugmentConfig aug = new AugmentConfig(o.longSide, List.of(o.shortSide), o.flipProb, false, o.spec.mean(),
                o.spec.std(), o.spec.padDivisor(), 0f);
        return SampleTransform.finetune(new FinetunePipeline(aug));
    }

    @Override
    public NDManager manager() {
        return graph.manager();
    }

    @Override
    public Map<String, NDArray> trainable() {
        return trainable;
    }

    @Override
    public LossTerms forward(Batch batch, NDManager scope, long iteration, Map<String, Double> logged) {
        return step.forward(batch, scope, iteration, logged);
    }

    /** The graph calls of {@link #forward} alone, for the step benchmark, and their trivial loss. */
    NDArray graphOnly(NDArray images) {
        return step.graphOnly(images);
    }

    /** How a batch becomes the family's supervised loss terms. */
    private interface SupervisedStep {
        LossTerms forward(Batch batch, NDManager scope, long iteration, Map<String, Double> logged);

        NDArray graphOnly(NDArray images);
    }

    /** Dense heads: head and classifier with history, {@link DenseSupervisedLoss}. */
    private final class DenseStep implements SupervisedStep {
        private final DenseDetector detector;
        private final DenseSupervisedLoss loss;

        DenseStep(DenseFamily family) {
            this.detector = family.detector(graph);
            this.loss = DenseSupervisedLoss.of(family);
        }

        @Override
        public LossTerms forward(Batch batch, NDManager scope, long iteration, Map<String, Double> logged) {
            List<GtBoxes> gts = new ArrayList<>();
            List<int[]> padShapes = new ArrayList<>();
            for (Batch.Sample smp : batch.samples()) {
                View v = smp.views().get(0);
                gts.add(GtBoxes.trainable(v.boxes(), smp.record().instances()));
                padShapes.add(new int[] {v.image().height(), v.image().width()});
            }
            long mark = StepSections.mark();
            HeadOutputs out = detector.head(batch.views().get(0).toNd(scope), true, true);
            NDList logits = detector.classify(out.clsFeats(), true);
            StepSections.lap("graph", mark);
            if (iteration == 0 || (iteration + 1) % o.logEvery == 0) {
                FeatureStats.log(logged, out);
            }
            return loss.compute(out, logits, gts, padShapes); // its own sections: targets, losses
        }

        @Override
        public NDArray graphOnly(NDArray images) {
            HeadOutputs out = detector.head(images, true, true);
            List<NDArray> outs = new ArrayList<>(detector.classify(out.clsFeats(), true));
            outs.addAll(out.boxOut());
            outs.addAll(out.centerness());
            return org.aligndet.trainer.bench.StepBench.trivialLoss(outs);
        }
    }

    /** Two-stage detectors: {@link TwoStageSupervised} (RPN, proposals, RoI sampling, RoI head). */
    private final class TwoStageStep implements SupervisedStep {
        private final TwoStageSupervised supervised;
        private final boolean withMasks;
        private final int roiSamples;

        TwoStageStep(TwoStageFamily family) {
            this.supervised = new TwoStageSupervised(family, family.detector(graph));
            this.withMasks = family.hasMasks();
            this.roiSamples = family.roiSamples();
        }

        @Override
        public LossTerms forward(Batch batch, NDManager scope, long iteration, Map<String, Double> logged) {
            List<GtBoxes> gts = new ArrayList<>();
            List<TwoStageSupervised.ImageMasks> masks = withMasks ? new ArrayList<>() : null;
            int[][] valid = new int[batch.samples().size()][];
            int i = 0;
            for (Batch.Sample smp : batch.samples()) {
                View v = smp.views().get(0);
                gts.add(GtBoxes.trainable(v.boxes(), smp.record().instances()));
                valid[i++] = new int[] {v.validHeight(), v.validWidth()};
                if (withMasks) {
                    masks.add(masks(smp.record(), v));
                }
            }
            SplittableRandom rng = new SplittableRandom(o.seed * 0x9E3779B97F4A7C15L + iteration);
            return supervised.compute(batch.views().get(0).toNd(scope), gts, valid, masks, rng, logged);
        }

        /** An image's gt masks in {@link GtBoxes#trainable}'s order, and how its view was made. */
        private TwoStageSupervised.ImageMasks masks(ImageRecord r, View v) {
            long[] ids = GtBoxes.trainableIds(v.boxes(), r.instances());
            java.util.Map<Long, Integer> index = new java.util.HashMap<>();
            for (int k = 0; k < r.instances().size(); k++) {
                index.put(r.instances().get(k).id(), k);
            }
            List<Rle> gt = new ArrayList<>(ids.length);
            for (long id : ids) {
                Integer k = index.get(id);
                if (k == null || !r.hasSegmentations() || r.segmentations().get(k) == null) {
                    throw new IllegalStateException(r.key() + ": annotation " + id + " has no segmentation for the mask head");
                }
                gt.add(r.segmentations().get(k).toRle(r.height(), r.width()));
            }
            return new TwoStageSupervised.ImageMasks(gt, new MaskGeometry(r.width(), r.height(), v.validWidth(), v.validHeight(),
                    v.image().width(), v.image().height(), v.flipped()));
        }

        @Override
        public NDArray graphOnly(NDArray images) {
            return supervised.graphOnly(images, roiSamples); // as many RoIs as the step samples
        }
    }

    @Override
    public boolean evaluationDue(long iteration, long total) {
        return validator != null && (o.valEvery > 0 && iteration % o.valEvery == 0 || iteration == total);
    }

    @Override
    public Map<String, Double> evaluate(long iteration) throws IOException {
        ValidationResult v = validator.validate(predictor, iteration);
        lastValidation = v;
        v.skipped().forEach(k -> log.printf("finetune: validation skipped %s%n", k));
        double score = v.primaryValue();
        boolean better = Double.isNaN(bestScore) || score > bestScore;
        log.printf("%nfinetune: validation at iteration %d: %s = %.4f%s%n", iteration, v.primary(), score,
                better ? " (best so far)" : String.format(" (best %.4f at %d)", bestScore, bestIter));
        if (better) {
            bestScore = score;
            bestIter = iteration;
            bestPath = o.out.resolve("best.pth");
            writeModel(bestPath, iteration);
        }
        Map<String, Double> m = new LinkedHashMap<>(v.metrics());
        if (!v.skipped().isEmpty()) {
            m.put("skipped_images", (double) v.skipped().size());
        }
        return m;
    }

    @Override
    public Map<String, Object> meta() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spec", o.spec.name());
        m.put("classes", data.classes());
        m.put("recipe", o.recipe);
        m.put("aligndet_pretrained", "pretrained".equals(init.mode()));
        m.put("init", o.init != null ? o.init.toString() : o.backbone != null ? o.backbone.toString() : "");
        m.put("init_mode", init.mode());
        m.put("img_scale", List.of((long) o.longSide, (long) o.shortSide));
        m.put("frozen_stages", (long) o.frozenStages);
        m.put("fraction", o.fraction);
        m.put("fold", (long) o.fold);
        m.put("train", String.valueOf(o.train));
        m.put("best_score", bestScore);
        m.put("best_iter", bestIter);
        if (o.config != null) {
            m.put("config", o.config); // the resolved settings, as the run folder's config.json
        }
        return m;
    }

    @Override
    public void save(Map<String, Object> root) {
        root.put("state_dict", graph.stateDict());
    }

    @Override
    public void restore(Map<String, Object> root, Path file) {
        CheckpointParts.requireSpec(root, o.spec.name(), file);
        CheckpointParts.loadComplete(graph, root.get("state_dict"), file, "state_dict");
        Map<String, Object> m = CheckpointParts.map(root, "meta", file);
        bestScore = ((Number) m.getOrDefault("best_score", Double.NaN)).doubleValue();
        bestIter = ((Number) m.getOrDefault("best_iter", -1L)).longValue();
        Path best = o.out.resolve("best.pth");
        bestPath = bestIter >= 0 && Files.exists(best) ? best : null;
    }

    @Override
    public void finish(long iterations) throws IOException {
        Path last = o.out.resolve("last.pth");
        writeModel(last, iterations);
        log.printf("finetune: wrote %s%s%n", last, bestPath == null ? "" : " and " + bestPath);
    }

    /** The model alone: {@code state_dict} and {@code meta} (what export reads). */
    private void writeModel(Path file, long iteration) throws IOException {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("aligndet_version", "0.1.0");
        meta.put("stage", stage());
        meta.putAll(meta());
        meta.put("iter", iteration);
        meta.put("batch", (long) o.batch);
        meta.put("lr", o.lr);
        meta.put("weight_decay", o.weightDecay);
        meta.put("seed", o.seed);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", graph.stateDict());
        root.put("meta", meta);
        TorchCheckpoint.write(file, root);
    }

    @Override
    public String inputsToCheck() {
        return "the annotations";
    }

    @Override
    public void close() {
        graph.close();
    }
}
