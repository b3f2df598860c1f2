package org.aligndet.trainer.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RankOrderTest {
    @Test
    void topKeepsTheLargestWithTiesToTheLowerIndex() {
        float[] v = {0.1f, 0.7f, -2f, 0.7f, 0.3f, Float.NaN, 0.9f};
        assertArrayEquals(new int[] {6, 1, 3}, RankOrder.top(v, v.length, 3));
        assertArrayEquals(new int[] {6, 1, 3, 4, 0, 2, 5}, RankOrder.top(v, v.length, 0));
        assertArrayEquals(new int[] {1, 3, 4, 0, 2}, RankOrder.top(v, 5, 10));
    }

    @Test
    void selectionAgreesWithAFullSort() {
        Random r = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + r.nextInt(3000);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = r.nextInt(50) / 7f; // many ties
            }
            int k = 1 + r.nextInt(n);
            int[] want = IntStream.range(0, n).boxed()
                    .sorted((a, b) -> v[a] != v[b] ? Float.compare(v[b], v[a]) : Integer.compare(a, b))
                    .limit(k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(want, RankOrder.top(v, n, k), "n " + n + " k " + k);
        }
    }
}
