package org.aligndet.trainer.data;

/** A dataset together with what its reader filtered out on the way in. */
public record LoadResult(Dataset dataset, SkipCounts skipped) {
}
