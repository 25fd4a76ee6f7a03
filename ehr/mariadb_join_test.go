package ehr_test

// MariaDB's period read joined in memory (mariadb_join.go) against the server's join
// (mariadb_scan.go): the same records, the same first error, in every mode and range.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/fixtures"
)

// generated writes the generated practice opt into s, as db generate does.
func generated(t *testing.T, s *ehr.Store, opt fixtures.GenerateOptions) {
	t.Helper()
	ctx := context.Background()
	if err := s.Init(ctx, false); err != nil {
		t.Fatal(err)
	}
	w, err := s.BulkWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fixtures.Generate(w, opt); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, s *ehr.Store, q string) int {
	t.Helper()
	var n int
	if err := s.DB().DB.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Each way MariaDB reads the period — appointments and notes joined in memory with the
// invitations sorted in memory and the patients streamed; joined in memory with the
// invitations and patients read a range at a time (the invitations would take more
// memory than allowed); joined by the server, a range at a time (no memory allowed, or
// the notes would take more) — gives SQLite's records, for a year and for a month, in
// ranges of every size.
func TestReadMariaDBJoinModes(t *testing.T) {
	opt := fixtures.GenerateOptions{Year: 2025, Clinicians: 6, Patients: 300, Appointments: 1200, Seed: 5}
	lite, my := openSQLite(t), openMariaDB(t)
	generated(t, lite, opt)
	generated(t, my, opt)
	invitations := count(t, my, `SELECT count(*) FROM portal_invitations`)
	for _, period := range [][2]string{{"2025-01-01", "2025-12-31"}, {"2025-03-01", "2025-03-31"}} {
		want, wst := read(t, lite, period[0], period[1])
		window := ` WHERE a.scheduled_at >= '` + calendar.MustParseDate(period[0]).AddDays(-1).String() +
			`' AND a.scheduled_at < '` + calendar.MustParseDate(period[1]).AddDays(2).String() + `'`
		appointments := count(t, my, `SELECT count(*) FROM appointments a`+window)
		notes := count(t, my, `SELECT count(*) FROM clinical_notes n JOIN appointments a ON a.id = n.appointment_id`+window)
		modes := map[string]struct {
			bytes int
			want  string
		}{
			"in memory":             {1 << 40, "in memory"},
			"fits exactly":          {ehr.MariaDBJoinBytes(appointments, notes, invitations), "in memory"},
			"invitations in ranges": {ehr.MariaDBJoinBytes(appointments, notes, invitations) - 1, "joined in memory, ranges"},
			"notes over":            {ehr.MariaDBJoinBytes(appointments, notes, 0) - 1, "ranges"},
			"server join":           {0, "ranges"},
		}
		for name, mode := range modes {
			for _, n := range []int{1, 37, 1000} {
				t.Run(fmt.Sprintf("%s/%s/%d", period[0], name, n), func(t *testing.T) {
					defer ehr.SetMariaDBJoinBytes(mode.bytes)()
					defer ehr.SetMariaDBRangePatients(n)()
					var how string
					defer ehr.MariaDBScansHook(func(s string) { how = s })()
					got, st := read(t, my, period[0], period[1])
					if how != mode.want {
						t.Errorf("read %s, want %s", how, mode.want)
					}
					if d := cmp.Diff(want.patients, got.patients, cmpOpts); d != "" {
						t.Errorf("patients (-sqlite +mariadb):\n%s", d)
					}
					if st != wst {
						t.Errorf("stats %+v, want %+v", st, wst)
					}
				})
			}
		}
	}
}

// joinHostile are rows the read refuses, in MariaDB's SQL; %d is the id of a row of
// the table of (a patient's, for several rows of one patient). Several at once make the
// order in which the rows are met decide which one is reported.
var joinHostile = []struct{ q, of string }{
	{`UPDATE appointments SET office_id = 99 WHERE id = %d`, "appointments"},
	{`UPDATE appointments SET clinician_id = 99 WHERE id = %d`, "appointments"},
	{`UPDATE appointments SET patient_id = 9999 WHERE id = %d`, "appointments"},
	{`UPDATE appointments SET patient_id = NULL WHERE id = %d`, "appointments"},
	{`UPDATE appointments SET scheduled_at = NULL WHERE id = %d`, "appointments"},
	{`UPDATE appointments SET scheduled_at = '0000-00-00 00:00:00' WHERE id = %d`, "appointments"},
	{`UPDATE appointments SET status = NULL WHERE id = %d`, "appointments"},
	{`UPDATE appointments SET id = NULL WHERE id = %d`, "appointments"},
	{`UPDATE appointments SET office_id = 97 WHERE patient_id = %d AND id %% 2 = 0`, "patients"},
	// A patient's visits all at one instant: their ids decide.
	{`UPDATE appointments a JOIN (SELECT patient_id, min(scheduled_at) m FROM appointments GROUP BY patient_id) f
	   ON f.patient_id = a.patient_id SET a.scheduled_at = f.m, a.clinician_id = 97 WHERE a.patient_id = %d`, "patients"},
	{`UPDATE clinical_notes SET signed_at = '0000-00-00 00:00:00' WHERE id = %d`, "clinical_notes"},
	{`UPDATE clinical_notes SET locked_at = '0001-01-01 00:00:00' WHERE id = %d`, "clinical_notes"},
	{`UPDATE clinical_notes SET id = NULL, locked_at = '0000-00-00 00:00:00' WHERE id = %d`, "clinical_notes"},
	{`UPDATE clinical_notes n JOIN appointments a ON a.id = n.appointment_id
	   SET n.signed_at = '0000-00-00 00:00:00' WHERE a.patient_id = %d`, "patients"},
	// A second note, later by id, of an appointment.
	{`INSERT INTO clinical_notes SELECT id + 100000, appointment_id, '0001-01-01 00:00:00', NULL
	   FROM clinical_notes WHERE appointment_id = %d`, "appointments"},
	{`UPDATE portal_invitations SET sent_at = '0000-00-00 00:00:00' WHERE id = %d`, "portal_invitations"},
	{`UPDATE portal_invitations SET patient_id = NULL WHERE id = %d`, "portal_invitations"},
	{`UPDATE portal_invitations SET channel = NULL WHERE id = %d`, "portal_invitations"},
	{`UPDATE portal_invitations SET sent_at = '0000-00-00 00:00:00' WHERE patient_id = %d`, "patients"},
	{`UPDATE patients SET birth_date = '0000-00-00' WHERE id = %d`, "patients"},
}

// The read joined in memory meets bad rows in the server join's order: for random sets
// of hostile rows in a generated practice, the same error, or none, as the server's
// join read in ranges of one patient and of many.
func TestReadMariaDBJoinSameErrors(t *testing.T) {
	opt := fixtures.GenerateOptions{Year: 2025, Clinicians: 4, Patients: 40, Appointments: 160, Seed: 9}
	fresh := func() *ehr.Store {
		s := openMariaDB(t)
		generated(t, s, opt)
		exec(t, s, `ALTER TABLE appointments DROP PRIMARY KEY, MODIFY id BIGINT NULL, MODIFY patient_id BIGINT NULL,
			MODIFY scheduled_at DATETIME(6) NULL, MODIFY status TEXT NULL`,
			`ALTER TABLE clinical_notes DROP PRIMARY KEY, MODIFY id BIGINT NULL`,
			`ALTER TABLE portal_invitations MODIFY patient_id BIGINT NULL, MODIFY channel TEXT NULL`)
		return s
	}
	readErr := func(s *ehr.Store) string {
		_, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), &recorder{})
		if err == nil {
			return "no error"
		}
		return err.Error()
	}
	rng := rand.New(rand.NewPCG(9, 22))
	outcomes := map[string]bool{}
	for round := range 24 {
		s := fresh()
		ids := map[string]int{"appointments": 160, "patients": 40,
			"clinical_notes":     count(t, s, `SELECT max(id) FROM clinical_notes`),
			"portal_invitations": count(t, s, `SELECT max(id) FROM portal_invitations`)}
		var applied []string
		for range 1 + rng.IntN(4) {
			h := joinHostile[rng.IntN(len(joinHostile))]
			q := fmt.Sprintf(h.q, 1+rng.IntN(ids[h.of]))
			exec(t, s, q)
			applied = append(applied, q)
		}
		want := func() string {
			defer ehr.SetMariaDBJoinBytes(0)()
			defer ehr.SetMariaDBRangePatients(1)()
			return readErr(s)
		}()
		outcomes[want] = true
		for _, n := range []int{1, 7, 1000} {
			func() {
				defer ehr.SetMariaDBRangePatients(n)()
				if got := readErr(s); got != want {
					t.Errorf("round %d, ranges of %d, after\n%s\njoined in memory: %s\nby the server:    %s",
						round, n, strings.Join(applied, "\n"), got, want)
				}
			}()
		}
	}
	if len(outcomes) < 12 {
		t.Errorf("only %d different outcomes in 24 rounds: the test would test little", len(outcomes))
	}
}

