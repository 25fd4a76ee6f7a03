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

// A SMART v2 document that breaks one rule at a time, judged as a patient's app would
// (SPEC §6's table): what stops the app fails and the API is not live; what it reads
// past warns and the API stays live. Every other check passes or does not apply.
func TestProbeSMARTv2Rules(t *testing.T) {
	base, _ := os.ReadFile("testdata/smart-v2-openid.json")
	for _, tc := range []struct {
		name, from, to, check string
		st                    Status
		why                   string
	}{
		{"plain beside S256", `["S256"]`, `["S256", "plain"]`, "smart.v2.pkce", Warn, "offers plain beside S256"},
		{"no S256", `["S256"]`, `["plain"]`, "smart.v2.pkce", Fail, "code_challenge_methods_supported [plain] lacks S256"},
		{"no challenge methods at all", `"code_challenge_methods_supported"`, `"x_code_challenge_methods_supported"`, "smart.v2.pkce", Fail, "(absent) lacks S256"},
		{"no authorization_code", `"authorization_code", `, ``, "smart.v2.grant_types", Warn, "lacks authorization_code"},
		{"openid without jwks", `"jwks_uri"`, `"x_jwks_uri"`, "smart.v2.openid", Warn, "jwks_uri missing"},
		{"no patient permission", `"permission-patient", `, ``, "smart.capabilities", Fail, "missing permission-patient"},
		{"no launch-standalone", `"launch-standalone", `, ``, "smart.capabilities", Fail, "missing launch-standalone"},
		{"no context-standalone-patient", `"context-standalone-patient",`, ``, "smart.capabilities", Warn, "missing context-standalone-patient"},
		{"capabilities a string", `"capabilities": [`, `"capabilities": "launch-standalone", "x": [`, "smart.capabilities", Fail, "capabilities is a JSON string, not an array"},
		{"http token endpoint", `"token_endpoint": "https://`, `"token_endpoint": "http://`, "smart.endpoints", Fail, "not https"},
		{"no token endpoint", `"token_endpoint"`, `"x_token_endpoint"`, "smart.endpoints", Fail, "token_endpoint missing"},
		{"token endpoint a number", `"token_endpoint": "https://fhir.example-ehr.test/interconnect-fhir-oauth/oauth2/token"`, `"token_endpoint": 42`, "smart.endpoints", Fail, "token_endpoint missing"},
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
			if r.OK() != (tc.st == Warn) {
				t.Errorf("live = %v, want %v", r.OK(), tc.st == Warn)
			}
			wantCheck(t, r, tc.check, tc.st, tc.why)
			onlyDeviation(t, r, tc.check)
			assertOnlyDiscovery(t, f)
		})
	}
}

