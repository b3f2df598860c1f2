package org.aligndet.trainer.mask;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.aligndet.trainer.testing.Reference;

/** The fixtures of {@code model-specs/generator/mask_fixtures.py} and their bit-string masks. */
final class MaskFixtures {
    private MaskFixtures() {
    }

    static JsonNode load(String name) {
        Path f = Reference.root().resolve("model-specs/fixtures/mask").resolve(name + ".json");
        try {
            return new ObjectMapper().readTree(f.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + f, e);
        }
    }

    /** A row-major string of '0'/'1' as an RLE mask. */
    static Rle rle(String bits, int h, int w) {
        if (bits.length() != h * w) {
            throw new IllegalArgumentException(bits.length() + " bits for " + h + "x" + w);
        }
        boolean[] colMajor = new boolean[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                colMajor[x * h + y] = bits.charAt(y * w + x) == '1';
            }
        }
        return Rle.encode(h, w, colMajor);
    }

    /** An RLE mask as a row-major string of '0'/'1'. */
    static String bits(Rle m) {
        boolean[] colMajor = m.decode();
        StringBuilder s = new StringBuilder(colMajor.length);
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                s.append(colMajor[x * m.height() + y] ? '1' : '0');
            }
        }
        return s.toString();
    }

    static String bits(float[] binary) {
        StringBuilder s = new StringBuilder(binary.length);
        for (float v : binary) {
            s.append(v == 1f ? '1' : v == 0f ? '0' : '?');
        }
        return s.toString();
    }

    static String bits(byte[] binary) {
        StringBuilder s = new StringBuilder(binary.length);
        for (byte v : binary) {
            s.append(v == 1 ? '1' : '0');
        }
        return s.toString();
    }
}
