package org.aligndet.trainer.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.aligndet.bridge.checkpoint.TorchCheckpoint;
import org.aligndet.bridge.torch.TorchGraph;
import org.aligndet.trainer.augment.AugmentConfig;
import org.aligndet.trainer.augment.BoxList;
import org.aligndet.trainer.augment.TwoViewPipeline;
import org.aligndet.trainer.augment.View;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.family.DenseFamily;
import org.aligndet.trainer.family.DetectorFamily;
import org.aligndet.trainer.family.TwoStageFamily;
import org.aligndet.trainer.loader.Batch;
import org.aligndet.trainer.loader.SampleTransform;
import org.aligndet.trainer.loss.LossTerms;
import org.aligndet.trainer.model.ClassifierSizing;
import org.aligndet.trainer.model.DenseDetector;
import org.aligndet.trainer.model.FeatureStats;
import org.aligndet.trainer.model.HeadOutputs;
import org.aligndet.trainer.model.Projector;
import org.aligndet.trainer.optim.Ema;
import org.aligndet.trainer.optim.MomentumSchedule;
import org.aligndet.trainer.run.CheckpointParts;
import org.aligndet.trainer.run.StepSections;
import org.aligndet.trainer.run.TrainingTask;
import org.aligndet.trainer.weights.DetectorInit;

/**
 * AlignDet's box-domain pre-training step: the online detector sees view 1 with gradients through
 * neck and head (backbone frozen), the momentum detector view 2 without; each assigns its priors to
 * the proposals with the family's own rule and samples up to {@code samplesPerImage} per image,
 * positives first ({@link TargetBuilder}); {@link AlignDetObjective} adds the box contrastive loss and
 * the detector's regression losses; after the SGD step the momentum detector and projector follow by
 * EMA with the cosine momentum schedule.
 */
final class PretrainTask implements TrainingTask, AutoCloseable {
    private final PretrainOptions o;
    private final List<ImageRecord> records;
    private final NDManager manager;
    private final TorchGraph online;
    private final TorchGraph momentum;
    private final Projector projector;
    private final Projector momentumProjector;
    private final PretrainStep step;
    private final MomentumSchedule ms;
    private final Map<String, NDArray> trainable = new LinkedHashMap<>();
    private final Map<String, NDArray> momentumTrainable = new LinkedHashMap<>();
    private final Map<String, NDArray> onlineParams = new LinkedHashMap<>();

