package org.aligndet.cli;

import org.aligndet.trainer.image.ImageDecoder;
import org.aligndet.trainer.image.ImageLimits;
import picocli.CommandLine.Option;

/**
 * What the commands that read images ({@code predict}, {@code eval --model}, {@code check},
 * {@code proposals}) tolerate: the pixel cap of one image, and the share of a listed data set that
 * may be missing from disk ({@link ImageLimits}).
 */
final class ImageInputOptions {
    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + ImageDecoder.DEFAULT_MAX_PIXELS,
            converter = Ranges.AtLeastOneLong.class,
            description = "skip and list images above N pixels, read from the file's header before decoding "
                    + "(default: ${DEFAULT-VALUE}, 50 megapixels)")
    long maxPixels;

    @Option(names = "--max-missing", paramLabel = "F", defaultValue = "0.1", converter = Ranges.UnitInterval.class,
            description = "fail when more than this share of the images a data set lists is missing from disk; "
                    + "fewer are skipped and listed as missing (default: ${DEFAULT-VALUE})")
    double maxMissing;

    ImageLimits limits() {
        return new ImageLimits(maxPixels, maxMissing);
    }
}
