package org.aligndet.trainer.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageLimitsTest {
    @TempDir
    Path dir;

    /** Ten listed files, the first {@code missing} of them absent. */
    private List<Path> listing(int missing) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Path f = dir.resolve("img" + i + ".png");
            if (i >= missing) {
                Files.write(f, new byte[1]);
            }
            files.add(f);
        }
        return files;
    }

    @Test
    void upToTheShareAllowedTheMissingAreReturned() throws IOException {
        List<Path> files = listing(1);
        assertEquals(List.of(files.get(0)), ImageLimits.DEFAULT.requirePresent(files, "ann.json"));
        assertEquals(List.of(), ImageLimits.DEFAULT.requirePresent(listing(0), "ann.json"));
    }

    @Test
    void moreThanTheShareAllowedIsAnErrorNamingTheListing() throws IOException {
        List<Path> files = listing(2);
        var e = assertThrows(ImageLimits.MissingImagesException.class, () -> ImageLimits.DEFAULT.requirePresent(files, "ann.json"));
        assertTrue(e.getMessage().startsWith("ann.json: 2 of 10 listed images (20.0%) are missing, more than the 10.0% allowed "
                + "(--max-missing 0.1)"), e.getMessage());
        assertTrue(e.getMessage().contains(files.get(0).toString()), e.getMessage());
        assertEquals(2, new ImageLimits(100, 0.2).requirePresent(files, "ann.json").size());
        assertThrows(ImageLimits.MissingImagesException.class, () -> new ImageLimits(100, 0).requirePresent(listing(1), "x"));
    }
}