// The join in memory holds every value exactly: note and invitation times held as text
// in every spelling (finer than a microsecond, an offset, no zone, lower case) give the
// records, statistics and rows that point at nothing the server's join gives.
func TestReadMariaDBJoinTextTimes(t *testing.T) {
	s := openMariaDB(t)
	generated(t, s, fixtures.GenerateOptions{Year: 2025, Clinicians: 5, Patients: 120, Appointments: 500, Seed: 11})
	exec(t, s, `ALTER TABLE clinical_notes MODIFY signed_at TEXT, MODIFY locked_at TEXT`,
		`ALTER TABLE portal_invitations MODIFY sent_at TEXT`,
		`UPDATE clinical_notes SET signed_at = CASE id % 4
		   WHEN 0 THEN CONCAT(REPLACE(signed_at, ' ', 'T'), 'Z')
		   WHEN 1 THEN CONCAT(DATE_FORMAT(CAST(signed_at AS DATETIME) - INTERVAL 5 HOUR, '%Y-%m-%dT%H:%i:%s'), '.000000001-05:00')
		   WHEN 2 THEN LEFT(signed_at, 19)
		   ELSE signed_at END`,
		`UPDATE clinical_notes SET locked_at = CONCAT(LEFT(locked_at, 19), '.123456789Z') WHERE id % 3 = 0`,
		`UPDATE portal_invitations SET sent_at = CONCAT(LEFT(sent_at, 10), 't', MID(sent_at, 12, 8), 'z')`,
		`INSERT INTO clinical_notes VALUES (99999, 99999, NULL, NULL)`)
	readAll := func() (*danglingRecorder, ehr.ReadStats) {
		var d danglingRecorder
		st, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), &d)
		if err != nil {
			t.Fatal(err)
		}
		return &d, st
	}
	want, wst := func() (*danglingRecorder, ehr.ReadStats) {
		defer ehr.SetMariaDBJoinBytes(0)()
		return readAll()
	}()
	got, st := readAll()
	if d := cmp.Diff(want.patients, got.patients, cmpOpts); d != "" {
		t.Errorf("patients (-server join +in memory):\n%s", d)
	}
	if d := cmp.Diff(want.got, got.got); d != "" || len(got.got) == 0 || got.got[0].Count != 1 {
		t.Errorf("rows that point at nothing %+v (-server join +in memory):\n%s", got.got, d)
	}
	if st != wst || st.Notes == 0 || st.Invitations == 0 {
		t.Errorf("stats %+v, want %+v", st, wst)
	}
}
