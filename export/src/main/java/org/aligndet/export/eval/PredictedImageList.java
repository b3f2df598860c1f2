package org.aligndet.export.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.aligndet.trainer.data.CocoFile;
import org.aligndet.trainer.data.CocoJson;

/**
 * {@code aligndet predict} without {@code --coco} numbers the images itself (1..N in path order)
 * and lists them in {@code images.json} beside {@code results.json}. Scored against an annotation
 * file, those ids mean the same images only where each id's file name agrees; otherwise the
 * scores would be silently wrong, or every detection would name an unknown image.
 */
final class PredictedImageList {
    /** The file {@code predict} writes beside its results when it numbered the images. */
    static final String NAME = "images.json";

    private PredictedImageList() {
    }

    /**
     * Checks the image list beside {@code results}, when there is one, against the ground truth.
     *
     * @throws EvalInputException when an id of the list is not in {@code gt} or names another file
     *                            there; the message says to rerun {@code predict --coco}
     */
    static void requireSameImages(Path results, CocoFile gt) {
        Path list = results.toAbsolutePath().resolveSibling(NAME);
        if (!Files.isRegularFile(list)) {
            return;
        }
        Map<Long, String> truth = new HashMap<>();
        gt.images().forEach(i -> truth.put(i.id(), i.fileName()));
        int bad = 0;
        String example = null;
        for (CocoFile.Image i : CocoJson.instances(list).images()) {
            String name = truth.get(i.id());
            if (name == null || !baseName(name).equals(baseName(i.fileName()))) {
                bad++;
                if (example == null) {
                    example = "image_id " + i.id() + " is '" + i.fileName() + "' there, " + (name == null ? "absent" : "'" + name + "'")
                            + " in the annotation file";
                }
            }
        }
        if (bad > 0) {
            throw new EvalInputException(results + ": its image ids were numbered by 'aligndet predict' without --coco (listed in "
                    + list + "), and " + bad + " of them do not match " + gt.file() + " (" + example + "): rerun 'aligndet predict --coco "
                    + gt.file() + " --images DIR ...' so the results use the annotation file's image ids");
        }
    }

    private static String baseName(String fileName) {
        String n = fileName == null ? "" : fileName.replace('\\', '/');
        return n.substring(n.lastIndexOf('/') + 1);
    }
}
