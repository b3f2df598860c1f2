package org.aligndet.trainer.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VOC split as {@link VocReader#parse} read it, once: the ids its list file names (in order,
 * repeats kept) and each distinct image's annotation. Training reads it through
 * {@link VocReader#load(VocSplit)}, which skips objects of unknown classes; evaluation takes
 * {@link #requireKnownClasses()}, where such an object is an error.
 *
 * @param yearDir the VOC year directory ({@code VOCdevkit/VOC2007})
 * @param classes the class list that labels index
 * @param ids     image ids in the split file's order, repeats kept
 * @param images  one per distinct id, in order of first appearance
 */
public record VocSplit(Path yearDir, String split, List<String> classes, List<String> ids, List<VocImage> images) {
    public VocSplit {
        classes = List.copyOf(classes);
        ids = List.copyOf(ids);
        images = List.copyOf(images);
    }

    /** {@code ImageSets/Main/<split>.txt}. */
    public Path splitFile() {
        return VocReader.splitFile(yearDir, split);
    }

    /** {@code Annotations/<id>.xml}. */
    public Path annotationFile(String id) {
        return yearDir.resolve("Annotations").resolve(id + ".xml");
    }

    /** The distinct images by id. */
    public Map<String, VocImage> byId() {
        Map<String, VocImage> out = new LinkedHashMap<>();
        images.forEach(i -> out.put(i.id(), i));
        return out;
    }

    /**
     * The distinct images, after checking that every object's class is in the list: an evaluator
     * must not drop ground truth silently.
     *
     * @throws DatasetException naming the annotation file, the object and its class
     */
    public List<VocImage> requireKnownClasses() {
        for (VocImage image : images) {
            List<VocObject> objects = image.objects();
            for (int k = 0; k < objects.size(); k++) {
                if (objects.get(k).label() == VocObject.UNKNOWN) {
                    throw new DatasetException(annotationFile(image.id()) + ": object " + k + " has class '"
                            + objects.get(k).name() + "', which is not one of " + classes);
                }
            }
        }
        return images;
    }
}
