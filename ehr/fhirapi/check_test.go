package fhirapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// seen is one request the test server received.
type seen struct {
	Method, Path string
	Header       http.Header
	BodyLen      int64
}

// fakeEHR is a TLS server serving discovery documents under /fhir/r4, recording every
// request so tests can assert nothing but the two GETs was ever sent (SPEC §6).
type fakeEHR struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

// route answers one path.
type route func(w http.ResponseWriter, r *http.Request)

func jsonFile(name, contentType string) route {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Write(b)
	}
}

func status(code int) route {
	return func(w http.ResponseWriter, r *http.Request) { http.Error(w, http.StatusText(code), code) }
}

func newEHR(t *testing.T, tlsCfg *tls.Config, routes map[string]route) *fakeEHR {
	t.Helper()
	f := &fakeEHR{}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{Method: r.Method, Path: r.URL.RequestURI(), Header: r.Header.Clone(), BodyLen: r.ContentLength})
		f.mu.Unlock()
		if h, ok := routes[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	if tlsCfg != nil {
		f.Server.TLS = tlsCfg
	}
	f.Server.EnableHTTP2 = true
	f.Server.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point of some tests
	f.StartTLS()
	t.Cleanup(f.Close)
	return f
}

func (f *fakeEHR) base() string { return f.URL + "/fhir/r4" }

func (f *fakeEHR) roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(f.Certificate())
	return p
}

func (f *fakeEHR) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// assertOnlyDiscovery: the server received exactly the two discovery GETs, without a
// body, credential or cookie, and nothing naming a patient.
func assertOnlyDiscovery(t *testing.T, f *fakeEHR) {
	t.Helper()
	reqs := f.requests()
	want := []string{"GET /fhir/r4/.well-known/smart-configuration", "GET /fhir/r4/metadata"}
	if len(reqs) != len(want) {
		t.Fatalf("server received %d requests, want exactly the 2 discovery GETs: %+v", len(reqs), reqs)
	}
	for i, r := range reqs {
		if got := r.Method + " " + r.Path; got != want[i] {
			t.Errorf("request %d = %s, want %s", i, got, want[i])
		}
		if r.BodyLen > 0 {
			t.Errorf("request %d carried a body of %d bytes", i, r.BodyLen)
		}
		for _, h := range []string{"Authorization", "Cookie", "Proxy-Authorization", "X-Api-Key"} {
			if v := r.Header.Get(h); v != "" {
				t.Errorf("request %d sent %s: %q", i, h, v)
			}
		}
		for k := range r.Header {
			switch k {
			case "Accept", "User-Agent", "Accept-Encoding":
			default:
				t.Errorf("request %d sent an unexpected header %s", i, k)
			}
		}
		if strings.Contains(strings.ToLower(r.Path), "patient") {
			t.Errorf("request %d asked for patient data: %s", i, r.Path)
		}
	}
}

func probe(t *testing.T, f *fakeEHR, roots *x509.CertPool, timeout time.Duration) *Result {
	t.Helper()
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	fixed := time.Date(2025, 3, 4, 15, 0, 0, 0, time.UTC)
	return Probe(context.Background(), Options{Base: f.base(), TIN: "123456789", Roots: roots, Timeout: timeout,
		UserAgent: "mipspi/test", Now: func() time.Time { return fixed }})
}

func checkOf(t *testing.T, r *Result, name string) Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %s in %+v", name, r.Checks)
	return Check{}
}

// wantCheck asserts a check's status and that its detail holds every fragment.
func wantCheck(t *testing.T, r *Result, name string, st Status, fragments ...string) {
	t.Helper()
	c := checkOf(t, r, name)
	if c.Status != st {
		t.Errorf("%s = %s (%s), want %s", name, c.Status, c.Detail, st)
	}
	for _, f := range fragments {
		if !strings.Contains(c.Detail, f) {
			t.Errorf("%s detail %q lacks %q", name, c.Detail, f)
		}
	}
}

const (
	wellKnown = "/fhir/r4/.well-known/smart-configuration"
	metadata  = "/fhir/r4/metadata"
	fhirJSON  = "application/fhir+json; charset=utf-8"
	plainJSON = "application/json"
)

