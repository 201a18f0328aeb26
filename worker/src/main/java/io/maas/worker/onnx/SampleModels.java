package io.maas.worker.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Generates the sample models committed under {@code conf/models}:
 * <ul>
 *   <li>{@code simple}: Triton's classic example; INT32 [-1,16] inputs INPUT0, INPUT1;
 *       OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1.</li>
 *   <li>{@code affine_fp32}: FLOAT INPUT0 [-1,4]; OUTPUT0 [-1,2] = INPUT0 x W + B
 *       (see {@link #affineWeights()} and {@link #affineBias()}).</li>
 * </ul>
 * and the TF Serving drop-in's example under {@code docs/examples/my_model} (TF Serving's layout):
 * <ul>
 *   <li>{@code my_model}: a classifier, FLOAT images [-1,5]; scores [-1,3] = softmax(images x W + B), the
 *       shapes of the TF Serving example it stands in for ({@link #classifierExpected(float[])}).</li>
 * </ul>
 * Run {@code main [modelRepositoryDir [classifierBasePath]]} (default {@code conf/models},
 * {@code docs/examples/my_model}) to (re)write them.
 */
public final class SampleModels {

    private static final float[] W = {
            1f, 0.5f,
            2f, -1f,
            0.25f, 0f,
            -4f, 8f,
    };
    private static final float[] B = {0.5f, -2f};

    /** Rows (input width) of the affine weight matrix. */
    public static final int AFFINE_IN = 4;
    /** Columns (output width) of the affine weight matrix. */
    public static final int AFFINE_OUT = 2;

    private static final float[] CLASSIFIER_W = {
            0.5f, -0.5f, 0f,
            0.01f, 0.02f, -0.01f,
            -0.01f, 0.01f, 0.02f,
            0.1f, 0f, -0.1f,
            1f, -1f, 0.5f,
    };
    private static final float[] CLASSIFIER_B = {0f, 0.25f, -0.25f};

    /** Features (input width) of the classifier. */
    public static final int CLASSIFIER_IN = 5;
    /** Classes (output width) of the classifier. */
    public static final int CLASSIFIER_OUT = 3;

    private SampleModels() {
    }

    /** The classifier's scores for one row of 5 features: softmax(x W + b), computed in double. */
    public static double[] classifierExpected(float[] row) {
        if (row.length != CLASSIFIER_IN) {
            throw new IllegalArgumentException("expected " + CLASSIFIER_IN + " values");
        }
        double[] logits = new double[CLASSIFIER_OUT];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < CLASSIFIER_OUT; j++) {
            double acc = CLASSIFIER_B[j];
            for (int k = 0; k < CLASSIFIER_IN; k++) {
                acc += (double) row[k] * CLASSIFIER_W[k * CLASSIFIER_OUT + j];
            }
            logits[j] = acc;
            max = Math.max(max, acc);
        }
        double sum = 0;
        for (int j = 0; j < CLASSIFIER_OUT; j++) {
            logits[j] = Math.exp(logits[j] - max);
            sum += logits[j];
        }
        for (int j = 0; j < CLASSIFIER_OUT; j++) {
            logits[j] /= sum;
        }
        return logits;
    }

    /** A copy of affine_fp32's weight matrix W, row-major 4x2. */
    public static float[] affineWeights() {
        return W.clone();
    }

    /** A copy of affine_fp32's bias b (length 2). */
    public static float[] affineBias() {
        return B.clone();
    }

    /** The exact affine_fp32 output for one row of 4 inputs (computed in double, then rounded to float). */
    public static float[] affineExpected(float[] row) {
        if (row.length != AFFINE_IN) {
            throw new IllegalArgumentException("expected " + AFFINE_IN + " values");
        }
        float[] out = new float[AFFINE_OUT];
        for (int j = 0; j < AFFINE_OUT; j++) {
            double acc = 0;
            for (int k = 0; k < AFFINE_IN; k++) {
                acc += (double) row[k] * W[k * AFFINE_OUT + j];
            }
            out[j] = (float) (acc + B[j]);
        }
        return out;
    }

    /** The {@code simple} model's bytes. */
    public static byte[] simple() {
        return OnnxModelBuilder.create("simple")
                .input("INPUT0", ElemType.INT32, -1, 16)
                .input("INPUT1", ElemType.INT32, -1, 16)
                .output("OUTPUT0", ElemType.INT32, -1, 16)
                .output("OUTPUT1", ElemType.INT32, -1, 16)
                .node("Add", List.of("INPUT0", "INPUT1"), List.of("OUTPUT0"))
                .node("Sub", List.of("INPUT0", "INPUT1"), List.of("OUTPUT1"))
                .build();
    }

    /** The {@code affine_fp32} model's bytes. */
    public static byte[] affineFp32() {
        return affine("affine_fp32", "INPUT0", W, B, "OUTPUT0")
                .output("OUTPUT0", ElemType.FLOAT, -1, AFFINE_OUT)
                .build();
    }

    /** The {@code my_model} classifier's bytes. */
    public static byte[] classifier() {
        return affine("my_model", "images", CLASSIFIER_W, CLASSIFIER_B, "logits")
                .output("scores", ElemType.FLOAT, -1, CLASSIFIER_OUT)
                .node("Softmax", List.of("logits"), List.of("scores"))
                .build();
    }

    /** A graph computing {@code sum = input x W + B} (FLOAT, a dynamic batch dimension); outputs still to add. */
    private static OnnxModelBuilder affine(String graph, String input, float[] w, float[] b, String sum) {
        int in = w.length / b.length;
        return OnnxModelBuilder.create(graph)
                .input(input, ElemType.FLOAT, -1, in)
                .initializer("W", new long[] {in, b.length}, w)
                .initializer("B", new long[] {b.length}, b)
                .node("MatMul", List.of(input, "W"), List.of("XW"))
                .node("Add", List.of("XW", "B"), List.of(sum));
    }

    /** Writes the classifier as version 1 of a TF Serving base path, {@code <basePath>/1/model.onnx}. */
    public static Path writeClassifier(Path basePath) throws IOException {
        Path file = basePath.resolve("1").resolve("model.onnx");
        Files.createDirectories(file.getParent());
        Files.write(file, classifier());
        return file;
    }

    /** Writes both models as {@code <repo>/<name>/1/model.onnx}; returns the files written. */
    public static List<Path> writeAll(Path repo) throws IOException {
        return List.of(write(repo, "simple", simple()), write(repo, "affine_fp32", affineFp32()));
    }

    private static Path write(Path repo, String name, byte[] bytes) throws IOException {
        Path file = repo.resolve(name).resolve("1").resolve("model.onnx");
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        return file;
    }

    /**
     * Usage: {@code SampleModels [modelRepositoryDir [classifierBasePath]]}, default {@code conf/models} and
     * {@code docs/examples/my_model}.
     */
    public static void main(String[] args) throws IOException {
        Path repo = Path.of(args.length > 0 ? args[0] : "conf/models");
        for (Path p : writeAll(repo)) {
            System.out.println("wrote " + p);
        }
        System.out.println("wrote " + writeClassifier(Path.of(args.length > 1 ? args[1] : "docs/examples/my_model")));
    }
}
