package ehr_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

// TestReadNotesAsServerMin: the notes are read one row per note and summed up by
// measure (R4); whatever many notes an appointment has, in whatever order, with NULLs
// and microseconds apart, the read gives what the server's count() and min() give —
// on PostgreSQL, whose min() over timestamptz is the instants' order, on SQLite
// holding the same instants as text (whose min() would not be), and on MariaDB's
// DATETIME(6).
func TestReadNotesAsServerMin(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	var stmts []string
	for id := 100; id < 400; id++ {
		appt := []int{1, 3, 7, 9, 10}[rng.IntN(5)]
		ts := func() string {
			if rng.IntN(4) == 0 {
				return "NULL"
			}
			at := base.Add(time.Duration(rng.IntN(400))*time.Hour + time.Duration(rng.IntN(3))*time.Microsecond)
			return "'" + at.Format(time.RFC3339Nano) + "'"
		}
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO clinical_notes (id, appointment_id, signed_at, locked_at) VALUES (%d, %d, %s, %s)`,
			id, appt, ts(), ts()))
	}
	pg := openPostgres(t)
	initLoad(t, pg, "scenario.yaml")
	exec(t, pg, stmts...)
	want := map[int64]measure.Notes{}
	rows, err := pg.DB().DB.Query(`SELECT appointment_id, count(*), min(signed_at), min(locked_at) FROM clinical_notes GROUP BY appointment_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var n measure.Notes
		var signed, locked *time.Time
		if err := rows.Scan(&id, &n.Count, &signed, &locked); err != nil {
			t.Fatal(err)
		}
		if signed != nil {
			n.FirstSigned = signed.UTC()
		}
		if locked != nil {
			n.FirstLocked = locked.UTC()
		}
		want[id] = n
	}
	rows.Close()
	lite, my := openSQLite(t), openMariaDB(t)
	for _, s := range []*ehr.Store{lite, my} {
		initLoad(t, s, "scenario.yaml")
		exec(t, s, stmts...)
	}
	for _, s := range []*ehr.Store{pg, lite, my} {
		var r recorder
		if _, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), &r); err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, p := range r.patients {
			for _, v := range p.Visits {
				if w := want[v.ID]; w.Count != v.Notes.Count || !w.FirstSigned.Equal(v.Notes.FirstSigned) || !w.FirstLocked.Equal(v.Notes.FirstLocked) {
					t.Errorf("%s: appointment %d: notes %+v, the server's count and min %+v", s.Dialect(), v.ID, v.Notes, w)
				}
				if v.Notes.Count > 20 {
					seen++
				}
			}
		}
		if seen < 4 {
			t.Errorf("%s: only %d visits with many notes: the test would test little", s.Dialect(), seen)
		}
	}
}
