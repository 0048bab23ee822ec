package io.libertycheckpoint.gradle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

import io.libertycheckpoint.gradle.tool.Golden;
import io.libertycheckpoint.gradle.tool.Json;

/**
 * The plugin's names are the names of host/settings/testdata/settings.json: the same key in
 * libertyCheckpoint { }, in -Pliberty.checkpoint.<key>, as the Maven parameter and, kebab-cased,
 * as the CLI flag.
 */
public class SettingTableTest {
    /** Settings of operations the Gradle plugin has no task for (commit's). */
    private static final Set<String> NOT_EXPOSED = new HashSet<>(Arrays.asList("container", "keepContainer"));
    /** Settings of the shims themselves, not of the tool. */
    private static final Set<String> SHIM_ONLY = new HashSet<>(Arrays.asList("executable"));

    @SuppressWarnings("unchecked")
    private static Map<String, String> table() throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        for (Object o : (List<Object>) Json.parse(Golden.text("host/settings/testdata/settings.json"))) {
            Map<String, Object> s = (Map<String, Object>) o;
            flags.put((String) s.get("key"), (String) s.get("flag"));
        }
        return flags;
    }

    @Test
    public void everySettingIsInTheTableWithItsFlag() throws Exception {
        Map<String, String> table = table();
        for (Setting s : Setting.values()) {
            if (SHIM_ONLY.contains(s.key)) {
                assertEquals(null, s.flag);
                continue;
            }
            assertTrue(s.key + " is not in settings.json", table.containsKey(s.key));
            assertEquals(s.key + "'s flag", table.get(s.key), s.flag);
        }
    }

    @Test
    public void everyTableSettingIsExposed() throws Exception {
        for (String key : table().keySet()) {
            if (!NOT_EXPOSED.contains(key)) {
                assertNotNull(key + " from settings.json has no Gradle setting", Setting.byKey(key));
            }
        }
    }

    @Test
    public void theExtensionHasAPropertyNamedByEachKey() throws Exception {
        for (Setting s : Setting.values()) {
            String cap = Character.toUpperCase(s.key.charAt(0)) + s.key.substring(1);
            Method getter = LibertyCheckpointExtension.class.getMethod("get" + cap);
            assertNotNull(getter);
            boolean setter = false;
            for (Method m : LibertyCheckpointExtension.class.getMethods()) {
                setter |= m.getName().equals("set" + cap) && m.getParameterCount() == 1;
            }
            assertTrue("set" + cap, setter);
        }
    }

    @Test
    public void spelling() {
        assertEquals("libertyCheckpoint { appArchive = '...' } or -Pliberty.checkpoint.appArchive=...",
                Setting.APP_ARCHIVE.spelling());
        assertEquals("libertyCheckpoint { keepRunning = true } or -Pliberty.checkpoint.keepRunning=...",
                Setting.KEEP_RUNNING.spelling());
        assertEquals("libertyCheckpoint { labels = [key: 'value'] } or -Pliberty.checkpoint.labels=...",
                Setting.LABELS.spelling());
    }
}