// Vendor-shaped documents: SMART v2 with and without sso-openid-connect, SMART v1.
func TestProbeConformantServers(t *testing.T) {
	for _, tc := range []struct {
		name, smart string
		v2          bool
		openid      Status
	}{
		{"smart v2 with openid", "smart-v2-openid.json", true, Pass},
		{"smart v2 without openid", "smart-v2.json", true, Skip},
		{"smart v1 well-known", "smart-v1.json", false, Skip},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newEHR(t, nil, map[string]route{
				wellKnown: jsonFile(tc.smart, plainJSON),
				metadata:  jsonFile("capability-r4.json", fhirJSON),
			})
			r := probe(t, f, f.roots(), 0)
			if !r.OK() {
				t.Fatalf("probe failed: %+v", r.Failed())
			}
			assertOnlyDiscovery(t, f)
			wantCheck(t, r, "smart.configuration", Pass, "HTTP 200")
			wantCheck(t, r, "smart.endpoints", Pass, "authorize https://")
			wantCheck(t, r, "smart.capabilities", Pass, "launch-standalone")
			wantCheck(t, r, "metadata.capability_statement", Pass, "Example EHR FHIR Server 2025.2.1")
			wantCheck(t, r, "metadata.fhir_version", Pass, "4.0.1")
			wantCheck(t, r, "metadata.format", Pass, "application/fhir+json")
			wantCheck(t, r, "metadata.resources", Pass, "Patient, AllergyIntolerance")
			wantCheck(t, r, "tls", Pass, "TLS 1.")
			wantCheck(t, r, "smart.v2.openid", tc.openid)
			if tc.v2 {
				wantCheck(t, r, "smart.v2.grant_types", Pass)
				wantCheck(t, r, "smart.v2.pkce", Pass)
			} else {
				wantCheck(t, r, "smart.v2.pkce", Skip, "SMART v1")
			}
			if r.Software != "Example EHR FHIR Server" || r.SoftwareVersion != "2025.2.1" || r.FHIRVersion != "4.0.1" {
				t.Errorf("software %q %q fhir %q", r.Software, r.SoftwareVersion, r.FHIRVersion)
			}
			if len(r.SMART.SHA256) != 64 || len(r.Metadata.SHA256) != 64 || r.SMART.Status != 200 {
				t.Errorf("documents not recorded: %+v %+v", r.SMART, r.Metadata)
			}
			if !r.At.Equal(time.Date(2025, 3, 4, 15, 0, 0, 0, time.UTC)) || r.TIN != "123456789" {
				t.Errorf("At %v TIN %q", r.At, r.TIN)
			}
		})
	}
}

// A SMART v2 document that breaks one v2 rule at a time.
func TestProbeSMARTv2Rules(t *testing.T) {
	base, _ := os.ReadFile("testdata/smart-v2-openid.json")
	for _, tc := range []struct {
		name, from, to, check, why string
	}{
		{"plain pkce", `["S256"]`, `["S256", "plain"]`, "smart.v2.pkce", "plain"},
		{"no S256", `["S256"]`, `[]`, "smart.v2.pkce", "lacks S256"},
		{"no authorization_code", `"authorization_code", `, ``, "smart.v2.grant_types", "lacks authorization_code"},
		{"openid without jwks", `"jwks_uri"`, `"x_jwks_uri"`, "smart.v2.openid", "jwks_uri missing"},
		{"no patient permission", `"permission-patient", `, ``, "smart.capabilities", "missing permission-patient"},
		{"http token endpoint", `"token_endpoint": "https://`, `"token_endpoint": "http://`, "smart.endpoints", "not https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := strings.Replace(string(base), tc.from, tc.to, 1)
			if doc == string(base) {
				t.Fatalf("test edit %q did not apply", tc.from)
			}
			f := newEHR(t, nil, map[string]route{
				wellKnown: func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", plainJSON)
					w.Write([]byte(doc))
				},
				metadata: jsonFile("capability-r4.json", fhirJSON),
			})
			r := probe(t, f, f.roots(), 0)
			if r.OK() {
				t.Fatal("probe passed")
			}
			wantCheck(t, r, tc.check, Fail, tc.why)
			if n := len(r.Failed()); n != 1 {
				t.Errorf("%d checks failed, want only %s: %+v", n, tc.check, r.Failed())
			}
			assertOnlyDiscovery(t, f)
		})
	}
}

// A server that speaks only SMART v1: no .well-known, OAuth URIs in the
// CapabilityStatement's oauth-uris extension. It fails and names what it found.
func TestProbeSMARTv1Only(t *testing.T) {
	f := newEHR(t, nil, map[string]route{
		wellKnown: status(404),
		metadata:  jsonFile("capability-r4.json", fhirJSON),
	})
	r := probe(t, f, f.roots(), 0)
	if r.OK() {
		t.Fatal("a SMART v1-only server passed")
	}
	wantCheck(t, r, "smart.configuration", Fail, "HTTP 404", "only SMART v1",
		"authorize https://fhir.example-ehr.test/oauth2/authorize", "token https://fhir.example-ehr.test/oauth2/token")
	wantCheck(t, r, "smart.endpoints", Skip)
	wantCheck(t, r, "metadata.capability_statement", Pass)
	assertOnlyDiscovery(t, f)
}

