package org.aligndet.export.reproduce;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aligndet.bridge.io.AtomicFiles;
import org.aligndet.export.eval.CocoValidator;
import org.aligndet.export.reproduce.ReproducePlan.Ablation;
import org.aligndet.export.reproduce.ReproducePlan.Cell;
import org.aligndet.trainer.finetune.FinetuneOptions;
import org.aligndet.trainer.finetune.Finetuner;
import org.aligndet.trainer.infer.Preprocessor;
import org.aligndet.trainer.pretrain.AlignDetPretrainer;
import org.aligndet.trainer.pretrain.PretrainOptions;
import org.aligndet.trainer.pretrain.Pretext;
import org.aligndet.trainer.proposals.ProposalFilter;
import org.aligndet.trainer.proposals.ProposalInputs;
import org.aligndet.trainer.proposals.ProposalRunner;
import org.aligndet.trainer.proposals.SearchMode;
import org.aligndet.trainer.run.MetricsLog;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;

/**
 * The paper's low-data protocol (Table 2) in miniature, from nothing: a synthetic benchmark (an
 * unlabelled training pool and a validation split), selective-search proposals on the pool, the
 * image-domain backbone, AlignDet box-domain pre-training on the whole pool, then fine-tuning of every
 * arm on each (label fraction, schedule) cell and fold, each scored on the validation split from its
 * own detections; the report pairs the arms fold by fold.
 *
 * <p>Resumable at run granularity: data, proposals, pre-training and every finished run are kept in
 * {@code out}; an interrupted fine-tuning run starts over. Folder: {@code data/}, {@code proposals.json},
 * {@code pretrain/VARIANT/}, {@code runs/NAME/} ({@code result.json}, {@code val_detections.json}, the
 * run's metrics and checkpoints), {@code report.json}, {@code report.md}, {@code *.png}.
 */
public final class Reproduction {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /**
     * @param backbone the image-domain backbone (the tiny specs' committed one by default)
     * @param threads  libtorch threads (0: its default)
     * @param workers  data loader threads
     */
    public record Settings(ModelSpecs specs, ModelSpec spec, Budget budget, ReproducePlan plan, long seed, Path out,
                           Path backbone, int threads, int workers) {
    }

    private final Settings s;
    private final PrintStream log;
    private final PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

    public Reproduction(Settings settings, PrintStream log) {
        this.s = settings;
        this.log = log;
    }

