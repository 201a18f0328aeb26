package io.maas.worker.repository;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SHA-256 check of a model version's file, made before ONNX Runtime ever sees it. The digest the file must
 * have is stated in the model's configuration ({@code sha256: {"<version>": "<64 hex digits>"}}), in a sidecar
 * file beside it ({@code <model file>.sha256}: the digest alone, or the line {@code sha256sum} writes,
 * {@code <digest>  model.onnx}), or in both, which must then agree.
 *
 * <p>Where a digest is stated, the file is read once, hashed as it is read, and the bytes that were hashed are the
 * bytes ONNX Runtime is given ({@link Verified#bytes()}): the file cannot change between the check and the load.
 * Where none is, nothing is read here and ONNX Runtime reads the file itself, as it always did.
 *
 * <p>A file that does not match, a sidecar that holds no digest, or a sidecar that disagrees with the
 * configuration is {@link Rejected}: the operator's input, not a fault, so it carries no stack trace.
 */
public final class ModelIntegrity {
  /** What a sidecar file's name adds to its model file's: {@code model.onnx.sha256}. */
  public static final String SIDECAR_SUFFIX = ".sha256";
  private static final Pattern DIGEST = Pattern.compile("[0-9a-fA-F]{64}");
  /** The digest alone, or sha256sum's line: two spaces (or " *" in binary mode), then the file's name. */
  private static final Pattern SIDECAR = Pattern.compile("([0-9a-fA-F]{64})(?:[ \\t]+\\*?(\\S[^\\r\\n]*?))?\\s*");
  private static final int MAX_SIDECAR_BYTES = 4096;

  private ModelIntegrity() {}

  /** A model file read and checked: the bytes to load, and their SHA-256 in lower-case hex. */
  public record Verified(byte[] bytes, String sha256) {}

  /** A model version's file refused by its check; the message says why, naming the digests and their sources. */
  public static final class Rejected extends RuntimeException {
    Rejected(String message) {
      super(message, null, false, false);
    }
  }

  /** A digest stated for a file, and who states it (for messages). */
  private record Stated(String sha256, String source) {}

  /** Whether a string is a SHA-256 digest in hex (64 hex digits, either case). */
  public static boolean isDigest(String s) {
    return DIGEST.matcher(s).matches();
  }

  /** The sidecar file of a model file: {@code <model file>.sha256} beside it. */
  public static Path sidecarOf(Path modelFile) {
    return modelFile.resolveSibling(modelFile.getFileName() + SIDECAR_SUFFIX);
  }

  /**
   * Reads a version's model file and checks it against the digest stated for it, if one is. Blocking.
   *
   * @return the bytes that matched, to load; empty when no digest is stated (the file is not read)
   * @throws Rejected when the file does not match, the sidecar holds no digest, or the two sources disagree
   * @throws IOException when the model file cannot be read
   */
  public static Optional<Verified> read(ModelDefinition model, long version) throws IOException {
    Path file = model.versions().get(version);
    String name = relative(model, version, file);
    Optional<Stated> stated = stated(model, version, file, name);
    if (stated.isEmpty()) {
      return Optional.empty();
    }
    MessageDigest sha256 = sha256();
    byte[] bytes;
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha256)) {
      bytes = in.readAllBytes();
    }
    String actual = HexFormat.of().formatHex(sha256.digest());
    String expected = stated.get().sha256();
    if (!actual.equals(expected)) {
      throw new Rejected("SHA-256 mismatch: " + name + " is " + actual + ", expected " + expected + " ("
          + stated.get().source() + "): not loaded");
    }
    return Optional.of(new Verified(bytes, actual));
  }

  /** The digest the configuration and the sidecar state for a version (they must agree); empty when neither does. */
  private static Optional<Stated> stated(ModelDefinition model, long version, Path file, String name)
      throws IOException {
    String configured = model.config().sha256().get(version);
    Optional<String> sidecar = sidecar(file, name);
    String inConfig = "the configuration's sha256 of version " + version;
    String inSidecar = name + SIDECAR_SUFFIX;
    if (configured != null && sidecar.isPresent() && !configured.equals(sidecar.get())) {
      throw new Rejected("SHA-256 sources disagree for " + name + ": " + inConfig + " is " + configured + ", "
          + inSidecar + " is " + sidecar.get() + ": not loaded");
    }
    if (configured != null) {
      return Optional.of(new Stated(configured, inConfig));
    }
    return sidecar.map(digest -> new Stated(digest, inSidecar));
  }

  /** The digest in a model file's sidecar, lower case; empty when it has none. */
  private static Optional<String> sidecar(Path file, String name) throws IOException {
    Path sidecar = sidecarOf(file);
    if (!Files.exists(sidecar)) {
      return Optional.empty();
    }
    String where = name + SIDECAR_SUFFIX;
    if (!Files.isRegularFile(sidecar) || Files.size(sidecar) > MAX_SIDECAR_BYTES) {
      throw new Rejected(where + " is not a SHA-256 file: " + name + " not loaded");
    }
    String content;
    try {
      content = Files.readString(sidecar, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      content = ""; // not text: holds no digest
    }
    Matcher m = SIDECAR.matcher(content.strip());
    if (!m.matches()) {
      throw new Rejected(where + " holds no SHA-256 digest (64 hex digits, alone or followed by the file's name, as "
          + "sha256sum writes it): " + name + " not loaded");
    }
    String named = m.group(2);
    if (named != null) {
      String base = named.substring(Math.max(named.lastIndexOf('/'), named.lastIndexOf('\\')) + 1);
      if (!base.equals(file.getFileName().toString())) {
        throw new Rejected(where + " is the digest of '" + named + "', not of " + file.getFileName() + ": " + name
            + " not loaded");
      }
    }
    return Optional.of(m.group(1).toLowerCase(Locale.ROOT));
  }

  /** A version's model file as the model's directory has it, for messages: {@code 1/model.onnx}. */
  private static String relative(ModelDefinition model, long version, Path file) {
    return model.directory(version).relativize(file.toAbsolutePath()).toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
