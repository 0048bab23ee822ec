package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

// command is exec.CommandContext that interrupts (SIGINT) instead of killing when ctx ends, so
// the liberty-checkpoint CLI and podman get to remove what they made, and kills after a grace
// period.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	return cmd
}

// run runs a command and returns its stdout; a failure carries the end of its stderr.
func run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := command(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return stdout.Bytes(), ctx.Err()
		}
		return stdout.Bytes(), fmt.Errorf("%s %s: %w%s", name, strings.Join(args, " "), err, tail(stderr.String(), 12))
	}
	return stdout.Bytes(), nil
}

// tail returns the last n lines of s, indented, after a newline ("" for none).
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "\n    " + strings.Join(lines, "\n    ")
}

// resources are the containers and images the bench made: each is removed once measured, and
// whatever is left (a failure, Ctrl-C) by cleanup at the end. The bench never touches anything
// it did not name itself.
type resources struct {
	mu         sync.Mutex
	containers []string
	images     []string
	log        io.Writer
}

func (r *resources) addContainer(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.containers = append(r.containers, name)
}

func (r *resources) addImage(ref string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.images = append(r.images, ref)
}

// forget drops names a measured command removed itself.
func (r *resources) forget(names ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	gone := func(s string) bool { return slices.Contains(names, s) }
	r.containers = slices.DeleteFunc(r.containers, gone)
	r.images = slices.DeleteFunc(r.images, gone)
}

// removeContainer stops (at once) and removes a container; a missing one is no error.
func (r *resources) removeContainer(ctx context.Context, name string) error {
	if _, err := run(ctx, "podman", "rm", "--force", "--ignore", "--time", "0", name); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.containers = slices.DeleteFunc(r.containers, func(s string) bool { return s == name })
	return nil
}

// removeImage removes an image by name; a missing one is no error.
func (r *resources) removeImage(ctx context.Context, ref string) error {
	if _, err := run(ctx, "podman", "image", "exists", ref); err == nil {
		if _, err := run(ctx, "podman", "rmi", "--force", ref); err != nil && !strings.Contains(err.Error(), "image not known") {
			return err
		}
	} else if ctx.Err() != nil {
		return ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.images = slices.DeleteFunc(r.images, func(s string) bool { return s == ref })
	return nil
}

// cleanup removes what is left, with a context of its own (the bench's may be cancelled).
func (r *resources) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	r.mu.Lock()
	containers, images := slices.Clone(r.containers), slices.Clone(r.images)
	r.mu.Unlock()
	for _, c := range containers {
		if err := r.removeContainer(ctx, c); err != nil {
			fmt.Fprintf(r.log, "bench: could not remove container %s: %v\n", c, err)
		} else {
			fmt.Fprintf(r.log, "bench: removed container %s\n", c)
		}
	}
	for _, i := range images {
		if err := r.removeImage(ctx, i); err != nil {
			fmt.Fprintf(r.log, "bench: could not remove image %s: %v\n", i, err)
		}
	}
}
