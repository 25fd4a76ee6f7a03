package main

// mipspi api check and mipspi report --evidence end to end (SPEC §6), against a TLS
// server started by the test that serves vendor-shaped discovery documents.

import (
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"
)

var fhirTestdata = filepath.Join(testdataDir, "..", "..", "..", "ehr", "fhirapi", "testdata")

// testEHR serves /fhir/.well-known/smart-configuration and /fhir/metadata from the
// fhirapi testdata and counts what it received.
type testEHR struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []string
	ca   string // PEM file of the server's certificate
}

func newTestEHR(t *testing.T, smart, capability string) *testEHR {
	t.Helper()
	docs := map[string][]byte{}
	for path, name := range map[string]string{"/fhir/.well-known/smart-configuration": smart, "/fhir/metadata": capability} {
		if name == "" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(fhirTestdata, name))
		if err != nil {
			t.Fatal(err)
		}
		docs[path] = b
	}
	e := &testEHR{}
	e.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.reqs = append(e.reqs, fmt.Sprintf("%s %s auth=%q cookie=%q", r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("Cookie")))
		e.mu.Unlock()
		b, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}))
	e.Server.Config.ErrorLog = log.New(io.Discard, "", 0)
	e.StartTLS()
	t.Cleanup(e.Close)
	e.ca = filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.Certificate().Raw})
	if err := os.WriteFile(e.ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *testEHR) requests() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.reqs...)
}

