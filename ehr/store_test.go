package ehr_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

const accepted = "want postgres://USER@HOST:PORT/DB, postgresql://…, mysql://USER@HOST:PORT/DB, mariadb://…, sqlite:PATH or file:PATH"

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "ehr.db")
	for _, c := range []struct{ dsn, want string }{
		{"", "open database: no DSN given; " + accepted},
		{"oracle://alice:s3cr3t@db/ehr", `open database: unsupported DSN "oracle"…; ` + accepted},
		{"mysql://alice:s3cr3t@db/ehr?parseTime=true", `open database: invalid MariaDB/MySQL DSN: parameter parseTime is refused`},
		{"alice:s3cr3t@db/ehr", `open database: unsupported DSN "alice"…; ` + accepted},
		{"sqlite:", "open database: empty SQLite path; " + accepted},
		{"postgres://alice:s3cr3t@db:port/ehr", `open database: invalid PostgreSQL DSN: the port is not a number; percent-escape special characters`},
		{"postgres://alice:s3cr3t@127.0.0.1:1/ehr?connect_timeout=5",
			"connect to postgres://alice@127.0.0.1:1/ehr: dial tcp 127.0.0.1:1: connect: connection refused"},
		{"postgresql://alice:s3cr3t@127.0.0.1:1/ehr?sslmode=bogus", "open postgres://alice@127.0.0.1:1/ehr: "},
		{"sqlite:" + missing, "open sqlite:" + missing + ": "},
	} {
		s, err := ehr.Open(ctx, c.dsn)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", c.dsn)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Open(%q):\n got  %v\n want %s", c.dsn, err, c.want)
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("Open(%q) leaks the password: %v", c.dsn, err)
		}
	}
}

func TestOpenSQLite(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{"sqlite:" + filepath.Join(dir, "a.db"), "file:" + filepath.Join(dir, "b.db")} {
		s := open(t, dsn)
		if s.Dialect() != ehr.SQLite {
			t.Errorf("%s: dialect %s", dsn, s.Dialect())
		}
		want := "sqlite:" + strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if s.String() != want {
			t.Errorf("String() = %s, want %s", s, want)
		}
	}
}

// '#' and '%' are plain characters of a SQLite path, not URI syntax.
func TestOpenSQLiteOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ehr #1 100%.db")
	s := open(t, "sqlite:"+path)
	if err := s.Init(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at %s: %v", path, err)
	}
}

func TestOpenPostgresString(t *testing.T) {
	s := openPostgres(t)
	if s.Dialect() != ehr.Postgres || !strings.HasPrefix(s.String(), "postgres://postgres@127.0.0.1:") {
		t.Errorf("dialect %s, String() %s", s.Dialect(), s)
	}
}

