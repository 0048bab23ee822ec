package io.libertycheckpoint.gradle.tool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The tool's {@code error} event (or a failure to run it at all): code, message, the setting to
 * change and the fix. A front end renders it with its own spelling of the setting.
 */
public final class ToolFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final String setting;
    private final String field;
    private final String flag;
    private final String fix;
    private final List<String> logTail;
    private final int exitCode;

    public ToolFailure(String code, String message, String setting, String field, String flag, String fix,
            List<String> logTail, int exitCode) {
        super(message);
        this.code = code == null ? "" : code;
        this.setting = setting == null ? "" : setting;
        this.field = field == null ? "" : field;
        this.flag = flag == null ? "" : flag;
        this.fix = fix == null ? "" : fix;
        this.logTail = logTail == null ? Collections.<String>emptyList() : Collections.unmodifiableList(new ArrayList<>(logTail));
        this.exitCode = exitCode;
    }

    /** A failure with only a message and a fix (no setting), for problems found before the tool runs. */
    public static ToolFailure of(String code, String message, String setting, String fix) {
        return new ToolFailure(code, message, setting, null, null, fix, null, -1);
    }

    /** Reads an {@code error} event. */
    public static ToolFailure fromEvent(Event e, int exitCode) {
        List<String> tail = new ArrayList<>();
        for (Object o : e.list("logTail")) {
            tail.add(String.valueOf(o));
        }
        int code = e.has("exitCode") ? (int) e.num("exitCode") : exitCode;
        return new ToolFailure(e.str("code"), e.str("message"), e.str("setting"), e.str("field"), e.str("flag"),
                e.str("fix"), tail, code);
    }

    /** gRPC code name: InvalidArgument, NotFound, FailedPrecondition, Canceled, ... */
    public String code() {
        return code;
    }

    /** The setting key (settings.json), e.g. appArchive; empty when the error is not about a setting. */
    public String setting() {
        return setting;
    }

    public String field() {
        return field;
    }

    public String flag() {
        return flag;
    }

    public String fix() {
        return fix;
    }

    public List<String> logTail() {
        return logTail;
    }

    public int exitCode() {
        return exitCode;
    }

    /** True when the input was wrong (as opposed to the operation failing). */
    public boolean isBadInput() {
        return "InvalidArgument".equals(code) || "NotFound".equals(code);
    }

    public boolean isCancelled() {
        return "Canceled".equals(code) || exitCode == 130;
    }
}
