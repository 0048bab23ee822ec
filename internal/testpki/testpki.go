// Package testpki makes certificates for tests of mutual TLS: a CA, and server and client
// certificates it signs, as PEM files in a test's temporary directory.
package testpki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// TB is what making certificates needs of a test: testing.TB has it, and so does a command that
// makes them for tests that other tools run (plugin/internal/shiptest).
type TB interface {
	Helper()
	Fatal(args ...any)
	TempDir() string
}

// CA is a certificate authority whose files live in Dir.
type CA struct {
	Dir    string
	Name   string
	CAFile string // the CA certificate (PEM)
	cert   *x509.Certificate
	key    *ecdsa.PrivateKey
}

// Pair is a certificate and its key, as PEM files.
type Pair struct{ Cert, Key string }

var serial atomic.Int64

// NewCA makes a CA named name in a new temporary directory of t.
func NewCA(t TB, name string) *CA {
	t.Helper()
	ca := &CA{Dir: t.TempDir(), Name: name}
	ca.key = newKey(t)
	tmpl := template(name)
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ca.key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	if ca.cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	ca.CAFile = filepath.Join(ca.Dir, name+"-ca.pem")
	write(t, ca.CAFile, "CERTIFICATE", der)
	return ca
}

// Server issues a server certificate for localhost, 127.0.0.1 and ::1.
func (ca *CA) Server(t TB) Pair {
	t.Helper()
	tmpl := template("localhost")
	tmpl.DNSNames = []string{"localhost"}
	tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	return ca.issue(t, "server", tmpl)
}

// Client issues a client certificate named cn.
func (ca *CA) Client(t TB, cn string) Pair {
	t.Helper()
	tmpl := template(cn)
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return ca.issue(t, "client-"+cn, tmpl)
}

func (ca *CA) issue(t TB, name string, tmpl *x509.Certificate) Pair {
	key := newKey(t)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	p := Pair{Cert: filepath.Join(ca.Dir, name+".pem"), Key: filepath.Join(ca.Dir, name+"-key.pem")}
	write(t, p.Cert, "CERTIFICATE", der)
	write(t, p.Key, "PRIVATE KEY", keyDER)
	return p
}

func newKey(t TB) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func template(cn string) *x509.Certificate {
	return &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano() + serial.Add(1)), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
}

func write(t TB, path, typ string, der []byte) {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
