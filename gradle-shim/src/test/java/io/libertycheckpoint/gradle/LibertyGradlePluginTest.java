package io.libertycheckpoint.gradle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import org.gradle.api.Project;
import org.gradle.api.internal.project.ProjectInternal;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.libertycheckpoint.shim.Invocation;
import io.libertycheckpoint.shim.Settings;

/**
 * liberty-gradle-plugin's liberty { server { } } as the defaults of the tasks, read from an
 * extension of the same shape (its getters: liberty-gradle-plugin's Groovy classes have them); the
 * -P alias; what a task keeps of its project (for the configuration cache).
 */
public class LibertyGradlePluginTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** liberty-gradle-plugin's ServerExtension, as far as this plugin reads it. */
    public static class ServerExtension {
        private String name = "defaultServer";
        private File configDirectory;
        private File serverXmlFile;
        private final Properties bootstrapProperties = new Properties();
        private List<String> jvmOptions;
        private final Properties env = new Properties();
        private final Properties var = new Properties();
        private final Properties defaultVar = new Properties();

        public String getName() { return name; }
        public File getConfigDirectory() { return configDirectory; }
        public File getServerXmlFile() { return serverXmlFile; }
        public Properties getBootstrapProperties() { return bootstrapProperties; }
        public List<String> getJvmOptions() { return jvmOptions; }
        public Properties getEnv() { return env; }
        public Properties getVar() { return var; }
        public Properties getDefaultVar() { return defaultVar; }
    }

    /** liberty-gradle-plugin's LibertyExtension: the server block, or the older flat properties. */
    public static class LibertyExtension {
        private ServerExtension server;
        private String serverName;
        private File configDirectory;

        public ServerExtension getServer() { return server; }
        public String getServerName() { return serverName; }
        public File getConfigDirectory() { return configDirectory; }
    }

    private Project project(LibertyExtension liberty) throws Exception {
        Project p = ProjectBuilder.builder().withProjectDir(new File(tmp.newFolder(), "inventory")).withName("inventory").build();
        p.setVersion("2.0");
        p.getPluginManager().apply("war");
        if (liberty != null) {
            p.getExtensions().add("liberty", liberty);
        }
        p.getPluginManager().apply(LibertyCheckpointPlugin.class);
        ((ProjectInternal) p).evaluate();
        return p;
    }

    private static LibertyCheckpointTask task(Project p, String name) {
        return (LibertyCheckpointTask) p.getTasks().getByName(name);
    }

    @Test
    public void theServerBlockIsTheDefaultOfCheckpointImage() throws Exception {
        LibertyExtension liberty = new LibertyExtension();
        liberty.server = new ServerExtension();
        Project p = project(liberty);
        File config = p.file("src/main/liberty/server1");
        Files.createDirectories(config.toPath());
        Files.write(new File(config, "server.xml").toPath(), "<server/>".getBytes());
        liberty.server.name = "inventory";
        liberty.server.configDirectory = config;
        liberty.server.bootstrapProperties.setProperty("default.http.port", "9081");
        liberty.server.jvmOptions = Arrays.asList("-Xmx256m", " ");
        liberty.server.env.setProperty("DB_HOST", "db");
        liberty.server.var.setProperty("greeting", "hi");

        Invocation inv = task(p, "checkpointImage").invocation();
        assertEquals(Arrays.asList("checkpoint-image", "--output", "json", "--app-archive=" + new File(p.getBuildDir(), "libs/inventory-2.0.war"),
                "--config-directory=" + config, "--server-name=inventory", "--image=localhost/inventory:2.0-instanton",
                "--output-dir=" + new File(p.getBuildDir(), "liberty-checkpoint")), inv.arguments(false));
        assertEquals(Collections.singletonMap("default.http.port", "9081"), inv.get("bootstrapProperties"));
        assertEquals(Collections.singletonList("-Xmx256m"), inv.get("jvmOptions"));
        assertEquals(new ArrayList<>(Arrays.asList("bootstrap.properties", "configDropins/overrides/liberty-plugin-variable-config.xml",
                "jvm.options", "server.env")), new ArrayList<>(inv.layout().entries().keySet()));
        // The extension wins over the Liberty plugin, key by key for maps.
        LibertyCheckpointExtension ext = p.getExtensions().getByType(LibertyCheckpointExtension.class);
        ext.setServerName("other");
        ext.getBootstrapProperties().put("extra", "1");
        inv = task(p, "checkpointImage").invocation();
        assertTrue(inv.arguments(false).contains("--server-name=other"));
        assertEquals("{default.http.port=9081, extra=1}", String.valueOf(inv.get("bootstrapProperties")));
        // Only checkpointImage takes the server configuration.
        assertEquals(Arrays.asList("restore", "--output", "json", "--image=localhost/inventory:2.0-instanton"),
                task(p, "checkpointRestore").invocation().arguments(false));
    }

    @Test
    public void theOlderFlatLibertyBlockAndNoLibertyPluginAtAll() throws Exception {
        LibertyExtension liberty = new LibertyExtension();
        liberty.serverName = "flat";
        Project p = project(liberty);
        assertTrue(task(p, "checkpointImage").invocation().arguments(false).contains("--server-name=flat"));
        Project none = project(null);
        Invocation inv = task(none, "checkpointImage").invocation();
        assertTrue(inv.layout().isEmpty());
        assertTrue(inv.arguments(false).stream().noneMatch(a -> a.startsWith("--server-name")));
        assertNull(LibertyGradlePlugin.read(none));
    }

    @Test
    public void theImageAliasComesFromTheCommandLineOnly() throws Exception {
        Project p = project(null);
        p.getExtensions().getExtraProperties().set("image", "localhost/not-from-a-build-property:1");
        assertTrue(task(p, "checkpointRestore").invocation().arguments(false).contains("--image=localhost/inventory:2.0-instanton"));
        p.getGradle().getStartParameter().setProjectProperties(Collections.singletonMap("image", "localhost/from-alias:3"));
        assertTrue(task(p, "checkpointRestore").invocation().arguments(false).contains("--image=localhost/from-alias:3"));
        p.getExtensions().getByType(LibertyCheckpointExtension.class).setImage("localhost/from-script:4");
        assertTrue(task(p, "checkpointRestore").invocation().arguments(false).contains("--image=localhost/from-script:4"));
    }

    /** What a task keeps of its project is a plain value: the configuration cache stores it with the task. */
    @Test
    public void theProjectInputsSerialize() throws Exception {
        LibertyExtension liberty = new LibertyExtension();
        liberty.server = new ServerExtension();
        liberty.server.bootstrapProperties.setProperty("a", "b");
        Project p = project(liberty);
        LibertyCheckpointExtension ext = p.getExtensions().getByType(LibertyCheckpointExtension.class);
        ext.setServerXmlFile(p.file("x/server.xml").toPath());
        ext.setPorts(Arrays.asList(9080));
        ext.getLabels().put("k", "v");
        ProjectInputs in = ProjectInputs.read(p, ext, Settings.bundled());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(in);
        }
        ProjectInputs back;
        try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (ProjectInputs) o.readObject();
        }
        assertEquals(p.file("x/server.xml").getPath(), back.script.get("serverXmlFile"));
        assertEquals(Arrays.asList("9080"), back.script.get("ports"));
        assertEquals("b", back.liberty.bootstrapProperties.get("a"));
        assertEquals(p.getProjectDir(), back.projectDir);
    }

    /**
     * The configuration cache forbids Task.getProject() at execution time: only configure() (run
     * when the task is configured) may call it. Checked in the compiled class, with javap.
     */
    @Test
    public void nothingButConfigurationTouchesTheProject() throws Exception {
        File classes = new File(LibertyCheckpointTask.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> callers = new ArrayList<>();
        for (String cls : new String[] {"LibertyCheckpointTask"}) {
            Process javap = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/javap").getPath(), "-c", "-p",
                    new File(classes, "io/libertycheckpoint/gradle/" + cls + ".class").getPath()).redirectErrorStream(true).start();
            String method = null;
            for (String line : new String(readAll(javap), "UTF-8").split("\n")) {
                if (line.startsWith("  ") && !line.startsWith("    ") && line.contains("(")) {
                    method = line.trim();
                } else if (line.contains("getProject:()Lorg/gradle/api/Project;") && !callers.contains(method)) {
                    callers.add(method);
                }
            }
            assertEquals(0, javap.waitFor());
        }
        assertEquals(1, callers.size());
        assertTrue(callers.toString(), callers.get(0).contains(" configure("));
    }

    private static byte[] readAll(Process p) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = p.getInputStream().read(buf)) > 0;) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
