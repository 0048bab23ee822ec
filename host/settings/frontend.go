package settings

import (
	"regexp"
	"strings"
)

// PropertyPrefix starts every Maven -D and Gradle -P property of a setting.
const PropertyPrefix = "liberty.checkpoint."

// FrontEnd is a build tool that runs the CLI for its user (the Maven and Gradle shims set
// LCP_FRONT_END): the CLI's error texts then name settings, commands and switches as that build
// tool's user writes them, so the shims print them as they are.
type FrontEnd string

// The front ends; "" is the CLI itself.
const (
	Maven  FrontEnd = "maven"
	Gradle FrontEnd = "gradle"
)

// GoalName is how the build names a command's goal: liberty:checkpoint-image, checkpointImage.
func (f FrontEnd) GoalName(g Goal) string {
	if f == Maven {
		return "liberty:" + g.Maven
	}
	return g.Gradle
}

// call is the command line that runs a goal: mvn liberty:checkpoint-doctor, gradle checkpointDoctor.
func (f FrontEnd) call(g Goal) string {
	if f == Maven {
		return "mvn " + f.GoalName(g)
	}
	return "gradle " + f.GoalName(g)
}

// inline is a setting named in a sentence: <appArchive> (Maven), appArchive (Gradle).
func (f FrontEnd) inline(s Setting) string {
	if f == Maven {
		return "<" + s.Key + ">"
	}
	return s.Key
}

// property is a setting on the build's command line: -Dliberty.checkpoint.image=x.
func (f FrontEnd) property(key, value string) string {
	opt := "-P"
	if f == Maven {
		opt = "-D"
	}
	return opt + PropertyPrefix + key + "=" + value
}

func (f FrontEnd) help(g Goal) string {
	if f == Maven {
		return "see the goal's parameters: mvn liberty:help -Ddetail=true -Dgoal=" + g.Maven
	}
	return "see the task's settings: gradle help --task " + g.Gradle + ", and contract/SETTINGS.md"
}

func (f FrontEnd) debug() (run, flag string) {
	if f == Maven {
		return "run Maven with -X", "mvn -X"
	}
	return "run Gradle with --debug", "gradle --debug"
}

// GoalOf is the goal that runs a CLI command.
func GoalOf(command string) (Goal, bool) {
	for _, g := range Goals {
		if g.Command == command {
			return g, true
		}
	}
	return Goal{}, false
}

// ByFlag finds the setting of a CLI flag (--image).
func ByFlag(flag string) (Setting, bool) {
	return find(func(s Setting) bool { return s.Flag != "" && s.Flag == flag })
}

// asGoal is the setting a goal takes for one a CLI flag fills: the one it binds to the flag
// (build-base-image's --image is baseImage), else the flag's own.
func asGoal(g Goal, s Setting) Setting {
	if b, ok := g.Bind[s.Key]; ok {
		if bound, ok := ByKey(b); ok {
			return bound
		}
	}
	return s
}

var (
	flagRE    = regexp.MustCompile(`--([a-z-]+)(?:[ =]([^\s,;)-][^\s,;)]*))?`)
	cliCallRE = regexp.MustCompile(`liberty-checkpoint ([a-z-]+)((?: --[a-z-]+(?:[ =][^\s,;)-][^\s,;)]*)?)*)`)
)

// Failing is the setting at fault in an error of command, as the front end's goal takes it: the
// error's field's, else the one setting whose flag the message names (flag parsing errors carry
// no field). ok is false when there is none, or no telling which.
func (f FrontEnd) Failing(command, field, message string) (Setting, bool) {
	g, _ := GoalOf(command)
	if s, ok := ByField(field); ok {
		return asGoal(g, s), true
	}
	var found *Setting
	for _, m := range flagRE.FindAllStringSubmatch(message, -1) {
		s, ok := ByFlag("--" + m[1])
		if !ok {
			continue
		}
		if found != nil && found.Key != s.Key {
			return Setting{}, false // two settings named: no telling which
		}
		found = &s
	}
	if found == nil {
		return Setting{}, false
	}
	return asGoal(g, *found), true
}

// Rewrite spells a message or fix of command's error the front end's way: a CLI call becomes the
// goal's ("liberty-checkpoint doctor --image x" is "mvn liberty:checkpoint-doctor
// -Dliberty.checkpoint.image=x"), "--log-level debug" the build tool's debug switch, "see --help"
// the goal's help, and the failing setting's flag, API field and key its name in a sentence.
// The CLI's own front end ("") leaves text as it is.
func (f FrontEnd) Rewrite(text, command string, failing *Setting) string {
	if f != Maven && f != Gradle {
		return text
	}
	g, _ := GoalOf(command)
	run, debug := f.debug()
	text = strings.ReplaceAll(text, "see --help for the flags", f.help(g))
	text = strings.ReplaceAll(strings.ReplaceAll(text, "run with --log-level debug", run), "--log-level debug", debug)
	text = cliCallRE.ReplaceAllStringFunc(text, func(call string) string {
		m := cliCallRE.FindStringSubmatch(call)
		cg, ok := GoalOf(m[1])
		if !ok {
			return call
		}
		out := f.call(cg)
		for _, fm := range flagRE.FindAllStringSubmatch(m[2], -1) {
			s, ok := ByFlag("--" + fm[1])
			if !ok {
				return call
			}
			v := fm[2]
			if v == "" {
				v = "true"
			}
			out += " " + f.property(asGoal(cg, s).Key, v)
		}
		return out
	})
	if failing == nil {
		return text
	}
	name := f.inline(*failing)
	for _, s := range []Setting{*failing, flagSetting(g, *failing)} {
		if s.Flag != "" {
			text = replaceWord(text, s.Flag, name, "-", "-")
		}
		if strings.ContainsAny(s.Field, "_.") {
			text = replaceWord(text, s.Field, name, ".", "")
		}
		// The CLI's events name settings by their keys (configDirectory): a camelCase key is
		// unambiguous in prose.
		if camelRE.MatchString(s.Key) {
			text = replaceWord(text, s.Key, name, ".<-", ">")
		}
	}
	return text
}

var camelRE = regexp.MustCompile(`[a-z][A-Z]`)

// flagSetting is the setting whose flag a goal's setting fills (baseImage fills --image in
// build-base-image), or the setting itself.
func flagSetting(g Goal, s Setting) Setting {
	for flagKey, key := range g.Bind {
		if key == s.Key {
			if fs, ok := ByKey(flagKey); ok {
				return fs
			}
		}
	}
	return s
}

// replaceWord replaces word where it stands alone: not inside a longer word, nor next to one of
// the extra characters before or after it.
func replaceWord(text, word, with, notBefore, notAfter string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, word)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		end := i + len(word)
		alone := (i == 0 || !isWordByte(text[i-1]) && !strings.ContainsRune(notBefore, rune(text[i-1]))) &&
			(end == len(text) || !isWordByte(text[end]) && !strings.ContainsRune(notAfter, rune(text[end])))
		b.WriteString(text[:i])
		if alone {
			b.WriteString(with)
		} else {
			b.WriteString(word)
		}
		text = text[end:]
	}
}
