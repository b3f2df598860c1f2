package org.aligndet.export.eval;

import java.util.List;

/** A VOC image id ({@code "000001"}) and its objects in XML order. */
public record VocImage(String id, List<VocObject> objects) {
    public VocImage {
        objects = List.copyOf(objects);
    }
}
