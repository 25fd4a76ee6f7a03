package ehr_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
)

// TestReadNoteRowsAsAggregate: on PostgreSQL the notes come one row per note and Go
// sums them up (R4: count, earliest signed and locked time); whatever the notes hold —
// NULLs, ±infinity, 0001-01-01, several of them, notes of two appointments of one
// patient — the read must give what the server's count() and min() gave: the same
// records, or the same error naming the same row.
func TestReadNoteRowsAsAggregate(t *testing.T) {
	cases := []struct {
		name  string
		notes [][2]string // signed_at, locked_at of extra notes of appointment 3 ("" = NULL)
		// otherNotes go to appointment 1 (patient 1's visits in time: 10, 1, 9, 2).
		otherNotes [][2]string
		stmts      []string
		wantErr    string // "" = no error; checked on the one-row-per-note read
	}{
		{name: "plain"},
		{name: "nulls and a later one", notes: [][2]string{{"", ""}, {"2025-06-04T12:00:00Z", "2025-06-05T12:00:00Z"}}},
		{name: "an earlier lock", notes: [][2]string{{"2025-06-02T18:00:00Z", "2025-06-02T19:00:00Z"}}},
		{name: "infinity behind a finite lock", notes: [][2]string{{"infinity", "infinity"}, {"", "2025-06-05T12:00:00Z"}}},
		{name: "infinity alone locked", notes: [][2]string{{"2025-06-04T12:00:00Z", "infinity"}},
			wantErr: `"Infinity"`},
		{name: "-infinity first", notes: [][2]string{{"-infinity", ""}},
			wantErr: `"-Infinity"`},
		{name: "year one before a later one", notes: [][2]string{{"", "0001-01-01T00:00:00Z"}, {"", "2025-06-05T12:00:00Z"}},
			wantErr: "note of appointment 3"},
		{name: "bad note of an earlier visit than a bad office",
			otherNotes: [][2]string{{"-infinity", ""}},
			stmts:      []string{`UPDATE appointments SET office_id = 9 WHERE id = 2`},
			wantErr:    `"-Infinity"`},
		{name: "bad office of an earlier visit than a bad note",
			otherNotes: [][2]string{{"-infinity", ""}},
			stmts:      []string{`UPDATE appointments SET office_id = 9 WHERE id = 10`},
			wantErr:    "office 9 not found"},
	}
	ts := func(v string) string {
		if v == "" {
			return "NULL"
		}
		return "'" + v + "'"
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openPostgres(t)
			initLoad(t, s, "scenario.yaml")
			id := 100
			for _, n := range tc.notes {
				exec(t, s, fmt.Sprintf(`INSERT INTO clinical_notes (id, appointment_id, signed_at, locked_at) VALUES (%d, 3, %s, %s)`, id, ts(n[0]), ts(n[1])))
				id++
			}
			for _, n := range tc.otherNotes {
				exec(t, s, fmt.Sprintf(`INSERT INTO clinical_notes (id, appointment_id, signed_at, locked_at) VALUES (%d, 1, %s, %s)`, id, ts(n[0]), ts(n[1])))
				id++
			}
			exec(t, s, tc.stmts...)
			read := func(aggregate bool) (recorder, string) {
				defer ehr.SetNoteAggregate(aggregate)()
				var r recorder
				_, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), &r)
				msg := ""
				if err != nil {
					msg = err.Error()
				}
				return r, msg
			}
			rows, rowsErr := read(false)
			agg, aggErr := read(true)
			if rowsErr != aggErr {
				t.Fatalf("error\n one row per note: %s\n aggregate:        %s", rowsErr, aggErr)
			}
			if tc.wantErr == "" && rowsErr != "" || !contains(rowsErr, tc.wantErr) {
				t.Fatalf("error %q, want one with %q", rowsErr, tc.wantErr)
			}
			if diff := cmp.Diff(agg.patients, rows.patients, cmpOpts); diff != "" {
				t.Errorf("records (-aggregate +one row per note):\n%s", diff)
			}
		})
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
