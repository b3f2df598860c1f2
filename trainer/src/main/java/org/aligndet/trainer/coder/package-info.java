/** Box coders: boxes relative to priors as regression targets, each with its round trip stated. */
package org.aligndet.trainer.coder;
