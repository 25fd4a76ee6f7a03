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
//
// The stock server speaks SMART v1 only (OAuth URIs in the CapabilityStatement, no
// .well-known): not live. With a SMART 2 discovery document added in front of it, as a
// practice would, it is live with a warning: its R4 statement carries
// rest.resource.profile as an STU3-style Reference object, which a patient's app reads
// past (SPEC §6).
func TestProbeRealNodeFHIRServer(t *testing.T) {
	modules := os.Getenv("MIPSPI_NODE_FHIR_MODULES")
	if modules == "" {
		t.Skip("MIPSPI_NODE_FHIR_MODULES not set (.ci/run installs @asymmetrik/node-fhir-server-core and sets it)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("MIPSPI_NODE_FHIR_MODULES is set but node is not on PATH: %v", err)
	}
	smart2, _ := filepath.Abs(filepath.Join("testdata", "smart-v2.json"))

	t.Run("stock, SMART v1 only", func(t *testing.T) {
		r := probeNodeServer(t, node, modules, "")
		if r.OK() {
			t.Fatal("the probe passed a SMART v1-only server")
		}
		wantCheck(t, r, "smart.configuration", Fail, "HTTP 404", "only SMART v1", "authorize https://localhost/oauth2/authorize")
		wantCheck(t, r, "metadata.capability_statement", Pass, "FHIR Server 1.")
		wantCheck(t, r, "metadata.r4_fields", Warn, "rest.resource.profile is a JSON object where FHIR R4 has a canonical (string)")
		wantCheck(t, r, "tls", Pass, "TLS 1.")
	})
	t.Run("with a SMART 2 discovery document", func(t *testing.T) {
		r := probeNodeServer(t, node, modules, smart2)
		if !r.OK() {
			t.Fatalf("not live: %+v", r.Failed())
		}
		wantCheck(t, r, "smart.configuration", Pass, "HTTP 200", "SMART v2")
		wantCheck(t, r, "smart.capabilities", Pass)
		wantCheck(t, r, "smart.v2.pkce", Pass)
		wantCheck(t, r, "metadata.capability_statement", Pass, "FHIR Server 1.")
		wantCheck(t, r, "metadata.fhir_version", Pass)
		wantCheck(t, r, "metadata.resources", Pass, "Patient, Condition, Observation")
		wantCheck(t, r, "metadata.r4_fields", Warn, "rest.resource.profile is a JSON object where FHIR R4 has a canonical (string)", "apps read past it")
		wantCheck(t, r, "tls", Pass, "TLS 1.")
		if w := r.Warned(); len(w) != 1 {
			t.Errorf("warnings %+v, want only metadata.r4_fields", w)
		}
		if r.Software != "FHIR Server" || len(r.Metadata.SHA256) != 64 {
			t.Errorf("software %q, metadata digest %q", r.Software, r.Metadata.SHA256)
		}
	})
}

// probeNodeServer starts the node FHIR server (serving smartDoc as its SMART
// configuration when not "") and probes it.
func probeNodeServer(t *testing.T, node, modules, smartDoc string) *Result {
	t.Helper()
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
	if smartDoc != "" {
		cmd.Env = append(cmd.Env, "SMART_CONFIGURATION="+smartDoc)
	}
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
	return r
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
