package org.aligndet.trainer.pretrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.data.Instance;
import org.aligndet.trainer.proposals.ImageProposals;
import org.aligndet.trainer.proposals.Proposal;
import org.aligndet.trainer.proposals.ProposalWriter;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.synth.SynthConfig;
import org.aligndet.trainer.synth.SynthGenerator;

/** A few small synthetic scenes whose ground-truth boxes stand in for selective-search proposals. */
final class PretrainFixture {
    private PretrainFixture() {
    }

    /** Writes scenes and {@code proposals.json} under {@code dir}; returns the options for a tiny, fast run. */
    static PretrainOptions make(Path dir, String spec, int images) throws Exception {
        SynthConfig cfg = new SynthConfig(dir.resolve("data"), images, 7, 0.0, 128, 0, 96, 2, false, false);
        SynthGenerator.generate(cfg);
        Path train = dir.resolve("data/train");
        Dataset d = CocoReader.read(dir.resolve("data/annotations/instances_train.json"), train);
        List<ImageProposals> props = new ArrayList<>();
        for (ImageRecord r : d.images()) {
            List<Proposal> p = new ArrayList<>();
            for (Instance in : r.instances()) {
                p.add(new Proposal(p.size(), in.x1(), in.y1(), in.x2(), in.y2()));
            }
            props.add(new ImageProposals(r.id(), r.key(), r.width(), r.height(), p, null));
        }
        Path proposals = dir.resolve("proposals.json");
        ProposalWriter.write(proposals, props);
        return options(dir, spec);
    }

    /** The options for a tiny, fast run on the scenes and proposals {@link #make} wrote under {@code dir}. */
    static PretrainOptions options(Path dir, String spec) {
        Path train = dir.resolve("data/train");
        Path proposals = dir.resolve("proposals.json");
        ModelSpecs specs = ModelSpecs.locate();
        PretrainOptions o = PretrainOptions.fromSpec(specs.load(spec), specs.pretrainGraph(spec));
        o.images = train;
        o.proposals = proposals;
        o.out = dir.resolve("run");
        o.device = "cpu";
        o.batch = 2;
        o.longSide = 160;
        o.shortSides = List.of(128);
        o.samplesPerImage = 128;
        o.warmupIters = 10;
        // the image-domain stage for the tiny specs (see model-specs/weights/README.md)
        o.backbone = specs.directory().resolve("weights/tiny_backbone_synth.pth");
        o.workers = 1;
        o.logEvery = 1;
        return o;
    }
}
