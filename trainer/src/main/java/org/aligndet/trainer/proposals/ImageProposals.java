package org.aligndet.trainer.proposals;

import java.util.List;

/**
 * The outcome for one image: its proposals in rank order, or why it was skipped
 * ({@code skipped != null}, then {@code proposals} is empty and the size is {@code 0 x 0}).
 * {@code width} and {@code height} are the decoded image's.
 */
public record ImageProposals(long id, String fileName, int width, int height, List<Proposal> proposals, String skipped) {
    public ImageProposals {
        proposals = List.copyOf(proposals);
    }

    public static ImageProposals skipped(long id, String fileName, String reason) {
        return new ImageProposals(id, fileName, 0, 0, List.of(), reason);
    }

    public boolean isSkipped() {
        return skipped != null;
    }
}
