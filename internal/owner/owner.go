// Package owner records which process made a thing (a container, an image, a temporary
// directory, a helper process) so that a later run can tell whether its maker is gone and, only
// then, remove what it left behind.
//
// An Owner names the operation and the process that ran it: its pid, its start time (so a reused
// pid is not mistaken for it), the boot it ran in and the machine. Podman objects carry it as one
// label (Label); temporary directories as a file inside them (File).
package owner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Label is the Podman label that carries an Owner (see Owner.LabelValue).
const Label = "io.liberty-checkpoint.owner"

// File is the name of the owner record inside a temporary directory.
const File = ".lcp-owner.json"

// Owner is an operation and the process that ran it.
type Owner struct {
	Op      string `json:"op"`      // operation id
	PID     int    `json:"pid"`     // process id
	Start   uint64 `json:"start"`   // process start time, clock ticks after boot (/proc/<pid>/stat)
	Boot    string `json:"boot"`    // boot id (/proc/sys/kernel/random/boot_id)
	Machine string `json:"machine"` // machine id (/etc/machine-id, else the host name)
}

var (
	selfOnce sync.Once
	self     Owner
)

// Self returns this process as the owner of operation op.
func Self(op string) Owner {
	selfOnce.Do(func() {
		self = Owner{PID: os.Getpid(), Boot: bootID(), Machine: machineID()}
		self.Start, _ = StartTime(self.PID)
	})
	o := self
	o.Op = op
	return o
}

// LabelValue is the owner as the value of Label: "op=… pid=… start=… boot=… machine=…".
func (o Owner) LabelValue() string {
	return fmt.Sprintf("op=%s pid=%d start=%d boot=%s machine=%s", o.Op, o.PID, o.Start, o.Boot, o.Machine)
}

// Labels returns the owner label as a map, for a container spec or a build.
func (o Owner) Labels() map[string]string { return map[string]string{Label: o.LabelValue()} }

// FromLabels reads the owner from an object's labels.
func FromLabels(labels map[string]string) (Owner, bool) {
	v, ok := labels[Label]
	if !ok {
		return Owner{}, false
	}
	return Parse(v)
}

// Parse reads a LabelValue.
func Parse(v string) (Owner, bool) {
	var o Owner
	for _, f := range strings.Fields(v) {
		k, val, _ := strings.Cut(f, "=")
		switch k {
		case "op":
			o.Op = val
		case "pid":
			o.PID, _ = strconv.Atoi(val)
		case "start":
			o.Start, _ = strconv.ParseUint(val, 10, 64)
		case "boot":
			o.Boot = val
		case "machine":
			o.Machine = val
		}
	}
	return o, o.PID > 0 && o.Boot != "" && o.Machine != ""
}

func (o Owner) String() string { return fmt.Sprintf("operation %s (process %d)", o.Op, o.PID) }

// Status says whether an owner can still be at work.
type Status int

const (
	// Alive: the process runs (it may still be using the object).
	Alive Status = iota + 1
	// Gone: the process has ended; what it left is garbage.
	Gone
	// Elsewhere: the owner ran on another machine, whose processes this one cannot see.
	Elsewhere
)

// Status tells whether the owner's process still runs, and why it is judged so.
func (o Owner) Status() (Status, string) {
	me := Self("")
	switch {
	case o.Machine != me.Machine:
		return Elsewhere, fmt.Sprintf("made on another machine (%s)", o.Machine)
	case o.Boot != me.Boot:
		return Gone, "made before this machine last booted"
	}
	if me.Start == 0 { // no /proc here: only whether the pid exists can be told
		if !exists(o.PID) {
			return Gone, fmt.Sprintf("process %d is gone", o.PID)
		}
		return Alive, fmt.Sprintf("process %d may still run", o.PID)
	}
	start, err := StartTime(o.PID)
	switch {
	case err != nil:
		return Gone, fmt.Sprintf("process %d is gone", o.PID)
	case start != o.Start:
		return Gone, fmt.Sprintf("process %d is gone (its pid now belongs to another process)", o.PID)
	case zombie(o.PID):
		// A killed host whose parent has not reaped it yet: it will never use the object again.
		return Gone, fmt.Sprintf("process %d has ended (not yet reaped by its parent)", o.PID)
	}
	return Alive, fmt.Sprintf("process %d still runs", o.PID)
}

