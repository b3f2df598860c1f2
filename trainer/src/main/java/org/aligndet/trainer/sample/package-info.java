/** Sampling of assigned priors, separate from matching; randomness comes from a generator passed in. */
package org.aligndet.trainer.sample;
