package measure

// The release-lag histogram (Result.ReleaseLag): how many business days the seen
// visits of reported entities waited for their information to be released (R3, R4),
// counted as R9 counts lateness (a release on a non-business day counts as the next
// business day).

import "github.com/mipspi/mipspi/calendar"

// ReleaseLagBuckets is the length of Result.ReleaseLag: 0..14 business days, then 15+.
const ReleaseLagBuckets = 16

// releaseLag observes the verdicts of reported entities' visits.
type releaseLag struct {
	cal        *calendar.Calendar
	lag        [ReleaseLagBuckets]int // fixed size: no allocation per visit
	unreleased int
}

func (l *releaseLag) patient(p *judgedPatient) error {
	for i := range p.visits {
		j := &p.visits[i]
		if !j.indReported && !j.grpReported {
			continue
		}
		vd := &j.verdict
		if !vd.HasRelease {
			l.unreleased++
			continue
		}
		n := lateness(l.cal, vd.Visit, j.office.zone.date(vd.Release))
		l.lag[min(n, ReleaseLagBuckets-1)]++
	}
	return nil
}

// result is the histogram and the count of visits with no release.
func (l *releaseLag) result() ([]int, int) { return append([]int(nil), l.lag[:]...), l.unreleased }
