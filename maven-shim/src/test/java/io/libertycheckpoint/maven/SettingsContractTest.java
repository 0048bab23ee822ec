package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.libertycheckpoint.shim.Settings;
import io.libertycheckpoint.shim.Settings.Goal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every goal of the settings table (contract/settings.json, bundled in the jar) is a goal of this
 * plugin, and takes exactly the table's settings for it as parameters named by their keys, each with
 * its -Dliberty.checkpoint.<key> property (maps: merged from -D by the goal). Reads the generated
 * plugin descriptor, so what is checked is what Maven sees; a setting added to the table is checked
 * here without any change to this test.
 */
class SettingsContractTest {
  record Param(String mojo, String name, String type, boolean editable, String expression) {}

  static List<Param> descriptorParameters() throws Exception {
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(System.getProperty("lcp.plugin.xml"));
    List<Param> out = new ArrayList<>();
    NodeList mojos = doc.getElementsByTagName("mojo");
    for (int i = 0; i < mojos.getLength(); i++) {
      Element mojo = (Element) mojos.item(i);
      String goal = text(mojo, "goal");
      if ("help".equals(goal)) {
        continue;
      }
      Map<String, String> expressions = new LinkedHashMap<>();
      NodeList cs = mojo.getElementsByTagName("configuration").item(0).getChildNodes();
      for (int j = 0; j < cs.getLength(); j++) {
        if (cs.item(j) instanceof Element c) {
          expressions.put(c.getTagName(), c.getTextContent().trim());
        }
      }
      NodeList ps = ((Element) mojo.getElementsByTagName("parameters").item(0)).getElementsByTagName("parameter");
      for (int j = 0; j < ps.getLength(); j++) {
        Element p = (Element) ps.item(j);
        String name = text(p, "name");
        out.add(new Param(goal, name, text(p, "type"), Boolean.parseBoolean(text(p, "editable")), expressions.getOrDefault(name, "")));
      }
    }
    return out;
  }

  private static String text(Element e, String tag) {
    NodeList n = e.getElementsByTagName(tag);
    return n.getLength() == 0 ? "" : n.item(0).getTextContent().trim();
  }

  @Test
  void everyGoalTakesTheTablesSettingsNamedLikeTheirProperties() throws Exception {
    Settings table = Settings.bundled();
    List<Param> params = descriptorParameters();
    for (Goal g : table.goals()) {
      List<Param> editable = params.stream().filter(p -> p.mojo().equals(g.maven) && p.editable()).toList();
      assertThat(editable).extracting(Param::name).as("liberty:%s", g.maven).containsExactlyInAnyOrderElementsOf(g.flags.keySet());
      for (Param p : editable) {
        if (table.get(p.name()).kind == Settings.Kind.MAP) {
          assertThat(p.type()).as("%s <%s>", p.mojo(), p.name()).startsWith("java.util.Map");
        } else {
          assertThat(p.expression()).as("%s <%s>", p.mojo(), p.name()).isEqualTo("${" + table.propertyPrefix + p.name() + "}");
        }
      }
    }
    assertThat(params).extracting(Param::mojo).as("no goal outside the table")
        .allMatch(m -> table.goals().stream().anyMatch(g -> g.maven.equals(m)));
    assertThat(params.stream().filter(p -> !p.editable())).extracting(Param::expression)
        .as("read-only parameters come from the project model").noneMatch(e -> e.contains("liberty.checkpoint"));
  }
}
