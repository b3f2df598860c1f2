package org.aligndet.trainer.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.aligndet.bridge.io.AtomicFiles;

/**
 * Writes VOC annotation XML and split files, atomically and deterministically. The inverse of
 * {@link VocReader}: a box {@code [x1, x2)} in the continuous 0-based frame becomes
 * {@code xmin = round(x1) + 1, xmax = round(x2)} (1-based inclusive), likewise for y.
 */
public final class VocWriter {
    private VocWriter() {
    }

    /**
     * Writes {@code <yearDir>/Annotations/<key>.xml} for {@code image}; {@code <filename>} is the
     * image file's name, {@code <name>} is {@code classes.get(label)}.
     */
    public static void writeAnnotation(Path yearDir, ImageRecord image, List<String> classes) throws IOException {
        StringBuilder x = new StringBuilder(256 + 256 * image.instances().size());
        x.append("<annotation>\n");
        x.append("\t<folder>").append(escape(yearDir.getFileName().toString())).append("</folder>\n");
        x.append("\t<filename>").append(escape(image.file().getFileName().toString())).append("</filename>\n");
        x.append("\t<size>\n\t\t<width>").append(image.width()).append("</width>\n\t\t<height>")
                .append(image.height()).append("</height>\n\t\t<depth>3</depth>\n\t</size>\n");
        x.append("\t<segmented>0</segmented>\n");
        for (Instance inst : image.instances()) {
            x.append("\t<object>\n\t\t<name>").append(escape(classes.get(inst.label()))).append("</name>\n");
            x.append("\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n");
            x.append("\t\t<difficult>").append(inst.difficult() ? 1 : 0).append("</difficult>\n");
            x.append("\t\t<bndbox>\n");
            x.append("\t\t\t<xmin>").append(Math.round(inst.x1()) + 1).append("</xmin>\n");
            x.append("\t\t\t<ymin>").append(Math.round(inst.y1()) + 1).append("</ymin>\n");
            x.append("\t\t\t<xmax>").append(Math.round(inst.x2())).append("</xmax>\n");
            x.append("\t\t\t<ymax>").append(Math.round(inst.y2())).append("</ymax>\n");
            x.append("\t\t</bndbox>\n\t</object>\n");
        }
        x.append("</annotation>\n");
        Path file = yearDir.resolve("Annotations").resolve(image.key() + ".xml");
        AtomicFiles.write(file, x.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code <yearDir>/ImageSets/Main/<split>.txt}, one image id per line. */
    public static void writeSplit(Path yearDir, String split, List<String> ids) throws IOException {
        StringBuilder sb = new StringBuilder();
        ids.forEach(id -> sb.append(id).append('\n'));
        AtomicFiles.write(yearDir.resolve("ImageSets").resolve("Main").resolve(split + ".txt"),
                sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
