package org.aligndet.trainer.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.aligndet.bridge.io.AtomicFiles;
import org.aligndet.trainer.data.CocoWriter;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.data.Instance;
import org.aligndet.trainer.data.VocWriter;
import org.aligndet.trainer.mask.Segmentation;

/**
 * Writes the synthetic detection benchmark: multi-object scenes of the {@link ShapeClass} classes in
 * COCO layout and VOC layout, plus optional object-centric crops.
 *
 * <pre>
 * out/annotations/instances_train.json, instances_val.json   COCO, category id = label + 1
 * out/train/NNNNNN.jpg, out/val/NNNNNN.jpg                     scenes (JPEG, quality 95)
 * out/VOCdevkit/VOC2007/Annotations/NNNNNN.xml                  every scene
 * out/VOCdevkit/VOC2007/JPEGImages/NNNNNN.jpg                   the same bytes as the COCO copy
 * out/VOCdevkit/VOC2007/ImageSets/Main/{train,val,trainval,test}.txt   test = val
 * out/crops/&lt;class&gt;/&lt;class&gt;_NNNNNN.png                        one object per image (PNG)
 * </pre>
 *
 * <p><b>Boxes and areas.</b> Each box is the tight box of the object's <em>visible</em> pixels
 * (COCO boxes bound the visible extent); COCO {@code area} is the visible pixel count, as a mask area
 * would be. The VOC files hold the same boxes as 1-based inclusive integers
 * ({@code xmin = x1 + 1, xmax = x2}); an object with less than half its pixels visible is
 * {@code difficult} there. COCO has no difficult flag, so the COCO files list those objects plainly.
 *
 * <p><b>Masks.</b> Each COCO annotation has a {@code segmentation} of polygons: the drawn shape's
 * outline when the object is wholly visible (curves as fine polygons), else its visible pixels exactly
 * (see {@link Scene.Placed}).
 *
 * <p><b>Determinism.</b> Image {@code i} is drawn from its own random stream derived from the seed
 * and {@code i}; files are written whole and renamed into place; JSON and XML are written in a fixed
 * order. Two runs with equal configs give byte-identical trees whatever the thread count.
 */
public final class SynthGenerator {
    public static final String VOC_YEAR = "VOC2007";
    /** Objects with a smaller visible fraction are VOC {@code difficult}. */
    public static final double DIFFICULT_BELOW = 0.5;
    private static final List<String> OWN_FOLDERS = List.of("annotations", "train", "val", "VOCdevkit", "crops");

    private final SynthConfig config;
    private final Path vocRoot;

    private SynthGenerator(SynthConfig config) {
        this.config = config;
        this.vocRoot = config.out().resolve("VOCdevkit").resolve(VOC_YEAR);
    }

    /** Generates the benchmark that {@code config} describes and says what was written. */
    public static SynthSummary generate(SynthConfig config) throws IOException {
        return new SynthGenerator(config).run();
    }

