package org.aligndet.trainer.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.aligndet.trainer.data.ImageRecord;
import org.junit.jupiter.api.Test;

class LowDataSubsetTest {
    static List<ImageRecord> images(int n) {
        List<ImageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ImageRecord(1000 + 7L * i, "img" + i + ".jpg", Path.of("img" + i + ".jpg"), 64, 64, List.of()));
        }
        return out;
    }

    static Set<Long> ids(List<ImageRecord> r) {
        Set<Long> s = new HashSet<>();
        r.forEach(x -> s.add(x.id()));
        return s;
    }

    @Test
    void theSameSeedFractionAndFoldGiveTheSameImagesWhateverTheInputOrder() {
        List<ImageRecord> all = images(1000);
        List<ImageRecord> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new java.util.Random(3));
        for (double f : LowDataSubset.PAPER_FRACTIONS) {
            for (int k = 1; k <= 5; k++) {
                assertEquals(LowDataSubset.select(all, f, k, 42), LowDataSubset.select(shuffled, f, k, 42), f + " fold " + k);
            }
        }
        assertNotEquals(ids(LowDataSubset.select(all, 0.1, 1, 42)), ids(LowDataSubset.select(all, 0.1, 1, 43)), "the seed matters");
    }

    @Test
    void foldsAreDisjointAndSizedForEveryPaperFraction() {
        List<ImageRecord> all = images(1000);
        for (double f : LowDataSubset.PAPER_FRACTIONS) {
            Set<Long> seen = new HashSet<>();
            for (int k = 1; k <= 5; k++) {
                List<ImageRecord> fold = LowDataSubset.select(all, f, k, 0);
                assertEquals(Math.round(f * 1000), fold.size(), f + " fold " + k);
                for (ImageRecord r : fold) {
                    assertTrue(seen.add(r.id()), f + ": image " + r.id() + " is in two folds");
                }
            }
            assertTrue(LowDataSubset.foldsDisjoint(1000, f));
        }
    }

    @Test
    void largeFractionsDrawAFoldOfTheirOwnAndSmallSetsKeepOneImage() {
        List<ImageRecord> all = images(50);
        assertFalse(LowDataSubset.foldsDisjoint(50, 0.5));
        List<ImageRecord> a = LowDataSubset.select(all, 0.5, 3, 0);
        assertEquals(25, a.size());
        assertEquals(a, LowDataSubset.select(all, 0.5, 3, 0));
        assertEquals(1, LowDataSubset.select(images(20), 0.01, 1, 0).size());
        assertEquals(50, LowDataSubset.select(all, 1.0, 1, 0).size());
    }

    @Test
    void badFractionsAndFoldsAreRejectedByName() {
        List<ImageRecord> all = images(10);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LowDataSubset.select(all, 0, 1, 0)).getMessage().contains("--fraction"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LowDataSubset.select(all, 0.1, 6, 0)).getMessage().contains("--fold"));
    }
}