func tables(t *testing.T, s *ehr.Store) []string {
	t.Helper()
	q := `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`
	if s.Dialect() == ehr.MariaDB {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1`
	}
	if s.Dialect() == ehr.SQLite {
		q = `SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY 1`
	}
	rows, err := s.DB().DB.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

var specTables = []string{"api_windows", "appointments", "clinical_notes", "clinicians", "offices",
	"patients", "portal_invitations"}

func TestInit(t *testing.T) {
	ctx := context.Background()
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		t.Run("idempotent", func(t *testing.T) {
			for i := 0; i < 2; i++ {
				if err := s.Init(ctx, false); err != nil {
					t.Fatalf("Init #%d: %v", i+1, err)
				}
			}
			if d := cmp.Diff(specTables, tables(t, s)); d != "" {
				t.Errorf("tables (-want +got):\n%s", d)
			}
			load(t, s, "scenario.yaml")
			if err := s.Init(ctx, false); err != nil {
				t.Fatalf("Init over loaded tables: %v", err)
			}
			if _, st := read(t, s, "2025-01-01", "2025-12-31"); st != scenarioStats {
				t.Errorf("Init changed the data: %+v", st)
			}
		})
		t.Run("refuses other relations", func(t *testing.T) {
			exec(t, s, `CREATE TABLE emr_appt (appt_id BIGINT)`, `CREATE VIEW emr_v AS SELECT appt_id FROM emr_appt`)
			err := s.Init(ctx, false)
			want := fmt.Sprintf("init %s: the database already holds 2 other relation(s) (emr_appt, emr_v); "+
				"refusing to create the mipspi tables beside what looks like an EHR (force to override)", s)
			if err == nil || err.Error() != want {
				t.Fatalf("got  %v\nwant %s", err, want)
			}
			if err := s.Init(ctx, true); err != nil {
				t.Fatalf("forced: %v", err)
			}
		})
	})
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		t.Run("refuses SPEC views", func(t *testing.T) {
			exec(t, s, `CREATE VIEW offices AS SELECT 1 AS id, '123456789' AS tin, 'X' AS name, 'UTC' AS timezone`)
			err := s.Init(ctx, false)
			if err == nil || !strings.Contains(err.Error(), "1 other relation(s) (offices)") {
				t.Fatalf("err = %v", err)
			}
			if err := s.Init(ctx, true); err != nil {
				t.Fatalf("forced: %v", err)
			}
			if d := cmp.Diff(specTables, tables(t, s)); d != "" {
				t.Errorf("tables (-want +got):\n%s", d)
			}
		})
	})
}

func TestLoadYAMLErrors(t *testing.T) {
	const fn = "bad.yaml"
	for _, c := range []struct{ name, yaml, want string }{
		{"empty", ``, `load bad.yaml: empty file`},
		{"syntax", "offices: [\n", `load bad.yaml:1: YAML syntax: did not find expected node content`},
		{"not a mapping", "- 1\n", `load bad.yaml: line 1: want a mapping of relation names to lists of rows`},
		{"unknown relation", "offices: []\nappointmentz: []\n",
			`load bad.yaml: line 2: unknown relation "appointmentz" (want one of offices, clinicians, patients, appointments, clinical_notes, portal_invitations, api_windows)`},
		{"not a list", "offices: {id: 1}\n", `load bad.yaml: line 1: offices: want a list of rows`},
		{"row not a mapping", "offices:\n  - 1\n", `load bad.yaml: line 2: offices[0]: want a mapping of column: value`},
		{"unknown column", "offices:\n  - {id: 1, tin: \"1\", name: x, timezone: UTC}\n  - {id: 2, tin: \"1\", name: x, timezone: UTC,\n     colour: red}\n",
			`load bad.yaml: line 4: offices[1] (id 2): unknown column "colour" (want id, tin, name, timezone)`},
		{"id not an integer", "patients: [{id: P7}]\n", `load bad.yaml: line 1: patients[0] column id: not an integer: "P7"`},
		{"id quoted", "patients: [{id: \"7\"}]\n", `load bad.yaml: line 1: patients[0] column id: not an integer: "7"`},
		{"bad timestamp", "appointments:\n  - {id: 311, patient_id: 1, office_id: 1, clinician_id: 1,\n     scheduled_at: \"2025-13-01 99:00\", status: Complete}\n",
			`load bad.yaml: line 3: appointments[0] (id 311) column scheduled_at: unparseable timestamp "2025-13-01 99:00"`},
		{"bad date", "patients: [{id: 1, birth_date: 2025-02-30}]\n",
			`load bad.yaml: line 1: patients[0] (id 1) column birth_date: unparseable date "2025-02-30" (want YYYY-MM-DD)`},
		{"bad boolean", "clinicians: [{id: 1, npi: \"1234567893\", mips_eligible: yes}]\n",
			`load bad.yaml: line 1: clinicians[0] (id 1) column mips_eligible: not a boolean: "yes" (want true or false)`},
		{"missing required", "appointments:\n  - {id: 5, patient_id: 1, office_id: 1, clinician_id: 1, scheduled_at: \"2025-03-03T15:00:00Z\"}\n",
			`load bad.yaml: line 2: appointments[0] (id 5) column status: required value missing`},
		{"NULL required", "offices: [{id: 1, tin: null, name: x, timezone: UTC}]\n",
			`load bad.yaml: line 1: offices[0] (id 1) column tin: required value is NULL`},
		{"list value", "offices: [{id: 1, tin: \"1\", name: [a, b], timezone: UTC}]\n",
			`load bad.yaml: line 1: offices[0] (id 1) column name: want a single value, got a list`},
		{"column twice", "patients: [{id: 1, mrn: a, mrn: b}]\n",
			`load bad.yaml: line 1: patients[0] (id 1): column mrn given twice`},
		{"duplicate id", "patients:\n  - {id: 1}\n  - {id: 2}\n  - {id: 1}\n",
			`load bad.yaml: line 4: patients[2] (id 1): duplicate id (first at line 2)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openSQLite(t)
			if err := s.Init(context.Background(), false); err != nil {
				t.Fatal(err)
			}
			err := s.LoadYAML(context.Background(), fn, strings.NewReader(c.yaml))
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got  %v\nwant %s", err, c.want)
			}
		})
	}
}

