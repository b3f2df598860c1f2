/** Optimiser (torch SGD semantics), learning-rate and momentum schedules, and the EMA update of the momentum detector. */
package org.aligndet.trainer.optim;
