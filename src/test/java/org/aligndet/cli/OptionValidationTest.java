package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every numeric option refuses values outside its range when it is parsed: exit code 2 and one
 * line naming the option and the value, before any file is read. Each command gets its required
 * options (naming files that do not exist), so nothing but the value can be the error.
 */
class OptionValidationTest {
    private static final String PRETRAIN = "pretrain --spec retinanet_tiny --images none --proposals none.json --out none-run";
    private static final String FINETUNE = "finetune --spec retinanet_tiny --train none.json --images none --out none-run";
    private static final String BACKBONE = "backbone --spec retinanet_tiny --crops none --out none.pth";
    private static final String PREDICT = "predict --model none.onnx --images none --out none-out";
    private static final String EVAL = "eval --coco-gt none.json --model none.onnx --images none";
    private static final String CHECK = "check --checkpoint none.pth --model none.onnx --images none";
    private static final String SYNTH = "synth --out none-out --images 4";
    private static final String PROPOSALS = "proposals --images none --out none.json";

    private static List<String> args(String command, String option, String value) {
        List<String> all = new ArrayList<>(List.of(command.split(" ")));
        all.add(option + "=" + value);
        return all;
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @CsvSource({
        PRETRAIN + ", --lr, -0.01", PRETRAIN + ", --lr, 0", PRETRAIN + ", --lr, NaN", PRETRAIN + ", --lr, Infinity",
        PRETRAIN + ", --weight-decay, 1", PRETRAIN + ", --weight-decay, -0.1", PRETRAIN + ", --batch, 0",
        PRETRAIN + ", --iters, -5", PRETRAIN + ", --iters, 0", PRETRAIN + ", --max-iters, -1", PRETRAIN + ", --epochs, 0",
        PRETRAIN + ", --workers, 0", PRETRAIN + ", --threads, -1", PRETRAIN + ", --keep, 0", PRETRAIN + ", --log-every, 0",
        PRETRAIN + ", --checkpoint-every, -1", PRETRAIN + ", --warmup-iters, -1", PRETRAIN + ", --samples, 0",
        PRETRAIN + ", --sample-pos-fraction, 0", PRETRAIN + ", --sample-pos-fraction, 1.5", PRETRAIN + ", --device, tpu",
        FINETUNE + ", --fraction, 0", FINETUNE + ", --fraction, 1.01", FINETUNE + ", --fold, 0", FINETUNE + ", --val-batch, 0",
        FINETUNE + ", --val-every, -1", FINETUNE + ", --scale, '512,-1'", FINETUNE + ", --frozen-stages, -2",
        FINETUNE + ", --lr, abc",
        BACKBONE + ", --size, 0", BACKBONE + ", --batch, -3",
        PREDICT + ", --batch, 0", PREDICT + ", --score-thr, 1.5", PREDICT + ", --score-thr, -0.1", PREDICT + ", --max-pixels, 0",
        PREDICT + ", --max-missing, 1.1", PREDICT + ", --device, cuda:x",
        EVAL + ", --batch, 0", EVAL + ", --max-missing, -0.5",
        CHECK + ", -n, 0", CHECK + ", --max-abs, -1", CHECK + ", --max-rel, -0.5", CHECK + ", --rel-floor, 0",
        CHECK + ", --min-matched, 2", CHECK + ", --max-ap-delta, -0.01", CHECK + ", --max-pixels, -1",
        SYNTH + ", --images, 0", SYNTH + ", --val-fraction, 2", SYNTH + ", --size, 10", SYNTH + ", --crops, -1",
        SYNTH + ", --crop-size, 5000", SYNTH + ", --workers, 0", SYNTH + ", --threads, 0",
        PROPOSALS + ", --long-side, 0", PROPOSALS + ", --min-size, -1", PROPOSALS + ", --max-aspect, 0.5",
        PROPOSALS + ", --max-scale, 0", PROPOSALS + ", --nms, 1.5", PROPOSALS + ", --top-k, -1", PROPOSALS + ", --workers, 0",
    })
    void outOfRangeValuesAreUsageErrorsNamingOptionAndValue(String command, String option, String value) {
        CliRun r = CliRun.main(args(command, option, value).toArray(new String[0]));
        assertEquals(2, r.code(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        String refused = value.substring(value.lastIndexOf(',') + 1); // a list option names the element refused
        assertTrue(first.startsWith("aligndet: error: Invalid value for option '" + option + "'") && first.contains("'" + refused + "'"),
                r.err());
        assertEquals(2, r.err().lines().count(), "one line and where the help is:\n" + r.err());
    }
}
