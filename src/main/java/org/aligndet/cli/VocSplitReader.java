package org.aligndet.cli;

import org.aligndet.export.eval.EvalInputException;
import org.aligndet.export.eval.VocImage;
import org.aligndet.export.eval.VocObject;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Minimal VOC reader for {@code aligndet eval --voc}: {@code ImageSets/Main/<split>.txt} and the
 * {@code Annotations/<id>.xml} it names (object name, difficult, bndbox), boxes kept in the XML's
 * 1-based inclusive frame. DOCTYPEs and external entities are refused (XXE-safe). Interim: to be
 * replaced by the trainer's VOC reader.
 */
final class VocSplitReader {
    private VocSplitReader() {
    }

    /** {@code dir} is a {@code VOC2007}-style folder, or a {@code VOCdevkit} holding {@code VOC2007}. */
    static Path resolveYearDir(Path dir) {
        if (Files.isDirectory(dir.resolve("Annotations"))) {
            return dir;
        }
        Path voc2007 = dir.resolve("VOC2007");
        if (Files.isDirectory(voc2007.resolve("Annotations"))) {
            return voc2007;
        }
        throw new EvalInputException(dir + " is not a VOC folder: no Annotations/ in it or in " + voc2007);
    }

    /** Reads every image of the split; all missing XML files are reported together, each once. */
    static List<VocImage> read(Path yearDir, String split, List<String> classes) {
        Path list = yearDir.resolve("ImageSets").resolve("Main").resolve(split + ".txt");
        List<String> ids;
        try {
            ids = Files.readAllLines(list).stream().map(String::trim).filter(s -> !s.isEmpty()).map(s -> s.split("\\s+")[0]).toList();
        } catch (IOException e) {
            throw new EvalInputException("cannot read the VOC split list " + list + ": " + e.getMessage(), e);
        }
        Set<String> unique = new LinkedHashSet<>(ids);
        Set<Path> missing = new LinkedHashSet<>();
        for (String id : unique) {
            Path xml = yearDir.resolve("Annotations").resolve(id + ".xml");
            if (!Files.isRegularFile(xml)) {
                missing.add(xml);
            }
        }
        if (!missing.isEmpty()) {
            StringBuilder msg = new StringBuilder(list + " names " + missing.size() + " images without an annotation file:");
            missing.forEach(p -> msg.append("\n  ").append(p));
            throw new EvalInputException(msg.toString());
        }
        DocumentBuilder builder = safeBuilder();
        List<VocImage> images = new ArrayList<>();
        for (String id : unique) {
            images.add(new VocImage(id, objects(builder, yearDir.resolve("Annotations").resolve(id + ".xml"), classes)));
        }
        return images;
    }

    private static List<VocObject> objects(DocumentBuilder builder, Path xml, List<String> classes) {
        Document doc;
        try {
            doc = builder.parse(xml.toFile());
        } catch (SAXException | IOException e) {
            throw new EvalInputException(xml + ": cannot parse VOC XML: " + e.getMessage(), e);
        }
        List<VocObject> out = new ArrayList<>();
        NodeList objs = doc.getElementsByTagName("object");
        for (int i = 0; i < objs.getLength(); i++) {
            Element o = (Element) objs.item(i);
            String name = text(o, "name", xml, i);
            int label = classes.indexOf(name);
            if (label < 0) {
                throw new EvalInputException(xml + ": object " + i + " has class '" + name + "', which is not one of " + classes);
            }
            String difficult = optionalText(o, "difficult");
            Element box = (Element) o.getElementsByTagName("bndbox").item(0);
            if (box == null) {
                throw new EvalInputException(xml + ": object " + i + " (" + name + ") has no bndbox");
            }
            out.add(new VocObject(number(box, "xmin", xml, i), number(box, "ymin", xml, i), number(box, "xmax", xml, i),
                    number(box, "ymax", xml, i), label, difficult != null && Integer.parseInt(difficult.trim()) != 0));
        }
        return out;
    }

    private static String optionalText(Element parent, String tag) {
        NodeList n = parent.getElementsByTagName(tag);
        return n.getLength() == 0 ? null : n.item(0).getTextContent();
    }

    private static String text(Element parent, String tag, Path xml, int object) {
        String t = optionalText(parent, tag);
        if (t == null) {
            throw new EvalInputException(xml + ": object " + object + " has no <" + tag + ">");
        }
        return t.trim();
    }

    private static double number(Element box, String tag, Path xml, int object) {
        String t = text(box, tag, xml, object);
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new EvalInputException(xml + ": object " + object + " has <" + tag + ">" + t + "</" + tag + ">, not a number");
        }
    }

    private static DocumentBuilder safeBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler() {
                @Override
                public void fatalError(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void error(org.xml.sax.SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("XML parser cannot be configured safely", e);
        }
    }
}
