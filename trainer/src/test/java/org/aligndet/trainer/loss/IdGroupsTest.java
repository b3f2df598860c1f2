package org.aligndet.trainer.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class IdGroupsTest {
    @Test
    void groupsEveryIdsPositionsInOrderAndLeavesBackgroundOut() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int trial = 0; trial < 30; trial++) {
            int n = rng.nextInt(0, 200);
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                // small and large ids (image << 32 | proposal, as the pre-training builds them) and background
                ids[i] = rng.nextInt(4) == 0 ? -1 : ((long) rng.nextInt(3) << 32) + rng.nextInt(12);
            }
            TreeMap<Long, List<Integer>> expected = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                if (ids[i] >= 0) {
                    expected.computeIfAbsent(ids[i], x -> new ArrayList<>()).add(i);
                }
            }
            IdGroups g = IdGroups.of(ids);
            assertEquals(expected.size(), g.groups());
            int group = 0;
            for (var e : expected.entrySet()) {
                int[] want = e.getValue().stream().mapToInt(Integer::intValue).toArray();
                assertEquals(group, g.group(e.getKey()));
                assertEquals(want.length, g.count(e.getKey()));
                assertArrayEquals(want, g.positionsOf(e.getKey()));
                assertEquals(want.length, g.end(group) - g.start(group));
                assertEquals(want[0], g.positions()[g.start(group)]);
                group++;
            }
            for (long absent : new long[] {-1, 13, (3L << 32) + 1}) {
                assertEquals(-1, g.group(absent));
                assertEquals(0, g.count(absent));
                assertEquals(0, g.positionsOf(absent).length);
            }
        }
    }
}
