package main

// mipspi combine (SPEC §7), end to end: reports written by mipspi report from real
// SQLite databases, added up; the sums equal one database holding both sites; every
// report that cannot be added is refused with its file name and the reason.

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/fixtures"
)

var combinePeriod = []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2026-01-15T12:00:00Z", "--quiet"}

const combineKey = "a shared key for all sites 0123"

// siteDB builds a SQLite database from testdata/combine/<name>.yaml in the current
// directory and returns its DSN.
func siteDB(t *testing.T, name string) string {
	t.Helper()
	dsn := "sqlite:" + name + ".db"
	mustRun(t, "db", "init", "--db", dsn)
	mustRun(t, "db", "load", "--db", dsn, filepath.Join(testdataDir, "combine", name+".yaml"))
	return dsn
}

// siteReport writes the JSON report of dsn, pseudonymised with the shared key and with
// the drill-down, to file.
func siteReport(t *testing.T, dsn, file string, extra ...string) {
	t.Helper()
	a := args([]string{"report", "--db", dsn, "--format", "json", "--patients", "--pseudonymize", "--pseudonymize-key", combineKey, "--out", file}, combinePeriod, extra)
	mustRun(t, a...)
}

// combineSites builds the three sites and their reports a.json, b.json, c.json in a
// temporary working directory.
func combineSites(t *testing.T) {
	t.Helper()
	t.Chdir(t.TempDir())
	for _, s := range []string{"a", "b", "c"} {
		siteReport(t, siteDB(t, "site-"+s), s+".json")
	}
}

// entityRows reads a combine CSV into level/tin/npi → the row's columns.
func entityRows(t *testing.T, text string) map[string][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, r := range recs[1:] {
		out[r[0]+" "+r[1]+" "+r[2]] = r
	}
	return out
}

// numDen is "numerator/denominator" of a CSV entity row.
func numDen(r []string) string {
	if r == nil {
		return "(no row)"
	}
	return r[5] + "/" + r[4]
}

// normalizeCombined replaces what depends on the machine and the temporary directory.
func normalizeCombined(t *testing.T, s string) string {
	t.Helper()
	wd, _ := os.Getwd()
	host, _ := os.Hostname()
	s = strings.ReplaceAll(s, wd, "/WORK")
	if host != "" {
		s = strings.ReplaceAll(s, `"host": "`+host+`"`, `"host": "HOST"`)
		s = strings.ReplaceAll(s, "sqlite://"+host+"/", "sqlite://HOST/")
	}
	return s
}

