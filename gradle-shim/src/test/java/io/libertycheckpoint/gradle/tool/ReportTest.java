package io.libertycheckpoint.gradle.tool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import io.libertycheckpoint.gradle.tool.Report.Level;

public class ReportTest {
    private static List<Report.Line> all() throws Exception {
        List<Report.Line> out = new ArrayList<>();
        for (Event e : Golden.events()) {
            out.addAll(Report.lines(e));
        }
        return out;
    }

    private static List<String> at(List<Report.Line> lines, Level level) {
        List<String> out = new ArrayList<>();
        for (Report.Line l : lines) {
            if (l.level == level) {
                out.add(l.text);
            }
        }
        return out;
    }

    @Test
    public void stepsAndChecksReadAsTheCliPrintsThem() throws Exception {
        List<String> golden = Golden.lines("host/render/testdata/events.txt");
        List<String> lifecycle = at(all(), Level.LIFECYCLE);
        for (String step : new String[] {"[1/3] containerize...", "[1/3] containerize done in 2.3s (sha256:3f2a1b)",
                "[2/3] checkpoint...", "[2/3] checkpoint done in 6.7s", "[3/3] commit...", "[3/3] commit done in 799ms",
                "ok    kernel.version           Linux 6.18.44"}) {
            assertTrue(step + " is in the CLI's golden text", golden.contains(step));
            assertTrue(step + " is logged at lifecycle: " + lifecycle, lifecycle.contains(step));
        }
        List<String> warn = at(all(), Level.WARN);
        assertTrue(warn.toString(), warn.contains("fail  podman.runtime           crun 1.8.1 on hybrid cgroups"));
        assertTrue(warn.toString(), warn.contains("                               fix: set runtime = \"runc\" in /etc/containers/containers.conf"));
        assertTrue(warn.toString(), warn.contains("warning: phase \"applications\" is the old name of afterAppStart; using afterAppStart"));
    }

    @Test
    public void outputGoesToInfoAndDebugLinesToDebug() throws Exception {
        List<Report.Line> lines = all();
        assertTrue(at(lines, Level.INFO).contains("build    | STEP 1/4: FROM localhost/open-liberty:local-checkpoint"));
        assertTrue(at(lines, Level.INFO).contains("container| [AUDIT   ] CWWKC0451I: A server checkpoint \"afterAppStart\" was requested."));
        assertEquals(1, at(lines, Level.DEBUG).size());
        assertEquals("build    | --> 3f2a1b", at(lines, Level.DEBUG).get(0));
    }

    @Test
    public void summaries() throws Exception {
        List<String> lifecycle = at(all(), Level.LIFECYCLE);
        assertTrue(lifecycle.toString(), lifecycle.contains(
                "InstantOn image localhost/sample:1.0-instanton (9c8b7a6d5e4f, 412.3 MB), phase afterAppStart, checkpoint 58.0 MB in 9.8s"));
        assertTrue(lifecycle.toString(), lifecycle.contains("localhost/sample:1.0-instanton: restored from checkpoint, ready in 612ms"));
        assertTrue(lifecycle.contains("  http://127.0.0.1:40123/sample/hello answered HTTP 200"));
        assertTrue(lifecycle.contains("  port 9080 -> 127.0.0.1:40123"));
        assertTrue(lifecycle.contains("doctor: 1 ok, 0 warn, 1 fail, 0 skipped in 95ms"));
        assertTrue(at(all(), Level.INFO).contains("  containerize 2.3s, checkpoint 6.7s, commit 799ms"));
    }

    @Test
    public void coldStartIsAWarning() {
        Event e = Event.parse("{\"type\":\"result\",\"operation\":\"restore\",\"image\":\"x\",\"restore\":{\"verdict\":\"cold-start\",\"readyMs\":2400}}");
        List<Report.Line> l = Report.lines(e);
        assertEquals(Level.WARN, l.get(0).level);
        assertEquals("x: FELL BACK TO A COLD START (the checkpoint was not used), ready in 2.4s", l.get(0).text);
    }

    @Test
    public void unknownTypesAndFieldsAreIgnored() {
        assertTrue(Report.lines(Event.parse("{\"type\":\"future\",\"x\":1}")).isEmpty());
        List<Report.Line> l = Report.lines(Event.parse(
                "{\"type\":\"progress\",\"step\":1,\"totalSteps\":1,\"name\":\"x\",\"state\":\"started\",\"new\":[1]}"));
        assertEquals("[1/1] x...", l.get(0).text);
    }

    @Test
    public void formats() {
        assertEquals("850ms", Report.duration(850));
        assertEquals("12.3s", Report.duration(12_345));
        assertEquals("2m05s", Report.duration(125_000));
        assertEquals("999 B", Report.bytes(999));
        assertEquals("412.3 MB", Report.bytes(412_345_678));
        assertEquals("1.5 GB", Report.bytes(1_500_000_000L));
        assertEquals("9c8b7a6d5e4f", Report.shortId("sha256:9c8b7a6d5e4f0011"));
    }
}