// A load is one transaction: a row the database rejects leaves nothing behind.
func TestLoadYAMLAllOrNothing(t *testing.T) {
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		initLoad(t, s, "scenario.yaml")
		err := s.LoadYAML(context.Background(), "more.yaml", strings.NewReader(
			"patients: [{id: 60, mrn: NEW}]\noffices: [{id: 1, tin: \"123456789\", name: Again, timezone: UTC}]\n"))
		if err == nil || !strings.HasPrefix(err.Error(), "load more.yaml: bulk load into "+s.String()+": write offices (rows 1..1): ") {
			t.Fatalf("err = %v", err)
		}
		var n int
		if err := s.DB().DB.QueryRow(`SELECT count(*) FROM patients WHERE id = 60`).Scan(&n); err != nil || n != 0 {
			t.Errorf("patient 60 written by a failed load (count %d, %v)", n, err)
		}
	})
}

// synthetic builds a practice of nPatients with visits spread over 2025, in a
// deterministic order that is not the read order.
func synthetic(nPatients, nVisits int) (rows []func(ehr.RowWriter) error, want []measure.PatientRecord) {
	rows = append(rows, func(w ehr.RowWriter) error {
		return w.Office(ehr.OfficeRow{ID: 1, TIN: "123456789", Name: "Main", Timezone: "America/New_York"})
	}, func(w ehr.RowWriter) error {
		return w.Clinician(ehr.ClinicianRow{ID: 1, NPI: "1234567893", FirstName: "Ann", LastName: "Lee", MIPSEligible: true})
	}, func(w ehr.RowWriter) error {
		return w.APIWindow(ehr.APIWindowRow{ID: 1, TIN: "123456789", EnabledAt: ts("2020-01-01T00:00:00Z")})
	})
	byPatient := map[int64]*measure.PatientRecord{}
	for p := int64(1); p <= int64(nPatients); p++ {
		rec := &measure.PatientRecord{Patient: measure.Patient{ID: p, MRN: fmt.Sprintf("M%d", p), LastName: "Doe"}}
		if p%3 == 0 {
			rec.Patient.Email = fmt.Sprintf("p%d@example.com", p)
			rec.Patient.BirthDate, rec.Patient.HasBirthDate = calendar.MustParseDate("1990-01-02")+calendar.Date(p), true
		}
		if p%4 != 0 {
			// Two invitations; the later one is written first.
			first := time.Date(2018+int(p%8), 1, 1, 12, 0, 0, 0, time.UTC)
			rec.FirstInvitation = &measure.Invitation{ID: 2 * p, SentAt: first, Recipient: "patient", Channel: "email"}
			rows = append(rows, func(w ehr.RowWriter) error {
				return w.Invitation(ehr.InvitationRow{ID: 2*p + 1, PatientID: p, SentAt: first.AddDate(1, 0, 0), Channel: "sms"})
			}, func(w ehr.RowWriter) error {
				return w.Invitation(ehr.InvitationRow{ID: 2 * p, PatientID: p, SentAt: first})
			})
		}
		byPatient[p] = rec
		r := rec.Patient
		rows = append(rows, func(w ehr.RowWriter) error {
			birth := ""
			if r.HasBirthDate {
				birth = r.BirthDate.String()
			}
			return w.Patient(ehr.PatientRow{ID: r.ID, MRN: r.MRN, LastName: r.LastName, BirthDate: birth, Email: r.Email})
		})
	}
	start := ts("2025-01-01T14:00:00Z")
	for a := int64(nVisits); a >= 1; a-- { // written in reverse
		p := a%int64(nPatients) + 1
		v := measure.Visit{ID: a, OfficeID: 1, ClinicianID: 1, ScheduledAt: start.Add(time.Duration(a*7919%360) * 24 * time.Hour),
			Status: []string{"Complete", "No Show", "Arrived"}[a%3]}
		if a%5 != 0 {
			v.Notes = measure.Notes{Count: 1, FirstSigned: v.ScheduledAt.Add(time.Hour), FirstLocked: v.ScheduledAt.Add(49 * time.Hour)}
			rows = append(rows, func(w ehr.RowWriter) error {
				return w.Note(ehr.NoteRow{ID: a, AppointmentID: a, SignedAt: v.Notes.FirstSigned, LockedAt: v.Notes.FirstLocked})
			})
		}
		byPatient[p].Visits = append(byPatient[p].Visits, v)
		rows = append(rows, func(w ehr.RowWriter) error {
			return w.Appointment(ehr.AppointmentRow{ID: v.ID, PatientID: p, OfficeID: 1, ClinicianID: 1,
				ScheduledAt: v.ScheduledAt, Status: v.Status})
		})
	}
	for p := int64(1); p <= int64(nPatients); p++ {
		rec := byPatient[p]
		if len(rec.Visits) == 0 {
			continue
		}
		sort.Slice(rec.Visits, func(i, j int) bool {
			a, b := rec.Visits[i], rec.Visits[j]
			if !a.ScheduledAt.Equal(b.ScheduledAt) {
				return a.ScheduledAt.Before(b.ScheduledAt)
			}
			return a.ID < b.ID
		})
		want = append(want, *rec)
	}
	return rows, want
}

