package podman

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/containers/image/v5/docker"
	"github.com/containers/image/v5/types"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// registryError turns what Podman (or the registry client) said about a push or pull of ref
// into an error naming the setting at fault and the fix. field is the request field that holds
// ref. The password of r never appears in it.
func registryError(err error, op, field, ref string, r engine.Registry) error {
	if err == nil {
		return nil
	}
	var typed *engine.Error
	if errors.As(err, &typed) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := r.Mask(err.Error())
	host := engine.RegistryOf(ref)
	if host == "" {
		host = "docker.io"
	}
	low := strings.ToLower(msg)
	has := func(needles ...string) bool {
		for _, n := range needles {
			if strings.Contains(low, n) {
				return true
			}
		}
		return false
	}
	e := &engine.Error{Err: errors.New(msg)}
	switch {
	case isConnectionLost(err) && !has("dial tcp", "lookup", "x509", "tls"):
		return engine.Wrap(errors.New(msg), engine.CodeUnavailable, "check that the Podman service is still running, then retry",
			"lost the connection to Podman during %s", op)
	case has("no such host", "server misbehaving", "name or service not known", "temporary failure in name resolution"):
		e.Code, e.Field = engine.CodeNotFound, field
		e.Message = fmt.Sprintf("cannot %s %s: the registry host %s does not resolve", op, ref, hostName(host))
		e.Fix = "check the registry's host name in " + ref + " (it must resolve on the Podman host)"
	case has("x509:", "certificate", "tls: ") && r.CertDir != "":
		e.Code, e.Field = engine.CodeFailedPrecondition, "registry.cert_dir"
		e.Message = fmt.Sprintf("cannot %s %s: the TLS certificate of %s is not trusted, not even with the CA certificates of certDir %s", op, ref, host, r.CertDir)
		e.Fix = "put the CA certificate that signed the registry's certificate in " + r.CertDir + " (as ca.crt, PEM)"
	case has("x509:", "certificate", "tls: "):
		e.Code, e.Field = engine.CodeFailedPrecondition, "registry.cert_dir"
		e.Message = fmt.Sprintf("cannot %s %s: the TLS certificate of %s is not trusted", op, ref, host)
		e.Fix = "pass the registry's CA with certDir (--cert-dir): a directory holding its ca.crt; or put it in /etc/containers/certs.d/" + host +
			"/ on the Podman host; for a test registry only, --tls-verify=false"
	case has("server gave http response to https client"):
		e.Code, e.Field = engine.CodeFailedPrecondition, "registry.tls_verify"
		e.Message = fmt.Sprintf("cannot %s %s: %s speaks plain HTTP, not HTTPS", op, ref, host)
		e.Fix = "give the registry TLS, or pass --tls-verify=false to use plain HTTP with it"
	case has("unauthorized", "authentication required", "invalid username/password", "incorrect username or password", "401"):
		e.Code, e.Field = engine.CodeUnauthenticated, "registry.creds"
		e.Message = fmt.Sprintf("cannot %s %s: %s refused the credentials", op, ref, host)
		e.Fix = "check the user and password (--creds user:password), or log in with podman login " + host + " and pass its --authfile"
	case has("denied", "insufficient_scope", "403 forbidden", "forbidden"):
		e.Code, e.Field = engine.CodePermissionDenied, field
		e.Message = fmt.Sprintf("cannot %s %s: the registry denies this user access to the repository", op, ref)
		e.Fix = "check the repository's name and that your user may " + op + " there (some registries need the repository created first)"
	case has("name unknown", "repository name not known", "manifest unknown", "not found", "404"):
		e.Code, e.Field = engine.CodeNotFound, field
		e.Message = fmt.Sprintf("cannot %s %s: the registry has no such repository or tag", op, ref)
		e.Fix = "check the repository and tag in " + ref + " (push the image first: liberty-checkpoint push)"
	case has("connection refused", "no route to host", "i/o timeout", "network is unreachable"):
		e.Code, e.Field = engine.CodeUnavailable, field
		e.Message = fmt.Sprintf("cannot %s %s: nothing answers at %s", op, ref, host)
		e.Fix = "check the registry's host and port in " + ref + " and that the registry runs"
	default:
		e.Code, e.Field = engine.CodeFailedPrecondition, field
		e.Message = fmt.Sprintf("cannot %s %s", op, ref)
		e.Fix = "read the registry's answer above; podman " + op + " " + ref + " shows the same"
	}
	return e
}

func hostName(hostPort string) string {
	if i := strings.LastIndex(hostPort, ":"); i > 0 && !strings.HasSuffix(hostPort, "]") {
		return hostPort[:i]
	}
	return hostPort
}

// systemContext is the registry client's view of r: the tool's own calls to the registry (the
// digest check) use the same credentials, certificates and TLS setting as the push.
func systemContext(r engine.Registry) *types.SystemContext {
	sys := &types.SystemContext{AuthFilePath: r.AuthFile, DockerCertPath: r.CertDir,
		DockerInsecureSkipTLSVerify: types.NewOptionalBool(!r.Verify())}
	if r.Creds != "" {
		sys.DockerAuthConfig = &types.DockerAuthConfig{Username: r.User(), Password: r.Password()}
	}
	return sys
}

// registryDigest asks the registry for the digest of ref's manifest.
func registryDigest(ctx context.Context, ref string, r engine.Registry) (string, error) {
	dref, err := docker.ParseReference("//" + ref)
	if err != nil {
		return "", err
	}
	d, err := docker.GetDigest(ctx, systemContext(r), dref)
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// registryProgress streams Podman's push or pull progress lines as log events, with r's password
// masked should a line ever carry it.
func registryProgress(sink engine.Sink, r engine.Registry) *lineSplitter {
	return &lineSplitter{emit: func(line string) {
		if line != "" {
			sink.Logf(engine.SourceTool, engine.LevelInfo, "%s", r.Mask(line))
		}
	}}
}
