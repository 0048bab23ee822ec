package apiserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testpki"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/contract"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

// envDialAs makes the test binary a client that dials the Unix socket it names and exits 0 when
// the health check got through (TestPeerCredentials runs it as another user).
const envDialAs = "LCP_APISERVER_TEST_DIAL"

func TestMain(m *testing.M) {
	if sock := os.Getenv(envDialAs); sock != "" {
		if err := healthCheck(context.Background(), "unix://"+sock, insecure.NewCredentials()); err != nil {
			fmt.Println("refused:", err)
			os.Exit(1)
		}
		fmt.Println("served")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func healthCheck(ctx context.Context, target string, creds credentials.TransportCredentials) error {
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	return err
}

// serve starts the API on l with the fake engine and policy.
func serve(t *testing.T, l *Listener, policy *Policy, fake *enginetest.Fake) {
	t.Helper()
	s, err := New(fake, policy, l.ServerOptions...)
	require.NoError(t, err)
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true,
		"": false, "0.0.0.0": false, "::": false, "192.168.1.10": false, "example.com": false,
	} {
		assert.Equal(t, want, IsLoopback(host), host)
	}
}

func TestListenTCPNeedsTLSOrInsecure(t *testing.T) {
	_, err := Listen(Config{Listen: "127.0.0.1:0"})
	assert.Equal(t, engine.CodeInvalidArgument, engine.CodeOf(err))
	assert.Contains(t, err.Error(), "refusing plaintext TCP")
	assert.Contains(t, err.Error(), "--insecure")

	l, err := Listen(Config{Listen: "127.0.0.1:0", Insecure: true})
	require.NoError(t, err)
	defer l.Close()
	assert.Equal(t, "tcp", l.Network)
	require.Len(t, l.Warnings, 1)
	assert.Contains(t, l.Warnings[0], "WARNING: serving plaintext TCP")

	_, err = Listen(Config{Listen: l.Address, Insecure: true})
	assert.Equal(t, engine.CodeFailedPrecondition, engine.CodeOf(err), "port in use")
	_, err = Listen(Config{Listen: "nonsense"})
	assert.Equal(t, engine.CodeInvalidArgument, engine.CodeOf(err))
	for _, addr := range []string{"0.0.0.0:0", ":0"} {
		_, err = Listen(Config{Listen: addr, Insecure: true})
		assert.Contains(t, err.Error(), "--allow-remote", addr)
	}
	l2, err := Listen(Config{Listen: "0.0.0.0:0", Insecure: true, AllowRemote: true})
	require.NoError(t, err, "allowed when asked for")
	l2.Close()

	ca := testpki.NewCA(t, "serve")
	server := ca.Server(t)
	_, err = Listen(Config{Listen: "127.0.0.1:0", TLSCert: server.Cert, TLSKey: server.Key})
	assert.Equal(t, "client_ca", engine.AsError(err).Field, "mutual TLS needs the client CA")
	_, err = Listen(Config{Listen: "127.0.0.1:0", TLSCert: server.Cert, TLSKey: server.Cert, ClientCA: ca.CAFile})
	assert.Equal(t, "tls_cert", engine.AsError(err).Field, "a certificate is not a key")
	_, err = Listen(Config{Listen: "127.0.0.1:0", TLSCert: server.Cert, TLSKey: server.Key, ClientCA: server.Key})
	assert.Equal(t, "client_ca", engine.AsError(err).Field, "a key is not a CA")
	_, err = Listen(Config{Listen: "unix://" + filepath.Join(t.TempDir(), "s"), TLSCert: server.Cert, TLSKey: server.Key, ClientCA: ca.CAFile})
	assert.Contains(t, err.Error(), "TLS is for TCP listeners")
}

// Mutual TLS: only a client with a certificate from the client CA gets in, over TLS 1.2+ with
// modern ciphers.
func TestMutualTLS(t *testing.T) {
	ca := testpki.NewCA(t, "serve")
	server := ca.Server(t)
	l, err := Listen(Config{Listen: "127.0.0.1:0", TLSCert: server.Cert, TLSKey: server.Key, ClientCA: ca.CAFile})
	require.NoError(t, err)
	require.True(t, l.TLS)
	assert.Empty(t, l.Warnings)
	serve(t, l, nil, &enginetest.Fake{})

	pool := x509.NewCertPool()
	pem, err := os.ReadFile(ca.CAFile)
	require.NoError(t, err)
	require.True(t, pool.AppendCertsFromPEM(pem))
	clientConf := func(p *testpki.Pair, change func(*tls.Config)) credentials.TransportCredentials {
		c := &tls.Config{RootCAs: pool, ServerName: "localhost"}
		if p != nil {
			cert, err := tls.LoadX509KeyPair(p.Cert, p.Key)
			require.NoError(t, err)
			c.Certificates = []tls.Certificate{cert}
		}
		if change != nil {
			change(c)
		}
		return credentials.NewTLS(c)
	}
	ctx := context.Background()
	good := ca.Client(t, "owner")
	require.NoError(t, healthCheck(ctx, l.Address, clientConf(&good, nil)), "a client certificate from the client CA")

	other := testpki.NewCA(t, "other").Client(t, "intruder")
	for name, creds := range map[string]credentials.TransportCredentials{
		"no client certificate":         clientConf(nil, nil),
		"a certificate from another CA": clientConf(&other, nil),
		"TLS 1.1":                       clientConf(&good, func(c *tls.Config) { c.MaxVersion = tls.VersionTLS11 }),
		"TLS 1.2 with a CBC cipher suite": clientConf(&good, func(c *tls.Config) {
			c.MaxVersion = tls.VersionTLS12
			c.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}
		}),
		"plaintext": insecure.NewCredentials(),
	} {
		assert.Error(t, healthCheck(ctx, l.Address, creds), name)
	}
	assert.NoError(t, healthCheck(ctx, l.Address, clientConf(&good, func(c *tls.Config) { c.MaxVersion = tls.VersionTLS12 })), "TLS 1.2 with an AEAD suite")
}

func TestUnixSocketIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lcp")
	sock := filepath.Join(dir, "api.sock")
	l, err := Listen(Config{Listen: "unix://" + sock})
	require.NoError(t, err)
	assert.Equal(t, "unix", l.Network)
	assert.Equal(t, sock, l.Address)
	assert.Empty(t, l.Warnings)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "the directory serve creates is its owner's only")
	fi, err = os.Lstat(sock)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	serve(t, l, nil, &enginetest.Fake{})
	require.NoError(t, healthCheck(context.Background(), "unix://"+sock, insecure.NewCredentials()))

	_, err = Listen(Config{Listen: sock})
	assert.Contains(t, err.Error(), "another process is serving on "+sock, "a live socket is never replaced")
	l.Close()
	_, err = os.Lstat(sock)
	assert.ErrorIs(t, err, os.ErrNotExist, "closing the listener removes the socket")
}

// A killed serve leaves its socket; the next start removes it, but never a file that is not a
// socket, nor a socket in a directory others may write to.
func TestStaleSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "api.sock")
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	require.NoError(t, err)
	ul.SetUnlinkOnClose(false)
	require.NoError(t, ul.Close()) // as SIGKILL leaves it: a socket nobody answers on
	l, err := Listen(Config{Listen: "unix:" + sock})
	require.NoError(t, err)
	require.Len(t, l.Warnings, 1)
	assert.Contains(t, l.Warnings[0], "removed the stale socket "+sock)
	l.Close()

	require.NoError(t, os.WriteFile(sock, []byte("precious"), 0o600))
	_, err = Listen(Config{Listen: sock})
	assert.Contains(t, err.Error(), "is not a socket: not replacing it")
	b, _ := os.ReadFile(sock)
	assert.Equal(t, "precious", string(b))

	open := filepath.Join(t.TempDir(), "open")
	require.NoError(t, os.Mkdir(open, 0o777))
	require.NoError(t, os.Chmod(open, 0o777))
	_, err = Listen(Config{Listen: filepath.Join(open, "api.sock")})
	assert.Contains(t, err.Error(), "is writable by others")
	require.NoError(t, os.Chmod(open, 0o777|os.ModeSticky))
	l, err = Listen(Config{Listen: filepath.Join(open, "api.sock")})
	require.NoError(t, err, "a sticky directory such as /tmp is fine: others cannot replace the socket")
	l.Close()
}

// Behind the file permissions, the socket checks the peer's uid: a process of another user is
// refused even when it can open the socket.
func TestPeerCredentials(t *testing.T) {
	if os.Geteuid() != 0 {
		testenv.Missing(t, "root", "run the test as root: it starts a client as another user")
	}
	dir, err := os.MkdirTemp("", "lcp-peer-")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	require.NoError(t, os.Chmod(dir, 0o755))
	sock := filepath.Join(dir, "api.sock")
	l, err := Listen(Config{Listen: sock})
	require.NoError(t, err)
	refused := make(chan int, 1)
	l.OnRefused(func(uid int, err error) { refused <- uid })
	serve(t, l, nil, &enginetest.Fake{})
	require.NoError(t, os.Chmod(sock, 0o666)) // as if the file permissions failed

	// The test binary itself is the client, copied where the other user can run it.
	self, err := os.Executable()
	require.NoError(t, err)
	bin := filepath.Join(dir, "client")
	data, err := os.ReadFile(self)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bin, data, 0o755))
	run := func(uid uint32) (string, error) {
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), envDialAs+"="+sock)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(65534)
	assert.Error(t, err, out)
	assert.Contains(t, out, "refused:")
	select {
	case uid := <-refused:
		assert.Equal(t, 65534, uid)
	case <-time.After(5 * time.Second):
		t.Fatal("the connection of uid 65534 was not refused by its peer credentials")
	}
	out, err = run(0)
	assert.NoError(t, err, "the owner gets through: %s", out)
}

