package main

// Hostile EHR rows, end to end (issue 7, SPEC §3 and R10): each row either stops the run
// (exit 1) with one line naming relation, id and column, or is a data-quality finding
// that is reported and does not stop it. Whatever the row holds, no output carries a raw
// control character, no message or terminal cell carries a 10 KB string, nothing
// panics, and no patient name reaches stderr.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/internal/pgtest"
	"github.com/mipspi/mipspi/internal/sanitize"
)

// looseTables are the SPEC §3 relations without constraints, as views over an EHR may
// be (no NOT NULL, no primary key; in SQLite no types at all), so that every hostile
// row can be stored.
var looseTables = map[string][]string{
	ehr.Postgres: {
		`CREATE TABLE offices (id BIGINT, tin TEXT, name TEXT, timezone TEXT)`,
		`CREATE TABLE clinicians (id BIGINT, npi TEXT, first_name TEXT, last_name TEXT, mips_eligible BOOLEAN DEFAULT TRUE)`,
		`CREATE TABLE patients (id BIGINT, mrn TEXT, first_name TEXT, last_name TEXT, birth_date DATE, email TEXT)`,
		`CREATE TABLE appointments (id BIGINT, patient_id BIGINT, office_id BIGINT, clinician_id BIGINT, scheduled_at TIMESTAMPTZ, status TEXT)`,
		`CREATE TABLE clinical_notes (id BIGINT, appointment_id BIGINT, signed_at TIMESTAMPTZ, locked_at TIMESTAMPTZ)`,
		`CREATE TABLE portal_invitations (id BIGINT, patient_id BIGINT, sent_at TIMESTAMPTZ, recipient TEXT DEFAULT 'patient', channel TEXT DEFAULT 'email')`,
		`CREATE TABLE api_windows (id BIGINT, tin TEXT, enabled_at TIMESTAMPTZ, disabled_at TIMESTAMPTZ)`,
	},
	ehr.SQLite: {
		`CREATE TABLE offices (id, tin, name, timezone)`,
		`CREATE TABLE clinicians (id, npi, first_name, last_name, mips_eligible DEFAULT 1)`,
		`CREATE TABLE patients (id, mrn, first_name, last_name, birth_date, email)`,
		`CREATE TABLE appointments (id, patient_id, office_id, clinician_id, scheduled_at, status)`,
		`CREATE TABLE clinical_notes (id, appointment_id, signed_at, locked_at)`,
		`CREATE TABLE portal_invitations (id, patient_id, sent_at, recipient DEFAULT 'patient', channel DEFAULT 'email')`,
		`CREATE TABLE api_windows (id, tin, enabled_at, disabled_at)`,
	},
}

