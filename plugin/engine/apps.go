package engine

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"strings"
)

// App is an application a Liberty server configuration deploys.
type App struct {
	// Name is the name Liberty gives it in its messages (CWWKZ0001I: Application <name>
	// started): the name attribute, else the location's file name without its extension.
	Name string
	// Location is the location attribute as written.
	Location string
}

// ServerConfig is what a server.xml (or a configDropins file) says about applications.
type ServerConfig struct {
	Apps []App
	// Unnamed counts applications whose name cannot be told (a location made of variables).
	Unnamed int
	// Includes is true when the file includes other files (<include>), which may configure
	// applications too.
	Includes bool
}

// appElements are the server.xml elements that deploy an application.
var appElements = map[string]bool{"application": true, "webApplication": true, "enterpriseApplication": true}

// ParseServerConfig reads the applications a server.xml configures. Applications with
// autoStart="false" are left out: Liberty does not start them.
func ParseServerConfig(data []byte) (ServerConfig, error) {
	var c ServerConfig
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return c, nil
		}
		if err != nil {
			return c, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local == "include" {
			c.Includes = true
			continue
		}
		if !appElements[se.Name.Local] {
			continue
		}
		var name, location, autoStart string
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "name":
				name = a.Value
			case "location":
				location = a.Value
			case "autoStart":
				autoStart = a.Value
			}
		}
		if strings.EqualFold(strings.TrimSpace(autoStart), "false") {
			continue
		}
		if name == "" {
			name = AppNameOf(location)
		}
		if name == "" || strings.Contains(name, "${") {
			c.Unnamed++
			continue
		}
		c.Apps = append(c.Apps, App{Name: name, Location: location})
	}
}

// AppNameOf is the name Liberty gives an application deployed from location (or a file in
// dropins/): its file name without the extension. It returns "" when the file name is a variable.
func AppNameOf(location string) string {
	base := path.Base(strings.ReplaceAll(strings.TrimRight(location, "/\\"), "\\", "/"))
	if base == "." || base == "/" || base == "" || strings.Contains(base, "$") {
		return ""
	}
	return strings.TrimSuffix(base, path.Ext(base))
}

// IsPlainLocation reports whether location is a bare file name (sample.war), which Liberty
// looks up in the server's apps/ directory.
func IsPlainLocation(location string) bool {
	return location != "" && !strings.ContainsAny(location, "/\\$")
}