    PretrainTask(PretrainOptions o, List<ImageRecord> records, Device device, PrintStream log) throws IOException {
        this.o = o;
        this.records = records;
        DetectorFamily family = DetectorFamily.of(o.spec);
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        this.online = TorchGraph.load(o.graph, device, family.graphMethods().toArray(new String[0]));
        ClassifierSizing.apply(o.spec, online, o.seed);
        if (o.backbone == null) {
            log.println("pretrain: no --backbone given: the graph's own backbone weights are used (frozen)");
        } else {
            log.println("pretrain: " + DetectorInit.fromBackbone(online, o.spec, o.backbone).summary());
        }
        if (!o.trainBackbone) {
            online.freezePrefixes("backbone.");
        }
        online.freeze(n -> n.endsWith("running_mean") || n.endsWith("running_var"));
        online.setTraining(true);
        if (family instanceof DenseFamily dense) {
            this.projector = Projector.create(manager, o.spec.headChannels(), dense.priorsPerLocation(), o.projectorDim,
                    dense.projectorKernel(), o.seed);
        } else {
            // the two-stage head: MoCo v2's fc-ReLU-fc on the RoI head's shared fc features, PyTorch Linear's scale
            int fc = DetectorFamily.twoStage(o.spec).fcChannels();
            this.projector = Projector.create(manager, fc, 1, o.projectorDim, 1, o.seed, 1 / Math.sqrt(3.0 * fc));
        }
        this.momentum = online.copyFrozen();
        momentum.setTraining(true);
        this.momentumProjector = projector.frozenCopy(manager);
        this.step = family instanceof DenseFamily dense ? new DenseStep(dense) : new TwoStageStep(DetectorFamily.twoStage(o.spec));
        this.ms = new MomentumSchedule(o.emaBase, Math.max(1, o.totalIterations(records.size() / o.batch)));
        online.trainableNames().forEach(n -> onlineParams.put(n, online.parameters().get(n)));
        onlineParams.keySet().forEach(n -> momentumTrainable.put(n, momentum.parameters().get(n)));
        trainable.putAll(onlineParams);
        trainable.putAll(projector.parameters());
        log.printf("pretrain: %s trainable (%d tensors), projector %s, pretext %s%n",
                o.trainBackbone ? "backbone, neck and head" : "neck and head", onlineParams.size(),
                projector.parameters().keySet(), o.pretext.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public String stage() {
        return "pretrain";
    }

    @Override
    public String title() {
        return "AlignDet pre-training: " + o.spec.name();
    }

    @Override
    public List<ImageRecord> records() {
        return records;
    }

    @Override
    public SampleTransform transform() {
        AugmentConfig aug = new AugmentConfig(o.longSide, o.shortSides, o.flipProb, o.photometric, o.spec.mean(), o.spec.std(),
                o.spec.padDivisor(), 0f);
        return SampleTransform.twoView(new TwoViewPipeline(aug));
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
        return step.forward(batch, scope, iteration, logged);
    }

    /**
     * The graph calls of {@link #forward} alone, for the step benchmark: the online detector on view 1
     * (history through neck and heads), the momentum detector on view 2 without; the trivial loss of
     * the online outputs.
     */
    NDArray graphOnly(List<NDArray> views) {
        return step.graphOnly(views);
    }

    /** How a batch of two views becomes the family's pre-training loss terms. */
    private interface PretrainStep {
        LossTerms forward(Batch batch, NDManager scope, long iteration, Map<String, Double> logged);

        NDArray graphOnly(List<NDArray> views);
    }

    private SplittableRandom stepRandom(long iteration) {
        return new SplittableRandom(o.seed * 0x9E3779B97F4A7C15L + iteration);
    }

    private boolean diagnose(long iteration) {
        return iteration == 0 || (iteration + 1) % o.logEvery == 0;
    }

    /** Dense heads: priors assigned to proposals ({@link TargetBuilder}), {@link AlignDetObjective}. */
    private final class DenseStep implements PretrainStep {
        private final DenseDetector onlineDet;
        private final DenseDetector momentumDet;
        private final TargetBuilder targets;
        private final AlignDetObjective objective;

        DenseStep(DenseFamily family) {
            this.onlineDet = family.detector(online);
            this.momentumDet = family.detector(momentum);
            this.targets = new TargetBuilder(family, o.samplesPerImage, o.samplePosFraction);
            this.objective = new AlignDetObjective(family, o.temperature, o.pretext);
        }

        @Override
        public LossTerms forward(Batch batch, NDManager scope, long iteration, Map<String, Double> logged) {
            SplittableRandom rng = stepRandom(iteration);
            List<BoxList> boxes1 = new ArrayList<>();
            List<BoxList> boxes2 = new ArrayList<>();
            List<int[]> pads1 = new ArrayList<>();
            List<int[]> pads2 = new ArrayList<>();
            for (Batch.Sample smp : batch.samples()) {
                View v1 = smp.views().get(0);
                View v2 = smp.views().get(1);
                boxes1.add(v1.boxes());
                boxes2.add(v2.boxes());
                pads1.add(new int[] {v1.image().height(), v1.image().width()});
                pads2.add(new int[] {v2.image().height(), v2.image().width()});
            }
            long mark = StepSections.mark();
            HeadOutputs out1 = onlineDet.head(batch.views().get(0).toNd(scope), true, o.trainBackbone);
            HeadOutputs out2 = momentumDet.head(batch.views().get(1).toNd(scope), false, false);
            mark = StepSections.lap("graph", mark);
            // anchors beyond an image's own padded extent are ignored, as the detector's head does
            ViewTargets t1 = targets.build(out1.layout(), boxes1, pads1, rng);
            ViewTargets t2 = targets.build(out2.layout(), boxes2, pads2, rng);
            mark = StepSections.lap("targets", mark);
            boolean diagnose = diagnose(iteration);
            // the momentum side's keys first; its maps are then freed (a DJL array otherwise lives to the step's end)
            NDArray k = objective.momentumKeys(out2, t2, momentumProjector, diagnose);
            out2.close();
            LossTerms terms = objective.compute(out1, t1, projector, k, t2, diagnose ? logged : null);
            StepSections.lap("losses", mark);
            logged.put("positives", (double) t1.positives());
            logged.put("background", (double) t1.background());
            if (diagnose) {
                FeatureStats.log(logged, out1);
            }
            return terms;
        }

        @Override
        public NDArray graphOnly(List<NDArray> views) {
            HeadOutputs out1 = onlineDet.head(views.get(0), true, o.trainBackbone);
            momentumDet.head(views.get(1), false, false);
            List<NDArray> outs = new ArrayList<>(out1.clsFeats());
            outs.addAll(out1.boxOut());
            outs.addAll(out1.centerness());
            return org.aligndet.trainer.bench.StepBench.trivialLoss(outs);
        }
    }

    /** Two-stage detectors: {@link TwoStagePretext} (RPN on the proposals, RoIs paired by proposal id). */
    private final class TwoStageStep implements PretrainStep {
        private final TwoStagePretext pretextStep;
        private final int maxRois;
        private int lastRois; // RoIs per image the last full step kept (0: none ran yet)

        TwoStageStep(TwoStageFamily family) {
            this.maxRois = Math.min(o.samplesPerImage, family.trainProposalsPerImage());
            this.pretextStep = new TwoStagePretext(family, family.detector(online), family.detector(momentum), o.samplesPerImage,
                    o.temperature, o.pretext);
        }

        @Override
        public LossTerms forward(Batch batch, NDManager scope, long iteration, Map<String, Double> logged) {
            int n = batch.samples().size();
            List<BoxList> boxes1 = new ArrayList<>(n), boxes2 = new ArrayList<>(n);
            int[][] valid1 = new int[n][], valid2 = new int[n][];
            int i = 0;
            for (Batch.Sample smp : batch.samples()) {
                View v1 = smp.views().get(0);
                View v2 = smp.views().get(1);
                boxes1.add(v1.boxes());
                boxes2.add(v2.boxes());
                valid1[i] = new int[] {v1.validHeight(), v1.validWidth()};
                valid2[i++] = new int[] {v2.validHeight(), v2.validWidth()};
            }
            LossTerms terms = pretextStep.compute(batch.views().get(0).toNd(scope), boxes1, valid1,
                    batch.views().get(1).toNd(scope), boxes2, valid2, o.trainBackbone, projector, momentumProjector,
                    stepRandom(iteration), logged, diagnose(iteration));
            lastRois = (int) Math.round(logged.getOrDefault("positives", 0.0));
            return terms;
        }

        @Override
        public NDArray graphOnly(List<NDArray> views) {
            // as many RoIs per image as the last full step kept; before any, the most it can keep
            return pretextStep.graphOnly(views.get(0), views.get(1), o.trainBackbone, lastRois > 0 ? lastRois : maxRois);
        }
    }

    @Override
    public Map<String, Double> schedules(long iteration) {
        return Map.of("momentum", ms.at(iteration));
    }

    @Override
    public void afterStep(long iteration) {
        double m = ms.at(iteration);
        Ema.update(onlineParams, momentumTrainable, m);
        Ema.update(projector.parameters(), momentumProjector.parameters(), m);
    }

    @Override
    public Map<String, Object> meta() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("spec", o.spec.name());
        meta.put("aligndet_pretrained", true);
        meta.put("recipe", "aligndet-pretrain");
        meta.put("temperature", o.temperature);
        meta.put("ema_base", o.emaBase);
        meta.put("samples_per_image", (long) o.samplesPerImage);
        meta.put("sample_pos_fraction", o.samplePosFraction);
        meta.put("pretext", o.pretext.name().toLowerCase(java.util.Locale.ROOT));
        meta.put("train_backbone", o.trainBackbone);
        meta.put("backbone", o.backbone == null ? "" : o.backbone.toString());
        meta.put("proposals", o.proposals.toString());
        if (o.config != null) {
            meta.put("config", o.config); // the resolved settings, as the run folder's config.json
        }
        return meta;
    }

    @Override
    public void save(Map<String, Object> root) {
        root.put("state_dict", online.stateDict());
        root.put("projector", projector.state());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state_dict", momentum.stateDict());
        m.put("projector", momentumProjector.state());
        root.put("momentum", m);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void restore(Map<String, Object> root, Path file) {
        CheckpointParts.requireSpec(root, o.spec.name(), file);
        Map<String, Object> m = CheckpointParts.map(root, "momentum", file);
        CheckpointParts.loadComplete(online, root.get("state_dict"), file, "state_dict");
        CheckpointParts.loadComplete(momentum, m.get("state_dict"), file, "momentum.state_dict");
        CheckpointParts.copyInto(projector.parameters(), root.get("projector"), file, "projector");
        CheckpointParts.copyInto(momentumProjector.parameters(), m.get("projector"), file, "momentum.projector");
    }

    /** The slim result for fine-tuning: detector weights, projector (dropped later), meta. */
    @Override
    public void finish(long iterations) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state_dict", online.stateDict());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("aligndet_version", "0.1.0");
        meta.put("stage", stage());
        meta.putAll(meta());
        meta.put("iter", iterations);
        meta.put("seed", o.seed);
        root.put("meta", meta);
        root.put("projector", projector.state());
        TorchCheckpoint.write(pretrainedPath(), root);
    }

    Path pretrainedPath() {
        return o.out.resolve("pretrained.pth");
    }

    @Override
    public String inputsToCheck() {
        return "the proposals";
    }

    @Override
    public void close() {
        momentum.close();
        online.close();
        manager.close();
    }
}
