package measure

// One judgement per seen visit. judge is the only place that decides whether a visit
// is timely, pending or failed, and why; the entity counts (R8), pending and best
// reachable (R9), the issue rows (R10), the worklist and the release-lag histogram all
// read the Verdict it returns. Each rule it applies lives in its own function, named
// after the rule: release (R4, release.go), firstInvitation (R5, access.go),
// accessInstant and inTime (R6/R7, access.go), fixBy and stillReachable (R9, asof.go),
// lateness (R9, deadline.go); the deadline itself (R3) is a fact handed in.

import (
	"fmt"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// State is a seen visit's standing as of the report (R7, R9).
type State uint8

const (
	Timely  State = iota // access in time (R7)
	Pending              // not timely yet, but still reachable by its fix-by date (R9)
	Failed               // not timely and can no longer become timely (R9)
)

func (s State) String() string {
	switch s {
	case Timely:
		return "timely"
	case Pending:
		return "pending"
	}
	return "failed"
}

// maxReasons bounds a verdict's reasons: note, invitation, API, access after period.
const maxReasons = 4

// Reason is one reason a seen visit is not timely (R10).
type Reason struct {
	Code Code
	// Event is the local date of the late event (lock, sign, invitation, API opening,
	// access) when HasEvent.
	Event    calendar.Date
	HasEvent bool
	// BusinessDays: for a late event, how late it was (R9: never 0); for a missing
	// event, the business days left until the fix-by date when the visit is pending,
	// or those the fix-by date has passed by otherwise (0 when it has not passed).
	BusinessDays int
}

// Verdict is everything decided about one seen visit.
type Verdict struct {
	State    State
	Visit    calendar.Date // local date V (R1)
	Deadline calendar.Date // R3
	FixBy    calendar.Date // R9: the deadline capped at the numerator-action bound (R7)
	// Release is the R4 release as of the report, when HasRelease.
	Release    time.Time
	HasRelease bool
	// Access is R7's access instant A and its local date, when HasAccess.
	Access     time.Time
	AccessDate calendar.Date
	HasAccess  bool
	// IfLocked: timely, or would be if the note were released at the as-of instant
	// (invitation and API as they are): the worklist's what-if (R9).
	IfLocked bool
	// APINeverEnabled: the TIN's API was never enabled as of the report, so no API
	// reason is itemised (one run-level finding replaces them, R10).
	APINeverEnabled bool
	// Closed is what keeps a failed visit from becoming timely (R9), Open otherwise;
	// ClosedOn is the local date of that event (0 for ClosedByDate).
	Closed   Closure
	ClosedOn calendar.Date
	reasons  [maxReasons]Reason
	nReasons uint8
}

// Reasons returns the reasons the visit is not timely, in R10 order: note,
// invitation, API, access after the period. Empty for a timely visit.
func (v *Verdict) Reasons() []Reason { return v.reasons[:v.nReasons] }

// FirstReason is the code of the first reason (API_NEVER_ENABLED when that is the only
// one), "" for a timely visit.
func (v *Verdict) FirstReason() Code {
	if v.nReasons > 0 {
		return v.reasons[0].Code
	}
	if v.State != Timely && v.APINeverEnabled {
		return APINeverEnabled
	}
	return ""
}

func (v *Verdict) add(r Reason) {
	v.reasons[v.nReasons] = r
	v.nReasons++
}

// runRules are the parameters of a run every verdict shares.
type runRules struct {
	cal     *calendar.Calendar
	release Release
	bound   calendar.Date // R7: the last local date for numerator actions
}

// visitFacts are the facts about one seen visit its verdict rests on, besides the
// visit itself.
type visitFacts struct {
	zone     *zoneDays     // the office's zone: every local date (R1, R3)
	asOf     time.Time     // the office's as-of instant (R9)
	asOfDate calendar.Date // its local date in that zone (R9)
	deadline calendar.Date // R3 deadline of the visit's local date
	api      *apiWindows   // the TIN's API windows as of the report (R6)
	inv      time.Time     // R5: the first invitation as of the report, when hasInv
	hasInv   bool
}

// judge returns the verdict on seen visit v of local date vd. It is a pure function of
// its arguments. Reasons are worked out only for a visit that is not timely.
func (r *runRules) judge(v *Visit, vd calendar.Date, f *visitFacts, out *Verdict) {
	*out = Verdict{Visit: vd, Deadline: f.deadline, FixBy: fixBy(f.deadline, r.bound)}
	out.Release, out.HasRelease = release(v, r.release, f.asOf)
	if out.HasRelease && f.hasInv {
		out.Access, out.HasAccess = accessInstant(f.api, out.Release, f.inv)
		if out.HasAccess {
			out.AccessDate = f.zone.date(out.Access)
		}
	}
	if out.HasAccess && inTime(out.AccessDate, out.FixBy) {
		out.State = Timely
		out.IfLocked = true
		return
	}
	out.State = Failed
	if out.Closed, out.ClosedOn = stillReachable(out, f); out.Closed == Open {
		out.State = Pending
		// What-if of the worklist: the note released at the as-of instant.
		if !out.HasRelease && f.hasInv {
			if a, ok := accessInstant(f.api, f.asOf, f.inv); ok {
				out.IfLocked = inTime(f.zone.date(a), out.FixBy)
			}
		}
	}
	r.reasons(v, f, out)
}

// Judge returns the verdict on one appointment under the evaluation's configuration and
// practice, for a patient whose earliest portal invitation is inv (nil when never
// invited): the same judgement Add applies, with no effect on the evaluation. It fails
// for an unknown office or clinician and for an appointment that is not a counted seen
// visit (R1: outside the period, not a seen status, clinician not eligible, or on a
// later local date than the as-of date).
func (e *Evaluator) Judge(v *Visit, inv *Invitation) (Verdict, error) {
	oi, ok := e.officeIdx.get(v.OfficeID)
	if !ok {
		return Verdict{}, fmt.Errorf("judge appointment %d: unknown office %d", v.ID, v.OfficeID)
	}
	ci, ok := e.clinIdx.get(v.ClinicianID)
	if !ok {
		return Verdict{}, fmt.Errorf("judge appointment %d: unknown clinician %d", v.ID, v.ClinicianID)
	}
	o := &e.offices[oi]
	date := o.zone.date(v.ScheduledAt)
	seen := false
	if inPeriod(date, e.cfg) {
		_, seen = e.status.seenSet[normStatus(v.Status)]
	}
	if !inPeriod(date, e.cfg) || seenVisit(seen, e.clins[ci].eligible, date, o.asOfDate) != seenCounted {
		return Verdict{}, fmt.Errorf("judge appointment %d: not a counted seen visit of the period as of %s",
			v.ID, e.cfg.AsOfText())
	}
	f := visitFacts{zone: o.zone, asOf: o.asOf, asOfDate: o.asOfDate, deadline: e.deadline[date-e.cfg.Start], api: &e.tins[o.tin].api}
	f.inv, f.hasInv = firstInvitation(inv, o.asOf)
	var out Verdict
	e.rules.judge(v, date, &f, &out)
	return out, nil
}
