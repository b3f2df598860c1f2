package org.aligndet.export.eval;

import java.nio.file.Path;
import java.nio.file.Files;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;
import org.aligndet.trainer.finetune.FinetuneOptions;
import org.aligndet.trainer.finetune.Finetuner;
import org.aligndet.trainer.infer.Preprocessor;

/** Exploration: fine-tunes a tiny spec on synthetic data and prints validation AP as it goes. */
public final class FinetuneProbe {
    public static void main(String[] a) throws Exception {
        String spec = a[0];
        Path dir = Path.of(a[1]);
        FinetuneOptions o = make(dir.resolve("data"), dir.resolve("run-" + spec + "-" + a[2]), spec,
                Integer.parseInt(a[3]), Integer.parseInt(a[4]));
        o.iters = Long.parseLong(a[2]);
        o.batch = Integer.parseInt(a[5]);
        o.lr = Double.parseDouble(a[6]);
        o.warmupIters = Integer.parseInt(a[7]);
        o.valEvery = Integer.parseInt(a[8]);
        o.logEvery = 20;
        o.workers = 1; o.logEvery = 10;
        CocoValidator v0 = CocoValidator.coco(dir.resolve("data/annotations/instances_val.json"), dir.resolve("data/val"),
                Preprocessor.of(o.spec).withScale(o.longSide, o.shortSide), 4);
        if (a.length > 9) {
            o.fraction = Double.parseDouble(a[9]);
            o.flipProb = 0;
            o.frozenStages = Integer.parseInt(a[10]);
            var ts = org.aligndet.trainer.finetune.TrainingSet.read(o);
            var ds = org.aligndet.trainer.data.CocoReader.read(o.train, o.images);
            v0 = CocoValidator.of(new org.aligndet.trainer.data.Dataset("x", ds.classes(), ds.categoryIds(), ts.images()),
                    Preprocessor.of(o.spec).withScale(o.longSide, o.shortSide), 4);
        }
        CocoValidator v = v0;
        long t0 = System.nanoTime();
        Finetuner.Result r = new Finetuner(o, (p, it) -> {
            var res = v.validate(p, it);
            var d = v.detect(p);
            double mx = 0;
            for (int i = 0; i < d.size(); i++) mx = Math.max(mx, d.score(i));
            System.out.println("dets " + d.size() + " max score " + mx + (d.size() > 0 ? " first " + java.util.Arrays.toString(d.bbox(0)) + " img " + d.imageId(0) + " cat " + d.categoryId(0) : ""));
            System.out.println("VAL " + it + " " + res.metrics() + " t=" + (System.nanoTime() - t0) / 1e9);
            return res;
        }, System.out).run();
        System.out.println("done " + r.iterations() + " in " + (System.nanoTime() - t0) / 1e9 + " s, best " + r.bestScore());
    }

    static FinetuneOptions make(Path data, Path out, String spec, int images, int size) throws Exception {
        if (!Files.exists(data.resolve("annotations/instances_train.json"))) {
            SynthGenerator.generate(new SynthConfig(data, images, 7, 0.2, size, 0, 96, 2, false, false));
        }
        ModelSpecs specs = ModelSpecs.locate();
        FinetuneOptions o = FinetuneOptions.fromSpec(specs.load(spec), specs.graph(spec), FinetuneOptions.BASELINE);
        o.train = data.resolve("annotations/instances_train.json");
        o.images = data.resolve("train");
        o.out = out;
        o.device = "cpu";
        o.longSide = Integer.getInteger("long", 160);
        o.shortSide = Integer.getInteger("short", 128);
        return o;
    }
}
