package ehr_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/google/go-cmp/cmp"
	"github.com/lib/pq"
	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

// scenarioPractice and scenarioPatients are testdata/scenario.yaml read for 2025, worked
// out by hand from the comments in the file.
var scenarioPractice = measure.Practice{
	Offices: []measure.Office{
		{ID: 1, TIN: "123456789", Name: "Main", Zone: zone("America/Chicago")},
		{ID: 2, TIN: "987654321", Name: "West", Zone: zone("America/Los_Angeles")},
	},
	Clinicians: []measure.Clinician{
		{ID: 1, NPI: "1234567893", FirstName: "Ann", LastName: "Lee", Eligible: true},
		{ID: 2, NPI: "1245319599", FirstName: "Raj", LastName: "Patel", Eligible: false},
		{ID: 3, NPI: "1679576722", LastName: "Okafor", Eligible: true},
	},
	APIWindows: []measure.APIWindow{
		{ID: 1, TIN: "123456789", Enabled: ts("2020-01-01T00:00:00Z")},
		{ID: 2, TIN: "987654321", Enabled: ts("2025-03-01T08:00:00Z"), Disabled: ts("2025-04-01T07:00:00Z")},
		{ID: 3, TIN: "987654321", Enabled: ts("2025-05-01T07:00:00Z")},
	},
}

var scenarioPatients = []measure.PatientRecord{
	{
		Patient: measure.Patient{ID: 1, MRN: "M1", FirstName: "Bo", LastName: "Diaz",
			BirthDate: calendar.MustParseDate("1980-02-03"), HasBirthDate: true, Email: "bo@example.com"},
		FirstInvitation: &measure.Invitation{ID: 1, SentAt: ts("2019-05-01T12:00:00Z"), Recipient: "patient", Channel: "email"},
		Visits: []measure.Visit{
			{ID: 10, OfficeID: 1, ClinicianID: 3, ScheduledAt: ts("2025-03-03T14:00:00Z"), Status: "Complete"},
			{ID: 1, OfficeID: 1, ClinicianID: 1, ScheduledAt: ts("2025-03-03T15:00:00Z"), Status: "Complete",
				Notes: measure.Notes{Count: 2, FirstSigned: ts("2025-03-04T10:00:00Z"), FirstLocked: ts("2025-03-05T10:00:00Z")}},
			{ID: 9, OfficeID: 1, ClinicianID: 1, ScheduledAt: ts("2025-03-03T15:00:00Z"), Status: "checked in"},
			{ID: 2, OfficeID: 1, ClinicianID: 1, ScheduledAt: ts("2025-03-10T15:00:00Z"), Status: "No Show"},
		},
	},
	{
		Patient:         measure.Patient{ID: 2, MRN: "M2", FirstName: "Cy", LastName: "Eng"},
		FirstInvitation: &measure.Invitation{ID: 3, SentAt: ts("2025-06-10T12:00:00Z"), Recipient: "representative", Channel: "printed"},
		Visits: []measure.Visit{
			{ID: 3, OfficeID: 2, ClinicianID: 2, ScheduledAt: ts("2025-06-02T17:00:00Z"), Status: "Arrived",
				Notes: measure.Notes{Count: 1, FirstSigned: ts("2025-06-03T12:00:00Z")}},
		},
	},
	{
		Patient: measure.Patient{ID: 3, MRN: "M3", FirstName: "Di", LastName: "Fox",
			BirthDate: calendar.MustParseDate("1975-12-31"), HasBirthDate: true},
		FirstInvitation: &measure.Invitation{ID: 5, SentAt: ts("2024-01-10T12:00:00Z"), Recipient: "patient", Channel: "email"},
		Visits: []measure.Visit{
			{ID: 4, OfficeID: 1, ClinicianID: 3, ScheduledAt: ts("2024-12-31T05:00:00Z"), Status: "Complete"},
		},
	},
	{
		Patient:         measure.Patient{ID: 5, MRN: "M5", FirstName: "Fay", LastName: "Hu", Email: "fay@example.com"},
		FirstInvitation: &measure.Invitation{ID: 8, SentAt: ts("2025-02-01T00:00:00Z"), Recipient: "patient", Channel: "email"},
		Visits: []measure.Visit{
			{ID: 7, OfficeID: 2, ClinicianID: 1, ScheduledAt: ts("2026-01-01T06:00:00Z"), Status: "Complete",
				Notes: measure.Notes{Count: 1}},
		},
	},
}

var scenarioStats = ehr.ReadStats{Offices: 2, Clinicians: 3, Patients: 4, Appointments: 7, Notes: 4,
	Invitations: 4, APIWindows: 3}

