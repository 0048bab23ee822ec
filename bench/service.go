package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/podmanservice"
)

// service is a Podman API service the bench starts for itself (`podman system service` on a
// socket in a private directory), and a client of its libpod API. It is the running service a
// user has with podman.socket, which liberty-checkpoint restore talks to, and through which the
// "service" start-up variants create and start their containers: a long-running engine starts a
// container without the podman CLI's own start (a new process that opens the storage, the
// database and the network configuration each time), as Kubernetes runtimes and the tool do.
type service struct {
	dir    string // holds podman.sock
	svc    *podmanservice.Service
	client *http.Client
}

// startService starts `podman system service --time=0` on a socket in a new temporary directory
// and waits until it answers. A Ctrl-C at the terminal reaches the bench, which stops it last,
// after the containers it made through it are gone.
func startService(ctx context.Context, prefix string) (*service, error) {
	dir, err := os.MkdirTemp("", prefix+"-service-")
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "podman.sock")
	svc, err := podmanservice.Start(ctx, podmanservice.Options{Socket: sock})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &service{dir: dir, svc: svc, client: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		}}}}, nil
}

// URL is the service's address for --podman-url.
func (s *service) URL() string { return s.svc.URI() }

// stop ends the service (SIGTERM, then SIGKILL) and removes its directory.
func (s *service) stop() {
	if s == nil {
		return
	}
	s.svc.Stop(10 * time.Second)
	os.RemoveAll(s.dir)
}

// serviceSpec is the part of Podman's container spec (specgen, libpod API) the bench sets.
type serviceSpec struct {
	Name        string            `json:"name"`
	Image       string            `json:"image"`
	Env         map[string]string `json:"env,omitempty"`
	Entrypoint  []string          `json:"entrypoint,omitempty"`
	Command     []string          `json:"command,omitempty"`
	CapAdd      []string          `json:"cap_add,omitempty"`
	CapDrop     []string          `json:"cap_drop,omitempty"`
	Seccomp     string            `json:"seccomp_profile_path,omitempty"`
	PortMapping []servicePort     `json:"portmappings,omitempty"`
}

type servicePort struct {
	HostIP        string `json:"host_ip"`
	HostPort      uint16 `json:"host_port"`
	ContainerPort uint16 `json:"container_port"`
	Protocol      string `json:"protocol"`
}

// run creates and starts a container, as `podman run -d` does, through the service.
func (s *service) run(ctx context.Context, spec serviceSpec) error {
	body, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	if _, err := s.call(ctx, http.MethodPost, "/v4.0.0/libpod/containers/create", body); err != nil {
		return fmt.Errorf("create %s: %w", spec.Name, err)
	}
	if _, err := s.call(ctx, http.MethodPost, "/v4.0.0/libpod/containers/"+spec.Name+"/start", nil); err != nil {
		return fmt.Errorf("start %s: %w", spec.Name, err)
	}
	return nil
}

// call makes one request and returns the answer's body; an answer that is not 2xx is an error
// with the service's message.
func (s *service) call(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://d"+path, r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(out, &e) == nil && e.Message != "" {
			return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, e.Message)
		}
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(out)))
	}
	return out, nil
}

var errNoService = errors.New("no Podman service: the bench starts one unless -service=false")
