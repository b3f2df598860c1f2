/**
 * Detector specs ({@code model-specs/NAME.json}, schema in {@code model-specs/SCHEMA.md}): every key read
 * once with one default ({@link org.aligndet.trainer.spec.ModelSpec}), typed sections, and where the
 * generated graphs live ({@link org.aligndet.trainer.spec.ModelSpecs}).
 */
package org.aligndet.trainer.spec;
