package org.aligndet.trainer.proposals;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes proposals as a COCO file, AlignDet's shape: {@code images} (id, file_name, width,
 * height), {@code categories} = [{id 1, "selective_search"}], {@code annotations} (id from 1 in
 * order of image id then proposal index, image_id, category_id 1, bbox [x, y, w, h], area,
 * iscrowd 0, proposal_index). Skipped images are left out. Images are written in the order given
 * (the caller sorts by id). Written to a temporary file beside {@code out}, then moved over it
 * atomically.
 */
public final class ProposalWriter {
    public static final String CATEGORY = "selective_search";

    private ProposalWriter() {
    }

    public static void write(Path out, List<ImageProposals> images) {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try {
            try (JsonGenerator g = new JsonFactory().createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeArrayFieldStart("images");
                for (ImageProposals e : images) {
                    if (!e.isSkipped()) {
                        g.writeStartObject();
                        g.writeNumberField("id", e.id());
                        g.writeStringField("file_name", e.fileName());
                        g.writeNumberField("width", e.width());
                        g.writeNumberField("height", e.height());
                        g.writeEndObject();
                    }
                }
                g.writeEndArray();
                g.writeArrayFieldStart("categories");
                g.writeStartObject();
                g.writeNumberField("id", 1);
                g.writeStringField("name", CATEGORY);
                g.writeEndObject();
                g.writeEndArray();
                writeAnnotations(g, images);
                g.writeEndObject();
                g.writeRaw('\n');
            }
            moveAtomically(tmp, out);
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot write proposals", e);
        }
    }

    private static void writeAnnotations(JsonGenerator g, List<ImageProposals> images) throws IOException {
        g.writeArrayFieldStart("annotations");
        long annId = 1;
        for (ImageProposals e : images) {
            for (Proposal p : e.proposals()) {
                double w = Proposal.round(p.width());
                double h = Proposal.round(p.height());
                g.writeStartObject();
                g.writeNumberField("id", annId++);
                g.writeNumberField("image_id", e.id());
                g.writeNumberField("category_id", 1);
                g.writeArrayFieldStart("bbox");
                g.writeNumber(p.x1());
                g.writeNumber(p.y1());
                g.writeNumber(w);
                g.writeNumber(h);
                g.writeEndArray();
                g.writeNumberField("area", Math.round(w * h * 1e4) / 1e4);
                g.writeNumberField("iscrowd", 0);
                g.writeNumberField("proposal_index", p.index());
                g.writeEndObject();
            }
        }
        g.writeEndArray();
    }

    /** Lines {@code file_name<TAB>reason} of the skipped images, in the order given; atomic. */
    public static void writeSkipped(Path report, List<ImageProposals> skipped) {
        Path tmp = report.resolveSibling(report.getFileName() + ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (ImageProposals e : skipped) {
                    w.write(e.fileName() + "\t" + e.skipped().replace('\n', ' ') + "\n");
                }
            }
            moveAtomically(tmp, report);
        } catch (IOException e) {
            throw new UncheckedIOException(report + ": cannot write", e);
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
