package io.libertycheckpoint.gradle.functional;

import static io.libertycheckpoint.gradle.functional.Fixtures.append;
import static io.libertycheckpoint.gradle.functional.Fixtures.golden;
import static io.libertycheckpoint.gradle.functional.Fixtures.read;
import static io.libertycheckpoint.gradle.functional.Fixtures.write;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

import org.gradle.testkit.runner.BuildResult;
import org.gradle.testkit.runner.TaskOutcome;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;

/**
 * The plugin in real Gradle builds with a fake liberty-checkpoint (a shell script that records its
 * arguments and plays golden events): arguments, output, failures, up-to-date checks, -P overrides.
 */
public class FakeExecutableTest {
    @Rule
    public TestName name = new TestName();

    private File project;
    private File args;
    private File runs;

    @Before
    public void setUp() throws Exception {
        project = Fixtures.warProject(getClass().getSimpleName() + "-" + name.getMethodName());
        args = new File(project, "fake/args.txt");
        runs = new File(project, "fake/runs.txt");
        Fixtures.executable(new File(project, "fake/liberty-checkpoint"), "#!/bin/sh\n"
                + "dir=$(dirname \"$0\")\n"
                + "printf '%s\\n' \"$@\" > \"$dir/args.txt\"\n"
                + "echo run >> \"$dir/runs.txt\"\n"
                + "echo \"$LCP_FRONT_END\" > \"$dir/front-end.txt\"\n"
                + "cat \"$dir/events.jsonl\"\n"
                + "exit $(cat \"$dir/exit-code\" 2>/dev/null || echo 0)\n");
        events(golden(1, 12), 0); // a checkpoint-image that succeeds
        append(new File(project, "build.gradle"), "\nlibertyCheckpoint {\n"
                + "    executable = file('fake/liberty-checkpoint')\n"
                + "    baseImage = 'localhost/open-liberty:local-checkpoint'\n"
                + "    phase = 'afterAppStart'\n"
                + "}\n");
    }

    private void events(String jsonl, int exit) throws Exception {
        write(new File(project, "fake/events.jsonl"), jsonl);
        write(new File(project, "fake/exit-code"), exit + "\n");
    }

    private List<String> args() throws Exception {
        return Files.readAllLines(args.toPath());
    }

    private int runs() throws Exception {
        return runs.exists() ? Files.readAllLines(runs.toPath()).size() : 0;
    }

    private String path(String relative) {
        return new File(project, relative).getAbsolutePath();
    }

    @Test
    public void checkpointImageRunsTheToolOnceWithTheBuildsSettings() throws Exception {
        BuildResult r = Fixtures.fakeBundle(project, "checkpointImage").build();
        assertEquals(TaskOutcome.SUCCESS, r.task(":war").getOutcome());
        assertEquals(TaskOutcome.SUCCESS, r.task(":checkpointImage").getOutcome());
        assertEquals(Arrays.asList("checkpoint-image", "--output", "json",
                "--base-image=localhost/open-liberty:local-checkpoint",
                "--app-archive=" + path("build/libs/sample-1.0.war"),
                "--config-directory=" + path("src/main/liberty/config"),
                "--image=localhost/sample:1.0-instanton",
                "--phase=afterAppStart",
                "--output-dir=" + path("build/liberty-checkpoint")), args());
        String out = r.getOutput();
        assertTrue(out, out.contains("[1/3] containerize...\n"));
        assertTrue(out, out.contains("[3/3] commit done in 799ms\n"));
        assertTrue(out, out.contains("warning: phase \"applications\" is the old name of afterAppStart"));
        assertTrue(out, out.contains(
                "Built InstantOn image localhost/sample:1.0-instanton (9c8b7a6d5e4f, 412.3 MB), phase afterAppStart, checkpoint 58.0 MB\n"
                + "  containerize 2.3s, checkpoint 6.7s, commit 799ms; done in 9.8s\n"));
        assertFalse("build output is info", out.contains("STEP 1/4"));
        assertFalse("debug lines are debug", out.contains("--> 3f2a1b"));
        assertEquals(golden(12, 12), read(new File(project, "build/liberty-checkpoint/checkpointImage.json")));
    }

    @Test
    public void upToDateUntilAnInputChanges() throws Exception {
        // Build and container output shows at --info, debug lines not.
        BuildResult info = Fixtures.fakeBundle(project, "checkpointImage", "--info").build();
        assertEquals(TaskOutcome.SUCCESS, info.task(":checkpointImage").getOutcome());
        assertTrue(info.getOutput(), info.getOutput().contains("build    | STEP 1/4: FROM localhost/open-liberty:local-checkpoint"));
        assertFalse(info.getOutput(), info.getOutput().contains("--> 3f2a1b"));
        assertEquals(TaskOutcome.UP_TO_DATE, Fixtures.fakeBundle(project, "checkpointImage").build().task(":checkpointImage").getOutcome());
        assertEquals(1, runs());

        // Liberty configuration changed.
        append(new File(project, "src/main/liberty/config/server.xml"), "<!-- changed -->\n");
        assertEquals(TaskOutcome.SUCCESS, Fixtures.fakeBundle(project, "checkpointImage").build().task(":checkpointImage").getOutcome());
        assertEquals(2, runs());

        // The application changed: the war is rebuilt and the image with it.
        append(new File(project, "src/main/webapp/index.html"), "<p>more</p>\n");
        assertEquals(TaskOutcome.SUCCESS, Fixtures.fakeBundle(project, "checkpointImage").build().task(":checkpointImage").getOutcome());
        assertEquals(3, runs());

        // The result file is gone: run again.
        new File(project, "build/liberty-checkpoint/checkpointImage.json").delete();
        assertEquals(TaskOutcome.SUCCESS, Fixtures.fakeBundle(project, "checkpointImage").build().task(":checkpointImage").getOutcome());
        assertEquals(4, runs());
        assertEquals(TaskOutcome.UP_TO_DATE, Fixtures.fakeBundle(project, "checkpointImage").build().task(":checkpointImage").getOutcome());
    }