    private SynthSummary run() throws IOException {
        prepare();
        List<String> classes = ShapeClass.classNames();
        List<ImageRecord> voc;
        ExecutorService pool = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "synth");
            t.setDaemon(true);
            return t;
        });
        try (ProgressBar bar = config.progress() ? new ProgressBarBuilder().setTaskName("synth")
                .setInitialMax((long) config.images() + config.crops()).showSpeed().build() : null) {
            List<Callable<ImageRecord>> scenes = new ArrayList<>();
            for (int i = 0; i < config.images(); i++) {
                int index = i;
                scenes.add(() -> step(bar, scene(index, classes)));
            }
            List<Callable<ImageRecord>> crops = new ArrayList<>();
            for (int k = 0; k < config.crops(); k++) {
                int index = k;
                crops.add(() -> step(bar, crop(index)));
            }
            voc = all(pool, scenes);
            all(pool, crops);
        } finally {
            pool.shutdownNow();
        }
        List<String> trainIds = voc.subList(0, config.trainImages()).stream().map(ImageRecord::key).toList();
        List<String> valIds = voc.subList(config.trainImages(), voc.size()).stream().map(ImageRecord::key).toList();
        VocWriter.writeSplit(vocRoot, "train", trainIds);
        VocWriter.writeSplit(vocRoot, "val", valIds);
        VocWriter.writeSplit(vocRoot, "trainval", Stream.concat(trainIds.stream(), valIds.stream()).toList());
        VocWriter.writeSplit(vocRoot, "test", valIds);
        List<ImageRecord> coco = cocoRecords(voc);
        Path annotations = config.out().resolve("annotations");
        Path trainJson = annotations.resolve("instances_train.json");
        Path valJson = annotations.resolve("instances_val.json");
        List<Integer> categoryIds = classes.stream().map(c -> classes.indexOf(c) + 1).toList();
        CocoWriter.write(new Dataset("synth train", classes, categoryIds, coco.subList(0, config.trainImages())),
                trainJson, info("train"));
        CocoWriter.write(new Dataset("synth val", classes, categoryIds, coco.subList(config.trainImages(), coco.size())),
                valJson, info("val"));
        return summary(voc, classes, trainJson, valJson);
    }

    private static <T> T step(ProgressBar bar, T result) {
        if (bar != null) {
            bar.step();
        }
        return result;
    }

    /** Renders scene {@code i}, writes its JPEG (both layouts) and VOC XML; the record is in VOC terms. */
    private ImageRecord scene(int i, List<String> classes) throws IOException {
        var rng = Seeds.stream(config.seed(), Seeds.SCENES, i);
        int width = side(rng.nextDouble(0.875, 1.25));
        int height = side(rng.nextDouble(0.875, 1.25));
        Scene scene = SceneSampler.scene(width, height, rng);
        byte[] jpeg = ImageCodec.jpeg(scene.bgr(), width, height);
        String name = name(i);
        AtomicFiles.write(config.out().resolve(split(i)).resolve(name + ".jpg"), jpeg);
        Path vocJpeg = vocRoot.resolve("JPEGImages").resolve(name + ".jpg");
        AtomicFiles.write(vocJpeg, jpeg);
        List<Instance> instances = new ArrayList<>();
        List<Segmentation> segmentations = new ArrayList<>();
        for (Scene.Placed p : scene.objects()) {
            int label = p.shape().ordinal();
            instances.add(new Instance(p.x1(), p.y1(), p.x2(), p.y2(), label, label, instances.size(), false,
                    p.visibleFraction() < DIFFICULT_BELOW, false, p.visibleArea()));
            segmentations.add(new Segmentation.Polygons(p.polygons()));
        }
        ImageRecord record = new ImageRecord(i, name, vocJpeg, width, height, instances, segmentations);
        VocWriter.writeAnnotation(vocRoot, record, classes);
        return record;
    }

    private ImageRecord crop(int k) throws IOException {
        ShapeClass shape = ShapeClass.values()[k % ShapeClass.values().length];
        var rng = Seeds.stream(config.seed(), Seeds.CROPS, k);
        int side = config.cropSize();
        byte[] png = ImageCodec.png(SceneSampler.crop(side, shape, rng), side, side);
        Path file = config.out().resolve("crops").resolve(shape.className())
                .resolve(shape.className() + "_" + name(k) + ".png");
        AtomicFiles.write(file, png);
        return null;
    }

    /** The COCO view of the scenes: ids from 1, file names relative to the split folder, unique annotation ids. */
    private List<ImageRecord> cocoRecords(List<ImageRecord> voc) {
        List<ImageRecord> out = new ArrayList<>(voc.size());
        long annotationId = 1;
        for (ImageRecord r : voc) {
            int i = (int) r.id();
            List<Instance> instances = new ArrayList<>();
            for (Instance v : r.instances()) {
                instances.add(new Instance(v.x1(), v.y1(), v.x2(), v.y2(), v.label(), v.label() + 1, annotationId++,
                        false, v.difficult(), false, v.area()));
            }
            Path file = config.out().resolve(split(i)).resolve(r.key() + ".jpg");
            out.add(new ImageRecord(i + 1, r.key() + ".jpg", file, r.width(), r.height(), instances, r.segmentations()));
        }
        return out;
    }

    private Map<String, String> info(String split) {
        return Map.of("description", "AlignDet synthetic shapes benchmark, " + split + " split",
                "seed", Long.toString(config.seed()),
                "images", Integer.toString(config.images()),
                "bbox", "tight box of the visible pixels",
                "area", "visible pixel count",
                "segmentation", "polygons of the visible shape",
                "version", "2");
    }

    private SynthSummary summary(List<ImageRecord> voc, List<String> classes, Path trainJson, Path valJson) {
        Map<String, Integer> perClass = new LinkedHashMap<>();
        classes.forEach(c -> perClass.put(c, 0));
        int small = 0;
        int medium = 0;
        int large = 0;
        int difficult = 0;
        for (ImageRecord r : voc) {
            for (Instance inst : r.instances()) {
                perClass.merge(classes.get(inst.label()), 1, Integer::sum);
                if (inst.area() < 32 * 32) {
                    small++;
                } else if (inst.area() < 96 * 96) {
                    medium++;
                } else {
                    large++;
                }
                difficult += inst.difficult() ? 1 : 0;
            }
        }
        return new SynthSummary(config.out(), config.trainImages(), config.valImages(), perClass, small, medium, large,
                difficult, config.crops(), trainJson, valJson, vocRoot,
                config.crops() > 0 ? config.out().resolve("crops") : null);
    }

    private int side(double factor) {
        return Math.max(8, (int) Math.round(config.size() * factor / 8) * 8);
    }

    private String split(int i) {
        return i < config.trainImages() ? "train" : "val";
    }

    private static String name(int i) {
        return String.format("%06d", i + 1);
    }

    /** Refuses to mix with an earlier run unless told to overwrite; then removes only the generator's folders. */
    private void prepare() throws IOException {
        Path out = config.out();
        Files.createDirectories(out);
        List<Path> present = OWN_FOLDERS.stream().map(out::resolve).filter(Files::exists).toList();
        if (present.isEmpty()) {
            return;
        }
        if (!config.overwrite()) {
            throw new IllegalArgumentException(out + " already holds generator output " + present
                    + "; choose another directory or overwrite it");
        }
        for (Path p : present) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }

    private static <T> List<T> all(ExecutorService pool, List<Callable<T>> tasks) throws IOException {
        List<T> out = new ArrayList<>(tasks.size());
        try {
            for (Future<T> f : pool.invokeAll(tasks)) {
                out.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof UncheckedIOException uio) {
                throw uio.getCause();
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        }
        return out;
    }
}
