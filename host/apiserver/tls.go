package apiserver

import (
	"crypto/tls"
	"crypto/x509"
	"os"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// serverTLS is mutual TLS: TLS 1.2 or later with forward-secret AEAD cipher suites only, and a
// client certificate that chains to the client CA is required.
func serverTLS(certFile, keyFile, caFile string) (*tls.Config, error) {
	for _, f := range []struct{ field, flag, value string }{
		{"tls_cert", "--tls-cert", certFile}, {"tls_key", "--tls-key", keyFile}, {"client_ca", "--client-ca", caFile},
	} {
		if f.value == "" {
			return nil, engine.Invalid(f.field, "mutual TLS needs all three: --tls-cert, --tls-key and --client-ca",
				"%s is missing", f.flag)
		}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, &engine.Error{Code: engine.CodeInvalidArgument, Field: "tls_cert", Err: err,
			Message: "cannot load the server certificate " + certFile + " with key " + keyFile,
			Fix:     "pass a PEM certificate (chain) with --tls-cert and its PEM private key with --tls-key"}
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, &engine.Error{Code: engine.CodeNotFound, Field: "client_ca", Err: err, Message: "cannot read the client CA " + caFile,
			Fix: "pass the PEM file of the CA that signs your client certificates with --client-ca"}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, engine.Invalid("client_ca", "pass the PEM file of the CA that signs your client certificates with --client-ca",
			"%s holds no PEM certificate", caFile)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		// TLS 1.3 suites are all AEAD; for 1.2, only ECDHE with AES-GCM or ChaCha20-Poly1305.
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}, nil
}
