package fhirapi

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

// sampleResult is a realistic probe: the checks a conformant SMART v2 server produces.
func sampleResult(at time.Time, ok bool) *Result {
	r := &Result{At: at, Base: "https://fhir.example-ehr.test/api/FHIR/R4", TIN: "123456789",
		SMART:    Document{Status: 200, Latency: 43 * time.Millisecond, SHA256: strings.Repeat("a", 64), TLSVersion: 0x0304},
		Metadata: Document{Status: 200, Latency: 181 * time.Millisecond, SHA256: strings.Repeat("b", 64), TLSVersion: 0x0304},
		Software: "Example EHR FHIR Server", SoftwareVersion: "2025.2.1", FHIRVersion: "4.0.1"}
	r.Checks = []Check{
		{"smart.configuration", Pass, "HTTP 200, application/json, 1874 bytes, SMART v2"},
		{"smart.endpoints", Pass, "authorize https://fhir.example-ehr.test/interconnect-fhir-oauth/oauth2/authorize, token https://fhir.example-ehr.test/interconnect-fhir-oauth/oauth2/token"},
		{"smart.capabilities", Pass, "launch-standalone, context-standalone-patient, permission-patient"},
		{"smart.v2.grant_types", Pass, "authorization_code"},
		{"smart.v2.pkce", Pass, "S256, no plain"},
		{"smart.v2.openid", Pass, "issuer https://fhir.example-ehr.test/interconnect-fhir-oauth/oauth2, jwks_uri https://fhir.example-ehr.test/interconnect-fhir-oauth/api/epic/2019/Security/Open/PublicKeys/530005/OIDC"},
		{"metadata.capability_statement", Pass, "HTTP 200, application/fhir+json, 182734 bytes, Example EHR FHIR Server 2025.2.1"},
		{"metadata.fhir_version", Pass, "4.0.1 (FHIR R4)"},
		{"metadata.format", Pass, "JSON (application/fhir+json)"},
		{"metadata.resources", Pass, "Patient, AllergyIntolerance, CarePlan, CareTeam, Condition, Coverage and 17 more"},
		{"tls", Pass, "TLS 1.3"},
	}
	if !ok {
		r.Checks[0] = Check{"smart.configuration", Fail, "https://fhir.example-ehr.test/api/FHIR/R4/.well-known/smart-configuration: no answer within 10s (--timeout)"}
	}
	return r
}

