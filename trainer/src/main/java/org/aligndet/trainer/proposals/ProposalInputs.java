package org.aligndet.trainer.proposals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.aligndet.bridge.io.RelativeName;
import org.aligndet.trainer.data.ImageFolderReader;
import org.aligndet.trainer.data.ImageRecord;


/**
 * The images to run on: every image file under a folder ({@link ImageFolderReader}), or the images
 * listed in a COCO file. The COCO path streams the {@code images} array only and skips the
 * annotations, so a train2017-sized file costs no annotation objects. Records carry no instances.
 */
public final class ProposalInputs {

    private ProposalInputs() {
    }

    /**
     * Image files under {@code dir} (recursively, by extension, case-insensitive), sorted by their
     * relative path with {@code /} separators; ids {@code 1, 2, ...} in that order; key and
     * COCO {@code file_name} = the relative path; size unknown ({@code 0}). A folder without images
     * is an error.
     */
    public static List<ImageRecord> folder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a directory");
        }
        List<ImageRecord> images = ImageFolderReader.read(dir, false).images();
        if (images.isEmpty()) {
            throw new IllegalArgumentException(dir + ": holds no image files (" + String.join(", ", ImageFolderReader.EXTENSIONS.stream().sorted().toList())
                    + "): nothing to run on");
        }
        return images;
    }

    /**
     * The {@code images} of a COCO file (id, file_name, width, height), sorted by id, each file
     * resolved against {@code imageRoot}. Streams past everything else. A malformed file is an
     * error naming it with line and column; a repeated id, a {@code file_name} that is absolute or
     * holds {@code ..}, and a file that lists no images are errors naming it.
     */
    public static List<ImageRecord> cocoImages(Path annotations, Path imageRoot) {
        if (Files.isDirectory(annotations)) {
            throw new IllegalArgumentException(annotations + ": is a directory, not a COCO file");
        }
        ObjectMapper mapper = new ObjectMapper();
        List<ImageRecord> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory(mapper).createParser(annotations.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(annotations + ": not a COCO file (expected a JSON object)");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                JsonToken t = p.nextToken();
                if ("images".equals(field) && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        JsonNode img = mapper.readTree(p);
                        out.add(image(annotations, imageRoot, img));
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new IllegalArgumentException(annotations + ": malformed JSON at line " + (loc == null ? "?" : loc.getLineNr())
                    + ", column " + (loc == null ? "?" : loc.getColumnNr()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(annotations + ": cannot read: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(annotations + ": lists no images (no \"images\" key, or an empty list): "
                    + "nothing to run on");
        }
        out.sort(Comparator.comparingLong(ImageRecord::id));
        Set<Long> seen = new HashSet<>();
        for (ImageRecord r : out) {
            if (!seen.add(r.id())) {
                throw new IllegalArgumentException(annotations + ": image id " + r.id() + " appears more than once");
            }
        }
        return out;
    }

    private static ImageRecord image(Path annotations, Path root, JsonNode img) {
        if (!img.hasNonNull("id") || !img.hasNonNull("file_name")) {
            throw new IllegalArgumentException(annotations + ": an image entry lacks id or file_name: " + img);
        }
        String name = img.get("file_name").asText();
        String unsafe = RelativeName.problem(name);
        if (unsafe != null) {
            throw new IllegalArgumentException(annotations + ": image id " + img.get("id").asText() + ": file_name '" + name + "' "
                    + unsafe + "; file names must be relative to the image folder");
        }
        return new ImageRecord(img.get("id").asLong(), name, root.resolve(name), img.path("width").asInt(0), img.path("height").asInt(0), List.of());
    }
}
