package fhirapi

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestProbeRealNodeFHIRServer probes a real FHIR server: @asymmetrik/node-fhir-server-core
// (npm) run by node with testdata/node-fhir-server/server.js. .ci/run installs it and sets
// MIPSPI_NODE_FHIR_MODULES to its node_modules; without that the test is skipped.
func TestProbeRealNodeFHIRServer(t *testing.T) {
	modules := os.Getenv("MIPSPI_NODE_FHIR_MODULES")
	if modules == "" {
		t.Skip("MIPSPI_NODE_FHIR_MODULES not set (.ci/run installs @asymmetrik/node-fhir-server-core and sets it)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("MIPSPI_NODE_FHIR_MODULES is set but node is not on PATH: %v", err)
	}
	dir := t.TempDir()
	roots, keyFile, certFile := selfSigned(t, dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	server, _ := filepath.Abs(filepath.Join("testdata", "node-fhir-server", "server.js"))
	var logs bytes.Buffer
	cmd := exec.Command(node, server)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules, "PORT="+strconv.Itoa(port), "TLS_KEY="+keyFile, "TLS_CERT="+certFile)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the node FHIR server did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}

	r := Probe(context.Background(), Options{Base: "https://" + addr + "/4_0_1", Roots: roots, Timeout: 10 * time.Second})
	for _, c := range r.Checks {
		t.Logf("%s %s: %s", c.Status, c.Name, c.Detail)
	}
	// What this server is: SMART v1 only (OAuth URIs in the CapabilityStatement, no
	// .well-known), FHIR 4.0.1 over TLS 1.2+, and a statement whose rest.resource.profile
	// is an STU3-style Reference object, which R4 does not allow.
	if r.OK() {
		t.Fatal("the probe passed a SMART v1-only server")
	}
	wantCheck(t, r, "smart.configuration", Fail, "HTTP 404", "only SMART v1", "authorize https://localhost/oauth2/authorize")
	wantCheck(t, r, "metadata.fhir_version", Pass)
	wantCheck(t, r, "metadata.capability_statement", Fail, "rest.resource.profile is a JSON object")
	wantCheck(t, r, "tls", Pass, "TLS 1.")
	if r.Software != "FHIR Server" || len(r.Metadata.SHA256) != 64 {
		t.Errorf("software %q, metadata digest %q", r.Software, r.Metadata.SHA256)
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and returns a pool trusting it.
func selfSigned(t *testing.T, dir string) (*x509.CertPool, string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool, keyFile, certFile
}