func TestDefaultSocketPath(t *testing.T) {
	p := DefaultSocketPath()
	assert.True(t, filepath.IsAbs(p))
	assert.Equal(t, "api.sock", filepath.Base(p))
	if os.Geteuid() == 0 {
		assert.Equal(t, "/run/liberty-checkpoint/api.sock", p)
	}
	assert.Equal(t, "unix://"+p, DefaultListen())
}

// grpcurl describe shows the proto's comments: reflection serves descriptors with source info.
func TestReflectionServesComments(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "api.sock")
	l, err := Listen(Config{Listen: sock})
	require.NoError(t, err)
	serve(t, l, nil, &enginetest.Fake{})
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	st, err := reflectionpb.NewServerReflectionClient(conn).ServerReflectionInfo(context.Background())
	require.NoError(t, err)
	file := func(symbol string) *descriptorpb.FileDescriptorProto {
		require.NoError(t, st.Send(&reflectionpb.ServerReflectionRequest{
			MessageRequest: &reflectionpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: symbol}}))
		resp, err := st.Recv()
		require.NoError(t, err)
		raw := resp.GetFileDescriptorResponse().GetFileDescriptorProto()
		require.NotEmpty(t, raw, "%s: %v", symbol, resp)
		var fd descriptorpb.FileDescriptorProto
		require.NoError(t, proto.Unmarshal(raw[0], &fd))
		return &fd
	}
	fd := file("libertycheckpoint.v1.RestoreRequest")
	var comments []string
	for _, loc := range fd.GetSourceCodeInfo().GetLocation() {
		comments = append(comments, loc.GetLeadingComments())
	}
	all := strings.Join(comments, "\n")
	assert.Contains(t, all, "Podman service URI")
	assert.Contains(t, all, "The InstantOn image to run")
	health := file("grpc.health.v1.Health")
	assert.Equal(t, "grpc/health/v1/health.proto", health.GetName(), "other services still resolve")
}

// The policy is applied by the service before validation reads a file: a path outside the root
// that would block a reader (a FIFO) is refused at once, with PermissionDenied naming the field.
func TestServiceAdmitsBeforeReading(t *testing.T) {
	root := projectRoot(t)
	outside := t.TempDir()
	fifo := filepath.Join(outside, "server.xml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	policy, err := NewPolicy(root, engine.Connection{}, false)
	require.NoError(t, err)
	sock := filepath.Join(t.TempDir(), "api.sock")
	l, err := Listen(Config{Listen: sock})
	require.NoError(t, err)
	fake := &enginetest.Fake{}
	serve(t, l, policy, fake)
	e := clientEngine(t, sock)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = e.CheckpointImage(ctx, engine.CheckpointImageOptions{AppInputs: engine.AppInputs{AppArchive: "target/app.war", ServerXML: fifo}, Image: "localhost/app:1"}, func(engine.Event) {})
	require.Error(t, err)
	assert.Equal(t, engine.CodePermissionDenied, engine.CodeOf(err), "%v", err)
	assert.Equal(t, "server_xml", engine.AsError(err).Field)
	assert.Contains(t, err.Error(), "outside the directory this serve works in")

	_, err = e.CheckpointImage(ctx, engine.CheckpointImageOptions{AppInputs: engine.AppInputs{AppArchive: "target/app.war", ConfigDir: "src/main/liberty/config"},
		Image: "localhost/app:1", Common: engine.Common{Connection: engine.Connection{URI: "ssh://root@elsewhere/run/podman/podman.sock"}}}, func(engine.Event) {})
	assert.Equal(t, engine.CodePermissionDenied, engine.CodeOf(err), "%v", err)
	assert.Equal(t, "connection.uri", engine.AsError(err).Field)
	assert.Empty(t, fake.Calls(), "nothing refused reached the engine")

	_, err = e.CheckpointImage(ctx, engine.CheckpointImageOptions{AppInputs: engine.AppInputs{AppArchive: "target/app.war", ConfigDir: "src/main/liberty/config"}, Image: "localhost/app:1"}, func(engine.Event) {})
	require.NoError(t, err)
	o := fake.Calls()[0].Options.(engine.CheckpointImageOptions)
	assert.Equal(t, filepath.Join(root, "target/app.war"), o.AppArchive, "relative paths resolve against the root")
	assert.Equal(t, filepath.Join(root, "src/main/liberty/config/server.xml"), o.ServerXML)
}

// clientEngine is the engine behind the API at sock, as the CLI would see it.
func clientEngine(t *testing.T, sock string) engine.Engine {
	t.Helper()
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return contract.NewClient(conn)
}
