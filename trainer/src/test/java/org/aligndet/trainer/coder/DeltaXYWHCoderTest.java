package org.aligndet.trainer.coder;

import static org.aligndet.trainer.testing.Reference.assertClose;
import static org.aligndet.trainer.testing.Reference.floats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.aligndet.trainer.testing.Reference;
import org.junit.jupiter.api.Test;

class DeltaXYWHCoderTest {
    static final JsonNode REF = Reference.load("delta_coder");
    final DeltaXYWHCoder coder = new DeltaXYWHCoder(floats(REF.get("means")), floats(REF.get("stds")));

    @Test
    void byHand() {
        float[] prior = {0, 0, 10, 10};
        float[] gt = {5, 0, 25, 10}; // centre moves by 10 = one width; width doubles
        float[] d = DeltaXYWHCoder.unit().encode(prior, gt);
        assertArrayEquals(new float[] {1, 0, (float) Math.log(2), 0}, d, 1e-6f);
    }

    @Test
    void encodeAndDecodeMatchReference() {
        float[] p = floats(REF.get("priors"));
        assertClose(floats(REF.get("encoded")), coder.encode(p, floats(REF.get("gts"))), "encode");
        float[] deltas = floats(REF.get("deltas"));
        assertClose(floats(REF.get("decoded")), coder.decode(p, deltas), "decode");
        assertClose(floats(REF.get("decodedClipped")),
                coder.decode(p, deltas, REF.get("imgW").asInt(), REF.get("imgH").asInt()), "decode, clipped");
    }

    @Test
    void roundTrip() {
        float[] p = floats(REF.get("priors")), gts = floats(REF.get("gts"));
        assertClose(gts, coder.decode(p, coder.encode(p, gts)), 1e-5, "decode(encode(b))");
        assertClose(gts, DeltaXYWHCoder.unit().decode(p, DeltaXYWHCoder.unit().encode(p, gts)), 1e-5, "unit coder");
    }

    @Test
    void clampBoundsTheSizeRatio() {
        float[] b = DeltaXYWHCoder.unit().decode(new float[] {0, 0, 1, 1}, new float[] {0, 0, 100, -100});
        assertEquals(1000f / 16, b[2] - b[0], 1e-3);
        assertEquals(16f / 1000, b[3] - b[1], 1e-6);
    }

    @Test
    void noBoxes() {
        assertEquals(0, coder.encode(new float[0], new float[0]).length);
        assertEquals(0, coder.decode(new float[0], new float[0], 10, 10).length);
    }
}