func TestProbeCapabilityStatementRules(t *testing.T) {
	for _, tc := range []struct {
		name, file, check, why string
	}{
		{"fhir stu3", "capability-stu3.json", "metadata.fhir_version", "fhirVersion 3.0.2 (FHIR STU3), want 4.0.1"},
		{"patient only", "capability-patient-only.json", "metadata.resources", "no other US Core resource"},
		{"xml only", "capability-xml.json", "metadata.format", "lists no JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newEHR(t, nil, map[string]route{
				wellKnown: jsonFile("smart-v2.json", plainJSON),
				metadata:  jsonFile(tc.file, fhirJSON),
			})
			r := probe(t, f, f.roots(), 0)
			if r.OK() {
				t.Fatal("probe passed")
			}
			wantCheck(t, r, tc.check, Fail, tc.why)
			assertOnlyDiscovery(t, f)
		})
	}
}

// Hostile and broken endpoints (SPEC §6): each a failed check with a clear reason,
// never a hang or a crash.
func TestProbeHostile(t *testing.T) {
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the probe followed a redirect to another host: %s", r.URL)
	}))
	defer other.Close()
	htmlLogin := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<!DOCTYPE html><html><body><form action=/login>Sign in</form></body></html>"))
	}
	huge := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", plainJSON)
		chunk := []byte(strings.Repeat(" ", 1<<20))
		w.Write([]byte("{"))
		for range 50 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
	for _, tc := range []struct {
		name  string
		smart route
		check string
		why   string
	}{
		{"html login page", htmlLogin, "smart.configuration", "HTML page, not JSON"},
		{"redirect to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/.well-known/smart-configuration", http.StatusFound)
		}, "smart.configuration", "redirected to another host"},
		{"50 MB body", huge, "smart.configuration", "over the 4 MiB limit"},
		{"invalid json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", plainJSON)
			w.Write([]byte(`{"authorization_endpoint": "https://x/authorize",`))
		}, "smart.configuration", "invalid JSON"},
		{"401", status(401), "smart.configuration", "asks for credentials"},
		{"capabilities not a list", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", plainJSON)
			w.Write([]byte(`{"capabilities": "launch-standalone"}`))
		}, "smart.configuration", "wrong type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newEHR(t, nil, map[string]route{
				wellKnown: tc.smart,
				metadata:  jsonFile("capability-r4.json", fhirJSON),
			})
			r := probe(t, f, f.roots(), 0)
			if r.OK() {
				t.Fatal("probe passed")
			}
			wantCheck(t, r, tc.check, Fail, tc.why)
			assertOnlyDiscovery(t, f)
		})
	}
}

func TestProbeHostileMetadata(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		ct   string
		why  string
	}{
		{"invalid json", `{"resourceType": "CapabilityStatement", "fhirVersion": `, fhirJSON, "invalid JSON"},
		{"not a capability statement", `{"resourceType": "OperationOutcome"}`, fhirJSON, `resourceType "OperationOutcome"`},
		{"html", `<html>down for maintenance</html>`, "text/html", "HTML page"},
		{"json array", `[1, 2]`, fhirJSON, "not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newEHR(t, nil, map[string]route{
				wellKnown: jsonFile("smart-v2.json", plainJSON),
				metadata: func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", tc.ct)
					w.Write([]byte(tc.body))
				},
			})
			r := probe(t, f, f.roots(), 0)
			wantCheck(t, r, "metadata.capability_statement", Fail, tc.why)
			wantCheck(t, r, "metadata.resources", Skip)
			assertOnlyDiscovery(t, f)
		})
	}
}

// A server that accepts the connection and never answers: the probe ends at --timeout.
func TestProbeNeverAnswers(t *testing.T) {
	release := make(chan struct{})
	f := newEHR(t, nil, map[string]route{
		wellKnown: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		},
		metadata: jsonFile("capability-r4.json", fhirJSON),
	})
	defer close(release)
	start := time.Now()
	// Long enough for the metadata GET to answer on a loaded machine.
	r := probe(t, f, f.roots(), 1500*time.Millisecond)
	if el := time.Since(start); el > 30*time.Second {
		t.Fatalf("probe took %s", el) // a hang, not a timing assertion
	}
	wantCheck(t, r, "smart.configuration", Fail, "no answer within 1.5s")
	wantCheck(t, r, "metadata.capability_statement", Pass)
}

// A TCP server that never even completes the TLS handshake.
func TestProbeSilentSocket(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	r := Probe(context.Background(), Options{Base: "https://" + ln.Addr().String() + "/fhir", Timeout: 300 * time.Millisecond})
	if r.OK() {
		t.Fatal("probe passed")
	}
	wantCheck(t, r, "smart.configuration", Fail, "no answer within 300ms")
	wantCheck(t, r, "metadata.capability_statement", Fail, "no answer within 300ms")
}

