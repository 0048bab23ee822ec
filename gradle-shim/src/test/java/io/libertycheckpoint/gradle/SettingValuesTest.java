package io.libertycheckpoint.gradle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.gradle.api.InvalidUserDataException;
import org.junit.Test;

public class SettingValuesTest {
    @Test
    public void defaultImageName() {
        assertEquals("localhost/sample:1.0-instanton", SettingValues.defaultImage("sample", "1.0"));
        assertEquals("localhost/my-app:instanton", SettingValues.defaultImage("My App", "unspecified"));
        assertEquals("localhost/app:2.0-snapshot-instanton".replace("snapshot", "SNAPSHOT"),
                SettingValues.defaultImage("_app", "2.0-SNAPSHOT"));
        assertEquals("localhost/x:1-2-instanton", SettingValues.defaultImage("x", "1+2"));
    }

    @Test
    public void parsesPropertyValues() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("a", "1");
        m.put("b", "x=y");
        assertEquals(m, SettingValues.parseMap(Setting.LABELS, "a=1, b=x=y,"));
        assertEquals(Arrays.asList("9080", "127.0.0.1:9443:9443"), SettingValues.parseList("9080, 127.0.0.1:9443:9443"));
        assertTrue(SettingValues.parseBoolean(Setting.KEEP_RUNNING, ""));
        assertTrue(SettingValues.parseBoolean(Setting.KEEP_RUNNING, "TRUE"));
        assertFalse(SettingValues.parseBoolean(Setting.KEEP_RUNNING, "false"));
        try {
            SettingValues.parseBoolean(Setting.KEEP_RUNNING, "yes");
            fail();
        } catch (InvalidUserDataException e) {
            assertEquals("-Pliberty.checkpoint.keepRunning=yes is not a boolean: use true or false", e.getMessage());
        }
        try {
            SettingValues.parseMap(Setting.ENV, "A");
            fail();
        } catch (InvalidUserDataException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("'A' is not key=value"));
        }
    }
}
