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