    @Test
    public void propertiesOverrideTheExtensionAndAreInputs() throws Exception {
        Fixtures.fakeBundle(project, "checkpointImage").build();
        BuildResult r = Fixtures.fakeBundle(project, "checkpointImage", "-Pliberty.checkpoint.phase=beforeAppStart",
                "-Pliberty.checkpoint.image=localhost/other:2", "-Pliberty.checkpoint.labels=team=a,tier=web", "-Pliberty.checkpoint.imag=x").build();
        assertEquals(TaskOutcome.SUCCESS, r.task(":checkpointImage").getOutcome());
        List<String> a = args();
        assertTrue(a.toString(), a.contains("--phase=beforeAppStart"));
        assertFalse(a.toString(), a.contains("--phase=afterAppStart"));
        assertTrue(a.toString(), a.contains("--image=localhost/other:2"));
        assertTrue(a.toString(), a.contains("--label=team=a"));
        assertTrue(a.toString(), a.contains("--label=tier=web"));
        assertEquals(2, runs());
        assertTrue(r.getOutput(), r.getOutput().contains("liberty-checkpoint: ignoring unknown properties [liberty.checkpoint.imag]"));
    }

    @Test
    public void failureShowsTheToolsMessageAndFixTheGradleWay() throws Exception {
        Fixtures.fakeBundle(project, "checkpointImage").build();
        events(golden(19, 20), 2); // NotFound appArchive
        BuildResult r = Fixtures.fakeBundle(project, "checkpointImage", "-Pliberty.checkpoint.phase=beforeAppStart").buildAndFail();
        assertEquals(TaskOutcome.FAILED, r.task(":checkpointImage").getOutcome());
        String out = r.getOutput();
        assertTrue(out, out.contains("checkpointImage failed: /src/target/sample.war does not exist (NotFound)\n"
                + "    setting: libertyCheckpoint { appArchive = '...' } or -Pliberty.checkpoint.appArchive=...\n"
                + "    fix: build the application first (mvn package / gradle war) or correct the path"));
        assertFalse("no stale result", new File(project, "build/liberty-checkpoint/checkpointImage.json").exists());

        // The CLI spells its fix the Gradle way when told it runs for Gradle (host/cli's
        // TestFrontEndSpellsErrors); this fake prints the CLI's own spelling, which the task shows as it is.
        events(golden(21, 22), 1); // FailedPrecondition with a log tail
        out = Fixtures.fakeBundle(project, "checkpointImage", "-Pliberty.checkpoint.phase=beforeAppStart").buildAndFail().getOutput();
        assertEquals("gradle", read(new File(project, "fake/front-end.txt")).trim());
        assertTrue(out, out.contains("checkpointImage failed: criu dump failed (exit 1) (FailedPrecondition)\n"
                + "    fix: run liberty-checkpoint doctor --image localhost/sample:1.0\n"
                + "    last log lines:\n"
                + "      Error (criu/vdso.c:123): Unexpected rt vDSO area bounds"));

        // After a failure the task runs again, it is not up to date.
        events(golden(1, 12), 0);
        assertEquals(TaskOutcome.SUCCESS, Fixtures.fakeBundle(project, "checkpointImage", "-Pliberty.checkpoint.phase=beforeAppStart")
                .build().task(":checkpointImage").getOutcome());
    }

    @Test
    public void restoreReportsTheVerdictAndIsNeverUpToDate() throws Exception {
        events(golden(13, 14), 0);
        String[] cmd = {"checkpointRestore", "-Pliberty.checkpoint.ports=9080", "-Pliberty.checkpoint.readyUrl=/sample/"};
        BuildResult r = Fixtures.fakeBundle(project, cmd).build();
        assertEquals(Arrays.asList("restore", "--output", "json", "--image=localhost/sample:1.0-instanton", "--publish=9080",
                "--ready-url=/sample/"), args());
        String out = r.getOutput();
        assertTrue(out, out.contains("localhost/sample:1.0-instanton: restored from checkpoint, ready in 612ms"));
        assertTrue(out, out.contains("  http://127.0.0.1:40123/sample/hello answered HTTP 200"));
        assertTrue(out, out.contains("  port 9080 -> 127.0.0.1:40123"));
        assertEquals(TaskOutcome.SUCCESS, Fixtures.fakeBundle(project, cmd).build().task(":checkpointRestore").getOutcome());
        assertEquals(2, runs());
    }

    @Test
    public void doctorFailsTheBuildWithEachFailingCheck() throws Exception {
        events(golden(15, 18), 1);
        BuildResult r = Fixtures.fakeBundle(project, "checkpointDoctor").buildAndFail();
        assertEquals(Arrays.asList("doctor", "--output", "json"), args());
        String out = r.getOutput();
        assertTrue(out, out.contains("doctor: 1 ok, 0 warn, 1 fail, 0 skipped\n  done in 95ms"));
        assertTrue(out, out.contains("checkpointDoctor: 1 doctor check(s) failed\n"
                + "    podman.runtime: crun 1.8.1 on hybrid cgroups\n"
                + "      fix: set runtime = \"runc\" in /etc/containers/containers.conf"));
    }
}
