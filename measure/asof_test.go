package measure

import (
	"testing"
	"time"
)

// TestBareAsOfDate is R9's bare as-of date: the end of that date in each office's own
// zone for the office's visits, and for the facts of a TIN as a whole (its API
// windows) the end of that date in the TIN's westernmost office zone.
func TestBareAsOfDate(t *testing.T) {
	bare := testConfig().WithBareAsOf(day("2025-11-30"))
	// Tue 2025-11-25: R3 deadline Tue Dec 2 (Thanksgiving Nov 27 is not a business day).
	laVisit := at(seen(1, local(laZ, "2025-11-25 10:00:00"), Notes{}), offLA, clinAnn)
	nyVisit := seen(2, ny("2025-11-25 10:00:00"), Notes{})
	cases := []struct {
		name     string
		cfg      Config
		practice func(*Practice)
		visit    Visit
		notes    Notes
		want     State
	}{
		{"Los Angeles: a lock at 22:00 on the as-of date has happened", bare,
			nil, laVisit, lockedAt(local(laZ, "2025-11-30 22:00:00")), Timely},
		{"Los Angeles: a lock at 00:00 the next day has not", bare,
			nil, laVisit, lockedAt(local(laZ, "2025-12-01 00:00:00")), Pending},
		{"New York: a lock at 23:59:59 on the as-of date has happened", bare,
			nil, nyVisit, lockedAt(ny("2025-11-30 23:59:59")), Timely},
		{"New York: a lock at 08:00 the next morning has not, though it is still the 30th in Los Angeles", bare,
			nil, nyVisit, lockedAt(ny("2025-12-01 08:00:00")), Pending},
		{"the same lock as of an instant, 23:59:59Z on the 30th, has not happened in Los Angeles either",
			func() Config { c := testConfig(); c.AsOf = utc("2025-11-30T23:59:59Z"); return c }(),
			nil, laVisit, lockedAt(local(laZ, "2025-11-30 22:00:00")), Pending},
		{"TIN A's API switched on at 21:00 in Los Angeles on the 30th (early on Dec 1 in New York) is known for the New York office",
			bare, func(p *Practice) { p.APIWindows[0].Enabled = local(laZ, "2025-11-30 21:00:00") },
			nyVisit, lockedAt(ny("2025-11-26 09:00:00")), Timely},
		{"TIN B has New York offices only: its API switched on at the same instant is not known yet",
			bare, func(p *Practice) { p.APIWindows[1].Enabled = local(laZ, "2025-11-30 21:00:00") },
			at(nyVisit, offB, clinAnn), lockedAt(ny("2025-11-26 09:00:00")), Pending},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := testPractice()
			if tc.practice != nil {
				tc.practice(&p)
			}
			v := tc.visit
			v.Notes = tc.notes
			if got := verdictOf(t, tc.cfg, p, invitedLongAgo(), v); got.State != tc.want {
				t.Errorf("state %s, want %s (%+v)", got.State, tc.want, viewVerdict(got))
			}
		})
	}
}

// TestBareAsOfConfig: the result keeps the date as given, its AsOf is the latest
// office end (the westernmost zone), and each office's as-of local date is the date.
func TestBareAsOfConfig(t *testing.T) {
	cfg := testConfig().WithBareAsOf(day("2025-11-30"))
	r := mustEvaluate(t, cfg, testPractice(),
		patientRec(1, invitedLongAgo(), at(seen(1, local(laZ, "2025-11-30 23:00:00"), lockedAt(local(laZ, "2025-11-30 23:30:00"))), offLA, clinAnn)),
		patientRec(2, invitedLongAgo(), seen(2, ny("2025-12-01 00:30:00"), lockedAt(ny("2025-12-01 01:00:00")))))
	if got := r.Config.AsOfText(); got != "2025-11-30" {
		t.Errorf("AsOfText %q, want the date as given", got)
	}
	if want := local(laZ, "2025-12-01 00:00:00").Add(-time.Nanosecond); !r.Config.AsOf.Equal(want) {
		t.Errorf("AsOf %v, want the end of the date in Los Angeles %v", r.Config.AsOf, want)
	}
	// The Los Angeles visit late on the 30th counts; the New York one just after its
	// midnight is after the as-of date (R1).
	if r.Counts.SeenVisits != 1 || r.Counts.AfterAsOf != 1 || r.Counts.TimelyVisits != 1 {
		t.Errorf("counts %+v: want 1 seen and timely (Los Angeles), 1 after the as-of date (New York)", r.Counts)
	}
}
