package io.maas.worker.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the sample models in ONNX Runtime and checks the committed copies match the generator. */
class SampleModelsTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void simpleAddsAndSubtracts() throws OrtException {
        try (OrtSession session = ENV.createSession(SampleModels.simple(), new OrtSession.SessionOptions())) {
            assertEquals(2, session.getNumInputs());
            assertEquals(2, session.getNumOutputs());
            TensorInfo out1 = (TensorInfo) session.getOutputInfo().get("OUTPUT1").getInfo();
            assertArrayEquals(new long[] {-1, 16}, out1.getShape());

            int[][] in0 = new int[1][16];
            int[][] in1 = new int[1][16];
            int[][] plus = new int[1][16];
            int[][] minus = new int[1][16];
            for (int i = 0; i < 16; i++) {
                in0[0][i] = i;
                in1[0][i] = 1;
                plus[0][i] = i + 1;
                minus[0][i] = i - 1;
            }
            assertSimple(session, in0, in1, plus, minus);

            int[][] b0 = {in0[0], new int[16]};
            int[][] b1 = {in1[0], new int[16]};
            for (int i = 0; i < 16; i++) {
                b0[1][i] = 100 * i;
                b1[1][i] = -i;
            }
            int[][] bPlus = {plus[0], new int[16]};
            int[][] bMinus = {minus[0], new int[16]};
            for (int i = 0; i < 16; i++) {
                bPlus[1][i] = 99 * i;
                bMinus[1][i] = 101 * i;
            }
            assertSimple(session, b0, b1, bPlus, bMinus);
        }
    }

    private static void assertSimple(OrtSession session, int[][] in0, int[][] in1, int[][] plus, int[][] minus)
            throws OrtException {
        try (OnnxTensor t0 = OnnxTensor.createTensor(ENV, in0);
             OnnxTensor t1 = OnnxTensor.createTensor(ENV, in1);
             OrtSession.Result r = session.run(Map.of("INPUT0", t0, "INPUT1", t1))) {
            assertArrayEquals(plus, (int[][]) r.get("OUTPUT0").orElseThrow().getValue());
            assertArrayEquals(minus, (int[][]) r.get("OUTPUT1").orElseThrow().getValue());
        }
    }

    @Test
    void affineIsExact() throws OrtException {
        float[][] x = {{1f, 2f, 3f, 4f}, {-0.5f, 0.25f, 8f, 1f}, {0f, 0f, 0f, 0f}};
        // hand-computed: x*W + b
        float[][] expected = {{-9.75f, 28.5f}, {-1.5f, 5.5f}, {0.5f, -2f}};
        for (int i = 0; i < x.length; i++) {
            assertArrayEquals(expected[i], SampleModels.affineExpected(x[i]));
        }
        try (OrtSession session = ENV.createSession(SampleModels.affineFp32(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(ENV, x);
             OrtSession.Result r = session.run(Map.of("INPUT0", in))) {
            float[][] y = (float[][]) r.get("OUTPUT0").orElseThrow().getValue();
            assertArrayEquals(expected, y);
        }
        assertArrayEquals(new float[] {1f, 0.5f, 2f, -1f, 0.25f, 0f, -4f, 8f}, SampleModels.affineWeights());
        assertArrayEquals(new float[] {0.5f, -2f}, SampleModels.affineBias());
    }

    @Test
    void classifierScoresAreTheSoftmaxOfTheAffineLogits() throws OrtException {
        float[][] x = {{1f, 299f, 299f, 3f, 0.5f}, {0f, 0f, 0f, 0f, 0f}, {-2f, 10f, 40f, -1f, 1.5f}};
        try (OrtSession session = ENV.createSession(SampleModels.classifier(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(ENV, x);
             OrtSession.Result r = session.run(Map.of("images", in))) {
            assertArrayEquals(new long[] {-1, 3},
                    ((TensorInfo) session.getOutputInfo().get("scores").getInfo()).getShape());
            float[][] scores = (float[][]) r.get("scores").orElseThrow().getValue();
            for (int i = 0; i < x.length; i++) {
                double[] expected = SampleModels.classifierExpected(x[i]);
                double sum = 0;
                for (int j = 0; j < 3; j++) {
                    assertEquals(expected[j], scores[i][j], 1e-6, "row " + i + " class " + j);
                    sum += scores[i][j];
                }
                assertEquals(1.0, sum, 1e-6);
            }
        }
    }

    @Test
    void generatorWritesEveryModel(@TempDir Path dir) throws IOException {
        SampleModels.main(new String[] {dir.toString(), dir.resolve("my_model").toString()});
        assertArrayEquals(SampleModels.simple(), Files.readAllBytes(dir.resolve("simple/1/model.onnx")));
        assertArrayEquals(SampleModels.affineFp32(), Files.readAllBytes(dir.resolve("affine_fp32/1/model.onnx")));
        assertArrayEquals(SampleModels.classifier(), Files.readAllBytes(dir.resolve("my_model/1/model.onnx")));
    }

    /** The committed sample models must be exactly what the generator writes (regenerate with SampleModels.main). */
    @Test
    void committedModelsMatchGenerator() throws IOException {
        String root = System.getProperty("maas.root");
        assertNotNull(root, "system property maas.root (the repository root) is not set");
        Path models = Path.of(root, "conf", "models");
        assertArrayEquals(SampleModels.simple(), Files.readAllBytes(models.resolve("simple/1/model.onnx")),
                "conf/models/simple/1/model.onnx is stale; regenerate with SampleModels");
        assertArrayEquals(SampleModels.affineFp32(), Files.readAllBytes(models.resolve("affine_fp32/1/model.onnx")),
                "conf/models/affine_fp32/1/model.onnx is stale; regenerate with SampleModels");
        assertArrayEquals(SampleModels.classifier(),
                Files.readAllBytes(Path.of(root, "docs", "examples", "my_model", "1", "model.onnx")),
                "docs/examples/my_model/1/model.onnx is stale; regenerate with SampleModels");
    }
}