func TestAPICheckLiveAndRecorded(t *testing.T) {
	dsn := smallDB(t) // chdirs into a temp dir
	ehr := newTestEHR(t, "smart-v2-openid.json", "capability-r4.json")
	record := filepath.Join(t.TempDir(), "evidence.db")

	out := mipspi(t, "api", "check", "--fhir-base", ehr.URL+"/fhir/", "--ca", ehr.ca, "--tin", "123456789", "--record", record)
	if out.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", out.code, out.stdout, out.stderr)
	}
	for _, want := range []string{"PASS  smart.configuration", "PASS  smart.v2.openid", "PASS  metadata.resources", "PASS  tls",
		"LIVE and conformant: 12 checks passed, 0 not applicable"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.stdout)
		}
	}
	if !strings.Contains(out.stderr, "recorded in "+record) {
		t.Errorf("stderr: %s", out.stderr)
	}
	want := []string{
		`GET /fhir/.well-known/smart-configuration auth="" cookie=""`,
		`GET /fhir/metadata auth="" cookie=""`,
	}
	if got := ehr.requests(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("server received:\n%s\nwant only:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fi, err := os.Stat(record); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("evidence store: %v %v", fi, err)
	}

	// A second probe, of a server that only speaks SMART v1: exit 1, recorded too.
	v1 := newTestEHR(t, "", "capability-r4.json")
	out = mipspi(t, "api", "check", "--fhir-base", v1.URL+"/fhir", "--ca", v1.ca, "--tin", "123456789", "--record", record)
	if out.code != 1 {
		t.Fatalf("SMART v1-only server: exit %d, want 1\n%s%s", out.code, out.stdout, out.stderr)
	}
	for _, want := range []string{"FAIL  smart.configuration", "only SMART v1", "authorize https://fhir.example-ehr.test/oauth2/authorize",
		"NOT live: 1 checks failed, 0 warned, 6 passed, 5 not checked"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.stdout)
		}
	}
	if !strings.Contains(out.stderr, "is not live: a patient's app could not reach it (1 checks failed)") || !strings.Contains(out.stderr, "recorded in") {
		t.Errorf("stderr: %s", out.stderr)
	}

	// The report reads both probes: one passing, one failing while api_windows says the
	// API was enabled (small.yaml enables it from 2024 on).
	period := []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2025-07-09T00:00:00Z"}
	out = mipspi(t, args([]string{"report", "--db", dsn, "--evidence", record, "--format", "json"}, period)...)
	if out.code != 0 {
		t.Fatalf("report: exit %d\n%s", out.code, out.stderr)
	}
	var rep struct {
		APIEvidence struct {
			File string `json:"file"`
			TINs []struct {
				TIN                string  `json:"tin"`
				Probes             int     `json:"probes"`
				Passing            int     `json:"passing"`
				Uptime             float64 `json:"uptime"`
				FailedWhileEnabled int     `json:"failed_while_enabled"`
				LongestSeconds     int64   `json:"longest_without_pass_seconds"`
			} `json:"tins"`
		} `json:"api_evidence"`
		Findings []struct {
			Code    string `json:"code"`
			TIN     string `json:"tin"`
			Count   int    `json:"count"`
			Message string `json:"message"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	ev := rep.APIEvidence
	if ev.File != record || len(ev.TINs) != 1 || ev.TINs[0].Probes != 2 || ev.TINs[0].Passing != 1 || ev.TINs[0].Uptime != 0.5 ||
		ev.TINs[0].FailedWhileEnabled != 1 {
		t.Errorf("api_evidence: %+v", ev)
	}
	found := false
	for _, f := range rep.Findings {
		if f.Code == "API_PROBE_FAILED" && f.TIN == "123456789" && f.Count == 1 && strings.Contains(f.Message, "smart.configuration") {
			found = true
		}
	}
	if !found {
		t.Errorf("no API_PROBE_FAILED finding: %+v", rep.Findings)
	}

	// Table, xlsx and HTML show it too.
	out = mipspi(t, args([]string{"report", "--db", dsn, "--evidence", record}, period)...)
	for _, want := range []string{"Patient API evidence (probes recorded in " + record + ")", "123456789  2       1        50.00%", "API_PROBE_FAILED"} {
		if !strings.Contains(out.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, out.stdout)
		}
	}
	out = mipspi(t, args([]string{"report", "--db", dsn, "--evidence", record, "--format", "html"}, period)...)
	if !strings.Contains(out.stdout, `<section id="api-evidence">`) || !strings.Contains(out.stdout, `data-value="0.5">50.00%`) {
		t.Errorf("HTML lacks the evidence section")
	}
	mustRun(t, args([]string{"report", "--db", dsn, "--evidence", record, "--format", "xlsx", "--out", "r.xlsx"}, period)...)
	f, err := excelize.OpenFile("r.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("API evidence")
	if err != nil || len(rows) < 5 || rows[4][0] != "123456789" || rows[4][3] != "2" || rows[4][4] != "1" {
		t.Errorf("API evidence sheet: %q, %v", rows, err)
	}

	out = mipspi(t, args([]string{"report", "--db", dsn, "--evidence", record, "--format", "csv", "--table", "evidence"}, period)...)
	if lines := strings.Split(strings.TrimSpace(out.stdout), "\n"); out.code != 0 || len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "tin,observed_from,") || !strings.HasPrefix(lines[1], "123456789,2025-01-01T06:00:00Z,2025-07-09T00:00:00Z,2,1,0.5,") {
		t.Errorf("csv evidence table: exit %d\n%s%s", out.code, out.stdout, out.stderr)
	}

	// A TIN with no probe: API_NOT_PROBED.
	empty := filepath.Join(t.TempDir(), "other.db")
	out = mipspi(t, "api", "check", "--fhir-base", ehr.URL+"/fhir", "--ca", ehr.ca, "--tin", "999999999", "--record", empty)
	if out.code != 0 {
		t.Fatalf("exit %d: %s", out.code, out.stderr)
	}
	out = mipspi(t, args([]string{"report", "--db", dsn, "--evidence", empty}, period)...)
	if !strings.Contains(out.stdout, "API_NOT_PROBED") || !strings.Contains(out.stdout, "no probe") {
		t.Errorf("no API_NOT_PROBED:\n%s", out.stdout)
	}
}

func TestAPICheckUsage(t *testing.T) {
	dsn := smallDB(t)
	ehrFile := strings.TrimPrefix(dsn, "sqlite:")
	sum := func() [32]byte {
		b, err := os.ReadFile(ehrFile)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := sum()
	os.WriteFile("not-a-pem", []byte("hello"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"api", "check"}, "--fhir-base is required"},
		{[]string{"api", "check", "--fhir-base", "ehr.example.com"}, "want an https:// URL"},
		{[]string{"api", "check", "--fhir-base", "https://u:secret@ehr.example.com/fhir"}, "never sends credentials"},
		{[]string{"api", "check", "--fhir-base", "https://ehr.example.com/fhir", "--tin", "12-345"}, "a TIN is 9 digits"},
		{[]string{"api", "check", "--fhir-base", "https://ehr.example.com/fhir", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"api", "check", "--fhir-base", "https://ehr.example.com/fhir", "--ca", "missing.pem"}, "--ca missing.pem"},
		{[]string{"api", "check", "--fhir-base", "https://ehr.example.com/fhir", "--ca", "not-a-pem"}, "no PEM certificate"},
		{[]string{"api", "check", "--fhir-base", "https://ehr.example.com/fhir", "--record", ehrFile}, "is an EHR database"},
		{[]string{"api", "check", "--fhir-base", "https://ehr.example.com/fhir", "extra"}, "unexpected argument"},
		{[]string{"api", "frobnicate"}, "unknown command"},
		{[]string{"report", "--db", dsn, "--from", "2025-01-01", "--to", "2025-12-31", "--evidence", ehrFile}, "is an EHR database"},
		{[]string{"report", "--db", dsn, "--from", "2025-01-01", "--to", "2025-12-31", "--evidence", "nowhere.db"}, "--evidence"},
		{[]string{"report", "--db", dsn, "--from", "2025-01-01", "--to", "2025-12-31", "--format", "csv", "--table", "evidence"}, "--table evidence needs"},
		// A missing folder is created when the store is (like --out); a file in the way is refused.
		{[]string{"api", "check", "--fhir-base", "https://ehr.example.com/fhir", "--record", "not-a-pem/ev.db"}, "--record not-a-pem/ev.db: not-a-pem is a file, not a directory"},
	} {
		out := mipspi(t, tc.args...)
		if out.code != 2 || !strings.Contains(out.stderr, tc.want) || out.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 saying %q", tc.args, out.code, out.stdout, out.stderr, tc.want)
		}
		if strings.Contains(out.stderr, "secret") {
			t.Errorf("%q: the password was echoed: %s", tc.args, out.stderr)
		}
	}
	if sum() != before {
		t.Error("the EHR database changed")
	}
}
