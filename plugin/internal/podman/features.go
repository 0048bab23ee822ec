package podman

import (
	"fmt"
	"strings"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// checkFeatures runs before the application image is built: it reads the features the server
// configuration enables and compares them with the ones the base image records
// (engine.LabelInstalledFeatures; a base without the label, such as the UBI images, which hold
// every feature, is not checked). A missing feature is an error naming the features and the base
// to build instead, so the user learns it now and not from a failed build or checkpoint. Features
// that Open Liberty InstantOn does not support are a warning.
func checkFeatures(sink engine.Sink, base string, labels map[string]string, serverXML, configDir string) error {
	features, err := engine.ServerFeatures(serverXML, configDir)
	if err != nil {
		return engine.Invalid("server_xml", "fix the XML (an editor or xmllint shows where)", "cannot read the features of %s: %v", serverXML, err)
	}
	if len(features) == 0 {
		return nil
	}
	sink.Debugf("the server configuration enables %s", strings.Join(features, " "))
	if bad := engine.InstantOnUnsupported(features); len(bad) > 0 {
		why := "a checkpoint with Liberty's InstantOn (OpenJ9, the UBI base images) stops with CWWKC0456E"
		if labels[engine.LabelFlavor] == "local" {
			why += "; this local base dumps the JVM with criu from outside, so it may work here, but not on the UBI images"
		}
		sink.Warnf("features that Open Liberty InstantOn does not support: %s: %s (supported: the Jakarta EE Web Profile 8.0+ and "+
			"MicroProfile 4.1+ features and a few more, openliberty.io/docs/latest/instanton.html#supported-features)",
			strings.Join(bad, ", "), why)
	}
	installed, ok := labels[engine.LabelInstalledFeatures]
	if !ok {
		sink.Debugf("base image %s does not record its features (%s); the build checks them", base, engine.LabelInstalledFeatures)
		return nil
	}
	missing := engine.MissingFeatures(features, engine.Fields(installed))
	if len(missing) == 0 {
		return nil
	}
	return &engine.Error{Code: engine.CodeFailedPrecondition, Field: "server_xml",
		Message: fmt.Sprintf("the server configuration enables features that %s does not have: %s", base, strings.Join(missing, ", ")),
		Fix:     baseWithFeaturesFix(labels, missing)}
}

// baseWithFeaturesFix says how to get a base image with the missing features: for the local
// flavor, the LIBERTY_FEATURES to build it with (its own and the missing ones).
func baseWithFeaturesFix(labels map[string]string, missing []string) string {
	want := engine.Fields(labels[engine.LabelFeatures])
	want = append(want, missing...)
	version := labels[engine.LabelLibertyVersion]
	fix := "remove them from server.xml, or build a base image that has them and set base_image to it"
	if labels[engine.LabelFlavor] == "local" {
		fix += fmt.Sprintf(": in a liberty-checkpoint checkout, LIBERTY_FEATURES=%q", strings.Join(want, " "))
		if version != "" {
			fix += " LIBERTY_VERSION=" + version
		}
		fix += " make base-local BASE_LOCAL_IMAGE=<name>"
	} else {
		fix += " (the UBI base images hold every feature)"
	}
	return fix
}
