package io.libertycheckpoint.gradle.tool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Runs small shell scripts in place of the tool: events, failures, noise, cancellation. */
public class ToolRunTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<Event> events = new ArrayList<>();
    private final List<String> text = new ArrayList<>();
    private final ToolRun.Listener listener = new ToolRun.Listener() {
        @Override
        public void event(Event e) {
            events.add(e);
        }

        @Override
        public void text(String line) {
            text.add(line);
        }
    };

    private String script(String body) throws Exception {
        Path p = tmp.newFile().toPath();
        Files.write(p, ("#!/bin/sh\n" + body + "\n").getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p.toString();
    }

    private ToolRun.Outcome run(String script, ToolRun.Cancellation c, long grace, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script);
        cmd.addAll(Arrays.asList(args));
        return new ToolRun(cmd, tmp.getRoot(), grace).run(listener, c);
    }

    @Test
    public void successfulRunGivesTheResult() throws Exception {
        String s = script("echo '{\"type\":\"start\",\"schema\":1,\"operation\":\"restore\"}'\n"
                + "echo '2024-01-01T00:00:00.000Z [WARN]  liberty-checkpoint: a log line' >&2\n"
                + "echo 'not json on stdout'\n"
                + "echo \"{\\\"type\\\":\\\"result\\\",\\\"operation\\\":\\\"restore\\\",\\\"image\\\":\\\"$1\\\"}\"");
        ToolRun.Outcome o = run(s, () -> false, 1000, "img:1");
        assertNull(o.failure);
        assertEquals(0, o.exitCode);
        assertEquals("img:1", o.result.str("image"));
        assertEquals(2, events.size());
        assertTrue(text.toString(), text.contains("not json on stdout"));
        assertTrue(text.toString(), text.contains("2024-01-01T00:00:00.000Z [WARN]  liberty-checkpoint: a log line"));
    }

    @Test
    public void errorEventBecomesTheFailure() throws Exception {
        String s = script("echo '{\"type\":\"start\",\"schema\":1,\"operation\":\"checkpoint-image\"}'\n"
                + "echo '{\"type\":\"error\",\"code\":\"NotFound\",\"message\":\"/x.war does not exist\",\"field\":\"app_archive\","
                + "\"setting\":\"appArchive\",\"flag\":\"--app-archive\",\"fix\":\"build it\",\"logTail\":[\"a\",\"b\"],\"exitCode\":2}'\n"
                + "exit 2");
        ToolRun.Outcome o = run(s, () -> false, 1000);
        assertNotNull(o.failure);
        assertEquals("NotFound", o.failure.code());
        assertEquals("appArchive", o.failure.setting());
        assertEquals("build it", o.failure.fix());
        assertEquals(Arrays.asList("a", "b"), o.failure.logTail());
        assertEquals(2, o.failure.exitCode());
        assertTrue(o.failure.isBadInput());
        assertFalse(o.cancelled);
    }

    @Test
    public void crashWithoutErrorEventKeepsTheStderrTail() throws Exception {
        String s = script("echo 'panic: something broke' >&2\necho 'goroutine 1 [running]:' >&2\nexit 2");
        ToolRun.Outcome o = run(s, () -> false, 1000);
        assertEquals("Internal", o.failure.code());
        assertTrue(o.failure.getMessage(), o.failure.getMessage().contains("exited with code 2 without reporting an error"));
        assertEquals(Arrays.asList("panic: something broke", "goroutine 1 [running]:"), o.failure.logTail());
    }

    @Test
    public void exitZeroWithoutResultIsAFailure() throws Exception {
        ToolRun.Outcome o = run(script("echo '{\"type\":\"start\",\"schema\":1}'"), () -> false, 1000);
        assertEquals("Internal", o.failure.code());
        assertTrue(o.failure.getMessage().contains("exited without a result"));
    }

    @Test
    public void newerSchemaIsRefused() throws Exception {
        ToolRun.Outcome o = run(script("echo '{\"type\":\"start\",\"schema\":2}'\nexec sleep 30"), () -> false, 2000);
        assertEquals("FailedPrecondition", o.failure.code());
        assertEquals("executable", o.failure.setting());
    }

    @Test
    public void missingExecutable() {
        ToolRun.Outcome o = run(new File(tmp.getRoot(), "nope").getPath(), () -> false, 1000);
        assertEquals("Unavailable", o.failure.code());
        assertEquals("executable", o.failure.setting());
    }

    /** Cancel: SIGTERM, the tool cleans up and reports Canceled; nothing keeps running. */
    @Test
    public void cancelLetsTheToolCleanUp() throws Exception {
        File marker = new File(tmp.getRoot(), "cleaned");
        File pid = new File(tmp.getRoot(), "pid");
        String s = script("echo $$ > " + pid + "\n"
                + "trap 'sleep 0.3; echo done > " + marker + "; "
                + "echo \"{\\\"type\\\":\\\"error\\\",\\\"code\\\":\\\"Canceled\\\",\\\"message\\\":\\\"cancelled\\\",\\\"exitCode\\\":130}\"; exit 130' TERM\n"
                + "echo '{\"type\":\"start\",\"schema\":1}'\n"
                + "while :; do sleep 0.1; done");
        long start = System.currentTimeMillis();
        ToolRun.Outcome o = run(s, () -> pid.exists() && !events.isEmpty(), 10_000);
        assertTrue(o.cancelled);
        assertTrue(o.failure.isCancelled());
        assertEquals(130, o.exitCode);
        assertTrue("the tool's clean-up ran", marker.exists());
        // Its stdout stayed open: the error event it wrote after the signal arrived.
        assertEquals("error", events.get(events.size() - 1).type());
        assertEquals("Canceled", events.get(events.size() - 1).str("code"));
        assertFalse("the tool is gone", alive(pid));
        assertTrue(System.currentTimeMillis() - start < 8_000);
    }

    /** The tool gets one SIGTERM, however long its clean-up takes: a second one means "quit now". */
    @Test
    public void exactlyOneSignal() throws Exception {
        File pid = new File(tmp.getRoot(), "pid");
        File signals = new File(tmp.getRoot(), "signals");
        String s = script("echo $$ > " + pid + "\n"
                + "trap 'echo TERM >> " + signals + "' TERM\n"
                + "echo '{\"type\":\"start\",\"schema\":1}'\n"
                + "while [ ! -s " + signals + " ]; do sleep 0.05; done\n"
                + "sleep 1\n" // a slow clean-up, polled all along
                + "exit 130");
        ToolRun.Outcome o = run(s, () -> !events.isEmpty(), 10_000);
        assertTrue(o.cancelled);
        assertEquals(130, o.exitCode);
        assertEquals(Arrays.asList("TERM"), Files.readAllLines(signals.toPath()));
        assertFalse(alive(pid));
    }

    /** The tool runs in a session of its own, so a terminal's Ctrl-C does not reach it directly. */
    @Test
    public void ownSession() throws Exception {
        File out = new File(tmp.getRoot(), "sid");
        String s = script("cut -d' ' -f6 /proc/$$/stat > " + out + "\necho '{\"type\":\"result\"}'");
        ToolRun.Outcome o = run(s, () -> false, 1000);
        assertNull(o.failure);
        String sid = new String(Files.readAllBytes(out.toPath()), StandardCharsets.UTF_8).trim();
        String ours = new String(Files.readAllBytes(new File("/proc/self/stat").toPath()), StandardCharsets.UTF_8);
        String[] f = ours.substring(ours.lastIndexOf(')') + 2).split(" ");
        assertFalse("tool session " + sid + " differs from ours " + f[3], sid.equals(f[3]));
    }

    /** A tool that ignores SIGTERM is killed after the grace period, with its children. */
    @Test
    public void stubbornToolIsKilledWithItsChildren() throws Exception {
        File pid = new File(tmp.getRoot(), "pid");
        File child = new File(tmp.getRoot(), "child");
        String s = script("trap '' TERM\nsleep 300 &\necho $! > " + child + "\necho $$ > " + pid + "\n"
                + "echo '{\"type\":\"start\",\"schema\":1}'\nwait");
        long start = System.currentTimeMillis();
        ToolRun.Outcome o = run(s, () -> pid.exists() && !events.isEmpty(), 500);
        long took = System.currentTimeMillis() - start;
        assertTrue(o.cancelled);
        assertFalse("the tool is gone", alive(pid));
        assertTrue("its child is gone", gone(child, 5_000));
        assertTrue("took " + took, took < 10_000);
    }

    /** Interrupting the waiting thread (Gradle's worker cancellation) cancels too. */
    @Test
    public void interruptCancels() throws Exception {
        File pid = new File(tmp.getRoot(), "pid");
        String s = script("echo $$ > " + pid + "\ntrap 'exit 130' TERM\nwhile :; do sleep 0.1; done");
        Thread runner = Thread.currentThread();
        Thread t = new Thread(() -> {
            try {
                while (!pid.exists()) {
                    Thread.sleep(20);
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            runner.interrupt();
        });
        t.start();
        ToolRun.Outcome o = run(s, () -> false, 5_000);
        assertTrue(Thread.interrupted()); // the interrupt is kept for the caller (and cleared here)
        assertTrue(o.cancelled);
        assertFalse(alive(pid));
    }

    /** Waits for a process to die (SIGKILL is delivered asynchronously). */
    private static boolean gone(File pidFile, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        while (alive(pidFile)) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static boolean alive(File pidFile) throws Exception {
        String pid = new String(Files.readAllBytes(pidFile.toPath()), StandardCharsets.UTF_8).trim();
        // A zombie has a /proc entry too; only count processes that still run.
        Path stat = new File("/proc/" + pid + "/stat").toPath();
        if (!Files.exists(stat)) {
            return false;
        }
        String s = new String(Files.readAllBytes(stat), StandardCharsets.UTF_8);
        String state = s.substring(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
        return !state.equals("Z") && !state.equals("X");
    }
}