func TestEvidenceAppendAndRead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "evidence.db")
	e, err := OpenForAppend(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 3, 4, 15, 0, 0, 0, time.UTC)
	for i := range 3 {
		if err := e.Append(ctx, sampleResult(t0.Add(time.Duration(i)*time.Hour), i != 1), "v-test"); err != nil {
			t.Fatal(err)
		}
	}
	e.Close()

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("evidence store mode %v, want 0600", fi.Mode().Perm())
	}
	// Reopen for appending: the same store is accepted and grows.
	e, err = OpenForAppend(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	if err := e.Append(ctx, sampleResult(t0.Add(3*time.Hour), true), "v-test"); err != nil {
		t.Fatal(err)
	}
	// Append-only: the store refuses to change or remove a row.
	for _, stmt := range []string{`UPDATE probes SET ok = 1`, `DELETE FROM probes`, `UPDATE check_sets SET checks = '[]'`, `DELETE FROM check_sets`} {
		if _, err := e.db.ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only refusal", stmt, err)
		}
	}
	// Every field of a probe is kept; identical check lists are stored once.
	var sets int
	if err := e.db.NewSelect().Model((*checkSetRow)(nil)).ColumnExpr("count(*)").Scan(ctx, &sets); err != nil || sets != 2 {
		t.Errorf("check sets = %d (%v), want 2 (passing and failing)", sets, err)
	}
	var checks string
	if err := e.db.QueryRowContext(ctx, `SELECT checks FROM probe_checks WHERE id = 4`).Scan(&checks); err != nil ||
		!strings.Contains(checks, `{"name":"metadata.resources","status":"pass","detail":"Patient, AllergyIntolerance`) {
		t.Errorf("probe_checks of probe 4: %q, %v", checks, err)
	}
	var row probeRow
	if err := e.db.NewSelect().Model(&row).Where("id = 2").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if row.At != "2025-03-04T16:00:00.000Z" || row.OK || row.TLSVersion != "TLS 1.3" || row.SMARTLatencyMS != 43 ||
		row.MetadataSHA256 != strings.Repeat("b", 64) || row.SoftwareVersion != "2025.2.1" || row.MipspiVersion != "v-test" ||
		!strings.HasPrefix(row.Failed, "smart.configuration: ") || row.CheckSetID != 2 {
		t.Errorf("stored row: %+v", row)
	}
	e.Close()

	r, err := OpenForReading(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := r.Probes(ctx, t0.Add(time.Hour), t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []measure.Probe{
		{At: t0.Add(time.Hour), TIN: "123456789", BaseURL: "https://fhir.example-ehr.test/api/FHIR/R4",
			Failed: "smart.configuration: https://fhir.example-ehr.test/api/FHIR/R4/.well-known/smart-configuration: no answer within 10s (--timeout)"},
		{At: t0.Add(2 * time.Hour), TIN: "123456789", BaseURL: "https://fhir.example-ehr.test/api/FHIR/R4", OK: true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Probes (-want +got):\n%s", d)
	}
	if _, err := r.db.ExecContext(ctx, `INSERT INTO probes (at) VALUES ('x')`); err == nil {
		t.Error("a store opened for reading accepted a write")
	}
}

// The store is never the EHR, nor any other file: refused, and left byte for byte as it was.
func TestEvidenceRefusesOtherFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	ehrPath := filepath.Join(dir, "ehr.db")
	st, err := ehr.Open(ctx, "sqlite:"+ehrPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(ctx, false); err != nil {
		t.Fatal(err)
	}
	st.Close()

	other := filepath.Join(dir, "other.db")
	st, err = ehr.Open(ctx, "sqlite:"+other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `CREATE TABLE notes (x)`); err != nil {
		t.Fatal(err)
	}
	st.Close()

	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a database\n"), 0o644)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)

	for _, tc := range []struct{ path, why string }{
		{ehrPath, "is an EHR database (it has "},
		{other, "not a mipspi evidence store"},
		{text, "not an SQLite database"},
		{empty, "empty file"},
		{dir, "not a regular file"},
	} {
		before := digest(t, tc.path)
		for name, open := range map[string]func(context.Context, string) (*Evidence, error){"append": OpenForAppend, "read": OpenForReading} {
			e, err := open(ctx, tc.path)
			var ne *NotEvidenceError
			if err == nil {
				e.Close()
				t.Errorf("%s %s: accepted", name, tc.path)
				continue
			}
			if !errors.As(err, &ne) || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("%s %s: err = %v, want a NotEvidenceError saying %q", name, tc.path, err, tc.why)
			}
		}
		if after := digest(t, tc.path); after != before {
			t.Errorf("%s changed while being refused", tc.path)
		}
	}
}

func digest(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.IsDir() {
		return "dir"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x %v", sha256.Sum256(b), fi.Mode())
}

// A year of hourly probes (SPEC §6: stays small, read in milliseconds): the size is
// logged and bounded; the read time is BenchmarkEvidenceYear's to measure.
func TestEvidenceYearSize(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 8,760 probes")
	}
	path := yearStore(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a year of hourly probes: %d bytes", fi.Size())
	if fi.Size() > 4<<20 {
		t.Errorf("a year of hourly probes takes %d bytes, over 4 MiB", fi.Size())
	}
}

func yearStore(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "year.db")
	e, err := OpenForAppend(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	defer e.Close()
	t0 := time.Date(2025, 1, 1, 0, 17, 0, 0, time.UTC)
	// One transaction for the year, so the test does not wait on 8,760 fsyncs; the rows
	// are the ones Append writes.
	err = e.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i := range 365 * 24 {
			r := sampleResult(t0.Add(time.Duration(i)*time.Hour), i%97 != 0)
			r.SMART.Latency = time.Duration(20+i%50) * time.Millisecond
			if err := appendProbe(ctx, tx, r, "v-test"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

func BenchmarkEvidenceYear(b *testing.B) {
	path := yearStore(b)
	ctx := context.Background()
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for b.Loop() {
		e, err := OpenForReading(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		ps, err := e.Probes(ctx, from, from.AddDate(1, 0, 0))
		if err != nil || len(ps) != 8760 {
			b.Fatal(len(ps), err)
		}
		e.Close()
	}
}
