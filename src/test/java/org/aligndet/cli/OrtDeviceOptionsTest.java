package org.aligndet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.aligndet.bridge.onnx.OrtSessions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --device} of the ONNX Runtime commands, onto the CUDA device index; the old {@code --cpu}/{@code --cuda} still parse. */
class OrtDeviceOptionsTest {
    private static int predictDevice(String... deviceArgs) {
        PredictCommand p = new PredictCommand();
        String[] args = new String[deviceArgs.length + 6];
        System.arraycopy(new String[] {"--model", "m.onnx", "--images", "i", "--out", "o"}, 0, args, 0, 6);
        System.arraycopy(deviceArgs, 0, args, 6, deviceArgs.length);
        new CommandLine(p).parseArgs(args);
        return p.model.device.cudaDevice();
    }

    private static int checkDevice(String... deviceArgs) {
        CommandLine cl = new CommandLine(new CheckCommand());
        String[] args = new String[deviceArgs.length + 6];
        System.arraycopy(new String[] {"--checkpoint", "c.pth", "--model", "m.onnx", "--images", "i"}, 0, args, 0, 6);
        System.arraycopy(deviceArgs, 0, args, 6, deviceArgs.length);
        cl.parseArgs(args);
        return ((CheckCommand) cl.getCommand()).device.cudaDevice();
    }

    @Test
    void deviceNamesMapOntoTheCudaIndex() {
        assertEquals(0, predictDevice(), "auto by default: CUDA device 0 where its provider loads");
        assertEquals(OrtSessions.CPU, predictDevice("--device", "cpu"));
        assertEquals(0, predictDevice("--device", "cuda"));
        assertEquals(2, predictDevice("--device", "cuda:2"));
        assertEquals(OrtSessions.CPU, predictDevice("--cpu"), "the old spelling");
        assertEquals(0, predictDevice("--device", "cpu", "--cuda"), "the old spelling, when given, wins");
    }

    @Test
    void checkRunsOnTheCpuUnlessAskedAsItsTolerancesAssume() {
        assertEquals(OrtSessions.CPU, checkDevice());
        assertEquals(1, checkDevice("--device", "cuda:1"));
        assertEquals(0, checkDevice("--cuda"), "the old spelling");
    }

    @Test
    void unknownNamesAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> OrtSessions.cudaDevice("tpu"));
        assertEquals("unknown device 'tpu': use auto, cpu, cuda or cuda:N", e.getMessage());
        assertThrows(CommandLine.ParameterException.class, () -> predictDevice("--device", "gpu:-1"));
    }
}
