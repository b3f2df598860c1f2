package org.aligndet.trainer.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.aligndet.bridge.tensor.HostTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The name tables, one rule at a time, for layouts the fixtures do not cover. */
class KeyMapTest {
    static String target(String table, String key, boolean momentum) {
        KeyMap.Outcome o = KeyMap.load(table).apply(key, momentum);
        return o.kind() == KeyMap.Kind.MAP ? o.target() : o.kind() + ": " + o.reason();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // torchvision RetinaNet, torchvision <= 0.12: flat Sequential(conv, relu) head and FPN
        "torchvision-retinanet|head.classification_head.conv.6.weight|bbox_head.cls_convs.3.conv.weight",
        "torchvision-retinanet|head.regression_head.conv.2.bias|bbox_head.reg_convs.1.conv.bias",
        "torchvision-retinanet|backbone.fpn.inner_blocks.2.weight|neck.lateral_convs.2.conv.weight",
        "torchvision-retinanet|backbone.fpn.layer_blocks.0.bias|neck.fpn_convs.0.conv.bias",
        // >= 0.13: Conv2dNormActivation
        "torchvision-retinanet|head.classification_head.conv.3.0.weight|bbox_head.cls_convs.3.conv.weight",
        "torchvision-retinanet|backbone.fpn.layer_blocks.1.0.weight|neck.fpn_convs.1.conv.weight",
        "torchvision-retinanet|backbone.fpn.extra_blocks.p7.bias|neck.fpn_convs.4.conv.bias",
        "torchvision-retinanet|backbone.body.layer3.5.bn2.running_var|backbone.layer3.5.bn2.running_var",
        "torchvision-retinanet|head.regression_head.bbox_reg.weight|bbox_head.retina_reg.weight",
        // torchvision FCOS: conv, GN, ReLU triples
        "torchvision-fcos|head.regression_head.conv.9.weight|bbox_head.reg_convs.3.conv.weight",
        "torchvision-fcos|head.regression_head.conv.10.bias|bbox_head.reg_convs.3.gn.bias",
        "torchvision-fcos|head.classification_head.conv.4.weight|bbox_head.cls_convs.1.gn.weight",
        // mmdetection's old FCOS names, and names that stay
        "mmdet|bbox_head.fcos_centerness.weight|bbox_head.conv_centerness.weight",
        "mmdet|bbox_head.fcos_cls.bias|bbox_head.conv_cls.bias",
        "mmdet|neck.lateral_convs.0.conv.weight|neck.lateral_convs.0.conv.weight",
        // two-stage: mmdetection's names stay; torchvision's RPN (<= 0.12 and >= 0.13) and mask head map
        "mmdet|roi_head.bbox_head.fc_cls.weight|roi_head.bbox_head.fc_cls.weight",
        "mmdet|rpn_head.rpn_conv.bias|rpn_head.rpn_conv.bias",
        "torchvision-rcnn|rpn.head.conv.weight|rpn_head.rpn_conv.weight",
        "torchvision-rcnn|rpn.head.conv.0.0.bias|rpn_head.rpn_conv.bias",
        "torchvision-rcnn|rpn.head.bbox_pred.weight|rpn_head.rpn_reg.weight",
        "torchvision-rcnn|backbone.fpn.inner_blocks.3.0.weight|neck.lateral_convs.3.conv.weight",
        "torchvision-rcnn|roi_heads.mask_head.mask_fcn1.weight|roi_head.mask_head.convs.0.conv.weight",
        "torchvision-rcnn|roi_heads.mask_head.mask_fcn4.0.bias|roi_head.mask_head.convs.3.conv.bias",
        "torchvision-rcnn|roi_heads.mask_predictor.conv5_mask.weight|roi_head.mask_head.upsample.weight",
        // torchvision classification ResNet, plain and DataParallel-wrapped
        "torchvision-resnet|layer4.2.downsample.1.bias|backbone.layer4.2.downsample.1.bias",
        "torchvision-resnet|module.conv1.weight|backbone.conv1.weight",
        "moco|encoder_q.layer2.0.conv2.weight|backbone.layer2.0.conv2.weight",
    })
    void renames(String table, String key, String want) {
        assertEquals(want, target(table, key, false));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "torchvision-retinanet|head.classification_head.conv.0.1.weight|UNMAPPABLE",
        "torchvision-fcos|head.classification_head.conv.3.bias|UNMAPPABLE",
        "torchvision-retinanet|backbone.fpn.inner_blocks.0.1.weight|UNMAPPABLE",
        "torchvision-resnet|fc.weight|DROP",
        "moco|module.queue_ptr|DROP",
        "moco|module.encoder_k.conv1.weight|DROP",
        "moco|module.encoder_q.fc.2.weight|DROP",
        "mmdet|backbone.layer1.0.bn1.num_batches_tracked|DROP",
        "torchvision-rcnn|roi_heads.box_head.fc6.weight|UNMAPPABLE",
        "torchvision-rcnn|roi_heads.box_predictor.cls_score.bias|UNMAPPABLE",
        "torchvision-rcnn|rpn.anchor_generator.cell_anchors.0|DROP",
    })
    void leavesOut(String table, String key, String kind) {
        KeyMap.Outcome o = KeyMap.load(table).apply(key, false);
        assertEquals(KeyMap.Kind.valueOf(kind), o.kind(), key);
        assertTrue(o.reason() != null && !o.reason().isBlank());
    }

    @Test
    void momentumFlagSwapsTheCopyImported() {
        assertEquals("backbone.conv1.weight", target("moco", "module.encoder_k.conv1.weight", true));
        assertEquals(KeyMap.Kind.DROP, KeyMap.load("moco").apply("module.encoder_q.conv1.weight", true).kind());
        assertEquals("neck.fpn_convs.0.conv.bias", target("aligndet", "target_backbone.neck.fpn_convs.0.conv.bias", true));
        assertEquals("neck.fpn_convs.0.conv.bias", target("aligndet", "online_backbone.neck.fpn_convs.0.conv.bias", false));
        assertEquals(KeyMap.Kind.DROP, KeyMap.load("aligndet").apply("backbone.neck.fpn_convs.0.conv.bias", false).kind());
    }

    @Test
    void absentNamesAreDeclaredPerSource() {
        assertTrue(KeyMap.load("aligndet").absentReason("bbox_head.retina_cls.weight").contains("projector"));
        assertTrue(KeyMap.load("moco").absentReason("neck.fpn_convs.0.conv.weight").contains("backbone"));
        assertNull(KeyMap.load("mmdet").absentReason("bbox_head.retina_cls.weight"));
    }

    @ParameterizedTest
    @CsvSource({
        "online_backbone.backbone.conv1.weight, aligndet",
        "module.encoder_q.conv1.weight, moco",
        "head.regression_head.bbox_ctrness.weight, torchvision-fcos",
        "backbone.body.conv1.weight, torchvision-retinanet",
        "conv1.weight, torchvision-resnet",
        "bbox_head.retina_cls.weight, mmdet",
    })
    void detectionTakesTheFirstTableInOrder(String key, String table) {
        String found = WeightFormat.AUTO.tables().stream().filter(t -> KeyMap.load(t).detects(key)).findFirst().orElse("none");
        assertEquals(table, found);
    }
}
