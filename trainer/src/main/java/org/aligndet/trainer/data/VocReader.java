package org.aligndet.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.aligndet.bridge.io.RelativeName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The one reader of PASCAL VOC year directories ({@code VOCdevkit/VOC2007} or
 * {@code VOCdevkit/VOC2012}): {@code ImageSets/Main/<split>.txt} lists image ids,
 * {@code Annotations/<id>.xml} holds objects, {@code JPEGImages/<filename>} the pixels.
 *
 * <p>{@link #parse} reads a split once into a {@link VocSplit}: every object as its XML states it
 * ({@link VocObject}, 1-based inclusive, float64, {@code difficult} carried over, absent meaning 0),
 * which the VOC evaluator reads as it is; an object of a class outside the list keeps only its name
 * (it is skipped in training and an error in evaluation). {@link #load(VocSplit)} is the training
 * view.
 *
 * <p><b>Training coordinates.</b> VOC boxes are 1-based inclusive pixel indices; they become the
 * continuous 0-based xyxy frame of {@link Instance} as {@code x1 = xmin - 1, y1 = ymin - 1,
 * x2 = xmax, y2 = ymax}, so a box covering one pixel column has width 1. Fractional coordinates
 * (found in some VOC-style datasets) convert the same way.
 *
 * <p>Labels are indices into the class list ({@link #VOC_CLASSES} by default); {@code categoryId}
 * equals the label. In the training view, objects whose name is not in the list, and boxes with zero
 * or negative size, are skipped and counted. Image ids are positions in the split file; {@code key}
 * is the VOC image id. A split naming XML files that do not exist is one error listing every
 * missing file once. XML is parsed with DOCTYPEs and external entities refused (XXE-safe).
 */
public final class VocReader {
    /** The 20 PASCAL VOC classes, in the order the VOC devkit and mmdetection use. */
    public static final List<String> VOC_CLASSES = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus",
            "car", "cat", "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep",
            "sofa", "train", "tvmonitor");
    public static final String ZERO_SIZE = "box with zero or negative width or height";
    public static final String UNKNOWN_CLASS = "object of a class not in the class list";

    private static final Logger LOG = LoggerFactory.getLogger(VocReader.class);

    private VocReader() {
    }

    /**
     * The year directory of {@code dir}: {@code dir} itself when it holds {@code Annotations/}, else
     * its {@code VOC2007} (so a {@code VOCdevkit} folder works too).
     */
    public static Path yearDir(Path dir) {
        if (Files.isDirectory(dir.resolve("Annotations"))) {
            return dir;
        }
        Path voc2007 = dir.resolve("VOC2007");
        if (Files.isDirectory(voc2007.resolve("Annotations"))) {
            return voc2007;
        }
        throw new DatasetException(dir + " is not a VOC folder: no Annotations/ in it or in " + voc2007);
    }

    /** Reads {@code split} of {@code yearDir} with the 20 VOC classes; skips are logged once. */
    public static Dataset read(Path yearDir, String split) {
        return read(yearDir, split, VOC_CLASSES);
    }

    /** Reads {@code split} of {@code yearDir}, labels being indices into {@code classes}; skips are logged once. */
    public static Dataset read(Path yearDir, String split, List<String> classes) {
        LoadResult r = load(yearDir, split, classes);
        if (!r.skipped().isEmpty()) {
            LOG.warn(r.skipped().summary(r.dataset().source()));
        }
        return r.dataset();
    }

    /** Like {@link #read(Path, String, List)} but hands back the skip counts instead of logging them. */
    public static LoadResult load(Path yearDir, String split, List<String> classes) {
        return load(parse(yearDir, split, classes));
    }

    /**
     * Reads every annotation the split names, once per distinct id; labels index {@code classes}.
     *
     * @throws DatasetException for a missing split file (named), XML files that do not exist (all
     *                          listed), malformed XML or an object without name or box (file named)
     */
    public static VocSplit parse(Path yearDir, String split, List<String> classes) {
        Path splitFile = splitFile(yearDir, split);
        List<String> ids = splitIds(splitFile);
        Path annDir = yearDir.resolve("Annotations");
        Set<String> distinct = new LinkedHashSet<>(ids);
        List<String> missing = new ArrayList<>();
        for (String id : distinct) {
            if (!Files.isRegularFile(annDir.resolve(id + ".xml"))) {
                missing.add(annDir.resolve(id + ".xml").toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new DatasetException(splitFile + " names " + missing.size() + (missing.size() == 1 ? " image" : " images")
                    + " without an annotation file:\n  " + String.join("\n  ", missing));
        }
        Map<String, Integer> labelOf = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            labelOf.put(classes.get(i), i);
        }
        DocumentBuilder xml = safeBuilder();
        List<VocImage> images = new ArrayList<>(distinct.size());
        for (String id : distinct) {
            images.add(readImage(xml, annDir.resolve(id + ".xml"), id, yearDir.resolve("JPEGImages"), labelOf));
        }
        return new VocSplit(yearDir, split, classes, ids, images);
    }

    /** The training view of a split: its images in split-file order as {@link Instance}s, skips counted. */
    public static LoadResult load(VocSplit split) {
        Map<String, VocImage> byId = split.byId();
        SkipCounts skipped = new SkipCounts();
        List<ImageRecord> images = new ArrayList<>(split.ids().size());
        for (String id : split.ids()) {
            VocImage image = byId.get(id);
            List<Instance> instances = new ArrayList<>();
            for (int k = 0; k < image.objects().size(); k++) {
                Instance inst = instance(image.objects().get(k), k, skipped);
                if (inst != null) {
                    instances.add(inst);
                }
            }
            images.add(new ImageRecord(images.size(), id, image.file(), image.width(), image.height(), instances));
        }
        List<Integer> categoryIds = new ArrayList<>();
        for (int i = 0; i < split.classes().size(); i++) {
            categoryIds.add(i);
        }
        return new LoadResult(new Dataset(split.splitFile().toString(), split.classes(), categoryIds, images), skipped);
    }

    static Path splitFile(Path yearDir, String split) {
        return yearDir.resolve("ImageSets").resolve("Main").resolve(split + ".txt");
    }

    private static List<String> splitIds(Path splitFile) {
        if (!Files.isRegularFile(splitFile)) {
            throw new DatasetException(splitFile + ": split file not found");
        }
        try {
            List<String> ids = new ArrayList<>();
            for (String line : Files.readAllLines(splitFile, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty()) {
                    ids.add(t.split("\\s+")[0]);
                }
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + splitFile, e);
        }
    }

    /** A namespace-unaware DOM builder that refuses DOCTYPEs, so no external entity or DTD is ever fetched. */
    static DocumentBuilder safeBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new DefaultHandler() {
                @Override
                public void warning(SAXParseException e) {
                    // VOC files need no warnings; keep stderr quiet
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's XML parser lacks the features that make it XXE-safe", e);
        }
    }

    private static VocImage readImage(DocumentBuilder xml, Path file, String id, Path jpegDir, Map<String, Integer> labelOf) {
        Element root;
        try {
            Document doc = xml.parse(file.toFile());
            root = doc.getDocumentElement();
        } catch (SAXException e) {
            throw new DatasetException(file + ": malformed XML: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String fileName = text(root, "filename");
        Element size = child(root, "size");
        int width = size == null ? 0 : (int) number(file, size, "width", 0);
        int height = size == null ? 0 : (int) number(file, size, "height", 0);
        List<VocObject> objects = new ArrayList<>();
        NodeList all = root.getElementsByTagName("object");
        for (int k = 0; k < all.getLength(); k++) {
            Element obj = (Element) all.item(k);
            if (obj.getParentNode() == root) { // <part> elements nest objects-like children in VOC2012 layouts
                objects.add(object(file, obj, objects.size(), labelOf));
            }
        }
        String name = fileName == null || fileName.isBlank() ? id + ".jpg" : fileName.strip();
        String unsafe = RelativeName.problem(name);
        if (unsafe != null) {
            throw new DatasetException(file + ": image " + id + ": <filename> '" + name + "' " + unsafe);
        }
        Path jpeg = jpegDir.resolve(name);
        return new VocImage(id, jpeg, width, height, objects);
    }

    private static VocObject object(Path file, Element obj, int index, Map<String, Integer> labelOf) {
        String name = text(obj, "name");
        if (name == null) {
            throw new DatasetException(file + ": object " + index + " has no <name>");
        }
        name = name.strip();
        Integer label = labelOf.get(name);
        if (label == null) {
            return VocObject.unknown(name);
        }
        Element box = child(obj, "bndbox");
        if (box == null) {
            throw new DatasetException(file + ": object " + index + " ('" + name + "') has no <bndbox>");
        }
        return new VocObject(name, label, number(file, box, "xmin", Double.NaN), number(file, box, "ymin", Double.NaN),
                number(file, box, "xmax", Double.NaN), number(file, box, "ymax", Double.NaN), number(file, obj, "difficult", 0) != 0);
    }

    /** An object in the continuous frame, or {@code null} (counted) when its class is unknown or its box empty. */
    private static Instance instance(VocObject o, int index, SkipCounts skipped) {
        if (o.label() == VocObject.UNKNOWN) {
            skipped.add(UNKNOWN_CLASS + " ('" + o.name() + "')");
            return null;
        }
        double x1 = o.xmin() - 1;
        double y1 = o.ymin() - 1;
        double x2 = o.xmax();
        double y2 = o.ymax();
        if (!(x2 > x1 && y2 > y1)) {
            skipped.add(ZERO_SIZE);
            return null;
        }
        return new Instance((float) x1, (float) y1, (float) x2, (float) y2, o.label(), o.label(), index, false, o.difficult(),
                false, (x2 - x1) * (y2 - y1));
    }

    private static Element child(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element parent, String tag) {
        Element e = child(parent, tag);
        return e == null ? null : e.getTextContent();
    }

    /** The number in {@code <tag>} under {@code parent}; {@code fallback} when absent, NaN fallback meaning required. */
    private static double number(Path file, Element parent, String tag, double fallback) {
        String t = text(parent, tag);
        if (t == null || t.isBlank()) {
            if (Double.isNaN(fallback)) {
                throw new DatasetException(file + ": <" + parent.getTagName() + "> has no <" + tag + ">");
            }
            return fallback;
        }
        try {
            return Double.parseDouble(t.strip());
        } catch (NumberFormatException e) {
            throw new DatasetException(file + ": <" + tag + "> is not a number: '" + t.strip() + "'");
        }
    }
}
