package io.libertycheckpoint.shim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for the tool's event lines and the settings table: objects become {@code
 * Map<String, Object>}, arrays {@code List<Object>}, numbers {@code Long} or {@code Double}; and a
 * writer for the summaries the shims leave in the build directory. The
 * plugin jars carry no third-party libraries, so nothing can clash with a build's classpath.
 */
final class Json {
  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  /** Parses one JSON value; the whole text must be that value. */
  static Object parse(String text) {
    Json p = new Json(text);
    p.ws();
    Object v = p.value();
    p.ws();
    if (p.i != p.s.length()) {
      throw p.error("unexpected text after the value");
    }
    return v;
  }

  /** Parses a JSON object. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException("not a JSON object: " + text);
    }
    return (Map<String, Object>) v;
  }

  /** Writes a value (Map, List, String, Number, Boolean, null) as indented JSON. */
  static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v, "");
    return b.append('\n').toString();
  }

  private static void write(StringBuilder b, Object v, String indent) {
    if (v instanceof Map) {
      Map<?, ?> m = (Map<?, ?>) v;
      if (m.isEmpty()) {
        b.append("{}");
        return;
      }
      b.append("{\n");
      int n = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        b.append(indent).append("  ");
        quote(b, String.valueOf(e.getKey()));
        b.append(": ");
        write(b, e.getValue(), indent + "  ");
        b.append(++n < m.size() ? ",\n" : "\n");
      }
      b.append(indent).append('}');
    } else if (v instanceof List) {
      List<?> l = (List<?>) v;
      b.append('[');
      for (int k = 0; k < l.size(); k++) {
        write(b, l.get(k), indent);
        b.append(k + 1 < l.size() ? ", " : "");
      }
      b.append(']');
    } else if (v instanceof Number || v instanceof Boolean || v == null) {
      b.append(v);
    } else {
      quote(b, String.valueOf(v));
    }
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("bad JSON at offset " + i + ": " + what + ": " + s);
  }

  private void ws() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }

  private Object value() {
    char c = peek();
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error(i >= s.length() ? "unexpected end" : "unexpected character '" + c + "'");
    }
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, i)) {
      throw error("expected " + word);
    }
    i += word.length();
    return v;
  }

  private Map<String, Object> object() {
    Map<String, Object> m = new LinkedHashMap<>();
    i++;
    ws();
    if (peek() == '}') {
      i++;
      return m;
    }
    while (true) {
      ws();
      if (peek() != '"') {
        throw error("expected a key");
      }
      String k = string();
      ws();
      expect(':');
      ws();
      m.put(k, value());
      ws();
      if (!more('}')) {
        return m;
      }
    }
  }

  private List<Object> array() {
    List<Object> l = new ArrayList<>();
    i++;
    ws();
    if (peek() == ']') {
      i++;
      return l;
    }
    while (true) {
      ws();
      l.add(value());
      ws();
      if (!more(']')) {
        return l;
      }
    }
  }

  /** After an element: true on a comma, false on the closing bracket. */
  private boolean more(char close) {
    if (peek() == ',') {
      i++;
      return true;
    }
    expect(close);
    return false;
  }

  private String string() {
    i++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (i >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(i++);
      if (c == '"') {
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = peek();
      i++;
      int simple = "\"\\/bfnrt".indexOf(e);
      if (simple >= 0) {
        b.append("\"\\/\b\f\n\r\t".charAt(simple));
      } else if (e == 'u' && i + 4 <= s.length()) {
        try {
          b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
        } catch (NumberFormatException ex) {
          throw error("bad \\u escape");
        }
        i += 4;
      } else {
        throw error("bad escape");
      }
    }
  }

  private Object number() {
    int start = i;
    boolean fraction = false;
    for (char c = peek(); (c >= '0' && c <= '9') || "-+.eE".indexOf(c) >= 0; c = peek()) {
      fraction |= "+.eE".indexOf(c) >= 0;
      i++;
    }
    String n = s.substring(start, i);
    try {
      return fraction ? (Object) Double.valueOf(n) : (Object) Long.valueOf(n);
    } catch (NumberFormatException ex) {
      throw error("bad number " + n);
    }
  }

  private char peek() {
    return i < s.length() ? s.charAt(i) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    i++;
  }
}
