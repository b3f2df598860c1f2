import java.nio.file.Path;
import java.util.List;
import org.aligndet.bridge.onnx.OrtSessions;
import org.aligndet.export.predict.OnnxPredictor;
import org.aligndet.trainer.infer.Detections;
import org.aligndet.trainer.infer.Prepared;

/** Detects objects in one image with a model written by 'aligndet export'. */
public class DetectExample {
    public static void main(String[] args) {
        Path model = Path.of(args[0]); // e.g. model.onnx from: aligndet export --checkpoint best.pth --out model.onnx
        Path image = Path.of(args[1]); // any image OpenCV reads
        try (OnnxPredictor predictor = OnnxPredictor.open(model, OrtSessions.CPU)) { // CPU; or a CUDA device number
            Prepared input = predictor.preprocessor().prepareRaw(image); // resize and pad as the model's metadata says
            Detections dets = predictor.predict(List.of(input)).get(0); // highest score first, original image pixels
            for (int i = 0; i < dets.size(); i++) {
                float[] b = dets.box(i); // x1, y1, x2, y2
                System.out.printf("%s %.3f [%.1f, %.1f, %.1f, %.1f]%n", predictor.classes().get(dets.labels()[i]),
                        dets.scores()[i], b[0], b[1], b[2], b[3]);
            }
        }
    }
}
