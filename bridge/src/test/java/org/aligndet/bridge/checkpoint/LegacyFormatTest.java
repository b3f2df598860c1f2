package org.aligndet.bridge.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Decision: the pre-1.6 (non-zip) format is detected and refused with instructions to convert. */
class LegacyFormatTest {
    @Test
    void legacyFileIsRefusedWithInstructions() {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> TorchCheckpoint.read(Fixtures.file("legacy.pth")));
        assertEquals(Fixtures.file("legacy.pth") + ": legacy (pre-1.6) torch.save format is not supported; re-save it with"
                + " torch>=1.6: torch.save(torch.load(f), f2)", e.getMessage());
    }
}