    public ReproduceReport run() throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(s.out());
        claim();
        Path data = data();
        Path proposals = proposals(data);
        Map<String, Path> pretrained = new java.util.LinkedHashMap<>();
        if (s.plan().arms().stream().anyMatch(Arm::fromPretrained)) {
            pretrained.put("main", pretrain(data, proposals, "main", Pretext.BOTH, false));
        }
        for (Ablation a : s.plan().ablations()) {
            pretrained.put(a.name(), pretrain(data, proposals, a.name(), Pretext.parse(a.pretext()), a.trainBackbone()));
        }
        List<RunRecord> runs = finetuneAll(data, pretrained);
        ReproduceReport report = ReproduceReport.of(s.spec().name(), s.budget().id(), s.seed(), s.plan(), runs,
                (System.nanoTime() - t0) / 1e9);
        report.write(s.out());
        ReproducePlots.write(s.out(), s.plan(), runs);
        return report;
    }

    /**
     * Records what this folder reproduces ({@code protocol.json}); a folder holding another protocol
     * (spec, budget, seed or sizes) is refused, so that resumed stages always belong together.
     */
    private void claim() throws IOException {
        Map<String, Object> p = new java.util.LinkedHashMap<>();
        p.put("spec", s.spec().name());
        p.put("budget", s.budget().id());
        p.put("seed", s.seed());
        p.put("sizes", s.plan().sizes());
        byte[] mine = JSON.writeValueAsBytes(p);
        Path file = s.out().resolve("protocol.json");
        if (Files.exists(file)) {
            if (!JSON.readTree(file.toFile()).equals(JSON.readTree(mine))) {
                throw new IllegalArgumentException(s.out() + " holds a reproduction of another protocol (see " + file
                        + "; runs may be added with other --cells, --folds, --arms or --ablations, sizes and seed must match): "
                        + "give another --out or remove it");
            }
            log.printf("reproduce: resuming %s%n", s.out());
            return;
        }
        AtomicFiles.write(file, mine);
    }

    private Path data() throws IOException {
        Path data = s.out().resolve("data");
        Path val = data.resolve("annotations/instances_val.json");
        if (Files.exists(val)) {
            log.printf("reproduce: data: reusing %s%n", data);
            return data;
        }
        ReproducePlan p = s.plan();
        int n = p.poolImages() + p.valImages();
        SynthConfig cfg = new SynthConfig(data, n, s.seed(), (double) p.valImages() / n, p.imageSize(), 0,
                SynthConfig.DEFAULT_CROP_SIZE, Math.max(1, s.workers()), false, true);
        SynthGenerator.generate(cfg);
        log.printf("reproduce: data: %d training-pool and %d validation scenes (seed %d) -> %s%n", p.poolImages(), p.valImages(),
                s.seed(), data);
        return data;
    }

    private Path proposals(Path data) {
        Path out = s.out().resolve("proposals.json");
        ProposalRunner.Options opts = new ProposalRunner.Options(SearchMode.SINGLE, 320, ProposalFilter.alignDet(),
                Math.max(1, s.workers()), false, 0);
        ProposalRunner.Summary r = ProposalRunner.run(ProposalInputs.cocoImages(data.resolve("annotations/instances_train.json"),
                data.resolve("train")), out, opts);
        log.printf("reproduce: proposals: %d images, %d proposals -> %s%n", r.images(), r.proposals(), out);
        return out;
    }

    private Path pretrain(Path data, Path proposals, String variant, Pretext pretext, boolean trainBackbone) throws IOException {
        Path dir = s.out().resolve("pretrain").resolve(variant);
        Path result = dir.resolve("pretrained.pth");
        if (Files.exists(result)) {
            log.printf("reproduce: pre-training %s: reusing %s%n", variant, result);
            return result;
        }
        ReproducePlan p = s.plan();
        PretrainOptions o = PretrainOptions.fromSpec(s.spec(), s.specs().pretrainGraph(specRef(s)));
        o.images = data.resolve("train");
        o.proposals = proposals;
        o.backbone = s.backbone();
        o.out = dir;
        o.iters = p.pretrainIters();
        o.batch = p.pretrainBatch();
        o.samplesPerImage = p.samples();
        o.samplePosFraction = p.posFraction();
        o.pretext = pretext;
        o.trainBackbone = trainBackbone;
        o.seed = s.seed();
        o.threads = s.threads();
        o.workers = s.workers();
        o.logEvery = 10;
        o.progressEvery = Math.max(10, p.pretrainIters() / 10);
        o.resume = Files.exists(dir.resolve("checkpoints/latest"));
        o.overwrite = !o.resume;
        long t0 = System.nanoTime();
        AlignDetPretrainer.Result r = new AlignDetPretrainer(o, log).run();
        log.printf(Locale.ROOT, "reproduce: pre-training %s (%s%s): %d iterations in %.0f s, loss %.3f -> %.3f%n", variant,
                pretext.name().toLowerCase(Locale.ROOT), trainBackbone ? ", trainable backbone" : "", r.iterations(),
                (System.nanoTime() - t0) / 1e9, r.firstLosses().getOrDefault("loss", Double.NaN),
                r.lastLosses().getOrDefault("loss", Double.NaN));
        return result;
    }

    private List<RunRecord> finetuneAll(Path data, Map<String, Path> pretrained) throws IOException {
        ReproducePlan p = s.plan();
        List<Job> jobs = new ArrayList<>();
        for (Cell c : p.grid()) {
            for (int fold = 1; fold <= p.folds(); fold++) {
                for (Arm a : p.arms()) {
                    jobs.add(new Job(a, c, fold));
                }
            }
        }
        for (Ablation ab : p.ablations()) {
            for (Cell c : ab.cells()) {
                for (int fold = 1; fold <= p.folds(); fold++) {
                    jobs.add(new Job(ab.arm(), c, fold));
                }
            }
        }
        Preprocessor pre = Preprocessor.of(s.spec()).withScale(s.spec().finetune().longSide(), s.spec().finetune().shortSide());
        CocoValidator validator = CocoValidator.coco(data.resolve("annotations/instances_val.json"), data.resolve("val"), pre, 8);
        List<RunRecord> out = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get(i);
            RunRecord r = finetune(data, j, pretrained.get(j.arm().pretrainVariant()), validator);
            log.printf(Locale.ROOT, "reproduce: [%d/%d] %-26s %4.0f%% %-5s fold %d: AP %.3f  AP50 %.3f  AP75 %.3f  (%.0f s)%n", i + 1,
                    jobs.size(), j.arm().name(), 100 * j.cell().fraction(), j.cell().schedule(), j.fold(), r.ap(), r.ap50(), r.ap75(),
                    r.seconds());
            out.add(r);
        }
        return out;
    }

    private record Job(Arm arm, Cell cell, int fold) {
    }

    private RunRecord finetune(Path data, Job j, Path pretrained, CocoValidator validator) throws IOException {
        String name = RunRecord.name(j.arm().name(), j.cell().fraction(), j.cell().schedule(), j.fold());
        Path dir = s.out().resolve("runs").resolve(name);
        Path result = dir.resolve("result.json");
        if (Files.exists(result)) {
            return JSON.readValue(result.toFile(), RunRecord.class);
        }
        org.aligndet.bridge.io.FileTrees.delete(dir);
        ReproducePlan p = s.plan();
        int iters = p.schedules().get(j.cell().schedule());
        FinetuneOptions o = FinetuneOptions.fromSpec(s.spec(), s.specs().graph(specRef(s)),
                j.arm().alignDetRecipe() ? FinetuneOptions.ALIGNDET : FinetuneOptions.BASELINE);
        o.train = data.resolve("annotations/instances_train.json");
        o.images = data.resolve("train");
        o.out = dir;
        o.fraction = j.cell().fraction();
        o.fold = j.fold();
        o.iters = iters;
        o.batch = p.finetuneBatch();
        // folds of a fraction are disjoint subsets drawn with the same seed; with every label, a fold is a seed
        o.seed = j.cell().fraction() < 1 ? s.seed() : s.seed() + j.fold() - 1;
        o.threads = s.threads();
        o.workers = s.workers();
        o.logEvery = 1;
        o.valEvery = Math.max(1, (int) Math.ceil((double) iters / p.valPoints()));
        o.keepCheckpoints = 1;
        o.overwrite = true;
        if (j.arm().fromPretrained()) {
            o.init = pretrained;
        } else {
            o.backbone = s.backbone();
        }
        Path detections = dir.resolve("val_detections.json");
        RunValidator v = new RunValidator(validator, validator.groundTruth(), iters, detections);
        long t0 = System.nanoTime();
        Finetuner.Result r = new Finetuner(o, v, quiet).run();
        double[] stats = v.finalStats();
        if (stats == null) {
            throw new IllegalStateException(dir + ": the run ended without its final validation");
        }
        List<Map<String, Double>> rows = MetricsLog.read(r.metrics());
        Map<String, Double> first = rows.isEmpty() ? Map.of() : rows.get(0);
        RunRecord rec = new RunRecord(j.arm().name(), j.cell().fraction(), j.cell().schedule(), j.fold(), iters, r.trainImages(),
                stats[0], stats[1], stats[2], v.curve(), lossPoints(rows, iters, p.lossPoints()),
                first.getOrDefault("loss", Double.NaN), first.getOrDefault("grad_norm", Double.NaN),
                s.out().relativize(detections).toString(), (System.nanoTime() - t0) / 1e9);
        AtomicFiles.write(result, JSON.writeValueAsBytes(rec));
        return rec;
    }

    /** Mean {@code loss_cls} and {@code loss_bbox} over the tenth of the run that ends at each point. */
    static List<RunRecord.LossPoint> lossPoints(List<Map<String, Double>> rows, int iters, List<Double> shares) {
        int window = Math.max(1, iters / 10);
        List<RunRecord.LossPoint> out = new ArrayList<>();
        for (double share : shares) {
            long end = Math.max(1, Math.round(share * iters));
            double cls = 0;
            double box = 0;
            int n = 0;
            for (Map<String, Double> r : rows) {
                double it = r.getOrDefault("iter", -1.0);
                if (r.containsKey("loss_cls") && it > end - window && it <= end) {
                    cls += r.get("loss_cls");
                    box += r.getOrDefault("loss_bbox", Double.NaN);
                    n++;
                }
            }
            out.add(new RunRecord.LossPoint(end, n == 0 ? Double.NaN : cls / n, n == 0 ? Double.NaN : box / n));
        }
        return out;
    }

    /** The spec as {@code ModelSpecs} takes it: its file, so that a spec of your own finds its graphs too. */
    private static String specRef(Settings s) {
        return s.spec().file().toAbsolutePath().toString();
    }
}
