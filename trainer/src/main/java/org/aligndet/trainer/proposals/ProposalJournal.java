package org.aligndet.trainer.proposals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aligndet.bridge.io.FileBytes;

/**
 * The append-only record of finished images, one JSON object per line, flushed per image, so
 * that a killed run resumes. Line 1 is a header holding the run's settings; a journal written
 * with other settings is refused. A torn last line (the process died mid-write) is cut off on
 * opening. Doubles round-trip exactly (shortest representation), so a resumed run writes the
 * same output as an uninterrupted one.
 */
final class ProposalJournal implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<Long, ImageProposals> done = new LinkedHashMap<>();
    private final BufferedWriter writer;

    /** Opens {@code file}, reading what it holds, or starts it with {@code header}. */
    ProposalJournal(Path file, ObjectNode header) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                readExisting(header);
            } else {
                Files.writeString(file, JSON.writeValueAsString(header) + "\n", StandardCharsets.UTF_8);
            }
            writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot open the journal", e);
        }
    }

    private void readExisting(ObjectNode header) throws IOException {
        byte[] bytes = FileBytes.readAll(file);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(end);
            }
        }
        String[] lines = new String(bytes, 0, end, StandardCharsets.UTF_8).split("\n");
        if (lines.length == 0 || lines[0].isBlank() || !JSON.readTree(lines[0]).equals(header)) {
            throw new IllegalStateException(file + ": journal of a run with other settings or inputs ("
                    + (lines.length == 0 ? "empty" : lines[0]) + "); delete it to start over");
        }
        for (int i = 1; i < lines.length; i++) {
            ImageProposals e = decode(JSON.readTree(lines[i]));
            done.put(e.id(), e);
        }
    }

    Map<Long, ImageProposals> done() {
        return done;
    }

    synchronized void append(ImageProposals e) {
        try {
            writer.write(JSON.writeValueAsString(encode(e)));
            writer.write('\n');
            writer.flush();
            done.put(e.id(), e);
        } catch (IOException ex) {
            throw new UncheckedIOException(file + ": cannot append", ex);
        }
    }

    @Override
    public synchronized void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot close", e);
        }
    }

    private static ObjectNode encode(ImageProposals e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", e.id()).put("file_name", e.fileName());
        if (e.isSkipped()) {
            return n.put("skipped", e.skipped());
        }
        n.put("width", e.width()).put("height", e.height());
        ArrayNode boxes = n.putArray("boxes");
        for (Proposal p : e.proposals()) {
            boxes.addArray().add(p.x1()).add(p.y1()).add(p.x2()).add(p.y2());
        }
        return n;
    }

    private static ImageProposals decode(JsonNode n) {
        long id = n.get("id").asLong();
        String name = n.get("file_name").asText();
        if (n.has("skipped")) {
            return ImageProposals.skipped(id, name, n.get("skipped").asText());
        }
        List<Proposal> props = new ArrayList<>();
        int i = 0;
        for (JsonNode b : n.get("boxes")) {
            props.add(new Proposal(i++, b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()));
        }
        return new ImageProposals(id, name, n.get("width").asInt(), n.get("height").asInt(), props, null);
    }
}
