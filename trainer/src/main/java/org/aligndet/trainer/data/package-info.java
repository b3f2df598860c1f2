/**
 * Datasets as files users already have, read once and shared by training and evaluation: the one
 * COCO reader ({@link org.aligndet.trainer.data.CocoJson} parses instances files into a
 * {@link org.aligndet.trainer.data.CocoFile} and results files entry by entry;
 * {@link org.aligndet.trainer.data.CocoReader} is its training view), the one VOC reader
 * ({@link org.aligndet.trainer.data.VocReader}: a {@link org.aligndet.trainer.data.VocSplit} of
 * objects in VOC's own 1-based frame, and its training view), image folders, and the writers.
 * Training views are {@link org.aligndet.trainer.data.Dataset}s in the continuous 0-based xyxy frame
 * of {@link org.aligndet.trainer.data.Instance}; the export module's evaluators build their ground
 * truth from the same parses. Errors name the file and, where there is one, line and column, entry
 * or object.
 */
package org.aligndet.trainer.data;
