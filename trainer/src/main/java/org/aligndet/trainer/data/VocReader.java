package org.aligndet.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
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
 * Reads a PASCAL VOC year directory ({@code VOCdevkit/VOC2007} or {@code VOCdevkit/VOC2012}):
 * {@code ImageSets/Main/<split>.txt} lists image ids, {@code Annotations/<id>.xml} holds objects,
 * {@code JPEGImages/<filename>} the pixels.
 *
 * <p><b>Coordinates.</b> VOC boxes are 1-based inclusive pixel indices; they become the continuous
 * 0-based xyxy frame of {@link Instance} as {@code x1 = xmin - 1, y1 = ymin - 1, x2 = xmax,
 * y2 = ymax}, so a box covering one pixel column has width 1. Fractional coordinates (found in some
 * VOC-style datasets) convert the same way.
 *
 * <p>Labels are indices into the class list ({@link #VOC_CLASSES} by default); {@code categoryId}
 * equals the label. Objects whose name is not in the list, and boxes with zero or negative size, are
 * skipped and counted. {@code difficult} is carried over (absent means 0). Image ids are positions
 * in the split file; {@code key} is the VOC image id. A split naming XML files that do not exist is
 * one error listing every missing file. XML is parsed with DOCTYPEs and external entities refused.
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
        Path splitFile = yearDir.resolve("ImageSets").resolve("Main").resolve(split + ".txt");
        List<String> ids = splitIds(splitFile);
        Path annDir = yearDir.resolve("Annotations");
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            if (!Files.isRegularFile(annDir.resolve(id + ".xml"))) {
                missing.add(annDir.resolve(id + ".xml").toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new DatasetException(splitFile + " names " + missing.size() + " image(s) without an annotation file:\n  "
                    + String.join("\n  ", missing));
        }
        Map<String, Integer> labelOf = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            labelOf.put(classes.get(i), i);
        }
        DocumentBuilder xml = safeBuilder();
        SkipCounts skipped = new SkipCounts();
        List<ImageRecord> images = new ArrayList<>(ids.size());
        for (String id : ids) {
            images.add(readImage(xml, annDir.resolve(id + ".xml"), id, images.size(), yearDir.resolve("JPEGImages"),
                    labelOf, skipped));
        }
        List<Integer> categoryIds = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            categoryIds.add(i);
        }
        return new LoadResult(new Dataset(splitFile.toString(), classes, categoryIds, images), skipped);
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

    private static ImageRecord readImage(DocumentBuilder xml, Path file, String id, int index, Path jpegDir,
                                         Map<String, Integer> labelOf, SkipCounts skipped) {
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
        List<Instance> instances = new ArrayList<>();
        NodeList objects = root.getElementsByTagName("object");
        for (int k = 0; k < objects.getLength(); k++) {
            Element obj = (Element) objects.item(k);
            if (obj.getParentNode() != root) {
                continue; // <part> elements nest objects-like children in VOC2012 layouts
            }
            Instance inst = object(file, obj, k, labelOf, skipped);
            if (inst != null) {
                instances.add(inst);
            }
        }
        Path jpeg = jpegDir.resolve(fileName == null || fileName.isBlank() ? id + ".jpg" : fileName.strip());
        return new ImageRecord(index, id, jpeg, width, height, instances);
    }

    private static Instance object(Path file, Element obj, int index, Map<String, Integer> labelOf, SkipCounts skipped) {
        String name = text(obj, "name");
        if (name == null) {
            throw new DatasetException(file + ": object " + index + " has no <name>");
        }
        Integer label = labelOf.get(name.strip());
        if (label == null) {
            skipped.add(UNKNOWN_CLASS + " ('" + name.strip() + "')");
            return null;
        }
        Element box = child(obj, "bndbox");
        if (box == null) {
            throw new DatasetException(file + ": object " + index + " ('" + name.strip() + "') has no <bndbox>");
        }
        double x1 = number(file, box, "xmin", Double.NaN) - 1;
        double y1 = number(file, box, "ymin", Double.NaN) - 1;
        double x2 = number(file, box, "xmax", Double.NaN);
        double y2 = number(file, box, "ymax", Double.NaN);
        if (!(x2 > x1 && y2 > y1)) {
            skipped.add(ZERO_SIZE);
            return null;
        }
        boolean difficult = number(file, obj, "difficult", 0) != 0;
        return new Instance((float) x1, (float) y1, (float) x2, (float) y2, label, label, index, false, difficult,
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
