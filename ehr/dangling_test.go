package ehr_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

// danglingRecorder is a recorder that also takes rows pointing at nothing.
type danglingRecorder struct {
	recorder
	got []dangling
}

type dangling struct {
	Code     measure.Code
	Count    int
	Examples []int64
}

func (d *danglingRecorder) Dangling(code measure.Code, count int, examples []int64) error {
	d.got = append(d.got, dangling{code, count, examples})
	return nil
}

// TestReadDangling: notes of no appointment and invitations of no patient are counted,
// with the lowest ids as examples, on both dialects (R10), and change nothing read.
func TestReadDangling(t *testing.T) {
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		initLoad(t, s, "scenario.yaml")
		for id := 40; id < 48; id++ { // eight more notes of appointment 999
			exec(t, s, `INSERT INTO clinical_notes (id, appointment_id) VALUES (`+itoa(id)+`, 999)`)
		}
		var d danglingRecorder
		if _, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), &d); err != nil {
			t.Fatal(err)
		}
		want := []dangling{
			{measure.DanglingNote, 9, []int64{5, 40, 41, 42, 43}},
			{measure.DanglingInvitation, 1, []int64{4}},
		}
		if diff := cmp.Diff(want, d.got); diff != "" {
			t.Errorf("dangling rows (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(scenarioPatients, d.patients, cmpOpts); diff != "" {
			t.Errorf("patients (-want +got):\n%s", diff)
		}
	})
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// TestReadDanglingPlaces: rows that point at nothing are found wherever their ids fall
// — before the first patient, between two patients, after the last, of no id at all —
// and rows that point at something outside the period are not counted, on both
// dialects. On PostgreSQL the invitations are found while the period's scans are
// merged and the notes by a count (dangling.go); the figures must be the anti-joins'.
func TestReadDanglingPlaces(t *testing.T) {
	cases := []struct {
		name  string
		stmts []string
		// pgStmts run on PostgreSQL only (SQLite cannot drop a NOT NULL in place).
		pgStmts      []string
		want, wantPG []dangling
	}{
		{
			name: "none, with notes of appointments outside the period",
			stmts: []string{
				`DELETE FROM clinical_notes WHERE id = 5`,
				`DELETE FROM portal_invitations WHERE id = 4`,
				`INSERT INTO clinical_notes (id, appointment_id) VALUES (50, 5)`,
				`INSERT INTO patients (id, mrn, first_name, last_name) VALUES (7, 'M7', 'Gus', 'Ito')`,
				`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (23, 7, '2025-01-10T12:00:00Z')`,
				`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (21, 4, '2025-01-10T12:00:00Z')`,
			},
		},
		{
			name: "everywhere",
			stmts: []string{
				// A note of an appointment outside the period (not dangling), and one
				// of an appointment that is gone.
				`INSERT INTO clinical_notes (id, appointment_id) VALUES (50, 5)`,
				`DELETE FROM appointments WHERE id = 8`,
				`INSERT INTO clinical_notes (id, appointment_id) VALUES (51, 8)`,
				// Patient 7 has no visit; patient 6 does not exist.
				`INSERT INTO patients (id, mrn, first_name, last_name) VALUES (7, 'M7', 'Gus', 'Ito')`,
				`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (23, 7, '2025-01-10T12:00:00Z')`,
				`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (21, 4, '2025-01-10T12:00:00Z')`,
				`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (24, 6, '2025-01-10T12:00:00Z')`,
				`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (20, 0, '2025-01-10T12:00:00Z')`,
				`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (35, -7, '2025-01-10T12:00:00Z')`,
				`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (31, 105, '2025-01-10T12:00:00Z')`,
				`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (30, 104, '2025-01-10T12:00:00Z')`,
			},
			pgStmts: []string{
				`ALTER TABLE portal_invitations ALTER COLUMN patient_id DROP NOT NULL`,
				`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (25, NULL, '2025-01-10T12:00:00Z')`,
				`ALTER TABLE clinical_notes ALTER COLUMN appointment_id DROP NOT NULL`,
				`INSERT INTO clinical_notes (id, appointment_id) VALUES (52, NULL)`,
			},
			want: []dangling{
				{measure.DanglingNote, 2, []int64{5, 51}},
				{measure.DanglingInvitation, 6, []int64{4, 20, 24, 30, 31}},
			},
			wantPG: []dangling{
				{measure.DanglingNote, 3, []int64{5, 51, 52}},
				{measure.DanglingInvitation, 7, []int64{4, 20, 24, 25, 30}},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			onBoth(t, func(t *testing.T, s *ehr.Store) {
				initLoad(t, s, "scenario.yaml")
				exec(t, s, tc.stmts...)
				want := tc.want
				if s.Dialect() == ehr.Postgres {
					exec(t, s, tc.pgStmts...)
					if tc.wantPG != nil {
						want = tc.wantPG
					}
				}
				var d danglingRecorder
				if _, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), &d); err != nil {
					t.Fatal(err)
				}
				var got []dangling
				for _, g := range d.got {
					if g.Count > 0 {
						got = append(got, g)
					}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("dangling rows (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestReadDanglingThroughViews: the same findings when the relations are views (SPEC
// §3): on PostgreSQL the invitations are still found in the merge (the views' ids are
// integers) and the notes by the anti-join (a view's appointment ids have no unique
// index to vouch for them).
func TestReadDanglingThroughViews(t *testing.T) {
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		runSQLFile(t, s, "vendor.sql")
		runSQLFile(t, s, "views-"+s.Dialect()+".sql")
		exec(t, s,
			`INSERT INTO emr_doc VALUES (7, 5005, NULL, NULL, NULL)`, // appointment outside the period
			`INSERT INTO emr_doc VALUES (9, 9999, NULL, NULL, NULL)`,
			`INSERT INTO emr_doc VALUES (8, 5006, NULL, NULL, NULL)`,
			`INSERT INTO emr_portal VALUES (20, 999, 1556712000, 0, 'email')`,
			`INSERT INTO emr_portal VALUES (12, 1500, 1556712000, 0, 'email')`,
			`INSERT INTO emr_portal VALUES (11, 3000, 1556712000, 0, 'email')`,
			`INSERT INTO emr_portal VALUES (10, 5, 1556712000, 0, 'email')`,
		)
		var d danglingRecorder
		if _, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), &d); err != nil {
			t.Fatal(err)
		}
		want := []dangling{
			{measure.DanglingNote, 2, []int64{8, 9}},
			{measure.DanglingInvitation, 3, []int64{10, 12, 20}},
		}
		if diff := cmp.Diff(want, d.got); diff != "" {
			t.Errorf("dangling rows (-want +got):\n%s", diff)
		}
	})
}
