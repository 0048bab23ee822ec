package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every setting a goal takes is named as in host/settings/testdata/settings.json: parameter name =
 * key = suffix of its -Dliberty.checkpoint.* property. Reads the generated plugin descriptor, so
 * what is checked is what Maven sees.
 */
class SettingsContractTest {
  /** Settings of the Maven plugin alone, not of the CLI. */
  static final Set<String> MAVEN_ONLY = Set.of("executable", "skip");
  /** key=value settings: a Map parameter, read from -Dliberty.checkpoint.<key>=k=v,... by the goal. */
  static final Set<String> MAPS = Set.of("labels", "env", "buildArgs");

  record Param(String mojo, String name, String type, boolean editable, String expression) {}

  static List<Param> descriptorParameters() throws Exception {
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Golden.file("lcp.plugin.xml").toFile());
    List<Param> out = new ArrayList<>();
    NodeList mojos = doc.getElementsByTagName("mojo");
    for (int i = 0; i < mojos.getLength(); i++) {
      Element mojo = (Element) mojos.item(i);
      String goal = text(mojo, "goal");
      if ("help".equals(goal)) {
        continue;
      }
      Map<String, String> expressions = new LinkedHashMap<>();
      Element config = (Element) mojo.getElementsByTagName("configuration").item(0);
      NodeList cs = config.getChildNodes();
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
  void bundledTableIsTheRepositoryTable() throws Exception {
    Settings repo = Golden.settings();
    assertThat(Settings.bundled().all().keySet()).containsExactlyElementsOf(repo.all().keySet());
    repo.all().forEach((k, s) -> assertThat(Settings.bundled().get(k).flag()).isEqualTo(s.flag()));
    assertThat(new String(Files.readAllBytes(Golden.file("lcp.settings.json"))))
        .as("the goals cannot know a setting the table lacks").contains("\"key\": \"appArchive\"");
  }

  @Test
  void everyParameterIsASettingNamedLikeItsProperty() throws Exception {
    Settings table = Golden.settings();
    List<Param> params = descriptorParameters();
    assertThat(params).extracting(Param::mojo).contains("checkpoint-image", "checkpoint-base-image", "checkpoint-restore", "checkpoint-doctor");
    Pattern property = Pattern.compile("\\$\\{liberty\\.checkpoint\\.([A-Za-z]+)}");
    for (Param p : params) {
      if (!p.editable()) {
        assertThat(p.expression()).as("%s %s: a read-only parameter comes from the project model", p.mojo(), p.name()).doesNotContain("liberty.checkpoint");
        continue;
      }
      assertThat(table.all().containsKey(p.name()) || MAVEN_ONLY.contains(p.name()))
          .as("%s <%s> is a key of settings.json (or Maven-only: %s)", p.mojo(), p.name(), MAVEN_ONLY).isTrue();
      if (MAPS.contains(p.name())) {
        assertThat(p.type()).as("%s <%s>", p.mojo(), p.name()).startsWith("java.util.Map");
        continue;
      }
      Matcher m = property.matcher(p.expression());
      assertThat(m.matches()).as("%s <%s> has a -Dliberty.checkpoint.* property, got %s", p.mojo(), p.name(), p.expression()).isTrue();
      assertThat(m.group(1)).as("%s <%s>: property suffix = parameter name", p.mojo(), p.name()).isEqualTo(p.name());
    }
  }

  @Test
  void everyKeyTheGoalsSendIsInTheTable() throws Exception {
    Settings table = Golden.settings();
    for (CliCommand c : MojoArgumentsTest.allGoalsFullyConfigured()) {
      List<String> args = c.arguments();
      for (String a : args) {
        if (a.startsWith("--") && !a.equals("--output")) {
          assertThat(table.byFlag(a)).as("%s: flag %s is in settings.json", c.command(), a).isPresent();
        }
      }
    }
  }
}
