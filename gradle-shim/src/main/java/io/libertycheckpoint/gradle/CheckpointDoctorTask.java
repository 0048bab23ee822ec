package io.libertycheckpoint.gradle;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.Optional;

import io.libertycheckpoint.gradle.tool.Event;
import io.libertycheckpoint.gradle.tool.ToolFailure;
import io.libertycheckpoint.gradle.tool.ToolRun;

/**
 * {@code gradle checkpointDoctor}: checks that this host and its Podman can checkpoint and restore
 * ({@code liberty-checkpoint doctor}), and the image too when {@code image} is set explicitly.
 * Fails the build when a check fails, listing each with its fix.
 */
public class CheckpointDoctorTask extends LibertyCheckpointTask {
    private Callable<Boolean> imageChosen = () -> false;

    public CheckpointDoctorTask() {
        setDescription("Checks that this host, Podman and (when image is set) the image can checkpoint and restore.");
        getOutputs().upToDateWhen(t -> false);
    }

    void imageChosen(Callable<Boolean> c) {
        imageChosen = c;
    }

    @Override
    protected String command() {
        return "doctor";
    }

    @Override
    protected void addArguments(Args a) {
        a.value(Setting.IMAGE, getImage());
    }

    /** The image to check as well; only when set in libertyCheckpoint or with -P (not the default name). */
    @Input
    @Optional
    public String getImage() {
        try {
            return imageChosen.call() ? str(Setting.IMAGE) : null;
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    protected void checkOutcome(ToolRun.Outcome o, List<Event> events) {
        if (o.result == null) {
            super.checkOutcome(o, events);
            return;
        }
        Event d = o.result.obj("doctor");
        if (d.num("fail") > 0 || o.exitCode != 0) {
            List<String> failed = new ArrayList<>();
            for (Event e : events) {
                if ("check".equals(e.type()) && "fail".equals(e.str("status"))) {
                    failed.add(e.str("id") + ": " + e.str("found") + (e.str("fix").isEmpty() ? "" : " (fix: " + e.str("fix") + ")"));
                }
            }
            StringBuilder m = new StringBuilder(d.num("fail") + " doctor check(s) failed");
            for (String f : failed) {
                m.append("\n    ").append(f);
            }
            throw new ToolFailure("FailedPrecondition", m.toString(), null, null, null,
                    "fix the failing checks, then run gradle " + getName() + " again", null, o.exitCode);
        }
    }
}
