package io.libertycheckpoint.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The protojson event stream, read from the golden file the Go tests write. */
class EventTest {
  @Test
  void everyGoldenLineIsOneKnownKindAndEachStreamStartsWithTheSchema() throws Exception {
    List<List<Event>> streams = Golden.streams();
    assertThat(streams).hasSize(5);
    for (List<Event> s : streams) {
      assertThat(s.get(0).schema()).isEqualTo(Event.SCHEMA);
      assertThat(s).extracting(Event::kind).allMatch(k -> k.matches("accepted|progress|log|check|result|error"));
    }
    assertThat(streams.get(0).get(0).str("operation")).isEqualTo("checkpoint-image");
  }

  @Test
  void numbersWrittenAsStringsEnumsAndNestedObjects() throws Exception {
    List<List<Event>> streams = Golden.streams();
    Event image = Golden.last(streams.get(0));
    assertThat(image.num("imageSizeBytes")).isEqualTo(412_345_678L);
    assertThat(image.list("timings")).extracting(t -> t.str("name") + "=" + t.num("ms"))
        .containsExactly("containerize=2299", "checkpoint=6699", "commit=799");
    assertThat(streams.get(0).get(1).name("state")).isEqualTo("started");
    Event restore = Golden.last(streams.get(1)).obj("restore");
    assertThat(restore.name("verdict")).isEqualTo("restored");
    assertThat(restore.num("readyMs")).isEqualTo(612);
    assertThat(restore.stringMap("published")).containsEntry("9080", "127.0.0.1:40123");
    Event doctor = Golden.last(streams.get(2)).obj("doctor");
    assertThat(doctor.num("fail")).isEqualTo(1);
    assertThat(doctor.num("warn")).as("zero values are left out").isZero();
    Event error = Golden.last(streams.get(4));
    assertThat(error.strings("logTail")).containsExactly("Error (criu/vdso.c:123): Unexpected rt vDSO area bounds");
    assertThat(error.num("exitCode")).isEqualTo(1);
  }

  @Test
  void unknownKindsFieldsAndOldSchemas() {
    Event future = Event.parse("{\"elapsedMs\":\"3\",\"telemetry\":{\"x\":1}}");
    assertThat(future.kind()).isEmpty();
    assertThat(ReportTest.lines(future)).isEmpty();
    assertThat(Event.parse("{\"progress\":{\"step\":1,\"newField\":[1]}}").str("missing")).isEmpty();
    assertThat(Event.parse("{\"type\":\"start\",\"schema\":1}").schema()).isEqualTo(1);
    assertThatThrownBy(() -> Event.parse("[1,2]")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Event.parse("{\"progress\":")).isInstanceOf(IllegalArgumentException.class);
  }
}
