// Command lcp-testserver is the server process of the engine's test base image: a tiny HTTP
// server that starts like an Open Liberty server does, so the engine's integration tests can
// checkpoint and restore it with CRIU without a container registry or a JVM.
//
// It reads the Liberty configuration the engine puts into an application image (/config/server.xml,
// /config/apps/*), "starts" the applications (it indexes the archives and then spends
// -app-start, default 1s, the simulated application initialisation that a restore skips), opens its
// HTTP port (httpEndpoint httpPort in server.xml, default 9080) and logs Liberty-shaped messages
// (CWWKF0011I when ready).
//
// It is started, checkpointed and restored by the base image's own scripts (beta-image/helpers,
// the local flavor's protocol, as for a HotSpot JVM): lcp-checkpoint.sh waits for CWWKF0011I and
// dumps it with CRIU from outside; lcp-restore.sh restores it, and the CRIU action script leaves
// $LCP_RESUMED_MARKER, which is how the server tells it was restored (restored=true on /).
//
// The argument names the server (like `server run defaultServer`). Test knobs: LCP_TEST_APP_START
// (a Go duration) sets the simulated application start time; LCP_TEST_FAIL_CHECKPOINT=true makes
// the server exit once it is ready, so the dump that follows fails for real.
//
// Its listener is plain TCP (go:debug multipathtcp=0): Go's default MPTCP listener is a socket
// CRIU cannot dump ("Unsupported proto 262"), and a JVM's is plain TCP too.
//
//go:debug multipathtcp=0
package main

import (
	"archive/zip"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type serverXML struct {
	HTTPEndpoints []struct {
		ID       string `xml:"id,attr"`
		Host     string `xml:"host,attr"`
		HTTPPort string `xml:"httpPort,attr"`
	} `xml:"httpEndpoint"`
}

type app struct {
	Name    string
	Entries map[string]*zip.File
}

func main() {
	var (
		configDir = flag.String("config", "/config", "Liberty configuration directory")
		appStart  = flag.Duration("app-start", durationEnv("LCP_TEST_APP_START", time.Second), "simulated application initialisation time (env LCP_TEST_APP_START)")
	)
	flag.Parse()
	log.SetFlags(0)
	started := time.Now()
	name := flag.Arg(0)
	if name == "" {
		name = "defaultServer"
	}
	logf("A", "CWWKE0001I: The server %s has been launched (lcp-testserver, pid %d).", name, os.Getpid())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	port, host, err := readServerXML(filepath.Join(*configDir, "server.xml"))
	if err != nil {
		logf("E", "CWWKF0002E: cannot read the server configuration: %v", err)
		os.Exit(1)
	}
	apps, err := startApps(filepath.Join(*configDir, "apps"), *appStart)
	if err != nil {
		logf("E", "CWWKZ0002E: An exception occurred while starting the applications: %v", err)
		os.Exit(1)
	}

	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		logf("E", "CWWKO0221E: TCP Channel defaultHttpEndpoint initialization did not succeed: %v", err)
		os.Exit(1)
	}
	shown := host
	if shown == "" {
		shown = "*"
	}
	logf("I", "CWWKO0219I: TCP Channel defaultHttpEndpoint has been started and is now listening for requests on host %s port %d.", shown, port)
	srv := &http.Server{Handler: handler(name, apps, restored), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			logf("E", "lcp-testserver: serve: %v", err)
			os.Exit(1)
		}
	}()
	logf("A", "CWWKF0011I: The %s server is ready to run a smarter planet. The %s server started in %.3f seconds.",
		name, name, time.Since(started).Seconds())
	// Liberty on OpenJ9 says it is ready again once restored; so does the stand-in, when the
	// action script's marker appears (the local flavor's JVM on HotSpot cannot: it was dumped
	// after its one CWWKF0011I).
	go func() {
		for !restored() {
			time.Sleep(20 * time.Millisecond)
		}
		since := time.Duration(0)
		if fi, err := os.Stat(resumedMarker()); err == nil {
			since = time.Since(fi.ModTime())
		}
		logf("A", "CWWKF0011I: The %s server is ready to run a smarter planet. The %s server started in %.3f seconds.",
			name, name, since.Seconds())
	}()
	if os.Getenv("LCP_TEST_FAIL_CHECKPOINT") == "true" && !restored() {
		logf("I", "lcp-testserver: LCP_TEST_FAIL_CHECKPOINT=true, exiting before the dump")
		os.Exit(0)
	}

	<-stop
	_ = srv.Close()
	logf("A", "CWWKE0036I: The server %s stopped after %.3f seconds.", name, time.Since(started).Seconds())
}

