import io.maas.worker.onnx.ElemType;
import io.maas.worker.onnx.OnnxModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the model repository the edge memory measurement serves: identity_fp32 (FP32 [-1, 3] in and out, no
 * batching limit), so that a 60 MiB body is a valid request. Run with the gateway jar on the class path:
 * java -cp gateway/target/maas-gateway.jar bench/edge/MakeRepository.java DIR
 */
public class MakeRepository {
  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]).resolve("identity_fp32/1/model.onnx");
    Files.createDirectories(model.getParent());
    Files.write(model, OnnxModelBuilder.identity("identity", ElemType.FLOAT, -1, 3));
  }
}
