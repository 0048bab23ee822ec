package io.libertycheckpoint.gradle.tool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class JsonTest {
    @Test
    public void parsesValues() {
        Map<String, Object> m = Json.parseObject(
                "{\"s\":\"a\\\"b\\\\c\\n\\u00e9\\/\",\"n\":-12,\"d\":1.5e3,\"t\":true,\"f\":false,\"z\":null,"
                        + "\"l\":[1,\"x\",{}],\"o\":{\"k\":[]}}");
        assertEquals("a\"b\\c\n\u00e9/", m.get("s"));
        assertEquals(-12L, m.get("n"));
        assertEquals(1500.0, (Double) m.get("d"), 0);
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("z"));
        assertNull(m.get("z"));
        assertEquals(3, ((List<?>) m.get("l")).size());
        assertEquals(Arrays.asList(), ((Map<?, ?>) m.get("o")).get("k"));
    }

    @Test
    public void rejectsBrokenText() {
        for (String bad : new String[] {"", "{", "{\"a\":}", "{\"a\":1,}", "[1 2]", "{\"a\":tru}", "{} x", "\"abc", "{\"a\":\"\\q\"}"}) {
            try {
                Json.parse(bad);
                fail("parsed " + bad);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage(), expected.getMessage().startsWith("bad JSON"));
            }
        }
    }

    @Test
    public void readsEveryGoldenEvent() throws Exception {
        List<Event> events = Golden.events();
        assertEquals(22, events.size());
        for (Event e : events) {
            assertTrue(e.toString(), Arrays.asList("start", "progress", "log", "check", "result", "error").contains(e.type()));
        }
        Event result = events.get(11);
        assertEquals("result", result.type());
        assertEquals(412345678L, result.num("imageSizeBytes"));
        assertEquals(3, result.list("timings").size());
        assertEquals("127.0.0.1:40123", events.get(13).obj("restore").obj("published").str("9080"));
    }
}