func checkScenario(t *testing.T, s *ehr.Store) {
	t.Helper()
	got, st := read(t, s, "2025-01-01", "2025-12-31")
	if d := cmp.Diff(scenarioPractice, got.practice, cmpOpts); d != "" {
		t.Errorf("practice (-want +got):\n%s", d)
	}
	if d := cmp.Diff(scenarioPatients, got.patients, cmpOpts); d != "" {
		t.Errorf("patients (-want +got):\n%s", d)
	}
	if st != scenarioStats {
		t.Errorf("stats = %+v, want %+v", st, scenarioStats)
	}
}

// The scenario read on each dialect gives exactly the hand-worked records: window
// margins, tie-breaks, earliest lock despite an addendum, first invitation years before,
// dangling notes and invitations ignored.
func TestReadScenario(t *testing.T) {
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		initLoad(t, s, "scenario.yaml")
		checkScenario(t, s)
	})
}

// SQLite stores timestamps as TEXT in any SPEC §3 spelling. Each respelling below names
// the same instant; the ones marked "trap" would change the result if the store
// compared, ordered or took minimums of the text instead of the instants.
func TestReadSQLiteSpellings(t *testing.T) {
	s := openSQLite(t)
	initLoad(t, s, "scenario.yaml")
	exec(t, s,
		// appointments: window edges (traps) and ordering (trap)
		`UPDATE appointments SET scheduled_at = '2024-12-30 23:00:00-06:00' WHERE id = 4`, // text < window start
		`UPDATE appointments SET scheduled_at = '2024-12-31T01:00:00+02:00' WHERE id = 5`, // text ≥ window start
		`UPDATE appointments SET scheduled_at = '2026-01-01T16:00:00-08:00' WHERE id = 8`, // text < window end
		`UPDATE appointments SET scheduled_at = '2025-12-31T22:00:00-08:00' WHERE id = 7`,
		`UPDATE appointments SET scheduled_at = '2025-03-03T16:00:00+02:00' WHERE id = 10`, // sorts after 1 as text
		`UPDATE appointments SET scheduled_at = '2025-03-03 15:00:00.000+00:00' WHERE id = 9`,
		`UPDATE appointments SET scheduled_at = '2025-06-02 17:00:00' WHERE id = 3`, // no zone: UTC
		`UPDATE appointments SET scheduled_at = '2025-03-10 10:00:00-05:00' WHERE id = 2`,
		// notes: the addendum's lock is later but smaller as text (trap)
		`UPDATE clinical_notes SET locked_at = '2025-03-05T05:00:00-08:00' WHERE id = 2`,
		`UPDATE clinical_notes SET signed_at = '2025-03-04 04:00:00-06:00' WHERE id = 1`,
		`UPDATE clinical_notes SET signed_at = '2025-06-03T12:00:00.5Z' WHERE id = 3`,
		// invitations: a later one that is smaller as text (trap), equal instants
		`UPDATE portal_invitations SET sent_at = '2024-01-10T03:00:00-10:00' WHERE id = 6`,
		`UPDATE portal_invitations SET sent_at = '2025-01-31 19:00:00-05:00' WHERE id = 9`,
		`UPDATE portal_invitations SET sent_at = '2019-05-01 12:00:00+00:00' WHERE id = 1`,
		`UPDATE api_windows SET enabled_at = '2025-02-28 23:00:00-09:00', disabled_at = '2025-03-31T23:00:00-08:00' WHERE id = 2`,
	)
	want := scenarioPatients
	// Only note 3's signature changed instant (half a second, and milliseconds survive).
	want = append([]measure.PatientRecord(nil), want...)
	p2 := want[1]
	p2.Visits = append([]measure.Visit(nil), p2.Visits...)
	p2.Visits[0].Notes.FirstSigned = ts("2025-06-03T12:00:00.5Z")
	want[1] = p2
	got, st := read(t, s, "2025-01-01", "2025-12-31")
	if d := cmp.Diff(scenarioPractice, got.practice, cmpOpts); d != "" {
		t.Errorf("practice (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want, got.patients, cmpOpts); d != "" {
		t.Errorf("patients (-want +got):\n%s", d)
	}
	if st != scenarioStats {
		t.Errorf("stats = %+v, want %+v", st, scenarioStats)
	}
}

// The same fixture gives identical reads on every dialect.
func TestReadSameOnBothDialects(t *testing.T) {
	var got [3]*recorder
	stores := []*ehr.Store{openSQLite(t), openPostgres(t), openMariaDB(t)}
	for i, s := range stores {
		initLoad(t, s, "scenario.yaml")
		got[i], _ = read(t, s, "2025-01-01", "2025-12-31")
	}
	for i := 1; i < len(stores); i++ {
		if d := cmp.Diff(got[0].practice, got[i].practice, cmpOpts); d != "" {
			t.Errorf("practice (-sqlite +%s):\n%s", stores[i].Dialect(), d)
		}
		if d := cmp.Diff(got[0].patients, got[i].patients, cmpOpts); d != "" {
			t.Errorf("patients (-sqlite +%s):\n%s", stores[i].Dialect(), d)
		}
	}
}

// A shorter period reads only its window: March 2025 → patient 1's visits only.
func TestReadPeriodWindow(t *testing.T) {
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		initLoad(t, s, "scenario.yaml")
		got, st := read(t, s, "2025-03-03", "2025-03-03")
		// Window [2025-03-02T00Z, 2025-03-05T00Z): appointments 10, 1, 9.
		want := []measure.PatientRecord{scenarioPatients[0]}
		want[0].Visits = want[0].Visits[:3]
		if d := cmp.Diff(want, got.patients, cmpOpts); d != "" {
			t.Errorf("patients (-want +got):\n%s", d)
		}
		if st.Appointments != 3 || st.Patients != 1 {
			t.Errorf("stats = %+v", st)
		}
	})
}

