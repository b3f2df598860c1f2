package org.aligndet.cli;

/** How {@code --spec} reads everywhere: a spec name of model-specs/ or a spec file's path. */
final class SpecRefs {
    /** The help text of a required {@code --spec}. */
    static final String DESCRIPTION = "model spec: a name of model-specs/ (e.g. retinanet_tiny, fcos_r50_fpn_voc) or the path of "
            + "your own spec file, FILE.json (its graphs in graphs/ beside it, or where its 'graphs' key says)";

    /** The help text of a {@code --spec} that a checkpoint's meta may supply. */
    static final String FROM_CHECKPOINT = "model spec: a name of model-specs/ or a spec file FILE.json (default: the one the "
            + "checkpoint's meta names)";

    private SpecRefs() {
    }
}