// Rows written through BulkWriter — more than one flush per relation, and on SQLite
// more than one committed batch — read back as the records they were built from.
func TestBulkWriterRoundTrip(t *testing.T) {
	defer ehr.SetSQLiteCommitRows(7000)()
	rows, want := synthetic(700, 23000)
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		ctx := context.Background()
		if err := s.Init(ctx, false); err != nil {
			t.Fatal(err)
		}
		w, err := s.BulkWriter(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			if err := row(w); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, st := read(t, s, "2025-01-01", "2025-12-31")
		if d := cmp.Diff(want, got.patients, cmpOpts); d != "" {
			t.Errorf("patients (-want +got):\n%s", d)
		}
		if st.Appointments != 23000 || st.Patients != 700 || st.Notes != 23000*4/5 {
			t.Errorf("stats %+v", st)
		}
	})
}

func TestBulkWriterAbort(t *testing.T) {
	rows, _ := synthetic(50, 500)
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		ctx := context.Background()
		if err := s.Init(ctx, false); err != nil {
			t.Fatal(err)
		}
		w, err := s.BulkWriter(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			if err := row(w); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if err := w.Appointment(ehr.AppointmentRow{ID: 1}); err == nil {
			t.Error("write after Abort accepted")
		}
		for _, rel := range ehr.Relations {
			var n int
			if err := s.DB().DB.QueryRow(`SELECT count(*) FROM ` + rel).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d rows after Abort (%v)", rel, n, err)
			}
		}
	})
}

func TestBulkWriterRejectsBadBirthDate(t *testing.T) {
	s := openSQLite(t)
	if err := s.Init(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	w, err := s.BulkWriter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	err = w.Patient(ehr.PatientRow{ID: 4, BirthDate: "04/05/1990"})
	if err == nil || err.Error() != `patients id 4 column birth_date: unparseable date "04/05/1990"` {
		t.Fatalf("err = %v", err)
	}
}