// restored reports whether this process was restored: the base image's CRIU action script
// leaves the marker once criu has restored the process tree (lcp-restore.sh removes it first).
func restored() bool {
	_, err := os.Stat(resumedMarker())
	return err == nil
}

func resumedMarker() string { return envOr("LCP_RESUMED_MARKER", "/logs/checkpoint/.resumed") }

// handler serves / (a status line) and /<app>/<entry> (a file inside an application archive).
func handler(name string, apps []app, restored func() bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/privileges" {
			privileges(w)
			return
		}
		if r.URL.Path == "/" {
			names := make([]string, len(apps))
			for i, a := range apps {
				names[i] = a.Name
			}
			fmt.Fprintf(w, "lcp-testserver %s pid=%d restored=%t apps=%s\n", name, os.Getpid(), restored(), strings.Join(names, ","))
			return
		}
		appName, entry, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		for _, a := range apps {
			if a.Name != appName {
				continue
			}
			if entry == "" {
				entry = "index.html"
			}
			f, ok := a.Entries[entry]
			if !ok {
				break
			}
			rc, err := f.Open()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			defer rc.Close()
			_, _ = io.Copy(w, rc)
			return
		}
		http.NotFound(w, r)
	})
}

func readServerXML(path string) (port int, host string, err error) {
	port, host = 9080, "*"
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, "", err
	}
	var cfg serverXML
	if err := xml.Unmarshal(data, &cfg); err != nil {
		return 0, "", fmt.Errorf("%s: %w", path, err)
	}
	for _, ep := range cfg.HTTPEndpoints {
		if ep.HTTPPort != "" {
			p, err := strconv.Atoi(ep.HTTPPort)
			if err != nil || p < 1 || p > 65535 {
				return 0, "", fmt.Errorf("%s: httpPort %q is not a port", path, ep.HTTPPort)
			}
			port = p
		}
		if ep.Host != "" {
			host = ep.Host
		}
	}
	if host == "*" {
		host = ""
	}
	return port, host, nil
}

// failStartEntry, inside an archive, makes its start-up fail the way a throwing application's does
// in Liberty (SRVE0283E, CWWKZ0012I), while the server still starts.
const failStartEntry = "META-INF/lcp-test-fail-start"

// startApps indexes every archive in dir (each is a zip: war, ear, jar) and then waits
// initTime, standing in for the application's own start-up work.
func startApps(dir string, initTime time.Duration) ([]app, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var apps []app
	for _, p := range paths {
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		a := app{Name: strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)), Entries: map[string]*zip.File{}}
		for _, f := range zr.File {
			a.Entries[f.Name] = f
		}
		if _, fail := a.Entries[failStartEntry]; fail {
			// As Liberty does for an application whose start-up throws: log it, leave the
			// application out, and carry on to "ready".
			logf("E", "SRVE0283E: Exception caught while initializing context: java.lang.IllegalStateException: %s in %s", failStartEntry, a.Name)
			logf("A", "CWWKZ0012I: The application %s was not started.", a.Name)
			continue
		}
		apps = append(apps, a)
		logf("A", "CWWKZ0001I: Application %s started (%d entries).", a.Name, len(a.Entries))
	}
	time.Sleep(initTime)
	return apps, nil
}

func logf(level, format string, args ...any) {
	tags := map[string]string{"A": "AUDIT   ", "I": "INFO    ", "E": "ERROR   "}
	now := time.Now()
	log.Printf("[%s:%03d %s] [%s] %s", now.Format("1/2/06, 15:04:05"), now.Nanosecond()/1e6, now.Format("MST"), tags[level], fmt.Sprintf(format, args...))
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func durationEnv(k string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(k)); err == nil {
		return d
	}
	return def
}

// privileges writes the server's own capability lines from /proc/self/status, then those of
// capcat, a binary with file capabilities (cap_checkpoint_restore, cap_setpcap) that the server
// executes, as application code could execute criu: with no_new_privs it gains nothing.
func privileges(w http.ResponseWriter) {
	own, err := os.ReadFile("/proc/self/status")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "server: %s\n", capLines(string(own)))
	out, err := exec.Command("/opt/lcp/bin/capcat", "/proc/self/status").Output()
	if err != nil {
		fmt.Fprintf(w, "capcat: %v\n", err)
		return
	}
	fmt.Fprintf(w, "capcat: %s\n", capLines(string(out)))
}

func capLines(status string) string {
	var keep []string
	for _, l := range strings.Split(status, "\n") {
		k, v, _ := strings.Cut(l, ":")
		switch k {
		case "CapPrm", "CapEff", "NoNewPrivs", "Seccomp":
			keep = append(keep, k+":"+strings.TrimSpace(v))
		}
	}
	return strings.Join(keep, " ")
}