func TestReadRejectsBackwardsPeriod(t *testing.T) {
	s := openSQLite(t)
	initLoad(t, s, "scenario.yaml")
	_, err := s.Read(context.Background(), calendar.MustParseDate("2025-02-01"), calendar.MustParseDate("2025-01-01"), &recorder{})
	if err == nil || !strings.Contains(err.Error(), "period 2025-02-01..2025-01-01 ends before it starts") {
		t.Fatalf("err = %v", err)
	}
}

// Nothing can be written through the read transaction (SPEC §3 read-only): on
// PostgreSQL the server refuses (SQLSTATE 25006), on SQLite query_only does, on MariaDB
// the READ ONLY transaction (error 1792, SPEC §8).
func TestReadTransactionRefusesWrites(t *testing.T) {
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		initLoad(t, s, "scenario.yaml")
		writes := []string{
			`INSERT INTO offices (id, tin, name, timezone) VALUES (77, '111111111', 'X', 'UTC')`,
			`DELETE FROM appointments`,
		}
		writeErrs := make([]error, len(writes))
		called := false
		defer ehr.SetReadTxHook(func(ctx context.Context, tx ehr.ReadTx) error {
			called = true
			for i, q := range writes {
				// A savepoint lets PostgreSQL carry on after the refusal.
				if _, err := tx.ExecContext(ctx, `SAVEPOINT w`); err != nil {
					return err
				}
				_, writeErrs[i] = tx.ExecContext(ctx, q)
				if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT w`); err != nil {
					return err
				}
			}
			return nil
		})()
		checkScenario(t, s) // the read itself, with the hook: nothing was deleted
		if !called {
			t.Fatal("hook not called")
		}
		for i, writeErr := range writeErrs {
			if writeErr == nil {
				t.Fatalf("%s inside the read transaction succeeded", writes[i])
			}
			var pqErr *pq.Error
			var myErr *mysql.MySQLError
			switch s.Dialect() {
			case ehr.Postgres:
				if !errors.As(writeErr, &pqErr) || pqErr.Code != "25006" {
					t.Errorf("want read_only_sql_transaction (25006), got %v", writeErr)
				}
			case ehr.SQLite:
				if !strings.Contains(writeErr.Error(), "readonly") {
					t.Errorf("want a read-only refusal, got %v", writeErr)
				}
			case ehr.MariaDB:
				if !errors.As(writeErr, &myErr) || myErr.Number != 1792 {
					t.Errorf("want ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION (1792), got %v", writeErr)
				}
			}
		}
		// And the connection is writable again afterwards (query_only reset on SQLite).
		exec(t, s, `INSERT INTO offices (id, tin, name, timezone) VALUES (78, '111111111', 'Y', 'UTC')`)
	})
}

// Rows committed by another session while the read runs are not seen (repeatable read;
// on MariaDB the consistent snapshot of SPEC §8).
func TestReadSnapshotIgnoresConcurrentCommits(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *ehr.Store{"postgres": openPostgres, "mariadb": openMariaDB} {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			initLoad(t, s, "scenario.yaml")
			writer := s.DB().DB // a second connection from the pool: another session
			r := &recorder{onPractice: func() error {
				ctx := context.Background()
				conn, err := writer.Conn(ctx)
				if err != nil {
					return err
				}
				defer conn.Close()
				for _, q := range []string{`BEGIN`,
					`INSERT INTO patients (id, mrn) VALUES (50, 'LATE')`,
					`INSERT INTO appointments VALUES (50, 50, 1, 1, '2025-07-01T15:00:00Z', 'Complete')`,
					`INSERT INTO appointments VALUES (51, 1, 1, 1, '2025-07-01T15:00:00Z', 'Complete')`,
					`INSERT INTO clinical_notes VALUES (50, 3, NULL, '2025-06-04T00:00:00Z')`,
					`COMMIT`} {
					if _, err := conn.ExecContext(ctx, dialectSQL(s, q)); err != nil {
						return err
					}
				}
				return nil
			}}
			if _, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), r); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(scenarioPatients, r.patients, cmpOpts); d != "" {
				t.Errorf("the read saw rows committed after its snapshot (-want +got):\n%s", d)
			}
			// The commit did happen: a new read sees it.
			after, st := read(t, s, "2025-01-01", "2025-12-31")
			if st.Patients != 5 || st.Appointments != 9 || after.patients[1].Visits[0].Notes.Count != 2 {
				t.Errorf("after the concurrent commit: stats %+v", st)
			}
		})
	}
}

// TestReadLowerCaseInstants: RFC 3339's lower-case t and z, in every timestamp column,
// read on SQLite exactly as the upper-case spelling (SPEC §3).
func TestReadLowerCaseInstants(t *testing.T) {
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		if s.Dialect() != ehr.SQLite {
			t.Skip("TIMESTAMPTZ columns hold instants, not text")
		}
		initLoad(t, s, "scenario.yaml")
		for _, q := range []string{
			`UPDATE appointments SET scheduled_at = lower(scheduled_at)`,
			`UPDATE clinical_notes SET signed_at = lower(signed_at), locked_at = lower(locked_at)`,
			`UPDATE portal_invitations SET sent_at = lower(sent_at)`,
			`UPDATE api_windows SET enabled_at = lower(enabled_at), disabled_at = lower(disabled_at)`,
		} {
			exec(t, s, q)
		}
		var n int
		if err := s.DB().DB.QueryRow(`SELECT count(*) FROM appointments WHERE scheduled_at GLOB '*t*z'`).Scan(&n); err != nil || n == 0 {
			t.Fatalf("no lower-case instant stored (%d, %v): the test would not test anything", n, err)
		}
		checkScenario(t, s)
	})
}

func TestParseInstant(t *testing.T) {
	good := map[string]string{
		"2025-03-03T15:00:00Z":           "2025-03-03T15:00:00Z",
		"2025-03-03T10:00:00-05:00":      "2025-03-03T15:00:00Z",
		"2025-03-03 15:00:00+00:00":      "2025-03-03T15:00:00Z",
		"2025-03-03 15:00:00":            "2025-03-03T15:00:00Z",
		"2025-03-03T15:00:00.123456789Z": "2025-03-03T15:00:00.123456789Z",
		"2024-02-29 23:30:00-14:00":      "2024-03-01T13:30:00Z",
		"0001-01-01T00:00:00Z":           "0001-01-01T00:00:00Z",
		"9999-12-31T23:59:59Z":           "9999-12-31T23:59:59Z",
		"2025-03-03t15:00:00z":           "2025-03-03T15:00:00Z", // RFC 3339's lower case (SPEC §3)
		"2025-03-03t10:00:00.5-05:00":    "2025-03-03T15:00:00.5Z",
	}
	for in, want := range good {
		got, ok := ehr.ParseInstant(in)
		if !ok || !got.Equal(ts(want)) || got.Location() != time.UTC {
			t.Errorf("ParseInstant(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "2025-03-03", "2025-03-03T15:00", "2025-03-03T15:00:00+00",
		"2025-02-30T10:00:00Z", "2025-13-01 09:00:00", "2025-03-03T24:00:00Z", "2025-03-03T15:00:00Z\nxyz", "2025-03-03T15:00:00Z ",
		"2025-03-03T15:00:00.Z", "2025-03-03T15:00:00.1234567891Z", "2025-03-03T15:00:00 UTC",
		"1741014000", "2025-03-03T15:00:00+0500", "now"} {
		if got, ok := ehr.ParseInstant(in); ok {
			t.Errorf("ParseInstant(%q) = %v, want unparseable", in, got)
		}
	}
}

type failingSink struct {
	recorder
	after int
}

var errStop = errors.New("sink full")

func (f *failingSink) Patient(p *measure.PatientRecord) error {
	if len(f.patients) == f.after {
		return errStop
	}
	return f.recorder.Patient(p)
}

// A Sink error stops the read, comes back wrapped, and leaves the store usable.
func TestReadSinkErrorStops(t *testing.T) {
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		initLoad(t, s, "scenario.yaml")
		f := &failingSink{after: 1}
		st, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), f)
		if !errors.Is(err, errStop) || !strings.Contains(err.Error(), "read "+s.String()+": sink full") {
			t.Fatalf("err = %v", err)
		}
		if len(f.patients) != 1 || st.Patients != 1 {
			t.Errorf("kept %d patients, stats %+v", len(f.patients), st)
		}
		checkScenario(t, s)
		exec(t, s, `DELETE FROM api_windows WHERE id = 3`)
	})
}
