package io.libertycheckpoint.shim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The golden streams as log lines: the CLI's text output, with a level each. */
class ReportTest {
  private static List<String> lines(List<Event> stream) {
    List<String> out = new ArrayList<>();
    for (Event e : stream) {
      out.addAll(lines(e));
    }
    return out;
  }

  /** The lines of one event, as "LEVEL text". */
  static List<String> lines(Event e) {
    List<String> out = new ArrayList<>();
    Report.log(e, Log.of((level, line) -> out.add(level + " " + line), () -> false));
    return out;
  }

  @Test
  void checkpointImage() throws Exception {
    assertThat(lines(Golden.streams().get(0))).containsExactly(
        "LIFECYCLE [1/3] containerize...",
        "INFO       build    | STEP 1/4: FROM localhost/open-liberty:local-checkpoint",
        "DEBUG       build    | --> 3f2a1b",
        "LIFECYCLE [1/3] containerize done in 2.3s (sha256:3f2a1b)",
        "LIFECYCLE [2/3] checkpoint...",
        "INFO       container| [AUDIT   ] CWWKC0451I: A server checkpoint \"afterAppStart\" was requested.",
        "WARN       warning: phase \"applications\" is the old name of afterAppStart; using afterAppStart",
        "LIFECYCLE [2/3] checkpoint done in 6.7s",
        "LIFECYCLE [3/3] commit...",
        "LIFECYCLE [3/3] commit done in 799ms",
        "LIFECYCLE Built InstantOn image localhost/sample:1.0-instanton (9c8b7a6d5e4f, 412.3 MB), phase afterAppStart, checkpoint 58.0 MB",
        "LIFECYCLE   containerize 2.3s, checkpoint 6.7s, commit 799ms; done in 9.8s");
  }

  @Test
  void restoreAndDoctor() throws Exception {
    assertThat(lines(Golden.streams().get(1))).containsExactly(
        "LIFECYCLE localhost/sample:1.0-instanton: restored from checkpoint, ready in 612ms",
        "LIFECYCLE   http://127.0.0.1:40123/sample/hello answered HTTP 200",
        "LIFECYCLE   evidence: [AUDIT   ] CWWKC0452I: The Liberty server process resumed operation from a checkpoint in 0.251 seconds.",
        "LIFECYCLE   port 9080 -> 127.0.0.1:40123",
        "LIFECYCLE   done in 700ms");
    assertThat(lines(Golden.streams().get(2))).containsExactly(
        "LIFECYCLE ok    kernel.version           Linux 6.18.44",
        "ERROR fail  podman.runtime           crun 1.8.1 on hybrid cgroups",
        "ERROR                                fix: set runtime = \"runc\" in /etc/containers/containers.conf",
        "LIFECYCLE doctor: 1 ok, 0 warn, 1 fail, 0 skipped",
        "LIFECYCLE   done in 95ms");
    Event cold = Event.parse("{\"result\":{\"operation\":\"restore\",\"image\":\"i\",\"containerName\":\"c\","
        + "\"restore\":{\"verdict\":\"VERDICT_COLD_START\",\"readyMs\":\"2500\"}}}");
    assertThat(lines(java.util.Collections.singletonList(cold))).startsWith(
        "WARN i: FELL BACK TO A COLD START (the checkpoint was not used), ready in 2.5s",
        "LIFECYCLE   left running as c (podman rm -f c to stop it)");
  }

  @Test
  void kube() throws Exception {
    Event kube = Event.parse("{\"result\":{\"operation\":\"kube\",\"image\":\"i\",\"durationMs\":\"75\",\"kube\":{"
        + "\"files\":[\"target/kube/app.yaml\",\"target/kube/liberty-checkpoint-app.json\"],\"podSecurityLevel\":\"privileged\","
        + "\"memoryBytes\":\"536870912\"}}}");
    assertThat(lines(java.util.Collections.singletonList(kube))).containsExactly(
        "LIFECYCLE Wrote the Kubernetes objects for i (memory 536.9 MB)",
        "LIFECYCLE   target/kube/app.yaml",
        "LIFECYCLE   target/kube/liberty-checkpoint-app.json",
        "LIFECYCLE   Pod Security Standards: only the \"privileged\" level admits the pod",
        "LIFECYCLE   done in 75ms");
  }

  @Test
  void formats() {
    assertThat(Report.duration(850)).isEqualTo("850ms");
    assertThat(Report.duration(12_345)).isEqualTo("12.3s");
    assertThat(Report.duration(125_000)).isEqualTo("2m05s");
    assertThat(Report.bytes(999)).isEqualTo("999 B");
    assertThat(Report.bytes(412_345_678)).isEqualTo("412.3 MB");
    assertThat(Report.bytes(1_500_000_000L)).isEqualTo("1.5 GB");
  }
}
