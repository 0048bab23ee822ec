package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

/** What each goal says at the end, and when a result still fails the build. */
class MojoReportTest {
  private static Event event(String json) {
    return Event.parse(json).orElseThrow();
  }

  private static CliRunner.Outcome outcome(Event result, List<Event> failedChecks) {
    return new CliRunner.Outcome(failedChecks.isEmpty() ? 0 : 1, result, null, List.of(), failedChecks);
  }

  @Test
  void restoreReportsTheVerdictAndTheMillisecondsToReady() throws Exception {
    CheckpointRestoreMojo m = new CheckpointRestoreMojo();
    RecordingLog log = new RecordingLog(false);
    m.setLog(log);
    Event r = event("{\"type\":\"result\",\"operation\":\"restore\",\"image\":\"localhost/a:1\",\"restore\":{\"verdict\":\"restored\","
        + "\"readyMs\":612,\"url\":\"http://127.0.0.1:40123/\",\"httpStatus\":200,\"published\":{\"9080\":\"127.0.0.1:40123\"}},"
        + "\"containerName\":\"lcp-restore-1\",\"durationMs\":700}");
    m.report(r, outcome(r, List.of()));
    assertThat(log.lines).containsExactly(
        "[INFO] localhost/a:1: restored from checkpoint, ready in 612 ms",
        "[INFO]   http://127.0.0.1:40123/ answered HTTP 200",
        "[INFO]   port 9080 -> 127.0.0.1:40123",
        "[INFO]   left running as lcp-restore-1 (podman rm -f lcp-restore-1 to stop it)");
  }

  @Test
  void aColdStartFailsTheBuild() {
    CheckpointRestoreMojo m = new CheckpointRestoreMojo();
    Event r = event("{\"type\":\"result\",\"operation\":\"restore\",\"image\":\"localhost/a:1\",\"restore\":{\"verdict\":\"cold-start\","
        + "\"readyMs\":2400,\"evidence\":\"CWWKE0961I\"},\"durationMs\":2500}");
    assertThatThrownBy(() -> m.report(r, outcome(r, List.of()))).isInstanceOf(MojoFailureException.class)
        .hasMessageContaining("localhost/a:1 fell back to a cold start (verdict cold-start, ready in 2400 ms)")
        .hasMessageContaining("fix: run mvn liberty:checkpoint-doctor -Dliberty.checkpoint.image=localhost/a:1");
  }

  @Test
  void doctorFailsTheBuildNamingEachFailedCheck() throws Exception {
    CheckpointDoctorMojo m = new CheckpointDoctorMojo();
    Event fail = event("{\"type\":\"check\",\"id\":\"podman.runtime\",\"status\":\"fail\",\"found\":\"crun\",\"fix\":\"use runc\"}");
    Event r = event("{\"type\":\"result\",\"operation\":\"doctor\",\"doctor\":{\"ok\":3,\"warn\":1,\"fail\":1,\"skip\":0}}");
    assertThatThrownBy(() -> m.report(r, outcome(r, List.of(fail)))).isInstanceOf(MojoFailureException.class)
        .hasMessage("liberty:checkpoint-doctor: 3 ok, 1 warn, 1 fail, 0 skipped\n  podman.runtime: crun\n    fix: use runc");

    RecordingLog log = new RecordingLog(false);
    m.setLog(log);
    Event ok = event("{\"type\":\"result\",\"operation\":\"doctor\",\"doctor\":{\"ok\":4,\"warn\":0,\"fail\":0,\"skip\":1}}");
    m.report(ok, outcome(ok, List.of()));
    assertThat(log.lines).containsExactly("[INFO] Doctor: 4 ok, 0 warn, 0 fail, 1 skipped");
  }

  @Test
  void imageGoalsSummarizeTheImage() {
    CheckpointBaseImageMojo m = new CheckpointBaseImageMojo();
    RecordingLog log = new RecordingLog(false);
    m.setLog(log);
    Event r = event("{\"type\":\"result\",\"operation\":\"build-base-image\",\"image\":\"localhost/open-liberty:local-checkpoint\","
        + "\"imageId\":\"sha256:0123456789abcdef\",\"imageSizeBytes\":512000000,\"timings\":[{\"name\":\"build\",\"ms\":61000}],\"durationMs\":61000}");
    m.report(r, outcome(r, List.of()));
    assertThat(log.lines).containsExactly(
        "[INFO] Built base image localhost/open-liberty:local-checkpoint (0123456789ab, 512.0 MB)",
        "[INFO]   done in 1m01s");
  }
}