// StartTime returns a process's start time in clock ticks after boot (field 22 of
// /proc/<pid>/stat).
func StartTime(pid int) (uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces and parentheses
	if i < 0 {
		return 0, fmt.Errorf("cannot parse /proc/%d/stat", pid)
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 {
		return 0, fmt.Errorf("cannot parse /proc/%d/stat", pid)
	}
	// fields[0] is field 3 (state): field 22 is fields[19].
	return strconv.ParseUint(fields[19], 10, 64)
}

func bootID() string {
	data, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return "unknown-boot"
	}
	return strings.TrimSpace(string(data))
}

func machineID() string {
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if data, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(data)) != "" {
			return strings.TrimSpace(string(data))
		}
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return "host-" + strings.ReplaceAll(h, " ", "_")
	}
	return "unknown-machine"
}

// Process is a helper process an owner started and that must not outlive it (a transient
// Podman service).
type Process struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
}

// Record is what File holds: the owner and the helper processes it started.
type Record struct {
	Owner
	Processes []Process `json:"processes,omitempty"`
}

// MkdirTemp makes a temporary directory (os.MkdirTemp) and records o as its owner in it.
func MkdirTemp(dir, pattern string, o Owner) (string, error) {
	d, err := os.MkdirTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	if err := writeRecord(d, Record{Owner: o}); err != nil {
		os.RemoveAll(d)
		return "", err
	}
	return d, nil
}

// AddProcess records a helper process in the owner record of dir.
func AddProcess(dir string, pid int) error {
	r, err := ReadDir(dir)
	if err != nil {
		return err
	}
	start, err := StartTime(pid)
	if err != nil {
		return err
	}
	r.Processes = append(r.Processes, Process{PID: pid, Start: start})
	return writeRecord(dir, r)
}

func writeRecord(dir string, r Record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, File+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, File))
}

// ReadDir reads the owner record of a directory MkdirTemp made.
func ReadDir(dir string) (Record, error) {
	data, err := os.ReadFile(filepath.Join(dir, File))
	if err != nil {
		return Record{}, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return Record{}, fmt.Errorf("%s: %w", filepath.Join(dir, File), err)
	}
	return r, nil
}

// Leftover is a temporary directory whose owner is gone.
type Leftover struct {
	Dir    string
	Record Record
	Why    string
}

// Leftovers lists the directories in tmp whose names start with prefix and whose owner record
// names a process that is gone. Directories without a record are not anybody's to remove.
func Leftovers(tmp, prefix string) []Leftover {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return nil
	}
	var out []Leftover
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		r, err := ReadDir(dir)
		if err != nil {
			continue
		}
		if st, why := r.Owner.Status(); st == Gone {
			out = append(out, Leftover{Dir: dir, Record: r, Why: why})
		}
	}
	return out
}

// Remove ends the helper processes a gone owner recorded (SIGTERM, then SIGKILL after grace;
// only processes whose pid and start time still match) and removes the directory. It returns
// how many processes it ended.
func (l Leftover) Remove(grace time.Duration) (int, error) {
	ended := 0
	for _, p := range l.Record.Processes {
		if ok, _ := stillRuns(p); !ok {
			continue
		}
		terminate(p.PID)
		deadline := time.Now().Add(grace)
		for time.Now().Before(deadline) {
			if ok, _ := stillRuns(p); !ok {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if ok, _ := stillRuns(p); ok {
			kill(p.PID)
		}
		ended++
	}
	if err := os.RemoveAll(l.Dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return ended, err
	}
	return ended, nil
}

func stillRuns(p Process) (bool, error) {
	start, err := StartTime(p.PID)
	if err != nil {
		return false, err
	}
	if start != p.Start {
		return false, nil
	}
	return !zombie(p.PID), nil
}

// zombie tells whether pid has ended but not yet been reaped (a zombie has a stat file too).
func zombie(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

// ProcessExists reports whether a process with this pid exists.
func ProcessExists(pid int) bool { return exists(pid) }
