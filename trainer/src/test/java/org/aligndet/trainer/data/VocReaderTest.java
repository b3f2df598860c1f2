package org.aligndet.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocReaderTest {
    @TempDir
    Path tmp;
    Path year;

    static String object(String name, String difficult, int xmin, int ymin, int xmax, int ymax) {
        return "<object><name>" + name + "</name><pose>Left</pose><truncated>0</truncated>"
                + (difficult == null ? "" : "<difficult>" + difficult + "</difficult>")
                + "<bndbox><xmin>" + xmin + "</xmin><ymin>" + ymin + "</ymin><xmax>" + xmax + "</xmax><ymax>" + ymax
                + "</ymax></bndbox></object>";
    }

    @BeforeEach
    void layout() throws IOException {
        year = tmp.resolve("VOCdevkit/VOC2007");
        Files.createDirectories(year.resolve("Annotations"));
        Files.createDirectories(year.resolve("ImageSets/Main"));
        xml("000001", "<annotation><folder>VOC2007</folder><filename>000001.jpg</filename>"
                + "<size><width>353</width><height>500</height><depth>3</depth></size>"
                + object("dog", "1", 48, 240, 195, 371)
                + object("person", null, 1, 1, 10, 20)
                + object("unicorn", "0", 5, 5, 50, 50)
                + object("person", "0", 10, 10, 9, 30)
                + "<object><name>person</name><difficult>0</difficult>"
                + "<bndbox><xmin>2.5</xmin><ymin>3</ymin><xmax>7.5</xmax><ymax>9</ymax></bndbox>"
                + "<part><name>head</name><bndbox><xmin>3</xmin><ymin>3</ymin><xmax>4</xmax><ymax>4</ymax></bndbox></part>"
                + "</object></annotation>");
        xml("000002", "<annotation><filename>000002.jpg</filename><size><width>10</width><height>10</height></size>"
                + "</annotation>");
        split("train", "000001\n000002\n");
    }

    private void xml(String id, String content) throws IOException {
        Files.writeString(year.resolve("Annotations/" + id + ".xml"), content);
    }

    private void split(String name, String content) throws IOException {
        Files.writeString(year.resolve("ImageSets/Main/" + name + ".txt"), content);
    }

    @Test
    void readsObjectsDifficultAndConvertsCoordinates() {
        LoadResult r = VocReader.load(year, "train", VocReader.VOC_CLASSES);
        Dataset d = r.dataset();
        assertEquals(20, d.classes().size());
        assertEquals(2, d.images().size());
        ImageRecord first = d.images().get(0);
        assertEquals("000001", first.key());
        assertEquals(year.resolve("JPEGImages/000001.jpg"), first.file());
        assertEquals(353, first.width());
        assertEquals(500, first.height());
        assertEquals(3, first.instances().size());
        Instance dog = first.instances().get(0);
        assertEquals(List.of(47f, 239f, 195f, 371f), List.of(dog.x1(), dog.y1(), dog.x2(), dog.y2()),
                "x1 = xmin - 1, x2 = xmax");
        assertEquals(VocReader.VOC_CLASSES.indexOf("dog"), dog.label());
        assertTrue(dog.difficult());
        Instance person = first.instances().get(1);
        assertEquals(List.of(0f, 0f, 10f, 20f), List.of(person.x1(), person.y1(), person.x2(), person.y2()));
        assertFalse(person.difficult(), "no <difficult> means 0");
        assertEquals(200.0, person.area());
        assertEquals(1, person.id(), "object index in the file");
        Instance fractional = first.instances().get(2);
        assertEquals(List.of(1.5f, 2f, 7.5f, 9f), List.of(fractional.x1(), fractional.y1(), fractional.x2(), fractional.y2()),
                "the object's own box, not its part's");
        assertTrue(d.images().get(1).instances().isEmpty());
        assertEquals(1, r.skipped().count(VocReader.ZERO_SIZE));
        assertEquals(1, r.skipped().count(VocReader.UNKNOWN_CLASS + " ('unicorn')"));
    }

    @Test
    void parseKeepsTheXmlFrameForTheEvaluator() {
        VocSplit s = VocReader.parse(year, "train", List.of("person", "dog"));
        VocImage first = s.images().get(0);
        assertEquals("000001", first.id());
        assertEquals(5, first.objects().size(), "every object, the unknown class included");
        VocObject dog = first.objects().get(0);
        assertEquals(List.of(48.0, 240.0, 195.0, 371.0), List.of(dog.xmin(), dog.ymin(), dog.xmax(), dog.ymax()),
                "1-based inclusive, as written");
        assertEquals(1, dog.label());
        assertTrue(dog.difficult());
        VocObject inverted = first.objects().get(3);
        assertEquals(10.0, inverted.xmin(), "the evaluator sees boxes the training view skips");
        assertEquals(VocObject.UNKNOWN, first.objects().get(2).label());
        DatasetException e = assertThrows(DatasetException.class, s::requireKnownClasses);
        assertTrue(e.getMessage().startsWith(year.resolve("Annotations/000001.xml") + ": object 2 has class 'unicorn'"),
                e.getMessage());
        assertEquals(2, VocReader.parse(year, "train", VocReader.VOC_CLASSES).images().size());
    }

    @Test
    void repeatedIdsAreReadOnceAndKeptForTraining() throws IOException {
        split("twice", "000002\n000002\n");
        VocSplit s = VocReader.parse(year, "twice", VocReader.VOC_CLASSES);
        assertEquals(List.of("000002", "000002"), s.ids());
        assertEquals(1, s.images().size());
        assertEquals(List.of(0L, 1L), VocReader.load(s).dataset().images().stream().map(ImageRecord::id).toList());
    }

    @Test
    void aVocDevkitFolderResolvesToItsVoc2007() {
        assertEquals(year, VocReader.yearDir(tmp.resolve("VOCdevkit")));
        assertEquals(year, VocReader.yearDir(year));
        DatasetException e = assertThrows(DatasetException.class, () -> VocReader.yearDir(tmp));
        assertTrue(e.getMessage().contains("is not a VOC folder"), e.getMessage());
    }

    @Test
    void aClassListChoosesLabels() {
        Dataset d = VocReader.read(year, "train", List.of("person", "dog"));
        assertEquals(List.of(1, 0, 0), d.images().get(0).instances().stream().map(Instance::label).toList());
        assertEquals(List.of(0, 1), d.categoryIds());
    }

    @Test
    void everyMissingXmlIsListedOnce() throws IOException {
        split("broken", "000001\n000003\n000004 1\n\n");
        DatasetException e = assertThrows(DatasetException.class, () -> VocReader.read(year, "broken"));
        String m = e.getMessage();
        assertTrue(m.contains("broken.txt") && m.contains("names 2 images without an annotation file"), m);
        for (String id : List.of("000003", "000004")) {
            String f = year.resolve("Annotations/" + id + ".xml").toString();
            assertEquals(m.indexOf(f), m.lastIndexOf(f), m);
            assertTrue(m.contains(f), m);
        }
        assertFalse(m.contains("000001.xml"), m);
    }

    @Test
    void missingSplitFileIsNamed() {
        DatasetException e = assertThrows(DatasetException.class, () -> VocReader.read(year, "nope"));
        assertTrue(e.getMessage().contains("nope.txt") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void externalEntitiesAreRefused() throws IOException {
        Path secret = tmp.resolve("secret.txt");
        Files.writeString(secret, "dog");
        xml("000005", "<?xml version=\"1.0\"?><!DOCTYPE annotation [<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">]>"
                + "<annotation><filename>000005.jpg</filename>" + object("&xxe;", "0", 1, 1, 5, 5) + "</annotation>");
        split("xxe", "000005\n");
        DatasetException e = assertThrows(DatasetException.class, () -> VocReader.read(year, "xxe"));
        assertTrue(e.getMessage().contains("000005.xml") && e.getMessage().contains("DOCTYPE"), e.getMessage());
    }

    @Test
    void malformedXmlAndMissingBoxesNameTheFile() throws IOException {
        xml("000006", "<annotation><object><name>dog</name></annotation>");
        split("bad", "000006\n");
        DatasetException e = assertThrows(DatasetException.class, () -> VocReader.read(year, "bad"));
        assertTrue(e.getMessage().startsWith(year.resolve("Annotations/000006.xml") + ": malformed XML"), e.getMessage());
        xml("000007", "<annotation><object><name>dog</name></object></annotation>");
        split("nobox", "000007\n");
        e = assertThrows(DatasetException.class, () -> VocReader.read(year, "nobox"));
        assertTrue(e.getMessage().contains("000007.xml: object 0 ('dog') has no <bndbox>"), e.getMessage());
        xml("000008", "<annotation>" + object("dog", "0", 1, 1, 5, 5).replace("<xmax>5", "<xmax>five") + "</annotation>");
        split("nan", "000008\n");
        e = assertThrows(DatasetException.class, () -> VocReader.read(year, "nan"));
        assertTrue(e.getMessage().contains("000008.xml: <xmax> is not a number: 'five'"), e.getMessage());
    }

    @Test
    void writerRoundTrip() throws IOException {
        Dataset d = VocReader.read(year, "train");
        Path other = tmp.resolve("copy/VOC2012");
        for (ImageRecord r : d.images()) {
            VocWriter.writeAnnotation(other, r, d.classes());
        }
        VocWriter.writeSplit(other, "val", d.images().stream().map(ImageRecord::key).toList());
        Dataset back = VocReader.read(other, "val");
        for (int i = 0; i < d.images().size(); i++) {
            List<Instance> a = d.images().get(i).instances();
            List<Instance> b = back.images().get(i).instances();
            assertEquals(a.size(), b.size());
            for (int k = 0; k < a.size(); k++) {
                assertEquals(Math.round(a.get(k).x1()), b.get(k).x1(), "the writer rounds to whole pixels");
                assertEquals(Math.round(a.get(k).x2()), b.get(k).x2());
                assertEquals(Math.round(a.get(k).y1()), b.get(k).y1());
                assertEquals(Math.round(a.get(k).y2()), b.get(k).y2());
                assertEquals(a.get(k).difficult(), b.get(k).difficult());
                assertEquals(a.get(k).label(), b.get(k).label());
            }
        }
    }

    @Test
    void filenamesLeavingJpegImagesAreRefused() throws IOException {
        xml("000003", "<annotation><filename>../../../etc/passwd</filename></annotation>");
        split("bad", "000003\n");
        DatasetException e = assertThrows(DatasetException.class, () -> VocReader.load(year, "bad", VocReader.VOC_CLASSES));
        assertTrue(e.getMessage().startsWith(year.resolve("Annotations/000003.xml") + ": image 000003: <filename> '../../../etc/passwd'"),
                e.getMessage());
    }
}
