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
import org.junit.Test;

/**
 * A project with the real liberty-gradle-plugin (3.4.1, from Maven Central) and its liberty {
 * server { } } block: checkpointImage takes the server's name and configuration from it, lays out
 * bootstrap.properties, jvm.options, server.env and the variables beside the configuration
 * directory, leaves the image's id and summary in build/liberty-checkpoint, and follows Jib's
 * habits (-Pimage, -Pliberty.checkpoint.skip).
 */
public class LibertyGradlePluginTest {
    private File project;

    @Before
    public void setUp() throws Exception {
        project = Fixtures.copyProject(new File(Fixtures.repoRoot(), "gradle-shim/src/functionalTest/projects/liberty-gradle-plugin"),
                getClass().getSimpleName());
        Fixtures.executable(new File(project, "fake/liberty-checkpoint"), "#!/bin/sh\n"
                + "dir=$(dirname \"$0\")\n"
                + "printf '%s\\n' \"$@\" > \"$dir/args.txt\"\n"
                + "echo run >> \"$dir/runs.txt\"\n"
                + "cat \"$dir/events.jsonl\"\n");
        write(new File(project, "fake/events.jsonl"), golden(1, 12));
        append(new File(project, "build.gradle"), "\nlibertyCheckpoint {\n"
                + "    executable = file('fake/liberty-checkpoint')\n"
                + "    baseImage = 'localhost/open-liberty:local-checkpoint'\n"
                + "}\n");
    }

    private List<String> args() throws Exception {
        return Files.readAllLines(new File(project, "fake/args.txt").toPath());
    }

    private String path(String relative) {
        return new File(project, relative).getAbsolutePath();
    }

    @Test
    public void theServerBlockFlowsIntoTheImage() throws Exception {
        BuildResult r = Fixtures.fakeBundle(project, "checkpointImage", "-Pimage=localhost/inventory:alias").build();
        assertEquals(TaskOutcome.SUCCESS, r.task(":checkpointImage").getOutcome());
        assertEquals(Arrays.asList("checkpoint-image", "--output", "json",
                "--base-image=localhost/open-liberty:local-checkpoint",
                "--app-archive=" + path("build/libs/inventory-1.0.war"),
                "--server-xml-file=" + path("src/main/liberty/inventory-server.xml"),
                "--config-directory=" + path("build/liberty-checkpoint/config"),
                "--server-name=inventory",
                "--image=localhost/inventory:alias",
                "--output-dir=" + path("build/liberty-checkpoint")), args());
        assertTrue(r.getOutput(), r.getOutput().contains("Using the Liberty server configuration of liberty-gradle-plugin's liberty { server { } }: "
                + "serverName inventory, configDirectory " + path("src/main/liberty/server")
                + ", serverXmlFile " + path("src/main/liberty/inventory-server.xml")));
        File config = new File(project, "build/liberty-checkpoint/config");
        assertEquals(read(new File(project, "src/main/liberty/server/server.xml")), read(new File(config, "server.xml")));
        String bootstrap = read(new File(config, "bootstrap.properties"));
        assertTrue(bootstrap, bootstrap.contains("\napp.mode=instanton\ndefault.http.port=9081\n"));
        assertTrue(read(new File(config, "jvm.options")).endsWith("\n-Xmx256m\n-Dapp.flag=1\n"));
        assertTrue(read(new File(config, "server.env")).endsWith("\nDB_HOST=db\n"));
        assertTrue(read(new File(config, "configDropins/overrides/liberty-plugin-variable-config.xml"))
                .contains("<variable name=\"greeting\" value=\"hello\"/>"));

        // A changed server block is a changed input.
        assertEquals(TaskOutcome.UP_TO_DATE, Fixtures.fakeBundle(project, "checkpointImage", "-Pimage=localhost/inventory:alias").build()
                .task(":checkpointImage").getOutcome());
        append(new File(project, "build.gradle"), "\nliberty.server.jvmOptions = ['-Xmx512m']\n");
        assertEquals(TaskOutcome.SUCCESS, Fixtures.fakeBundle(project, "checkpointImage", "-Pimage=localhost/inventory:alias").build()
                .task(":checkpointImage").getOutcome());
        assertTrue(read(new File(config, "jvm.options")).endsWith("\n-Xmx512m\n"));
    }

    @Test
    public void skipSkips() throws Exception {
        BuildResult r = Fixtures.fakeBundle(project, "checkpointImage", "-Pliberty.checkpoint.skip=true").build();
        assertEquals(TaskOutcome.SUCCESS, r.task(":checkpointImage").getOutcome());
        assertTrue(r.getOutput(), r.getOutput().contains("Skipping checkpointImage (libertyCheckpoint { skip = true } or -Pliberty.checkpoint.skip=... is true)"));
        assertFalse(new File(project, "fake/runs.txt").exists());
    }
}
