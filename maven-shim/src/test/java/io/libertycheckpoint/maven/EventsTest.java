package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Parses the golden event stream (host/render/testdata/events.jsonl) and logs it the Maven way. */
class EventsTest {

  private static List<Event> golden() throws Exception {
    List<Event> events = new ArrayList<>();
    for (String line : Golden.eventLines()) {
      if (line.isBlank()) {
        continue;
      }
      Optional<Event> e = Event.parse(line);
      assertThat(e).as("golden line parses: %s", line).isPresent();
      events.add(e.get());
    }
    return events;
  }

  /** The events of the n-th stream (each starts with a start event). */
  private static List<Event> stream(List<Event> all, int n) {
    List<Event> out = new ArrayList<>();
    int seen = -1;
    for (Event e : all) {
      if ("start".equals(e.type())) {
        seen++;
      }
      if (seen == n) {
        out.add(e);
      }
    }
    return out;
  }

  private static Event last(List<Event> events, String type) {
    Event found = null;
    for (Event e : events) {
      if (type.equals(e.type())) {
        found = e;
      }
    }
    return found;
  }

  @Test
  void everyGoldenLineHasAKnownType() throws Exception {
    List<Event> all = golden();
    assertThat(all).hasSizeGreaterThan(15);
    assertThat(all).extracting(Event::type).allMatch(t -> List.of("start", "progress", "log", "check", "result", "error").contains(t));
    assertThat(stream(all, 0).get(0).num("schema")).isEqualTo(1);
    assertThat(stream(all, 0).get(0).str("operation")).isEqualTo("checkpoint-image");
  }

  @Test
  void checkpointImageResultFields() throws Exception {
    Event r = last(stream(golden(), 0), "result");
    assertThat(r.str("operation")).isEqualTo("checkpoint-image");
    assertThat(r.str("image")).isEqualTo("localhost/sample:1.0-instanton");
    assertThat(r.num("imageSizeBytes")).isEqualTo(412_345_678L);
    assertThat(r.timings()).containsExactly(
        java.util.Map.entry("containerize", 2299L), java.util.Map.entry("checkpoint", 6699L), java.util.Map.entry("commit", 799L));
    assertThat(Summary.image(r)).isEqualTo("localhost/sample:1.0-instanton (9c8b7a6d5e4f, 412.3 MB), phase afterAppStart, checkpoint 58.0 MB");
    assertThat(Summary.timings(r)).isEqualTo("containerize 2.3s, checkpoint 6.7s, commit 799ms; done in 9.8s");
  }

  @Test
  void restoreResultFields() throws Exception {
    Event r = last(stream(golden(), 1), "result");
    Event ro = r.obj("restore");
    assertThat(ro.str("verdict")).isEqualTo("restored");
    assertThat(ro.num("readyMs")).isEqualTo(612);
    assertThat(ro.num("httpStatus")).isEqualTo(200);
    assertThat(ro.stringMap("published")).containsEntry("9080", "127.0.0.1:40123");
    assertThat(Summary.restoreDetail(r)).containsExactly(
        "  http://127.0.0.1:40123/sample/hello answered HTTP 200",
        "  evidence: [AUDIT   ] CWWKC0452I: The Liberty server process resumed operation from a checkpoint in 0.251 seconds.",
        "  port 9080 -> 127.0.0.1:40123");
  }

  @Test
  void errorFields() throws Exception {
    List<Event> all = golden();
    Event notFound = last(stream(all, 3), "error");
    assertThat(notFound.str("code")).isEqualTo("NotFound");
    assertThat(notFound.str("setting")).isEqualTo("appArchive");
    assertThat(notFound.num("exitCode")).isEqualTo(2);
    Event criu = last(stream(all, 4), "error");
    assertThat(criu.strings("logTail")).containsExactly("Error (criu/vdso.c:123): Unexpected rt vDSO area bounds");
    assertThat(criu.str("setting")).isEmpty();
  }

  @Test
  void progressAndLogLinesAtInfoDetailAtDebug() throws Exception {
    RecordingLog log = new RecordingLog(false);
    EventLog events = new EventLog(log);
    stream(golden(), 0).forEach(events::accept);
    assertThat(log.lines).containsExactly(
        "[INFO] [1/3] containerize...",
        "[INFO]       build    | STEP 1/4: FROM localhost/open-liberty:local-checkpoint",
        "[INFO] [1/3] containerize done in 2.3s (sha256:3f2a1b)",
        "[INFO] [2/3] checkpoint...",
        "[INFO]       container| [AUDIT   ] CWWKC0451I: A server checkpoint \"afterAppStart\" was requested.",
        "[WARNING]       phase \"applications\" is the old name of afterAppStart; using afterAppStart",
        "[INFO] [2/3] checkpoint done in 6.7s",
        "[INFO] [3/3] commit...",
        "[INFO] [3/3] commit done in 799ms");

    RecordingLog debug = new RecordingLog(true);
    EventLog verbose = new EventLog(debug);
    stream(golden(), 0).forEach(verbose::accept);
    assertThat(debug.at("DEBUG")).containsExactly(
        "liberty-checkpoint checkpoint-image (event schema 1)",
        "      build    | --> 3f2a1b");
  }

  @Test
  void doctorChecksAtTheLevelOfTheirStatus() throws Exception {
    RecordingLog log = new RecordingLog(false);
    EventLog events = new EventLog(log);
    stream(golden(), 2).forEach(events::accept);
    assertThat(log.lines).containsExactly(
        "[INFO] ok    kernel.version           Linux 6.18.44",
        "[ERROR] fail  podman.runtime           crun 1.8.1 on hybrid cgroups",
        "[ERROR]                                fix: set runtime = \"runc\" in /etc/containers/containers.conf");
  }

  @Test
  void unknownTypesFieldsAndNonJsonAreIgnored() {
    assertThat(Event.parse("not json")).isEmpty();
    assertThat(Event.parse("{\"no\":\"type\"}")).isEmpty();
    assertThat(Event.parse("[1,2]")).isEmpty();
    assertThat(Event.parse("{\"type\":\"progress\",")).isEmpty();
    Event future = Event.parse("{\"type\":\"telemetry\",\"x\":{\"y\":1}}").orElseThrow();
    RecordingLog log = new RecordingLog(true);
    new EventLog(log).accept(future);
    assertThat(log.lines).isEmpty();
    Event extra = Event.parse("{\"type\":\"progress\",\"step\":1,\"totalSteps\":2,\"name\":\"x\",\"state\":\"started\",\"newField\":[1]}").orElseThrow();
    new EventLog(log).accept(extra);
    assertThat(log.lines).containsExactly("[INFO] [1/2] x...");
    assertThat(extra.str("missing")).isEmpty();
    assertThat(extra.num("missing")).isZero();
  }

  @Test
  void formats() {
    assertThat(Format.duration(850)).isEqualTo("850ms");
    assertThat(Format.duration(12_345)).isEqualTo("12.3s");
    assertThat(Format.duration(125_000)).isEqualTo("2m05s");
    assertThat(Format.bytes(999)).isEqualTo("999 B");
    assertThat(Format.bytes(412_345_678)).isEqualTo("412.3 MB");
    assertThat(Format.bytes(1_500_000_000L)).isEqualTo("1.5 GB");
    assertThat(Format.shortId("sha256:9c8b7a6d5e4f00")).isEqualTo("9c8b7a6d5e4f");
  }
}
