package io.libertycheckpoint.gradle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.internal.project.ProjectInternal;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.libertycheckpoint.gradle.tool.ToolFailure;

/** The plugin in a ProjectBuilder project: tasks, wiring, the command lines it would run. */
public class PluginTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Project project(String... props) throws Exception {
        File dir = new File(tmp.newFolder(), "sample");
        Project p = ProjectBuilder.builder().withProjectDir(dir).withName("sample").build();
        for (int i = 0; i < props.length; i += 2) {
            p.getExtensions().getExtraProperties().set(props[i], props[i + 1]);
        }
        p.setVersion("1.0");
        p.getPluginManager().apply("war");
        p.getPluginManager().apply(LibertyCheckpointPlugin.class);
        ((ProjectInternal) p).evaluate();
        return p;
    }

    private static LibertyCheckpointExtension ext(Project p) {
        return p.getExtensions().getByType(LibertyCheckpointExtension.class);
    }

    private static List<String> args(Project p, String task) {
        List<String> cmd = ((LibertyCheckpointTask) p.getTasks().getByName(task)).commandLine("liberty-checkpoint", false);
        return cmd.subList(1, cmd.size());
    }

    @Test
    public void tasksInGroupLiberty() throws Exception {
        Project p = project();
        for (String name : Arrays.asList("checkpointImage", "checkpointBaseImage", "checkpointRestore", "checkpointDoctor")) {
            Task t = p.getTasks().getByName(name);
            assertEquals(name, "liberty", t.getGroup());
            assertTrue(name, t.getDescription().length() > 20);
        }
        assertTrue(p.getTasks().getByName("checkpointImage").getTaskDependencies().getDependencies(null)
                .contains(p.getTasks().getByName("war")));
        assertEquals(new File(p.getBuildDir(), "liberty-checkpoint/checkpointImage.json"),
                ((CheckpointImageTask) p.getTasks().getByName("checkpointImage")).getResultFile());
    }

    @Test
    public void checkpointImageDefaults() throws Exception {
        Project p = project();
        File war = new File(p.getBuildDir(), "libs/sample-1.0.war");
        assertEquals(Arrays.asList("checkpoint-image", "--output", "json", "--app-archive=" + war.getAbsolutePath(),
                "--image=localhost/sample:1.0-instanton"), args(p, "checkpointImage"));
    }

    @Test
    public void extensionValuesBecomeFlags() throws Exception {
        Project p = project();
        Files.createDirectories(p.file("src/main/liberty/config").toPath());
        LibertyCheckpointExtension e = ext(p);
        e.setBaseImage("localhost/open-liberty:local-checkpoint");
        e.setImage("localhost/demo:2-instanton");
        e.setPhase("beforeAppStart");
        e.setServerXmlFile("conf/server.xml");
        e.setServerName("srv");
        e.getLabels().put("team", "a");
        e.getEnv().put("X", "1");
        e.setKeepAppImage(true);
        e.setTimeout("15m");
        e.setPodmanUrl("unix:///run/podman/podman.sock");
        assertEquals(Arrays.asList("checkpoint-image", "--output", "json", "--podman-url=unix:///run/podman/podman.sock",
                "--base-image=localhost/open-liberty:local-checkpoint",
                "--app-archive=" + new File(p.getBuildDir(), "libs/sample-1.0.war").getAbsolutePath(),
                "--server-xml-file=" + p.file("conf/server.xml").getAbsolutePath(),
                "--config-directory=" + p.file("src/main/liberty/config").getAbsolutePath(),
                "--server-name=srv", "--image=localhost/demo:2-instanton", "--phase=beforeAppStart",
                "--label=team=a", "--env=X=1", "--keep-app-image", "--timeout=15m"), args(p, "checkpointImage"));
    }

    @Test
    public void propertiesOverrideTheExtension() throws Exception {
        Project p = project("liberty.checkpoint.phase", "beforeAppStart", "liberty.checkpoint.image", "localhost/x:1",
                "liberty.checkpoint.ports", "9080,127.0.0.1:9443:9443", "liberty.checkpoint.keepRunning", "",
                "liberty.checkpoint.env", "A=1,B=2", "liberty.checkpoint.appArchive", "other.war");
        ext(p).setPhase("afterAppStart");
        ext(p).setImage("localhost/ignored:1");
        List<String> image = args(p, "checkpointImage");
        assertTrue(image.toString(), image.contains("--phase=beforeAppStart"));
        assertTrue(image.toString(), image.contains("--image=localhost/x:1"));
        assertTrue(image.toString(), image.contains("--app-archive=" + p.file("other.war").getAbsolutePath()));
        assertEquals(Arrays.asList("restore", "--output", "json", "--image=localhost/x:1", "--publish=9080",
                "--publish=127.0.0.1:9443:9443", "--env=A=1", "--env=B=2", "--keep-running"), args(p, "checkpointRestore"));
    }

    @Test
    public void baseImageTaskUsesBaseImageAndItsOwnContainerfile() throws Exception {
        Project p = project();
        ext(p).setBaseImage("localhost/open-liberty:local-checkpoint");
        ext(p).setContextDirectory("beta-image");
        ext(p).setContainerfile("Containerfile.app"); // the application's: not the base image's
        ext(p).getBuildArgs().put("LIBERTY_VERSION", "25.0.0.9");
        CheckpointBaseImageTask t = (CheckpointBaseImageTask) p.getTasks().getByName("checkpointBaseImage");
        t.setContainerfile("Dockerfile.local");
        assertEquals(Arrays.asList("build-base-image", "--output", "json", "--context=" + p.file("beta-image").getAbsolutePath(),
                "--containerfile=Dockerfile.local", "--image=localhost/open-liberty:local-checkpoint",
                "--build-arg=LIBERTY_VERSION=25.0.0.9"), args(p, "checkpointBaseImage"));
        assertEquals("libertyCheckpoint { baseImage = '...' } or -Pliberty.checkpoint.baseImage=...", t.spell("image"));
        assertEquals("checkpointBaseImage { containerfile = '...' }", t.spell("containerfile"));
    }

    @Test
    public void doctorChecksTheImageOnlyWhenChosen() throws Exception {
        assertEquals(Arrays.asList("doctor", "--output", "json"), args(project(), "checkpointDoctor"));
        Project p = project();
        ext(p).setImage("localhost/x:1");
        assertEquals(Arrays.asList("doctor", "--output", "json", "--image=localhost/x:1"), args(p, "checkpointDoctor"));
    }

    @Test
    public void earWinsOverWar() throws Exception {
        Project p = project();
        p.getPluginManager().apply("ear");
        List<String> a = args(p, "checkpointImage");
        assertTrue(a.toString(), a.contains("--app-archive=" + new File(p.getBuildDir(), "libs/sample-1.0.ear").getAbsolutePath()));
    }

    @Test
    public void executableOverride() throws Exception {
        Project p = project("liberty.checkpoint.executable", "tools/liberty-checkpoint");
        LibertyCheckpointTask t = (LibertyCheckpointTask) p.getTasks().getByName("checkpointRestore");
        assertEquals(p.file("tools/liberty-checkpoint").getAbsolutePath(), t.executable());
        assertEquals("executable:tools/liberty-checkpoint", t.getTool());
        assertEquals(Arrays.asList("--log-level", "debug"), t.commandLine("x", true).subList(4, 6));
        ext(p).setExecutable("liberty-checkpoint-dev"); // -P wins over the extension
        assertEquals(p.file("tools/liberty-checkpoint").getAbsolutePath(), t.executable());
        Project onPath = project();
        ext(onPath).setExecutable("liberty-checkpoint-dev");
        assertEquals("a bare name is looked up on PATH", "liberty-checkpoint-dev",
                ((LibertyCheckpointTask) onPath.getTasks().getByName("checkpointDoctor")).executable());
    }

    @Test
    public void failureMessageSpellsTheSettingTheGradleWay() {
        ToolFailure f = new ToolFailure("NotFound", "/src/build/libs/sample.war does not exist", "appArchive", "app_archive",
                "--app-archive", "build the application first (mvn package / gradle war) or correct the path",
                Arrays.asList("line 1"), 2);
        assertEquals("liberty-checkpoint checkpoint-image failed: /src/build/libs/sample.war does not exist\n"
                + "  setting: libertyCheckpoint { appArchive = '...' } or -Pliberty.checkpoint.appArchive=...\n"
                + "  fix: build the application first (mvn package / gradle war) or correct the path\n"
                + "  last log lines:\n"
                + "    line 1", Failures.message("checkpoint-image", f, k -> Setting.byKey(k).spelling()));
        assertTrue(Failures.toGradle(":checkpointImage", "checkpoint-image", f, k -> k) instanceof org.gradle.api.InvalidUserDataException);
        ToolFailure cancelled = new ToolFailure("Canceled", "cancelled", null, null, null, null, null, 130);
        assertTrue(Failures.toGradle(":checkpointImage", "checkpoint-image", cancelled, k -> k) instanceof org.gradle.api.BuildCancelledException);
    }
}
