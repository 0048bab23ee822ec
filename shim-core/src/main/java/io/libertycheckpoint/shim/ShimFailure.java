package io.libertycheckpoint.shim;

import java.util.function.BiFunction;
import java.util.function.Function;

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

  /** This failure as the build tool spells its kind: spelling gives the exception (of the message and this failure as its cause) for each kind. */
  public <E extends Exception> E as(Function<Kind, BiFunction<String, Throwable, ? extends E>> spelling) {
    return spelling.apply(kind).apply(getMessage(), this);
  }
}
