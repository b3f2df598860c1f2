package org.aligndet.export.predict;

import java.util.List;
import org.aligndet.export.onnx.ExportException;

/**
 * Maps a model's labels onto a dataset's category ids: by class name when every model class is one
 * of the dataset's, else by position when both have the same number of classes (label i → the i-th
 * category in ascending id order), else an error naming both lists.
 */
public final class CategoryMap {
    private CategoryMap() {
    }

    /**
     * @param modelClasses   the model's class names, label order
     * @param datasetClasses the dataset's class names, ascending category id order
     * @param categoryIds    the dataset's category ids, aligned with {@code datasetClasses}
     * @param source         names the dataset in the error
     * @return category id per label
     */
    public static long[] of(List<String> modelClasses, List<String> datasetClasses, List<? extends Number> categoryIds,
                            String source) {
        long[] out = new long[modelClasses.size()];
        if (datasetClasses.containsAll(modelClasses)) {
            for (int i = 0; i < out.length; i++) {
                out[i] = categoryIds.get(datasetClasses.indexOf(modelClasses.get(i))).longValue();
            }
            return out;
        }
        if (datasetClasses.size() == modelClasses.size()) {
            for (int i = 0; i < out.length; i++) {
                out[i] = categoryIds.get(i).longValue();
            }
            return out;
        }
        throw new ExportException(source + ": its " + datasetClasses.size() + " categories " + datasetClasses
                + " match neither the names nor the number of the model's classes " + modelClasses);
    }
}
