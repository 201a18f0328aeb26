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
 * Run {@code main [modelRepositoryDir]} (default {@code conf/models}) to (re)write them.
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

    private SampleModels() {
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
        return OnnxModelBuilder.create("affine_fp32")
                .input("INPUT0", ElemType.FLOAT, -1, AFFINE_IN)
                .output("OUTPUT0", ElemType.FLOAT, -1, AFFINE_OUT)
                .initializer("W", new long[] {AFFINE_IN, AFFINE_OUT}, W)
                .initializer("B", new long[] {AFFINE_OUT}, B)
                .node("MatMul", List.of("INPUT0", "W"), List.of("XW"))
                .node("Add", List.of("XW", "B"), List.of("OUTPUT0"))
                .build();
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

    /** Usage: {@code SampleModels [modelRepositoryDir]}, default {@code conf/models}. */
    public static void main(String[] args) throws IOException {
        Path repo = Path.of(args.length > 0 ? args[0] : "conf/models");
        for (Path p : writeAll(repo)) {
            System.out.println("wrote " + p);
        }
    }
}
