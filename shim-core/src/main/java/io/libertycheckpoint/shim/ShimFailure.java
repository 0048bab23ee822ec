package io.libertycheckpoint.shim;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Why a goal failed, with a message already written for the build's user. The adapters map the kind
 * to their build tool's failures (MojoFailureException or MojoExecutionException;
 * InvalidUserDataException, BuildCancelledException or GradleException).
 */
public final class ShimFailure extends Exception {
  private static final long serialVersionUID = 1L;

  /** What kind of failure. */
  public enum Kind {
    /** A setting is wrong (InvalidArgument, NotFound). */
    BAD_INPUT,
    /** The operation failed, a doctor check failed, a restore fell back to a cold start. */
    FAILED,
    /** The build was cancelled; the tool removed what it had created. */
    CANCELLED,
    /** The tool could not run, or died without saying why. */
    CANNOT_RUN
  }

  private final Kind kind;

  public ShimFailure(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** This failure as the build tool spells its kind. */
  public <E extends Exception> E as(Spelling<E> spelling) {
    return spelling.of(this);
  }

  /**
   * How one build tool spells the kinds of failure: the exception (made from the message and this
   * failure as its cause) for each kind, one for all kinds but those given with {@link #on}.
   */
  public static final class Spelling<E extends Exception> {
    private final Map<Kind, BiFunction<String, Throwable, ? extends E>> byKind = new EnumMap<>(Kind.class);

    public Spelling(BiFunction<String, Throwable, ? extends E> otherwise) {
      for (Kind k : Kind.values()) {
        byKind.put(k, otherwise);
      }
    }

    /** Spells kind with make. */
    public Spelling<E> on(Kind kind, BiFunction<String, Throwable, ? extends E> make) {
      byKind.put(kind, make);
      return this;
    }

    E of(ShimFailure f) {
      return byKind.get(f.kind).apply(f.getMessage(), f);
    }
  }
}