// onlyDeviation: every check but name passes or does not apply.
func onlyDeviation(t *testing.T, r *Result, name string) {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name != name && (c.Status == Fail || c.Status == Warn) {
			t.Errorf("%s is %s too: %s", c.Name, c.Status, c.Detail)
		}
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
	r4, _ := os.ReadFile("testdata/capability-r4.json")
	edit := func(from, to string) string {
		out := strings.Replace(string(r4), from, to, 1)
		if out == string(r4) {
			t.Fatalf("test edit %q did not apply", from)
		}
		return out
	}
	file := func(name string) string {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tc := range []struct {
		name, body, check string
		st                Status
		why               string
	}{
		{"fhir stu3", file("capability-stu3.json"), "metadata.fhir_version", Fail, "fhirVersion 3.0.2 (FHIR STU3), want 4.0.1"},
		{"fhir r5", edit(`"4.0.1"`, `"5.0.0"`), "metadata.fhir_version", Fail, "fhirVersion 5.0.0 (FHIR R5), want 4.0.1"},
		{"fhir 4.0.0", edit(`"4.0.1"`, `"4.0.0"`), "metadata.fhir_version", Warn, "fhirVersion 4.0.0 (the FHIR R4 ballot"},
		{"fhirVersion a number", edit(`"4.0.1"`, `4.01`), "metadata.fhir_version", Fail, "fhirVersion (none), want 4.0.1"},
		{"patient only", file("capability-patient-only.json"), "metadata.resources", Warn, "no other US Core resource"},
		{"no patient", edit(`"type": "Patient"`, `"type": "Person"`), "metadata.resources", Fail, "no Patient resource among the server's"},
		{"xml only", file("capability-xml.json"), "metadata.format", Warn, "lists no JSON"},
		{"resource profile as an STU3 reference", edit(`"type": "Patient",`, `"type": "Patient", "profile": {"reference": "http://hl7.org/fhir/patient.html"},`),
			"metadata.r4_fields", Warn, "rest.resource.profile is a JSON object where FHIR R4 has a canonical (string) (an older FHIR form or another type; apps read past it)"},
		{"format a string", edit(`"format": [`, `"format": "json", "x": [`), "metadata.format", Warn, "format (absent) lists no JSON"},
		{"not a capability statement", `{"resourceType": "OperationOutcome"}`, "metadata.capability_statement", Fail, `resourceType "OperationOutcome"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newEHR(t, nil, map[string]route{
				wellKnown: jsonFile("smart-v2.json", plainJSON),
				metadata: func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", fhirJSON)
					w.Write([]byte(tc.body))
				},
			})
			r := probe(t, f, f.roots(), 0)
			if r.OK() != (tc.st == Warn) {
				t.Errorf("live = %v, want %v", r.OK(), tc.st == Warn)
			}
			wantCheck(t, r, tc.check, tc.st, tc.why)
			// A field of another JSON type also shows in metadata.r4_fields.
			if tc.check != "metadata.capability_statement" && !strings.HasSuffix(tc.name, " a string") && !strings.HasSuffix(tc.name, " a number") {
				onlyDeviation(t, r, tc.check)
			}
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
		}, "smart.capabilities", "capabilities is a JSON string, not an array"},
		{"nested 100 deep", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", plainJSON)
			w.Write([]byte(`{"capabilities": ` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`))
		}, "smart.configuration", "nests deeper than 64 levels"},
		{"trailing garbage", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", plainJSON)
			w.Write([]byte(`{"capabilities": []} <html>`))
		}, "smart.configuration", "invalid JSON"},
		{"html page served as JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", plainJSON)
			w.Write([]byte("\n  <html><body>Sign in</body></html>"))
		}, "smart.configuration", "HTML page, not JSON"},
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
	wantCheck(t, r, "metadata.capability_statement", Pass, "FHIR Server 1.4.0")
	wantCheck(t, r, "metadata.r4_fields", Warn, "rest.resource.profile is a JSON object where FHIR R4 has a canonical (string) (3 times) (an older FHIR form or another type; apps read past it)")
	wantCheck(t, r, "metadata.resources", Pass, "Patient, Condition, Observation")
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

// A JSON body under another Content-Type is read as an app reads it: a warning, live
// (SPEC §6). A missing Content-Type likewise.
func TestProbeContentTypeWarns(t *testing.T) {
	for _, tc := range []struct{ ct, want string }{
		{"text/html; charset=utf-8", "the body is JSON but the Content-Type is text/html; charset=utf-8, not application/json"},
		{"text/plain", "the body is JSON but the Content-Type is text/plain"},
		{"", "the body is JSON but the Content-Type is no Content-Type"},
	} {
		t.Run(tc.ct, func(t *testing.T) {
			serve := func(name string) route {
				return func(w http.ResponseWriter, r *http.Request) {
					b, _ := os.ReadFile(filepath.Join("testdata", name))
					w.Header()["Content-Type"] = []string{tc.ct} // "" stays empty: no sniffing
					w.Write(b)
				}
			}
			f := newEHR(t, nil, map[string]route{wellKnown: serve("smart-v2.json"), metadata: serve("capability-r4.json")})
			r := probe(t, f, f.roots(), 0)
			if !r.OK() {
				t.Fatalf("not live: %+v", r.Failed())
			}
			wantCheck(t, r, "smart.configuration", Warn, tc.want, "SMART v2")
			wantCheck(t, r, "metadata.capability_statement", Warn, tc.want, "Example EHR FHIR Server")
			if n := len(r.Warned()); n != 2 {
				t.Errorf("%d warnings, want 2: %+v", n, r.Warned())
			}
		})
	}
}

