package measure

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWorklistStanding checks what a worklist row says about whether its note can still
// count (R8, R9), on evaluated practices: the texts people read in the row.
func TestWorklistStanding(t *testing.T) {
	// Tue 2025-03-04: deadline Mon 03-10. Mon 2025-03-10: deadline Fri 03-14.
	first, second := ny("2025-03-04 10:00:00"), ny("2025-03-10 10:00:00")
	inTime := lockedAt(ny("2025-03-05 09:00:00"))
	asOf := ny("2025-03-11 12:00:00")
	type item struct {
		Appt      int64
		CanCount  bool
		Standing  string
		WhyNot    string
		AlsoNeeds string
	}
	cases := []struct {
		name   string
		policy Policy
		recs   []PatientRecord
		want   []item
	}{
		{
			name: "pending, locking is enough",
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(2, second, Notes{}))},
			want: []item{{2, true, "yes", "", ""}},
		},
		{
			name: "pending, the patient never invited",
			recs: []PatientRecord{patientRec(1, nil, seen(2, second, Notes{}))},
			want: []item{{2, true, "yes, with an invitation too by 2025-03-14", "", "an invitation"}},
		},
		{
			name: "every-visit: an earlier visit already failed",
			recs: []PatientRecord{patientRec(1, nil, seen(1, first, inTime), seen(2, second, Notes{}))},
			want: []item{{2, false, "no: patient already out: visit 2025-03-04 not invited", "patient already out: visit 2025-03-04 not invited", ""}},
		},
		{
			name:   "any-visit: an earlier visit already counts",
			policy: AnyVisit,
			recs:   []PatientRecord{patientRec(1, invitedLongAgo(), seen(1, first, inTime), seen(2, second, Notes{}))},
			want:   []item{{2, false, "no: patient already counts: visit 2025-03-04 timely", "patient already counts: visit 2025-03-04 timely", ""}},
		},
		{
			name: "the lock-by date passed",
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(1, first, Notes{}))},
			want: []item{{1, false, "no: lock-by date passed", "lock-by date passed", ""}},
		},
		{
			name: "locked late",
			recs: []PatientRecord{patientRec(1, invitedLongAgo(), seen(1, first, lockedAt(ny("2025-03-11 09:00:00"))))},
			want: []item{{1, false, "no: note locked after the lock-by date", "note locked after the lock-by date", ""}},
		},
		{
			// Those that can still count come first, whatever their lock-by dates.
			name: "order: can count first",
			recs: []PatientRecord{
				patientRec(1, invitedLongAgo(), seen(1, first, Notes{})),
				patientRec(2, invitedLongAgo(), seen(3, second, Notes{})),
			},
			want: []item{{3, true, "yes", "", ""}, {1, false, "no: lock-by date passed", "lock-by date passed", ""}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.AsOf = asOf
			if c.policy != "" {
				cfg.Policy = c.policy
			}
			r := mustEvaluate(t, cfg, testPractice(), c.recs...)
			wl := worklistOf(t, r, npiAnn)
			var got []item
			fixable := 0
			for _, wc := range wl.Clinicians {
				fixable += wc.FixableNotes
				for it, err := range wc.Items() {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, item{it.AppointmentID, it.CanCount, it.Standing(), it.WhyNot(), it.AlsoNeeds()})
				}
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			wantFixable := 0
			for _, it := range c.want {
				if it.CanCount {
					wantFixable++
				}
			}
			if fixable != wantFixable {
				t.Errorf("FixableNotes = %d, want %d (the items that can still count)", fixable, wantFixable)
			}
			// notes --fixable: only those that can still count, in the same order.
			var only []int64
			for _, wc := range wl.OnlyFixable().Clinicians {
				for it, err := range wc.Items() {
					if err != nil {
						t.Fatal(err)
					}
					only = append(only, it.AppointmentID)
				}
			}
			var wantOnly []int64
			for _, it := range c.want {
				if it.CanCount {
					wantOnly = append(wantOnly, it.Appt)
				}
			}
			if diff := cmp.Diff(wantOnly, only); diff != "" {
				t.Errorf("OnlyFixable (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBlockerString(t *testing.T) {
	cases := []struct {
		b    Blocker
		want string
	}{
		{Blocker{}, ""},
		{Blocker{Kind: FixByPassed}, "lock-by date passed"},
		{Blocker{Kind: NoteLate, Code: NoteLockedLate}, "note locked after the lock-by date"},
		{Blocker{Kind: NoteLate, Code: NoteSignedLate}, "note signed after the lock-by date"},
		{Blocker{Kind: InvitationLate, Date: day("2025-03-12")}, "patient first invited 2025-03-12, after the lock-by date"},
		{Blocker{Kind: APILate, Date: day("2025-03-12")}, "patient API enabled only 2025-03-12, after the lock-by date"},
		{Blocker{Kind: PatientOut, Date: day("2025-03-04"), Code: NotInvited}, "patient already out: visit 2025-03-04 not invited"},
		{Blocker{Kind: PatientOut, Date: day("2025-03-04"), Code: NoteLockedLate}, "patient already out: visit 2025-03-04 note locked late"},
		{Blocker{Kind: PatientIn, Date: day("2025-03-04")}, "patient already counts: visit 2025-03-04 timely"},
	}
	for _, c := range cases {
		if got := c.b.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.b, got, c.want)
		}
	}
}