// hostileDB builds the small scenario in unconstrained tables of the dialect, applies
// stmts and returns the DSN.
func hostileDB(t *testing.T, dialect string, stmts []string) string {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "h.db")
	if dialect == ehr.Postgres {
		dsn = pgtest.NewDatabase(t)
	} else {
		mustRun(t, "db", "init", "--db", dsn) // creates the file ...
		dropAll(t, dsn)                       // ... whose tables are replaced by loose ones
	}
	ctx := context.Background()
	st, err := ehr.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, q := range looseTables[dialect] {
		if _, err := st.DB().DB.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	mustRun(t, "db", "load", "--db", dsn, filepath.Join(testdataDir, "small.yaml"))
	for _, q := range stmts {
		if _, err := st.DB().DB.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return dsn
}

func dropAll(t *testing.T, dsn string) {
	t.Helper()
	st, err := ehr.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, rel := range []string{"offices", "clinicians", "patients", "appointments", "clinical_notes", "portal_invitations", "api_windows"} {
		if _, err := st.DB().DB.Exec("DROP TABLE " + rel); err != nil {
			t.Fatal(err)
		}
	}
}

// patientMarker is a patient name that must never reach stderr (issue 7: messages carry
// ids, not patient data).
const patientMarker = "ZQXPATIENTNAMEZQX"

const (
	esc   = "' || char(27) || '"
	bel   = "' || char(7) || '"
	k10   = "printf('%.*c', 10000, 'y')"
	zone  = `unknown time zone %s (want an IANA name like America/Chicago)`
	sixty = "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
)

// PostgreSQL spells char() chr() and printf() with repeat().
func forDialect(dialect, q string) string {
	if dialect != ehr.Postgres {
		return q
	}
	return strings.NewReplacer("char(", "chr(", "printf('%.*c', 10000, 'y')", "repeat('y', 10000)").Replace(q)
}

func TestHostileRows(t *testing.T) {
	both := []string{ehr.SQLite, ehr.Postgres}
	lite := []string{ehr.SQLite}
	tests := []struct {
		name     string
		dialects []string
		stmts    []string
		asOf     string // default smallPeriod's
		// Either the one line on stderr of a failed run (exit 1) ...
		err string
		// ... or, for a run that goes on, issue rows that must appear in the JSON report
		// (code and detail) and run findings (code and message).
		issues   []issue
		findings []finding
	}{
		// Errors: the row breaks SPEC §3.
		{name: "unparseable timestamp", dialects: lite,
			stmts: []string{`UPDATE appointments SET scheduled_at = 'yesterday' WHERE id = 103`},
			err:   `appointments id 103 column scheduled_at: unparseable timestamp "yesterday"`},
		{name: "month 13", dialects: lite,
			stmts: []string{`UPDATE appointments SET scheduled_at = '2025-13-01T10:00:00Z' WHERE id = 103`},
			err:   `appointments id 103 column scheduled_at: unparseable timestamp "2025-13-01T10:00:00Z"`},
		{name: "offset beyond any zone", dialects: lite,
			// julianday() cannot read it: it would otherwise be taken as patient 1's first invitation.
			stmts: []string{`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (399, 1, '2025-06-01T00:00:00+15:00')`},
			err:   `portal_invitations id 399 column sent_at: unparseable timestamp "2025-06-01T00:00:00+15:00"`},
		{name: "lock at the zero instant", dialects: both,
			stmts: []string{`UPDATE clinical_notes SET locked_at = '0001-01-01T00:00:00Z' WHERE id = 202`},
			err:   `clinical_notes column locked_at: timestamp 0001-01-01T00:00:00Z cannot be told from a missing value (note of appointment 102)`},
		{name: "invitation at the zero instant", dialects: both,
			stmts: []string{`UPDATE portal_invitations SET sent_at = '0001-01-01T00:00:00Z' WHERE id = 301`},
			err:   `portal_invitations id 301 column sent_at: timestamp 0001-01-01T00:00:00Z cannot be told from a missing value`},
		{name: "unknown zone", dialects: both,
			stmts: []string{`UPDATE offices SET timezone = 'Mars/Olympus'`},
			err:   `offices id 1 column timezone: ` + fmt.Sprintf(zone, `"Mars/Olympus"`)},
		{name: "zone with control characters", dialects: both,
			stmts: []string{`UPDATE offices SET timezone = 'America/Chicago` + esc + `[2J` + bel + `'`},
			err:   `offices id 1 column timezone: ` + fmt.Sprintf(zone, `"America/Chicago\x1b[2J\a"`)},
		{name: "10 KB zone", dialects: both,
			stmts: []string{`UPDATE offices SET timezone = ` + k10},
			err:   `offices id 1 column timezone: ` + fmt.Sprintf(zone, `"`+sixty+`"… (10000 bytes)`)},
		{name: "NULL status", dialects: both,
			stmts: []string{`UPDATE appointments SET status = NULL WHERE id = 104`},
			err:   `appointments id 104 column status: required value is NULL`},
		{name: "NULL scheduled_at", dialects: both,
			stmts: []string{`UPDATE appointments SET scheduled_at = NULL WHERE id = 104`},
			err:   `appointments id 104 column scheduled_at: required value is NULL`},
		{name: "NULL office name", dialects: both,
			stmts: []string{`UPDATE offices SET name = NULL`},
			err:   `offices id 1 column name: required value is NULL`},
		{name: "NULL NPI", dialects: both,
			stmts: []string{`UPDATE clinicians SET npi = NULL WHERE id = 2`},
			err:   `clinicians id 2 column npi: required value is NULL`},
		{name: "dangling clinician", dialects: both,
			stmts: []string{`UPDATE appointments SET clinician_id = 99 WHERE id = 104`},
			err:   `appointments id 104 column clinician_id: clinician 99 not found in clinicians`},
		{name: "dangling patient", dialects: both,
			stmts: []string{`UPDATE appointments SET patient_id = 98 WHERE id = 104`},
			err:   `appointments id 104 column patient_id: patient 98 not found in patients`},
		{name: "duplicate patient id, names in it", dialects: both,
			stmts: []string{`INSERT INTO patients (id, mrn, first_name, last_name) VALUES (2, 'M002B', '` + patientMarker + `', '` + patientMarker + `')`},
			err:   `patients id 2 column id: duplicate id: 2 rows`},
		{name: "duplicate appointment id", dialects: both,
			stmts: []string{`INSERT INTO appointments (id, patient_id, office_id, clinician_id, scheduled_at, status) VALUES (104, 1, 1, 1, '2025-08-01T15:00:00Z', 'Complete')`},
			err:   `appointments id 104 column id: duplicate id: 2 rows`},
		// Issue 13 row 10: a portal_invitations view repeating an id was blamed on
		// appointments (SQLite) or passed unnoticed (PostgreSQL).
		{name: "duplicate invitation id", dialects: both,
			stmts: []string{`INSERT INTO portal_invitations (id, patient_id, sent_at, recipient, channel) SELECT id, patient_id, sent_at, recipient, channel FROM portal_invitations WHERE id = (SELECT min(id) FROM portal_invitations)`},
			err:   `portal_invitations id 301 column id: duplicate id: 2 rows`},
		{name: "impossible birth date of a named patient", dialects: lite,
			stmts: []string{`UPDATE patients SET first_name = '` + patientMarker + `', last_name = '` + patientMarker + `', birth_date = '1980-02-30' WHERE id = 2`},
			err:   `patients id 2 column birth_date: unparseable date "1980-02-30"`},
		{name: "eligibility yes", dialects: lite,
			stmts: []string{`UPDATE clinicians SET mips_eligible = 'yes' WHERE id = 1`},
			err:   `clinicians id 1 column mips_eligible: not a boolean (want 0 or 1): "yes"`},

		// Findings: the run goes on.
		{name: "status with control characters, 10 KB", dialects: both,
			stmts:    []string{`UPDATE appointments SET status = 'Seen` + esc + `[2J` + bel + `' || ` + k10 + ` WHERE id = 106`},
			findings: []finding{{"UNKNOWN_STATUS", `appointment status "Seen[2J` + sixty[:57] + `…" (1 appointments) is not a known status; it is not counted as seen unless added to seen_statuses`}}},
		{name: "email that is not an email", dialects: both,
			stmts:  []string{`UPDATE patients SET email = 'ann@@example' WHERE id = 1`},
			issues: []issue{{"INVALID_EMAIL", `email on file is not a usable address: "ann@@example"`}}},
		{name: "invalid NPI", dialects: both,
			stmts:  []string{`UPDATE clinicians SET npi = '1234567890' WHERE id = 1`},
			issues: []issue{{"INVALID_NPI", ``}}},
		{name: "TIN with control characters, 10 KB", dialects: both,
			stmts:  []string{`UPDATE offices SET tin = '12` + esc + `[31m' || ` + k10, `UPDATE api_windows SET tin = (SELECT tin FROM offices)`},
			issues: []issue{{"INVALID_TIN", ``}}},
		{name: "TIN with control characters, 10 KB, API never enabled", dialects: both,
			stmts:    []string{`UPDATE offices SET tin = '12` + esc + `[31m' || ` + k10, `DELETE FROM api_windows`},
			issues:   []issue{{"INVALID_TIN", ``}},
			findings: []finding{{"API_NEVER_ENABLED", ``}, {"NUMERATOR_ZERO", ``}}},
		{name: "clinician name with control characters, 10 KB", dialects: both,
			stmts:  []string{`UPDATE clinicians SET last_name = 'Ad` + bel + esc + `[2J' || ` + k10 + ` WHERE id = 1`},
			issues: []issue{{"NOTE_LOCKED_LATE", "note locked 2025-03-14, 4 business days late"}}},
		{name: "patient name with control characters, 10 KB", dialects: both,
			stmts:  []string{`UPDATE patients SET first_name = '` + patientMarker + esc + `[2J', last_name = ` + k10 + ` WHERE id = 2`},
			issues: []issue{{"NOTE_LOCKED_LATE", "note locked 2025-03-14, 4 business days late"}}},
		// The business-day counts were checked by an independent count (weekdays of
		// (deadline 2025-03-10, lock date] less observed federal holidays; for 9999 the
		// New Year's Day of 10000 is observed on Friday 9999-12-31).
		{name: "lock decades away", dialects: both, asOf: "2080-01-15T12:00:00Z",
			stmts:  []string{`UPDATE clinical_notes SET locked_at = '2075-03-14T20:00:00Z' WHERE id = 202`},
			issues: []issue{{"NOTE_LOCKED_LATE", "note locked 2075-03-14, 12498 business days late"}}},
		{name: "lock in 9999, as of 9999", dialects: both, asOf: "9999-12-31T23:59:59Z",
			stmts:  []string{`UPDATE clinical_notes SET locked_at = '9999-12-31T23:59:59Z' WHERE id = 202`},
			issues: []issue{{"NOTE_LOCKED_LATE", "note locked 9999-12-31, 1992807 business days late"}}}, // 9999-12-31 is a holiday: the next business day (R9)
		{name: "lock in 9999, as of 2025", dialects: both,
			stmts:  []string{`UPDATE clinical_notes SET locked_at = '9999-12-31T23:59:59Z' WHERE id = 202`},
			issues: []issue{{"NOTE_NOT_LOCKED", "note signed but not locked"}}},
		{name: "lock in year 1", dialects: both,
			stmts:  []string{`UPDATE clinical_notes SET locked_at = '0001-01-01T00:00:01Z' WHERE id = 202`},
			issues: []issue{{"LOCK_BEFORE_VISIT", ""}}},
		{name: "invitation in year 1, API for ever", dialects: both,
			stmts: []string{`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (398, 3, '0001-01-01T00:00:01Z')`,
				`UPDATE api_windows SET enabled_at = '0001-01-01T00:00:01Z', disabled_at = '9999-12-31T23:59:59Z'`},
			issues: []issue{{"NOTE_LOCKED_LATE", "note locked 2025-03-14, 4 business days late"}}},
		{name: "visit in 9999", dialects: both,
			stmts:  []string{`UPDATE appointments SET scheduled_at = '9999-12-31T23:59:59Z' WHERE id = 104`},
			issues: []issue{{"NOTE_LOCKED_LATE", "note locked 2025-03-14, 4 business days late"}}},
	}
	for _, tc := range tests {
		for _, dialect := range tc.dialects {
			t.Run(tc.name+"/"+dialect, func(t *testing.T) {
				t.Parallel()
				stmts := make([]string, len(tc.stmts))
				for i, q := range tc.stmts {
					stmts[i] = forDialect(dialect, q)
				}
				dsn := hostileDB(t, dialect, stmts)
				period := smallPeriod
				if tc.asOf != "" {
					period = []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", tc.asOf}
				}
				out := t.TempDir()
				runs := [][]string{
					{"report", "--format", "table"},
					{"report", "--format", "json", "--patients", "--out", filepath.Join(out, "r.json")},
					{"report", "--format", "csv", "--table", "issues"},
					{"report", "--format", "csv", "--table", "patients"},
					{"report", "--format", "xlsx", "--out", filepath.Join(out, "r.xlsx")},
					{"report", "--format", "html", "--out", filepath.Join(out, "r.html")},
					{"notes", "--format", "table"},
				}
				for _, r := range runs {
					o := mipspi(t, append(append([]string{r[0], "--db", dsn}, period...), r[1:]...)...)
					what := strings.Join(r, " ")
					if strings.Contains(o.stderr, patientMarker) {
						t.Errorf("%s: a patient's name reached stderr:\n%.300s", what, o.stderr)
					}
					checkClean(t, what+" stderr", o.stderr, sanitize.MaxLine+100) // prefix and [CODE] besides
					if tc.err != "" {
						if want := "mipspi: " + tc.err + "\n"; o.code != exitFail || o.stderr != want {
							t.Errorf("%s: exit %d, stderr\n%q\nwant exit 1 and\n%q", what, o.code, o.stderr, want)
						}
						if o.stdout != "" || len(dirNames(t, out)) != 0 {
							t.Errorf("%s: a failed run wrote output: stdout %d bytes, files %v", what, len(o.stdout), dirNames(t, out))
						}
						continue
					}
					if o.code != exitOK {
						t.Fatalf("%s: exit %d, stderr:\n%.500s", what, o.code, o.stderr)
					}
					if r[2] == "table" { // what a terminal shows: no control characters, no 10 KB cells
						checkClean(t, what, o.stdout, 400)
					}
					// CSV keeps data verbatim (control characters included) for the
					// spreadsheet it is meant for; JSON escapes them (checked below).
				}
				if tc.err != "" {
					return
				}
				data, err := os.ReadFile(filepath.Join(out, "r.json"))
				if err != nil {
					t.Fatal(err)
				}
				checkClean(t, "json", string(data), 0)
				var rep struct {
					Issues   []issue   `json:"issues"`
					Findings []finding `json:"findings"`
				}
				if err := json.Unmarshal(data, &rep); err != nil {
					t.Fatal(err)
				}
				for _, want := range tc.issues {
					if !containsIssue(rep.Issues, want) {
						t.Errorf("no issue %+v among %+v", want, rep.Issues)
					}
				}
				for _, want := range tc.findings {
					if !slices.ContainsFunc(rep.Findings, func(f finding) bool {
						return f.Code == want.Code && (want.Message == "" || f.Message == want.Message)
					}) {
						t.Errorf("no finding %+v among %+v", want, rep.Findings)
					}
				}
			})
		}
	}
}

type issue struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

type finding struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// containsIssue: an issue of want's code, with want's detail when one is given.
func containsIssue(list []issue, want issue) bool {
	for _, is := range list {
		if is.Code == want.Code && (want.Detail == "" || is.Detail == want.Detail) {
			return true
		}
	}
	return false
}

// checkClean fails when s holds a control character other than newline (C0, DEL, C1:
// what could drive a terminal) or, with maxLine > 0, a line longer than maxLine runes.
func checkClean(t *testing.T, what, s string, maxLine int) {
	t.Helper()
	for i, r := range s {
		if r != '\n' && sanitize.Unsafe(r, len(string(r))) {
			t.Errorf("%s: unsafe character %U at byte %d: %q", what, r, i, s[max(0, i-40):min(len(s), i+40)])
			return
		}
	}
	if maxLine > 0 {
		for _, line := range strings.Split(s, "\n") {
			if n := utf8.RuneCountInString(line); n > maxLine {
				t.Errorf("%s: a line of %d characters: %.120q…", what, n, line)
				return
			}
		}
	}
}

// TestPrintable: what messages on stderr make of hostile text.
func TestPrintable(t *testing.T) {
	long := strings.Repeat("é", sanitize.MaxLine+100)
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"two\nlines", "two\nlines"},
		{"TIN 12\x1b[31m", `TIN 12\x1b[31m`},
		{"bell\a tab\t cr\r nul\x00 del\x7f", `bell\x07 tab\x09 cr\x0d nul\x00 del\x7f`},
		{"C1 \u0085 \u009b2J", `C1 \x85 \x9b2J`},
		{"bad \xff utf-8", `bad \xff utf-8`},
		{"bidi \u202eevil\u2066 ok\u200d", `bidi \u202eevil\u2066 ok` + "\u200d"},
		{long, strings.Repeat("é", sanitize.MaxLine) + "…"},
		{long + "\nnext", strings.Repeat("é", sanitize.MaxLine) + "…\nnext"},
	} {
		if got := printable(tc.in); got != tc.want {
			t.Errorf("printable(%.40q) = %.80q, want %.80q", tc.in, got, tc.want)
		}
	}
	if got := oneLine("a\x1b\n  b\tc"); got != `a\x1b b c` {
		t.Errorf("oneLine = %q", got)
	}
}