// A redirect whose Location carries user:pass@ is never followed (Go's client would send
// them as Basic credentials): the check fails and names the URL without the password.
// A file:// redirect is named as one.
func TestProbeRedirectRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, location, why string
	}{
		{"credentials on the same host", "https://alice:S3cretPW@HOST/fhir/r4/smart",
			"redirected to a URL with a user name or password (https://alice:xxxxx@HOST/fhir/r4/smart): not followed, the probe never sends credentials"},
		{"file URL", "file:///etc/passwd", "redirected to a file: URL (file:///etc/passwd): discovery documents must be served over https"},
		{"javascript URL", "javascript:alert(1)", "redirected to a javascript: URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f *fakeEHR
			f = newEHR(t, nil, map[string]route{
				wellKnown: func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Location", strings.Replace(tc.location, "HOST", strings.TrimPrefix(f.URL, "https://"), 1))
					w.WriteHeader(http.StatusFound)
				},
				"/fhir/r4/smart": jsonFile("smart-v2.json", plainJSON),
				metadata:         jsonFile("capability-r4.json", fhirJSON),
			})
			r := probe(t, f, f.roots(), 0)
			if r.OK() {
				t.Fatal("live")
			}
			wantCheck(t, r, "smart.configuration", Fail, strings.Replace(tc.why, "HOST", strings.TrimPrefix(f.URL, "https://"), 1))
			for _, c := range r.Checks {
				if strings.Contains(c.Detail, "S3cretPW") {
					t.Errorf("%s repeats the password: %s", c.Name, c.Detail)
				}
			}
			assertOnlyDiscovery(t, f) // the redirect was not followed: no third request, no Authorization
		})
	}
}

// ParseBase never repeats what it was given: a malformed URL may carry a password anywhere.
func TestParseBaseNeverEchoesPassword(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ftp://alice:S3cretPW@host/x", "the URL carries a user name or password; the probe never sends credentials, so leave them out"},
		{"ftp://host/x", "want an https:// URL, not one of scheme \"ftp\" (e.g. https://ehr.example.com/fhir/r4)"},
		{"https://alice:S3cretPW/x", "not a URL that can be read (e.g. https://ehr.example.com/fhir/r4)"},
		{"https://alice:S3cret PW@host/x", "not a URL that can be read (e.g. https://ehr.example.com/fhir/r4)"},
		{"alice:S3cretPW@host/fhir", "want an https:// URL, not one of scheme \"alice\" (e.g. https://ehr.example.com/fhir/r4)"},
		{"//alice:S3cretPW@host/fhir", "the URL carries a user name or password; the probe never sends credentials, so leave them out"},
		{"https://host/fhir?key=S3cretPW", "the URL has a query or fragment; give the FHIR base only (e.g. https://ehr.example.com/fhir/r4)"},
		{"host/S3cretPW", "want an https:// URL (e.g. https://ehr.example.com/fhir/r4)"},
	} {
		_, err := ParseBase(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseBase(%q) = %v\nwant %s", tc.in, err, tc.want)
		}
	}
}

// Control characters anywhere the server writes (SPEC §6) are replaced, so the result
// prints on one line and can be stored.
func TestProbeControlCharactersReplaced(t *testing.T) {
	smart, _ := os.ReadFile("testdata/smart-v2.json")
	cap, _ := os.ReadFile("testdata/capability-r4.json")
	smartDoc := strings.Replace(string(smart), `"authorization_code"`, `"\u0000grant\u001b[31m"`, 1)
	capDoc := strings.Replace(string(cap), `"name": "Example EHR FHIR Server"`, `"name": "Acme\u0000EHR\u202e\u0085"`, 1)
	capDoc = strings.Replace(capDoc, `"4.0.1"`, `"4.0.1\u0000"`, 1)
	if smartDoc == string(smart) || !strings.Contains(capDoc, `\u0000EHR`) {
		t.Fatal("test edits did not apply")
	}
	f := newEHR(t, nil, map[string]route{
		wellKnown: func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(smartDoc)) },
		metadata:  func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(capDoc)) },
	})
	r := probe(t, f, f.roots(), 0)
	if r.Software != "Acme\uFFFDEHR\u202e\uFFFD" || r.FHIRVersion != "4.0.1\uFFFD" {
		t.Errorf("software %q, fhirVersion %q", r.Software, r.FHIRVersion)
	}
	wantCheck(t, r, "smart.v2.grant_types", Warn, "[\uFFFDgrant\uFFFD[31m, ")
	for _, c := range r.Checks {
		for _, ch := range c.Detail {
			if ch < 0x20 || (ch >= 0x7f && ch < 0xa0) {
				t.Errorf("%s detail keeps control character %U: %q", c.Name, ch, c.Detail)
			}
		}
	}
}
