package podman

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// FuzzContainerfileValues: every environment variable and label that validation accepts is
// written into the generated Containerfile so that a Dockerfile parser (BuildKit's, whose
// quoting rules buildah shares) reads back exactly the key and value that were asked for.
func FuzzContainerfileValues(f *testing.F) {
	for _, v := range []string{"", "fine", "a b", `"quoted"`, `half"`, "'single'", "$HOME", "${X:-y}", "back\\slash", "x=y",
		"ünïcode ✓", "\\", "\\\"", "`cmd`", "#hash", " leading", "two\nlines"} {
		f.Add("KEY", v, "org.example.key", v)
	}
	f.Add("A_1", "1", "k-with.dots/and:colons", "v")
	f.Fuzz(func(t *testing.T, envKey, envValue, labelKey, labelValue string) {
		env, labels := map[string]string{envKey: envValue}, map[string]string{labelKey: labelValue}
		if (&engine.CheckpointOptions{Image: "localhost/a:1", RunSettings: engine.RunSettings{Env: env}}).Validate() != nil ||
			(&engine.CommitOptions{Container: "c", Image: "localhost/a:1", Labels: labels}).Validate() != nil {
			return
		}
		text, err := generateContainerfile(appContext{BaseImage: "localhost/base:1", Env: env, Labels: labels})
		if err != nil {
			t.Fatalf("validated env %q=%q and label %q=%q, but no Containerfile: %v", envKey, envValue, labelKey, labelValue, err)
		}
		res, err := parser.Parse(strings.NewReader(text))
		if err != nil {
			t.Fatalf("the Containerfile does not parse: %v\n%s", err, text)
		}
		lex := shell.NewLex('\\')
		got := map[string][2]string{}
		for _, n := range res.AST.Children {
			cmd := strings.ToLower(n.Value)
			if cmd != "env" && cmd != "label" {
				continue
			}
			if n.Next == nil || n.Next.Next == nil || n.Next.Next.Next != nil {
				t.Fatalf("%s: want one key and one value: %s", cmd, n.Original)
			}
			k, err1 := lex.ProcessWord(n.Next.Value, nil)
			v, err2 := lex.ProcessWord(n.Next.Next.Value, nil)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v %v", n.Original, err1, err2)
			}
			got[cmd] = [2]string{k, v}
		}
		if want := [2]string{envKey, envValue}; got["env"] != want {
			t.Fatalf("ENV reads back as %q, want %q:\n%s", got["env"], want, text)
		}
		if want := [2]string{labelKey, labelValue}; got["label"] != want {
			t.Fatalf("LABEL reads back as %q, want %q:\n%s", got["label"], want, text)
		}
	})
}

// FuzzFinalBaseImage: whatever a user's Containerfile holds, finding its final base image does not
// fail, and what it finds is one word that names an image: no whitespace, no unexpanded variable,
// not scratch (BuildKit's parser reads the file, line continuations, directives and heredocs
// included, so the word may be joined from several lines).
func FuzzFinalBaseImage(f *testing.F) {
	for _, s := range []string{"FROM a:1\n", "from --platform=linux/amd64 a:1 AS build\nFROM build\n", "FROM \\\n  cont:1\n",
		"# escape=`\nFROM a:1 AS b\nRUN x `\n  y\nFROM b\n", "FROM a:1\nRUN <<EOF\nFROM not:me\nEOF\n", "ARG B=x\nFROM ${B}\n", "", "FROM"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		base := finalBaseImage(data)
		if strings.ContainsAny(base, " \t\r\n$") || strings.EqualFold(base, "scratch") {
			t.Fatalf("%q: final base %q is not an image name", data, base)
		}
	})
}
