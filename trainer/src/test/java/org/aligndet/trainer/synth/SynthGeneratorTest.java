package org.aligndet.trainer.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.aligndet.trainer.data.CocoReader;
import org.aligndet.trainer.data.Dataset;
import org.aligndet.trainer.data.ImageFolderReader;
import org.aligndet.trainer.data.ImageHeaders;
import org.aligndet.trainer.data.ImageRecord;
import org.aligndet.trainer.data.Instance;
import org.aligndet.trainer.data.VocReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthGeneratorTest {
    static final int IMAGES = 40;
    static final long SEED = 7;

    @TempDir
    static Path tmp;
    static SynthSummary summary;

    @BeforeAll
    static void generate() throws IOException {
        summary = SynthGenerator.generate(SynthConfig.of(tmp.resolve("a"), IMAGES, SEED).withCrops(16).withThreads(2));
    }

    @Test
    void sameSeedGivesIdenticalTreesWhateverTheThreadCount() throws IOException {
        SynthGenerator.generate(SynthConfig.of(tmp.resolve("b"), IMAGES, SEED).withCrops(16).withThreads(1));
        Map<String, byte[]> a = tree(tmp.resolve("a"));
        Map<String, byte[]> b = tree(tmp.resolve("b"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k), b.get(k), k);
        }
        assertFalse(a.keySet().stream().anyMatch(k -> k.endsWith(".tmp")), "no temporary file is left behind");
    }

    @Test
    void differentSeedGivesDifferentImages() throws IOException {
        SynthGenerator.generate(SynthConfig.of(tmp.resolve("c"), 4, SEED + 1));
        SynthGenerator.generate(SynthConfig.of(tmp.resolve("d"), 4, SEED));
        byte[] other = Files.readAllBytes(tmp.resolve("c/train/000001.jpg"));
        byte[] same = Files.readAllBytes(tmp.resolve("d/train/000001.jpg"));
        assertFalse(java.util.Arrays.equals(other, same));
        assertArrayEquals(same, Files.readAllBytes(tmp.resolve("a/train/000001.jpg")), "image i depends on seed and i only");
    }

    @Test
    void everyClassAndEverySizeBucketAndDifficultOccur() {
        assertEquals(8, summary.objectsPerClass().size());
        summary.objectsPerClass().forEach((c, n) -> assertTrue(n > 0, c + " never drawn"));
        assertTrue(summary.small() > 0 && summary.medium() > 0 && summary.large() > 0, summary.toString());
        assertTrue(summary.difficult() > 0, summary.toString());
        assertEquals(32, summary.trainImages());
        assertEquals(8, summary.valImages());
    }

    @Test
    void cocoAndVocDescribeTheSameObjects() {
        Dataset train = CocoReader.read(summary.trainAnnotations(), tmp.resolve("a/train"));
        Dataset val = CocoReader.read(summary.valAnnotations(), tmp.resolve("a/val"));
        Dataset vocTrain = VocReader.read(summary.vocRoot(), "train", ShapeClass.classNames());
        Dataset vocTest = VocReader.read(summary.vocRoot(), "test", ShapeClass.classNames());
        assertEquals(ShapeClass.classNames(), train.classes());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), train.categoryIds());
        assertSame(train, vocTrain);
        assertSame(val, vocTest);
        int objects = 0;
        for (Dataset d : List.of(train, val)) {
            for (ImageRecord r : d.images()) {
                assertTrue(Files.isRegularFile(r.file()), r.file().toString());
                assertArrayEquals(new int[] {r.width(), r.height()}, ImageHeaders.size(r.file()));
                objects += r.instances().size();
                for (Instance i : r.instances()) {
                    assertTrue(i.x1() >= 0 && i.y1() >= 0 && i.x2() <= r.width() && i.y2() <= r.height(), i.toString());
                    assertTrue(i.area() <= i.width() * i.height(), "visible area fits in its box");
                }
            }
        }
        assertEquals(summary.objects(), objects);
        assertTrue(vocTrain.images().stream().flatMap(r -> r.instances().stream()).anyMatch(Instance::difficult)
                || vocTest.images().stream().flatMap(r -> r.instances().stream()).anyMatch(Instance::difficult));
    }

    @Test
    void cocoSegmentationsReadBackAsMasksOfTheVisiblePixels() {
        Dataset plain = CocoReader.read(summary.trainAnnotations(), tmp.resolve("a/train"));
        Dataset train = CocoReader.loadWithMasks(summary.trainAnnotations(), tmp.resolve("a/train")).dataset();
        assertEquals(plain.images().size(), train.images().size());
        int masks = 0;
        for (int i = 0; i < train.images().size(); i++) {
            ImageRecord r = train.images().get(i);
            assertTrue(plain.images().get(i).segmentations().isEmpty(), "masks are read only when asked");
            assertEquals(plain.images().get(i).instances(), r.instances());
            assertEquals(r.instances().size(), r.segmentations().size());
            for (int k = 0; k < r.instances().size(); k++) {
                Instance inst = r.instances().get(k);
                org.aligndet.trainer.mask.Rle m = r.segmentations().get(k).toRle(r.height(), r.width());
                // the mask is the visible shape: about its pixel count (exactly, when partly hidden), and its
                // bounding box about the annotation's box
                assertEquals(inst.area(), m.area(), 0.12 * inst.area() + 4, "image " + r.key() + " object " + k);
                double[] b = m.bbox();
                assertEquals(inst.x1(), b[0], 1.5);
                assertEquals(inst.y1(), b[1], 1.5);
                assertEquals(inst.x2(), b[0] + b[2], 1.5);
                assertEquals(inst.y2(), b[1] + b[3], 1.5);
                masks++;
            }
        }
        assertTrue(masks > 0);
    }

    /** Same images in the same order, same boxes and labels: VOC coordinates are COCO's converted. */
    private static void assertSame(Dataset coco, Dataset voc) {
        assertEquals(coco.images().size(), voc.images().size());
        for (int i = 0; i < coco.images().size(); i++) {
            ImageRecord c = coco.images().get(i);
            ImageRecord v = voc.images().get(i);
            assertEquals(c.key(), v.key() + ".jpg");
            assertEquals(c.width(), v.width());
            assertEquals(c.height(), v.height());
            assertEquals(c.instances().size(), v.instances().size(), c.key());
            for (int k = 0; k < c.instances().size(); k++) {
                Instance a = c.instances().get(k);
                Instance b = v.instances().get(k);
                assertEquals(List.of(a.x1(), a.y1(), a.x2(), a.y2()), List.of(b.x1(), b.y1(), b.x2(), b.y2()), c.key());
                assertEquals(a.label(), b.label());
                assertEquals(a.categoryId(), b.label() + 1);
            }
        }
    }

    @Test
    void cropsAreOneFolderPerClass() {
        Dataset crops = ImageFolderReader.readClassFolders(summary.cropsDir());
        assertEquals(ShapeClass.classNames().stream().sorted().toList(), crops.classes());
        assertEquals(16, crops.images().size());
        for (ImageRecord r : crops.images()) {
            assertEquals(SynthConfig.DEFAULT_CROP_SIZE, r.width());
            assertEquals(1, r.instances().size());
            assertTrue(r.key().startsWith(crops.classes().get(r.instances().get(0).label()) + "/"));
        }
    }

    @Test
    void refusesToMixWithAnEarlierRunUnlessOverwriting() throws IOException {
        Path out = tmp.resolve("e");
        SynthGenerator.generate(SynthConfig.of(out, 3, SEED));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SynthGenerator.generate(SynthConfig.of(out, 2, SEED)));
        assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
        SynthConfig c = SynthConfig.of(out, 2, SEED);
        SynthGenerator.generate(new SynthConfig(out, 2, SEED, c.valFraction(), c.size(), 0, c.cropSize(), 1, false, true));
        assertFalse(Files.exists(out.resolve("train/000003.jpg")), "the earlier run's extra image is gone");
        assertNotEquals(0, Files.size(out.resolve("annotations/instances_train.json")));
    }

    private static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            out.put(root.relativize(f).toString(), Files.readAllBytes(f));
        }
        return out;
    }
}
