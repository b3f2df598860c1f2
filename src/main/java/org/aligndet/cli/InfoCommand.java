package org.aligndet.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.bridge.torch.Devices;
import org.aligndet.bridge.torch.TorchRuntime;
import org.aligndet.trainer.spec.ModelSpec;
import org.aligndet.trainer.spec.ModelSpecs;
import org.aligndet.trainer.spec.SpecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Versions, the torch device and the ONNX Runtime providers that actually load, and the specs. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print versions, the DJL device, the ONNX Runtime providers that load, and the specs.",
        footer = {"%nExample:%n  aligndet info", "%nExit codes: 0 printed, 1 error, 2 usage."})
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println(new Main.Version().getVersion()[0]);
        out.printf("java      %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vendor"));
        out.printf("djl       %s, PyTorch engine %s, natives %s%n", TorchRuntime.djlVersion(), TorchRuntime.torchVersion(),
                System.getProperty("ai.djl.pytorch.native_helper") == null ? nativeFlavour() : "custom");
        out.printf("device    %s (auto; %d CUDA device(s) visible to libtorch)%n",
                Devices.describe(Devices.resolve("auto")), TorchRuntime.gpuCount());
        out.printf("onnxrt    %s, providers that load: %s%n", OrtSessions.version(), String.join(", ", OrtSessions.providers()));
        String why = OrtSessions.cudaUnavailableReason();
        if (why != null && !OrtSessions.providers().contains("CUDA")) {
            out.printf("          CUDA provider: %s%n", why);
        }
        out.printf("offline   ai.djl.offline=%s%n", System.getProperty("ai.djl.offline"));
        out.printf("malloc    %s%n", org.aligndet.trainer.bench.ProcStats.allocator());
        try {
            ModelSpecs specs = ModelSpecs.locate();
            out.printf("specs     %s%n", specs.directory());
            for (String n : specs.names()) {
                ModelSpec s = specs.load(n);
                out.printf("  %-20s %-10s %3d classes  %s%n", n, s.family().id(), s.numClasses(),
                        specs.isGenerated(n) ? "graphs ready" : "graphs not generated (needs the Python generator)");
            }
        } catch (SpecException e) {
            out.printf("specs     unavailable: %s%n", e.getMessage());
        }
        out.flush();
        return 0;
    }

    private static String nativeFlavour() {
        String cp = System.getProperty("java.class.path", "");
        if (cp.contains("pytorch-native-cu")) {
            return "cuda (pytorch-native-cu121)";
        }
        if (cp.contains("pytorch-native-cpu")) {
            return "cpu (pytorch-native-cpu)";
        }
        return "from the DJL cache";
    }
}
