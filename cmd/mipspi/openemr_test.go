package main

// OpenEMR (SPEC §8) end to end: db generate --ehr openemr, a report on it with the
// configuration it wrote, --ehr's precedence, and db check's exits and refusals.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/internal/mariadbtest"
	"github.com/mipspi/mipspi/internal/pgtest"
	"github.com/mipspi/mipspi/measure"
)

// openemrPractice is a fresh OpenEMR database holding a small generated practice, its
// DSN (the administrative login), its name and the configuration file db generate wrote.
func openemrPractice(t *testing.T) (dsn, db, config string) {
	t.Helper()
	dsn = mariadbtest.NewOpenEMR(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	config = filepath.Join(t.TempDir(), "openemr.yaml")
	mustRun(t, "db", "generate", "--db", dsn, "--ehr", "openemr", "--patients", "300", "--appointments", "1200",
		"--clinicians", "6", "--config-out", config, "--quiet")
	return dsn, strings.TrimPrefix(u.Path, "/"), config
}

var openemrPeriod = []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2026-02-01"}

func TestOpenEMRReportAndCheck(t *testing.T) {
	dsn, db, config := openemrPractice(t)
	t.Chdir(t.TempDir())

	// The configuration db generate wrote says ehr: openemr; the report reads OpenEMR.
	o := mustRun(t, args([]string{"report", "--db", dsn, "--config", config, "--format", "json"}, openemrPeriod)...)
	var rep struct {
		Entities []struct{ Denominator int }
		Findings []struct{ Code string }
	}
	if err := json.Unmarshal([]byte(o.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Entities) == 0 || rep.Entities[0].Denominator == 0 {
		t.Errorf("entities = %+v, want figures", rep.Entities)
	}
	codes := map[string]bool{}
	for _, f := range rep.Findings {
		codes[f.Code] = true
	}
	if !codes["RECURRING_APPOINTMENT"] {
		t.Errorf("findings %v lack the generated seen series' RECURRING_APPOINTMENT", codes)
	}

	// --ehr mipspi beats $MIPSPI_EHR and the file's ehr: openemr: the section 3
	// relations are not there (exit 1, naming the relation).
	t.Setenv("MIPSPI_EHR", "openemr")
	o = mipspi(t, args([]string{"report", "--db", dsn, "--config", config, "--ehr", "mipspi"}, openemrPeriod)...)
	if o.code != exitFail || !strings.Contains(o.stderr, "offices") {
		t.Errorf("--ehr mipspi on OpenEMR: exit %d, stderr %q", o.code, o.stderr)
	}
	// $MIPSPI_EHR beats the configuration.
	plain := filepath.Join(t.TempDir(), "plain.yaml")
	os.WriteFile(plain, []byte("ehr: mipspi\n"), 0o600)
	o = mipspi(t, args([]string{"report", "--db", dsn, "--config", plain}, openemrPeriod)...)
	if o.code != exitUsage || !strings.Contains(o.stderr, "openemr.api_windows") {
		t.Errorf("$MIPSPI_EHR=openemr over ehr: mipspi: exit %d, stderr %q; want the API windows usage error", o.code, o.stderr)
	}
	t.Setenv("MIPSPI_EHR", "")

	// db check: a report can run (exit 0).
	o = mipspi(t, "db", "check", "--db", dsn, "--config", config, "--from", "2025-01-01", "--to", "2025-12-31")
	if o.code != exitOK || !strings.Contains(o.stdout, "A report can run.") || !strings.Contains(o.stdout, "version           8.2.0, database 541") {
		t.Errorf("db check: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
	}
	// Without the configuration: no attested windows while rest_fhir_api is on, and
	// no zone once gbl_time_zone is gone — both listed, exit 1.
	mariadbtest.Exec(t, db, "DELETE FROM globals WHERE gl_name = 'gbl_time_zone'")
	o = mipspi(t, "db", "check", "--db", dsn, "--ehr", "openemr", "--format", "json", "--from", "2025-01-01", "--to", "2025-12-31")
	var chk struct {
		Refusals  []string `json:"refusals"`
		CanReport bool     `json:"report_can_run"`
	}
	if err := json.Unmarshal([]byte(o.stdout), &chk); err != nil {
		t.Fatalf("%v: %s", err, o.stdout)
	}
	if o.code != exitFail || chk.CanReport || len(chk.Refusals) != 2 ||
		!strings.HasPrefix(chk.Refusals[0], "openemr.time_zone: OpenEMR's globals hold no gbl_time_zone") ||
		!strings.HasPrefix(chk.Refusals[1], "openemr.api_windows:") {
		t.Errorf("db check without settings: exit %d, refusals %q", o.code, chk.Refusals)
	}
	if o.stderr != "mipspi: db check: a report cannot run (2 refusals listed)\n" {
		t.Errorf("stderr %q", o.stderr)
	}
	// A report gives the first of them as a usage error.
	o = mipspi(t, args([]string{"report", "--db", dsn, "--ehr", "openemr"}, openemrPeriod)...)
	if o.code != exitUsage || !strings.Contains(o.stderr, "openemr.time_zone") {
		t.Errorf("report without a zone: exit %d, stderr %q", o.code, o.stderr)
	}

	// A login without SELECT on one table is told which.
	const password = "Oe-Reader-9"
	var grants []string
	for _, table := range []string{"facility", "users", "patient_data", "openemr_postcalendar_events", "form_encounter",
		"forms", "esign_signatures", "patient_access_onsite", "list_options", "globals", "version"} {
		grants = append(grants, "GRANT SELECT ON {db}."+table+" TO '{user}'@'127.0.0.1'")
	}
	user := newLogin(t, db, password, grants...)
	o = mipspi(t, "db", "check", "--db", withLogin(t, dsn, user, password), "--config", config, "--from", "2025-01-01", "--to", "2025-12-31")
	if o.code != exitFail || !strings.Contains(o.stdout, "cannot read patient_tracker") || strings.Contains(o.stdout+o.stderr, password) {
		t.Errorf("db check without SELECT on patient_tracker: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
	}
}

// TestCheckUsage covers db check's own usage errors (exit 2) and the section 3 check.
func TestCheckUsage(t *testing.T) {
	dsn := smallDB(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "xml"}, "--format xml is not one of table, json"},
		{[]string{"--ehr", "openemr"}, "--ehr openemr reads OpenEMR's own tables, which live in MariaDB or MySQL; --db sqlite:small.db is a SQLite database"},
		{[]string{"--ehr", "epic"}, "--ehr epic is not one of mipspi, openemr"},
		{[]string{"--from", "2025-01-01", "--to", "2026-01-02"}, "spans two calendar years"},
	} {
		o := mipspi(t, append([]string{"db", "check", "--db", dsn}, c.args...)...)
		if o.code != exitUsage || !strings.Contains(o.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, o.code, o.stderr, c.want)
		}
	}
	o := mipspi(t, "db", "check", "--db", dsn, "--from", "2025-01-01", "--to", "2025-12-31")
	if o.code != exitOK || !strings.Contains(o.stdout, "appointments") || !strings.Contains(o.stdout, "A report can run.") {
		t.Errorf("section 3 check: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	// An office whose zone is not an IANA name: listed, exit 1.
	mustRun(t, "db", "init", "--db", "sqlite:bad.db")
	os.WriteFile("bad.yaml", []byte("offices:\n  - {id: 1, tin: \"123456789\", name: Main, timezone: Central}\n"), 0o600)
	mustRun(t, "db", "load", "--db", "sqlite:bad.db", "bad.yaml")
	o = mipspi(t, "db", "check", "--db", "sqlite:bad.db", "--from", "2025-01-01", "--to", "2025-12-31")
	if o.code != exitFail || !strings.Contains(o.stdout, "data error: offices id 1 column timezone") {
		t.Errorf("bad zone: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
}

// TestCheckDialects runs db check on the section 3 relations of the small scenario in
// PostgreSQL and MariaDB: the same tables, the same verdict, the same statuses.
func TestCheckDialects(t *testing.T) {
	sqlite := smallDB(t)
	pg := pgtest.NewDatabase(t)
	mustRun(t, "db", "init", "--db", pg)
	mustRun(t, "db", "load", "--db", pg, filepath.Join(testdataDir, "small.yaml"))
	maria, _ := mariadbSmall(t)
	var want string
	for _, dsn := range []string{sqlite, pg, maria} {
		o := mipspi(t, "db", "check", "--db", dsn, "--format", "json", "--from", "2025-01-01", "--to", "2025-12-31")
		var chk struct {
			Relations []struct {
				Name string
				Rows int64
			}
			Statuses []struct {
				Status string
				Count  int
				Class  string
			}
			Offices []struct {
				TIN  string
				Zone string
			}
			CanReport bool `json:"report_can_run"`
		}
		if err := json.Unmarshal([]byte(o.stdout), &chk); err != nil {
			t.Fatalf("%s: %v\n%s", dsn, err, o.stderr)
		}
		if o.code != exitOK || !chk.CanReport {
			t.Errorf("%s: exit %d, can report %v\n%s", dsn, o.code, chk.CanReport, o.stderr)
		}
		chk.CanReport = false
		b, _ := json.Marshal(chk)
		if want == "" {
			want = string(b)
		} else if string(b) != want {
			t.Errorf("%s: db check found\n%s\nSQLite found\n%s", dsn, b, want)
		}
	}
}

// TestAPIByTIN covers db check's API windows per TIN: never enabled, overlapping, of no
// office, an office without a TIN.
func TestAPIByTIN(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	p := measure.Practice{Offices: []measure.Office{{ID: 1, TIN: "111111111", Name: "A"}, {ID: 2, TIN: "222222222", Name: "B"},
		{ID: 3, TIN: "", Name: "C"}, {ID: -1, TIN: "", Name: "placeholder"}}}
	windows := []measure.APIWindow{
		{ID: 1, TIN: "111111111", Enabled: at("2024-01-01T00:00:00Z"), Disabled: at("2025-01-01T00:00:00Z")},
		{ID: 2, TIN: "111111111", Enabled: at("2024-06-01T00:00:00Z")},
		{ID: 3, TIN: "333333333", Enabled: at("2024-06-01T00:00:00Z")},
	}
	var got []string
	for _, c := range apiByTIN(windows, p, nil) {
		got = append(got, fmt.Sprintf("%s %q %d %s", c.TIN, c.Practice, len(c.Windows), c.Problem))
	}
	want := []string{
		` "C" 0 offices without a TIN: a visit there counts under no TIN a registry knows (INVALID_TIN)`,
		`111111111 "A" 2 windows 1 and 2 overlap`,
		`222222222 "B" 0 never enabled: no visit under this TIN can be timely`,
		`333333333 "" 1 no office has this TIN`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
