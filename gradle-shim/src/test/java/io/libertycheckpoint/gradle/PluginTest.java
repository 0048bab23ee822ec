package io.libertycheckpoint.gradle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

import org.gradle.api.Project;
import org.gradle.api.internal.project.ProjectInternal;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.libertycheckpoint.shim.Settings;

/** The plugin in a ProjectBuilder project: a task per goal, the extension, the calls it would make. */
public class PluginTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Project project(String... props) throws Exception {
        Project p = ProjectBuilder.builder().withProjectDir(new File(tmp.newFolder(), "sample")).withName("sample").build();
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

    private static List<String> args(Project p, String task) throws Exception {
        return ((LibertyCheckpointTask) p.getTasks().getByName(task)).invocation().arguments(false);
    }

    @Test
    public void aTaskPerGoalAndAPropertyPerSetting() throws Exception {
        Project p = project();
        for (Settings.Goal g : Settings.bundled().goals()) {
            LibertyCheckpointTask t = (LibertyCheckpointTask) p.getTasks().getByName(g.gradle);
            assertEquals(g.gradle, "liberty", t.getGroup());
            assertEquals(g.doc, t.getDescription());
            assertEquals(new File(p.getBuildDir(), "liberty-checkpoint/" + g.gradle + ".json"), t.getResultFile());
        }
        assertTrue(p.getTasks().getByName("checkpointImage").getTaskDependencies().getDependencies(null).contains(p.getTasks().getByName("war")));
        for (Settings.Setting s : Settings.bundled().all()) {
            String cap = Character.toUpperCase(s.key.charAt(0)) + s.key.substring(1);
            Method getter = LibertyCheckpointExtension.class.getMethod("get" + cap);
            assertTrue(s.key, Arrays.stream(LibertyCheckpointExtension.class.getMethods())
                    .anyMatch(m -> m.getName().equals("set" + cap) && m.getParameterCount() == 1));
            assertTrue(s.key, getter.invoke(ext(p)) != null);
        }
    }

    @Test
    public void extensionAndPropertiesBecomeTheCall() throws Exception {
        Project p = project("liberty.checkpoint.phase", "beforeAppStart", "liberty.checkpoint.env", "A=1,B=2");
        Files.createDirectories(p.file("src/main/liberty/config").toPath());
        assertEquals(Arrays.asList("checkpoint-image", "--output", "json", "--app-archive=" + new File(p.getBuildDir(), "libs/sample-1.0.war"),
                "--config-directory=" + p.file("src/main/liberty/config"), "--image=localhost/sample:1.0-instanton",
                "--phase=beforeAppStart", "--env=A=1", "--env=B=2", "--output-dir=" + new File(p.getBuildDir(), "liberty-checkpoint")),
                args(p, "checkpointImage"));
        LibertyCheckpointExtension e = ext(p);
        e.setBaseImage("localhost/open-liberty:local-checkpoint");
        e.setPhase("afterAppStart"); // -P wins
        e.setServerXmlFile(new File("conf/server.xml"));
        e.getLabels().put("team", "a");
        e.setKeepAppImage(true);
        e.setPorts(Arrays.asList(9080, "127.0.0.1:9443:9443"));
        List<String> image = args(p, "checkpointImage");
        assertTrue(image.toString(), image.containsAll(Arrays.asList("--base-image=localhost/open-liberty:local-checkpoint",
                "--server-xml-file=" + p.file("conf/server.xml"), "--phase=beforeAppStart", "--label=team=a", "--keep-app-image")));
        assertEquals(Arrays.asList("restore", "--output", "json", "--image=localhost/sample:1.0-instanton", "--env=A=1", "--env=B=2",
                "--publish=9080", "--publish=127.0.0.1:9443:9443"), args(p, "checkpointRestore"));
        assertEquals(Arrays.asList("doctor", "--output", "json"), args(p, "checkpointDoctor"));
        e.setOpenshift(true);
        e.setMemoryLimit("768Mi");
        assertEquals(Arrays.asList("kube", "--output", "json", "--image=localhost/sample:1.0-instanton", "--memory-limit=768Mi",
                "--openshift"), args(p, "checkpointKube"));
        e.setCreds("ci:hunter2");
        e.setTlsVerify("false");
        assertEquals("creds go in the environment, not the arguments",
                Arrays.asList("push", "--output", "json", "--image=localhost/sample:1.0-instanton", "--tls-verify=false",
                        "--output-dir=" + new File(p.getBuildDir(), "liberty-checkpoint")), args(p, "checkpointPush"));
        assertEquals("ci:hunter2", ((LibertyCheckpointTask) p.getTasks().getByName("checkpointPush")).invocation().environment()
                .get("LCP_REGISTRY_CREDS"));
        // The image files are the task's outputs where the CLI writes them (--output-dir).
        LibertyCheckpointTask imageTask = (LibertyCheckpointTask) p.getTasks().getByName("checkpointImage");
        assertEquals(Arrays.asList(new File(p.getBuildDir(), "liberty-checkpoint/image.id"), new File(p.getBuildDir(), "liberty-checkpoint/image.json")),
                imageTask.getImageFiles());
        e.setOutputDirectory("images");
        assertEquals(p.file("images/image.id"), imageTask.getImageFiles().get(0));
        assertTrue(((LibertyCheckpointTask) p.getTasks().getByName("checkpointDoctor")).getImageFiles().isEmpty());
    }

    @Test
    public void earWinsOverWarAndTheExecutableIsAPathOrANameOnPath() throws Exception {
        Project p = project("liberty.checkpoint.executable", "tools/liberty-checkpoint");
        p.getPluginManager().apply("ear");
        assertTrue(args(p, "checkpointImage").contains("--app-archive=" + new File(p.getBuildDir(), "libs/sample-1.0.ear")));
        LibertyCheckpointTask t = (LibertyCheckpointTask) p.getTasks().getByName("checkpointRestore");
        assertEquals("executable:" + p.file("tools/liberty-checkpoint"), t.getTool());
        Project onPath = project();
        ext(onPath).setExecutable("liberty-checkpoint-dev");
        assertEquals("executable:liberty-checkpoint-dev", ((LibertyCheckpointTask) onPath.getTasks().getByName("checkpointDoctor")).getTool());
    }
}