func TestProbeTLS10Only(t *testing.T) {
	f := newEHR(t, &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}, map[string]route{
		wellKnown: jsonFile("smart-v2.json", plainJSON),
		metadata:  jsonFile("capability-r4.json", fhirJSON),
	})
	r := probe(t, f, f.roots(), 0)
	if r.OK() {
		t.Fatal("a TLS 1.0 server passed")
	}
	wantCheck(t, r, "tls", Fail, "TLS 1.2 or newer")
	wantCheck(t, r, "smart.configuration", Fail, "TLS 1.2 or newer")
	if n := len(f.requests()); n != 0 {
		t.Errorf("a TLS 1.0 server received %d requests", n)
	}
}

func TestProbeSelfSignedWithoutCA(t *testing.T) {
	f := newEHR(t, nil, map[string]route{
		wellKnown: jsonFile("smart-v2.json", plainJSON),
		metadata:  jsonFile("capability-r4.json", fhirJSON),
	})
	r := probe(t, f, nil, 0) // system roots: the test certificate is not among them
	if r.OK() {
		t.Fatal("an untrusted certificate passed")
	}
	wantCheck(t, r, "smart.configuration", Fail, "not trusted", "--ca")
	wantCheck(t, r, "tls", Fail, "not trusted")
	if n := len(f.requests()); n != 0 {
		t.Errorf("the server received %d requests over an untrusted connection", n)
	}
}

func TestProbePlainHTTP(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	defer ts.Close()
	r := Probe(context.Background(), Options{Base: ts.URL, Timeout: time.Second})
	wantCheck(t, r, "tls", Fail, "plain http://")
}

func TestParseBase(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"https://ehr.example.com/fhir/r4/", "https://ehr.example.com/fhir/r4", ""},
		{" https://ehr.example.com/fhir ", "https://ehr.example.com/fhir", ""},
		{"ehr.example.com/fhir", "", "https://"},
		{"ftp://ehr.example.com", "", "https://"},
		{"https://user:secret@ehr.example.com/fhir", "", "password"},
		{"https://ehr.example.com/fhir?patient=1", "", "query"},
		{"https:///fhir", "", "no host"},
	} {
		got, err := ParseBase(tc.in)
		if tc.err == "" && (err != nil || got != tc.want) {
			t.Errorf("ParseBase(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ParseBase(%q) error = %v; want one containing %q", tc.in, err, tc.err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseBase error repeats the password: %v", err)
		}
	}
}

// The CapabilityStatement that @asymmetrik/node-fhir-server-core 2.2.5 (npm) served when
// run with R4 Patient, Observation and Condition profiles and SMART security URIs: a real
// server speaking SMART v1 (no .well-known) whose R4 statement carries
// rest.resource.profile as an STU3-style Reference object.
func TestProbeNodeFHIRServerCoreStatement(t *testing.T) {
	f := newEHR(t, nil, map[string]route{
		wellKnown: status(404),
		metadata:  jsonFile("capability-node-fhir-server-core.json", fhirJSON),
	})
	r := probe(t, f, f.roots(), 0)
	wantCheck(t, r, "smart.configuration", Fail, "HTTP 404", "only SMART v1",
		"authorize https://localhost/oauth2/authorize and token https://localhost/oauth2/token")
	wantCheck(t, r, "metadata.capability_statement", Fail, "not a valid FHIR R4 CapabilityStatement: rest.resource.profile is a JSON object where FHIR R4 has a string")
	wantCheck(t, r, "metadata.fhir_version", Pass)
	assertOnlyDiscovery(t, f)
	if r.Software != "FHIR Server" || r.SoftwareVersion != "1.4.0" {
		t.Errorf("software %q %q", r.Software, r.SoftwareVersion)
	}
}

// A redirect on the same host (a trailing slash, a moved path) is followed; a loop is not.
func TestProbeSameHostRedirects(t *testing.T) {
	f := newEHR(t, nil, map[string]route{
		wellKnown: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/fhir/r4/smart", http.StatusMovedPermanently)
		},
		"/fhir/r4/smart": jsonFile("smart-v2.json", plainJSON),
		metadata: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/fhir/r4/metadata", http.StatusFound) // loops
		},
	})
	r := probe(t, f, f.roots(), 0)
	wantCheck(t, r, "smart.configuration", Pass)
	wantCheck(t, r, "metadata.capability_statement", Fail, "more than 3 redirects")
	for _, q := range f.requests() {
		if q.Method != http.MethodGet || q.Header.Get("Authorization") != "" || q.Header.Get("Cookie") != "" {
			t.Errorf("request %s %s sent %v", q.Method, q.Path, q.Header)
		}
	}
	if n := len(f.requests()); n != 2+4 {
		t.Errorf("%d requests, want 2 for the SMART document and 4 for the metadata loop", n)
	}
}