// TestCombineGoldens: two sources with an overlapping TIN and a clinician in both; the
// same patient in both, counted twice without --match and once with it; an APM Entity
// over three TINs.
func TestCombineGoldens(t *testing.T) {
	combineSites(t)

	plain := mustRun(t, "combine", "--format", "csv", "a.json", "b.json")
	golden(t, "combine-ab.csv", plain.stdout)
	rows := entityRows(t, plain.stdout)
	// Adams: Ann and Cara at site A, Ann again at site B: 3 without matching.
	for key, want := range map[string]string{
		"individual 123456789 1234567893": "3/3", // Adams, both sites
		"individual 123456789 1245319599": "0/1", // Brooks, site A only
		"group 123456789 ":                "3/4", // the overlapping TIN: site A 2/3 plus site B 1/1
		"individual 987654321 1333333338": "0/1", // Cruz, site B only
		"group 987654321 ":                "0/1",
		"apm_entity  ":                    "3/5",
	} {
		if got := numDen(rows[key]); got != want {
			t.Errorf("without --match: %s = %s, want %s", key, got, want)
		}
	}
	if r := rows["group 123456789 "]; r != nil && r[len(r)-1] != "summed across sources; patients de-duplicated within each source" {
		t.Errorf("method column = %q", r[len(r)-1])
	}

	matched := mustRun(t, "combine", "--match", "patients", "--format", "csv", "a.json", "b.json")
	golden(t, "combine-ab-match.csv", matched.stdout)
	rows = entityRows(t, matched.stdout)
	for key, want := range map[string]string{
		"individual 123456789 1234567893": "2/2", // Ann once
		"group 123456789 ":                "2/3",
		"apm_entity  ":                    "2/4",
	} {
		if got := numDen(rows[key]); got != want {
			t.Errorf("with --match patients: %s = %s, want %s", key, got, want)
		}
	}

	apm := mustRun(t, "combine", "--name", "Lakeside ACO", "--format", "json", "a.json", "b.json", "c.json")
	golden(t, "combine-abc.json", normalizeCombined(t, apm.stdout))
	var doc struct {
		Entities []struct {
			Level, TIN, Clinician  string
			Numerator, Denominator int
		}
		Combined struct {
			Name, Method string
			Sources      []struct{ File string }
		}
	}
	if err := json.Unmarshal([]byte(apm.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	last := doc.Entities[len(doc.Entities)-1]
	tins := 0
	for _, e := range doc.Entities {
		if e.Level == "group" {
			tins++
		}
	}
	if last.Level != "apm_entity" || last.Clinician != "Lakeside ACO" || last.Numerator != 4 || last.Denominator != 7 || tins != 3 {
		t.Errorf("APM Entity row = %+v over %d TINs, want Lakeside ACO 4/7 over 3", last, tins)
	}
	if doc.Combined.Name != "Lakeside ACO" || len(doc.Combined.Sources) != 3 || !strings.Contains(doc.Combined.Method, "within each source") {
		t.Errorf("combined block = %+v", doc.Combined)
	}
	table := mustRun(t, "combine", "--name", "Lakeside ACO", "a.json", "b.json", "c.json")
	golden(t, "combine-abc.txt", normalizeCombined(t, table.stdout))
	for _, f := range []string{"xlsx", "html"} {
		o := mustRun(t, "combine", "--format", f, "--out", "out."+f, "a.json", "b.json", "c.json")
		if o.stdout != "" {
			t.Errorf("%s with --out: stdout %q", f, o.stdout)
		}
	}
	html, err := os.ReadFile("out.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "patients de-duplicated within each source") || !strings.Contains(string(html), "APM Entity") {
		t.Errorf("HTML lacks the method or the APM Entity row")
	}
}

// offsetWriter shifts every id a practice writes, so that two generated practices fit
// in one database.
type offsetWriter struct {
	w   ehr.RowWriter
	off int64
}

func (o offsetWriter) Office(r ehr.OfficeRow) error       { r.ID += o.off; return o.w.Office(r) }
func (o offsetWriter) Clinician(r ehr.ClinicianRow) error { r.ID += o.off; return o.w.Clinician(r) }
func (o offsetWriter) Patient(r ehr.PatientRow) error     { r.ID += o.off; return o.w.Patient(r) }
func (o offsetWriter) Appointment(r ehr.AppointmentRow) error {
	r.ID += o.off
	r.PatientID += o.off
	r.OfficeID += o.off
	r.ClinicianID += o.off
	return o.w.Appointment(r)
}
func (o offsetWriter) Note(r ehr.NoteRow) error {
	r.ID += o.off
	r.AppointmentID += o.off
	return o.w.Note(r)
}
func (o offsetWriter) Invitation(r ehr.InvitationRow) error {
	r.ID += o.off
	r.PatientID += o.off
	return o.w.Invitation(r)
}
func (o offsetWriter) APIWindow(r ehr.APIWindowRow) error { r.ID += o.off; return o.w.APIWindow(r) }

// TestCombineEqualsOneDatabase: two sites (a generated practice plus the small site
// sharing a TIN and a clinician with the other) as two databases, combined, give the
// same figures per clinician and per TIN as one database holding both, because no
// patient is in both (CMS: summing is exact when patients do not overlap).
func TestCombineEqualsOneDatabase(t *testing.T) {
	t.Chdir(t.TempDir())
	ctx := context.Background()
	type site struct {
		seed uint64
		off  int64
		yaml string
	}
	sites := []site{{1, 0, "site-a"}, {2, 1_000_000, "site-b"}}
	fill := func(s site) func(ehr.RowWriter) error {
		return func(w ehr.RowWriter) error {
			_, err := fixtures.Generate(offsetWriter{w, s.off}, fixtures.GenerateOptions{
				Year: 2025, Clinicians: 12, Patients: 400, Appointments: 1500, Seed: s.seed, TINs: 2,
			})
			return err
		}
	}
	build := func(dsn string, ss ...site) {
		mustRun(t, "db", "init", "--db", dsn)
		for _, s := range ss {
			if err := withStore(ctx, dsn, func(st *ehr.Store) error { return writeRows(ctx, st, fill(s)) }); err != nil {
				t.Fatal(err)
			}
			mustRun(t, "db", "load", "--db", dsn, filepath.Join(testdataDir, "combine", s.yaml+".yaml"))
		}
	}
	build("sqlite:one.db", sites...)
	build("sqlite:a.db", sites[0])
	build("sqlite:b.db", sites[1])
	report := func(dsn, out string) {
		mustRun(t, args([]string{"report", "--db", dsn, "--format", "json", "--out", out}, combinePeriod)...)
	}
	report("sqlite:a.db", "a.json")
	report("sqlite:b.db", "b.json")
	one := mustRun(t, args([]string{"report", "--db", "sqlite:one.db", "--format", "csv"}, combinePeriod)...).stdout
	two := mustRun(t, "combine", "--format", "csv", "a.json", "b.json").stdout

	want := entityRows(t, one)
	got := entityRows(t, two)
	if len(want) < 10 {
		t.Fatalf("one database: only %d entity rows", len(want))
	}
	shared := 0
	for k, w := range want {
		g := got[k]
		if g == nil {
			t.Errorf("%s: in the one-database report, not in the combined one", k)
			continue
		}
		if diff := cmp.Diff(w, g[:len(w)]); diff != "" {
			t.Errorf("%s: combined differs from one database (-one +combined):\n%s", k, diff)
		}
		if k == "group 123456789 " || k == "individual 123456789 1234567893" {
			shared++
		}
	}
	if shared != 2 {
		t.Errorf("the shared TIN and clinician were not compared (%d of 2)", shared)
	}
	for k := range got {
		if _, ok := want[k]; !ok && !strings.HasPrefix(k, "apm_entity") {
			t.Errorf("%s: in the combined report only", k)
		}
	}
}

// TestCombineRefuses: every report that cannot be added is refused, exit 1, with the
// file's name and the reason, and nothing is written.
func TestCombineRefuses(t *testing.T) {
	combineSites(t)
	a, err := os.ReadFile("a.json")
	if err != nil {
		t.Fatal(err)
	}
	// edited writes a copy of a.json with old replaced by new (once).
	edited := func(name, old, new string) string {
		t.Helper()
		if !strings.Contains(string(a), old) {
			t.Fatalf("a.json has no %q", old)
		}
		if err := os.WriteFile(name, []byte(strings.Replace(string(a), old, new, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		return name
	}
	mustRun(t, args([]string{"report", "--db", "sqlite:site-b.db", "--format", "json", "--out", "b-june.json", "--policy", "any-visit"}, combinePeriod)...)
	if err := os.WriteFile("sign.yaml", []byte("release: sign\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "report", "--db", "sqlite:site-b.db", "--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2026-01-15T12:00:00Z", "--quiet", "--format", "json", "--config", "sign.yaml", "--out", "b-sign.json")
	// Site B's visits are in September; a period without them is refused (no silent empties).
	mustRun(t, "report", "--db", "sqlite:site-b.db", "--from", "2025-07-01", "--to", "2025-12-31", "--as-of", "2026-01-15T12:00:00Z", "--quiet", "--format", "json", "--out", "b-half.json")
	mustRun(t, "report", "--db", "sqlite:site-a.db", "--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2026-01-20", "--quiet", "--format", "json", "--out", "a-later.json")
	mustRun(t, "report", "--db", "sqlite:site-a.db", "--from", "2025-01-01", "--to", "2025-12-31", "--quiet", "--format", "json", "--npi", "1234567893", "--out", "a-npi.json")
	mustRun(t, "report", "--db", "sqlite:site-b.db", "--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2026-01-15T12:00:00Z", "--quiet", "--format", "json", "--patients", "--pseudonymize", "--pseudonymize-key", "another key of sixteen+", "--out", "b-otherkey.json")
	mustRun(t, args([]string{"report", "--db", "sqlite:site-b.db", "--format", "json", "--patients", "--out", "b-plain.json"}, combinePeriod)...)
	mustRun(t, "combine", "--format", "json", "--out", "ab.json", "a.json", "b.json")
	if err := os.WriteFile("a-cut.json", a[:len(a)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		flags []string
		files []string
		want  string
	}{
		{"same file twice", nil, []string{"a.json", "a.json"}, "a.json: the same report as a.json (identical contents)"},
		{"same source twice", nil, []string{"a.json", "a-later.json"}, "a-later.json: the same source as a.json (sqlite://"},
		{"different policy", nil, []string{"a.json", "b-june.json"}, "b-june.json: policy any-visit differs from a.json's every-visit"},
		{"different release rule", nil, []string{"a.json", "b-sign.json"}, "b-sign.json: release rule (information released on note sign) differs from a.json's (note lock)"},
		{"different period", nil, []string{"a.json", "b-half.json"}, "b-half.json: performance period 2025-07-01..2025-12-31 differs from a.json's 2025-01-01..2025-12-31"},
		{"different measure", nil, []string{"b.json", edited("m.json", `"measure_id": "PI_PEA_1"`, `"measure_id": "PI_HIE_1"`)}, "m.json: measure PI_HIE_1 differs from b.json's PI_PEA_1"},
		{"numerator above denominator", nil, []string{edited("big.json", `"numerator": 2,`, `"numerator": 7,`)}, "big.json: TIN 123456789"},
		{"negative", nil, []string{edited("neg.json", `"pending": 0,`, `"pending": -1,`)}, "neg.json: TIN 123456789"},
		{"rate", nil, []string{edited("rate.json", `"rate": 1,`, `"rate": 0.5,`)}, "rate.json: TIN 123456789 NPI 1234567893: rate 0.5 is not numerator/denominator 2/2"},
		{"truncated", nil, []string{"a-cut.json"}, "a-cut.json: truncated: the file ends before the report does"},
		{"not JSON", nil, []string{"sign.yaml"}, "sign.yaml: is not valid JSON"},
		{"not a report", nil, []string{edited("x.json", `"entities": [`, `"entities_": [`)}, `x.json: is not a mipspi JSON report: no "entities" field`},
		{"one clinician only", nil, []string{"a-npi.json"}, "a-npi.json: covers one clinician only (made with --npi 1234567893)"},
		{"a combined report", nil, []string{"ab.json", "c.json"}, "ab.json: is itself a combined report"},
		{"missing file", nil, []string{"a.json", "nope.json"}, "nope.json: "},
		{"match without pseudonyms", []string{"--match", "patients"}, []string{"a.json", "b-plain.json"}, "b-plain.json: is not pseudonymised"},
		{"match with another key", []string{"--match", "patients"}, []string{"a.json", "b-otherkey.json"}, "b-otherkey.json: was pseudonymised with a different key than a.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := mipspi(t, append(append([]string{"combine", "--format", "json", "--out", "never.json"}, tc.flags...), tc.files...)...)
			if o.code != exitFail {
				t.Fatalf("exit %d, want 1; stderr %q", o.code, o.stderr)
			}
			if !strings.HasPrefix(o.stderr, "mipspi: "+tc.want) {
				t.Errorf("stderr = %q, want it to start with %q", o.stderr, "mipspi: "+tc.want)
			}
			if _, err := os.Stat("never.json"); !os.IsNotExist(err) {
				t.Errorf("never.json written")
			}
		})
	}
	// Usage errors: exit 2.
	for _, a := range [][]string{{"combine"}, {"combine", "--match", "people", "a.json"}, {"combine", "a.json", "--format", "csv"}, {"combine", "--out", "a.json", "a.json", "b.json"}} {
		if o := mipspi(t, a...); o.code != exitUsage {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", a, o.code, o.stderr)
		}
	}
}

// TestReportFingerprint: the JSON report names its source (dialect, host, database)
// for combine, never a password.
func TestReportFingerprint(t *testing.T) {
	dsn := smallDB(t)
	out := mustRun(t, args([]string{"report", "--db", dsn, "--format", "json"}, smallPeriod)...).stdout
	var doc struct {
		Source struct{ Dialect, Host, Database string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if doc.Source.Dialect != "sqlite" || doc.Source.Database != filepath.Join(wd, "small.db") {
		t.Errorf("source = %+v", doc.Source)
	}
	f := fingerprint("postgres://reader:Sup3rSecret@db.example.org/ehr?sslmode=require")
	if f == nil || f.String() != "postgres://db.example.org:5432/ehr" || strings.Contains(f.Host+f.Database+f.Port, "Sup3rSecret") {
		t.Errorf("postgres fingerprint = %+v", f)
	}
}

// TestCombineCategory: with the entity's registry answers, every combined row carries
// the whole-category estimate of SPEC §5, the APM Entity's row included, computed from
// the combined figures.
func TestCombineCategory(t *testing.T) {
	combineSites(t)
	cfg := filepath.Join(testdataDir, "combine", "registry.yaml")
	out := mustRun(t, "combine", "--name", "Lakeside ACO", "--config", cfg, "--format", "json", "a.json", "b.json", "c.json").stdout
	var doc struct {
		Entities []struct {
			Level                  string
			Numerator, Denominator int
			PEAPoints              float64 `json:"pea_points"`
			PICategory             *struct {
				EstimatedScore float64 `json:"estimated_score"`
				Measures       []struct {
					MeasureID string  `json:"measure_id"`
					Points    float64 `json:"points"`
				}
			} `json:"pi_category"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	apm := doc.Entities[len(doc.Entities)-1]
	if apm.Level != "apm_entity" || apm.PICategory == nil {
		t.Fatalf("APM Entity row %+v has no PI category estimate", apm)
	}
	// 4/7 of PEA's 25 points, rounded (SPEC §5): 14.
	pea := -1.0
	for _, m := range apm.PICategory.Measures {
		if m.MeasureID == "PI_PEA_1" {
			pea = m.Points
		}
	}
	if pea != 14 || apm.PICategory.EstimatedScore <= 0 {
		t.Errorf("APM Entity: PI_PEA_1 points %v (want 14 from 4/7), estimate %v", pea, apm.PICategory.EstimatedScore)
	}
	for _, e := range doc.Entities {
		if e.PICategory == nil {
			t.Errorf("%s row without an estimate", e.Level)
		}
	}
	table := mustRun(t, "combine", "--name", "Lakeside ACO", "--config", cfg, "a.json", "b.json", "c.json").stdout
	if !regexp.MustCompile(`(?m)^  all TINs +APM Entity Lakeside ACO +57\.14% \(4/7\) +14 of 25 .* [1-9]\d* \(\d+(\.\d+)?\)$`).MatchString(table) {
		t.Errorf("table headline for the APM Entity missing:\n%s", table)
	}
}

// TestCombineTINSlices: one database reported TIN by TIN (--tin) is not the same source
// twice: the slices add up to the whole report.
func TestCombineTINSlices(t *testing.T) {
	t.Chdir(t.TempDir())
	dsn := siteDB(t, "site-b")
	base := []string{"report", "--db", dsn, "--format", "json"}
	mustRun(t, args(base, combinePeriod, []string{"--out", "whole.json"})...)
	mustRun(t, args(base, combinePeriod, []string{"--tin", "123456789", "--out", "t1.json"})...)
	mustRun(t, args(base, combinePeriod, []string{"--tin", "987654321", "--out", "t2.json"})...)
	whole := mustRun(t, "combine", "--format", "csv", "whole.json").stdout
	slices := mustRun(t, "combine", "--format", "csv", "t1.json", "t2.json").stdout
	if whole != slices {
		t.Errorf("TIN slices differ from the whole:\n%s", cmp.Diff(whole, slices))
	}
	o := mipspi(t, "combine", "whole.json", "t1.json")
	if o.code != exitFail || !strings.Contains(o.stderr, "t1.json: the same source as whole.json") {
		t.Errorf("a slice with the whole: exit %d, stderr %q", o.code, o.stderr)
	}
}
