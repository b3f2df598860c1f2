package org.aligndet.trainer.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a command tolerates of the images it reads: the pixel cap of each image
 * ({@link ImageDecoder#readBgr(Path, long)}) and the largest share of a listed data set that may
 * be missing from disk before the command fails rather than skipping them.
 *
 * @param maxPixels  images above this many pixels are refused like corrupt ones (skipped and listed)
 * @param maxMissing largest share, in [0, 1], of listed images that may be missing
 */
public record ImageLimits(long maxPixels, double maxMissing) {
    /** 50 megapixels; up to 10% of a listed data set missing. */
    public static final ImageLimits DEFAULT = new ImageLimits(ImageDecoder.DEFAULT_MAX_PIXELS, 0.1);

    public ImageLimits {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("the pixel cap must be at least 1, got " + maxPixels);
        }
        if (!(maxMissing >= 0 && maxMissing <= 1)) {
            throw new IllegalArgumentException("the share of missing images allowed must be in [0, 1], got " + maxMissing);
        }
    }

    /**
     * The files of a listed data set that do not exist, in order.
     *
     * @param source names the listing (an annotation file, a VOC split) in the error
     * @throws MissingImagesException when more than {@link #maxMissing} of {@code files} are missing;
     *                                its one line names {@code source}, the counts and the first few files
     */
    public List<Path> requirePresent(List<Path> files, String source) {
        List<Path> missing = new ArrayList<>();
        for (Path f : files) {
            if (!Files.exists(f)) {
                missing.add(f);
            }
        }
        if (!files.isEmpty() && missing.size() > maxMissing * files.size()) {
            List<String> first = missing.stream().limit(3).map(Path::toString).toList();
            throw new MissingImagesException(String.format(Locale.ROOT,
                    "%s: %d of %d listed images (%.1f%%) are missing, more than the %.1f%% allowed (--max-missing %s); "
                            + "is the image folder right? first missing: %s",
                    source, missing.size(), files.size(), 100.0 * missing.size() / files.size(), 100 * maxMissing,
                    maxMissing, String.join(", ", first)));
        }
        return missing;
    }

    /** Too many images of a listed data set are missing from disk. */
    public static final class MissingImagesException extends RuntimeException {
        public MissingImagesException(String message) {
            super(message);
        }
    }
}
