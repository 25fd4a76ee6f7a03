package measure

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lagView is the release-lateness part of a Result (the HTML report's histogram).
type lagView struct {
	Lag        []int
	Unreleased int
}

// lagOf builds the expected histogram from bucket → count.
func lagOf(unreleased int, buckets map[int]int) lagView {
	v := lagView{Lag: make([]int, ReleaseLagBuckets), Unreleased: unreleased}
	for b, n := range buckets {
		v.Lag[b] = n
	}
	return v
}

// TestReleaseLag covers Result.ReleaseLag: business days from the visit's local date to
// the release's (R3 counting, R4 release), with a bucket ≤ 4 exactly when the release
// is on or before the R3 deadline.
func TestReleaseLag(t *testing.T) {
	mon := ny("2025-03-03 10:00:00") // Monday; deadline Fri 2025-03-07
	tue := ny("2025-03-04 10:00:00") // Tuesday; deadline Mon 2025-03-10
	one := func(v Visit) []PatientRecord { return []PatientRecord{patientRec(1, invitedLongAgo(), v)} }
	cases := []struct {
		name string
		cfg  func(*Config)
		recs []PatientRecord
		want lagView
	}{
		{"locked the visit day", nil, one(seen(7, mon, lockedAt(ny("2025-03-03 17:00:00")))), lagOf(0, map[int]int{0: 1})},
		{"locked on the deadline", nil, one(seen(7, mon, lockedAt(ny("2025-03-07 23:59:00")))), lagOf(0, map[int]int{4: 1})},
		{"locked the business day after the deadline", nil, one(seen(7, mon, lockedAt(ny("2025-03-10 08:00:00")))), lagOf(0, map[int]int{5: 1})},
		{"Saturday after a Friday deadline is late: 5", nil, one(seen(7, mon, lockedAt(ny("2025-03-08 09:00:00")))), lagOf(0, map[int]int{5: 1})},
		{"Saturday before a Monday deadline is in time: 4", nil, one(seen(7, tue, lockedAt(ny("2025-03-08 09:00:00")))), lagOf(0, map[int]int{4: 1})},
		{"local date, not UTC: 23:30 New York on the deadline", nil,
			one(seen(7, mon, lockedAt(utc("2025-03-08T04:30:00Z")))), lagOf(0, map[int]int{4: 1})},
		{"holiday skipped: Friday visit, MLK Monday, locked Tuesday", nil,
			one(seen(7, ny("2025-01-17 10:00:00"), lockedAt(ny("2025-01-21 10:00:00")))), lagOf(0, map[int]int{1: 1})},
		{"locked before the visit counts as 0", nil, one(seen(7, mon, lockedAt(ny("2025-03-02 10:00:00")))), lagOf(0, map[int]int{0: 1})},
		{"two months late lands in the last bucket", nil,
			one(seen(7, mon, lockedAt(ny("2025-05-05 10:00:00")))), lagOf(0, map[int]int{ReleaseLagBuckets - 1: 1})},
		{"no note: unreleased", nil, one(seen(7, mon, Notes{})), lagOf(1, nil)},
		{"signed, never locked: unreleased", nil, one(seen(7, mon, signedOnly(ny("2025-03-03 12:00:00")))), lagOf(1, nil)},
		{"release on sign uses the signature", func(c *Config) { c.Release = ReleaseSign },
			one(seen(7, mon, signedOnly(ny("2025-03-05 12:00:00")))), lagOf(0, map[int]int{2: 1})},
		{"locked after the as-of instant: unreleased", asOf("2025-03-05 12:00:00"),
			one(seen(7, mon, lockedAt(ny("2025-03-06 12:00:00")))), lagOf(1, nil)},
		{"not seen, outside the period and not eligible do not count", nil, []PatientRecord{patientRec(1, invitedLongAgo(),
			Visit{ID: 7, OfficeID: offNY, ClinicianID: clinAnn, ScheduledAt: mon, Status: "Cancelled", Notes: lockedAt(mon)},
			seen(8, ny("2024-12-31 10:00:00"), lockedAt(ny("2024-12-31 12:00:00"))),
			at(seen(9, mon, lockedAt(mon)), offNY, clinCy),
			seen(10, tue, lockedAt(ny("2025-03-05 10:00:00"))),
		)}, lagOf(0, map[int]int{1: 1})},
		{"TIN filter: only visits of reported entities", func(c *Config) { c.TIN = tinB }, []PatientRecord{patientRec(1, invitedLongAgo(),
			seen(7, mon, lockedAt(mon)),
			at(seen(8, tue, Notes{}), offB, clinAnn),
		)}, lagOf(1, nil)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			r := mustEvaluate(t, cfg, testPractice(), c.recs...)
			if diff := cmp.Diff(c.want, lagView{r.ReleaseLag, r.Unreleased}); diff != "" {
				t.Errorf("release lag (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReleaseLagCoversSeenVisits checks, on a generated practice without filters, that
// every seen visit is in the histogram exactly once.
func TestReleaseLagCoversSeenVisits(t *testing.T) {
	cfg, p, recs := genPractice(11, 500)
	r := mustEvaluate(t, cfg, p, recs...)
	n := r.Unreleased
	for _, c := range r.ReleaseLag {
		n += c
	}
	if n != r.Counts.SeenVisits || r.Counts.SeenVisits == 0 {
		t.Errorf("histogram holds %d visits (%d unreleased), want the %d seen visits", n, r.Unreleased, r.Counts.SeenVisits)
	}
	if r.Unreleased == 0 || r.ReleaseLag[0] == r.Counts.SeenVisits-r.Unreleased {
		t.Errorf("generated practice should spread releases over several buckets: %v, %d unreleased", r.ReleaseLag, r.Unreleased)
	}
}
