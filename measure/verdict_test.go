package measure

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// verdictOf is the evaluator's Judge on one visit.
func verdictOf(t *testing.T, cfg Config, p Practice, inv *Invitation, v Visit) Verdict {
	t.Helper()
	e, err := NewEvaluator(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Judge(&v, inv)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// verdictView is the part of a verdict a case pins down.
type verdictView struct {
	State           State
	Deadline, FixBy string
	Reasons         []Reason
}

func viewVerdict(v Verdict) verdictView {
	return verdictView{State: v.State, Deadline: v.Deadline.String(), FixBy: v.FixBy.String(), Reasons: v.Reasons()}
}

func missingReason(code Code, days int) Reason { return Reason{Code: code, BusinessDays: days} }
func lateReason(code Code, on string, days int) Reason {
	return Reason{Code: code, Event: day(on), HasEvent: true, BusinessDays: days}
}

// TestVerdictEdges covers R9's fix-by date, pending and lateness at their edges, on
// the pure judgement of one visit.
func TestVerdictEdges(t *testing.T) {
	dec29 := ny("2025-12-29 10:00:00")  // Monday; R3 deadline Mon 2026-01-05 (Jan 1 a holiday)
	june27 := ny("2025-06-27 10:00:00") // Friday; R3 deadline Thu 2025-07-03 (Jul 4 a holiday)
	mar3 := ny("2025-03-03 10:00:00")   // Monday; R3 deadline Fri 2025-03-07
	// apiClosed: TIN A's API was enabled once, then switched off before the period.
	apiClosed := func(p *Practice) {
		p.APIWindows[0].Disabled = utc("2025-01-01T00:00:00Z")
	}
	cases := []struct {
		name     string
		cfg      func(*Config)
		practice func(*Practice)
		inv      *Invitation
		visit    Visit
		want     verdictView
	}{
		{
			name:  "period's last days, deadline in January: fix-by is Dec 31",
			cfg:   asOf("2025-12-30 12:00:00"),
			visit: seen(7, dec29, Notes{}),
			want: verdictView{State: Pending, Deadline: "2026-01-05", FixBy: "2025-12-31",
				Reasons: []Reason{missingReason(NoteMissing, 1)}},
		},
		{
			name:  "calendar-year with a period ending Dec 31: fix-by is still Dec 31",
			cfg:   func(c *Config) { asOf("2025-12-30 12:00:00")(c); c.NumeratorActions = ActionsCalendarYear },
			visit: seen(7, dec29, Notes{}),
			want: verdictView{State: Pending, Deadline: "2026-01-05", FixBy: "2025-12-31",
				Reasons: []Reason{missingReason(NoteMissing, 1)}},
		},
		{
			name:  "period ending June 30: fix-by is the period end",
			cfg:   func(c *Config) { c.End = day("2025-06-30"); asOf("2025-06-30 09:00:00")(c) },
			visit: seen(7, june27, Notes{}),
			want: verdictView{State: Pending, Deadline: "2025-07-03", FixBy: "2025-06-30",
				Reasons: []Reason{missingReason(NoteMissing, 0)}},
		},
		{
			name: "period ending June 30 under calendar-year: fix-by is the deadline",
			cfg: func(c *Config) {
				c.End = day("2025-06-30")
				c.NumeratorActions = ActionsCalendarYear
				asOf("2025-06-30 09:00:00")(c)
			},
			visit: seen(7, june27, Notes{}),
			want: verdictView{State: Pending, Deadline: "2025-07-03", FixBy: "2025-07-03",
				Reasons: []Reason{missingReason(NoteMissing, 3)}},
		},
		{
			name:  "Saturday lock after a Friday deadline: 1 business day late, never 0",
			visit: seen(7, mar3, lockedAt(ny("2025-03-08 11:00:00"))),
			want: verdictView{State: Failed, Deadline: "2025-03-07", FixBy: "2025-03-07",
				Reasons: []Reason{lateReason(NoteLockedLate, "2025-03-08", 1)}},
		},
		{
			name:  "Monday lock after a Friday deadline: 1 business day late",
			visit: seen(7, mar3, lockedAt(ny("2025-03-10 11:00:00"))),
			want: verdictView{State: Failed, Deadline: "2025-03-07", FixBy: "2025-03-07",
				Reasons: []Reason{lateReason(NoteLockedLate, "2025-03-10", 1)}},
		},
		{
			name:  "access already after the period: failed, not pending",
			cfg:   asOf("2026-01-02 12:00:00"),
			visit: seen(7, dec29, lockedAt(ny("2026-01-02 10:00:00"))),
			want: verdictView{State: Failed, Deadline: "2026-01-05", FixBy: "2025-12-31",
				Reasons: []Reason{{Code: AccessAfterPeriod, Event: day("2026-01-02"), HasEvent: true}}},
		},
		{
			name:  "first invitation already after the fix-by date: failed",
			cfg:   asOf("2025-03-11 12:00:00"),
			inv:   &Invitation{ID: 1, SentAt: ny("2025-03-10 09:00:00"), Recipient: "patient", Channel: "email"},
			visit: seen(7, mar3, lockedAt(ny("2025-03-04 09:00:00"))),
			want: verdictView{State: Failed, Deadline: "2025-03-07", FixBy: "2025-03-07",
				Reasons: []Reason{lateReason(InvitedLate, "2025-03-10", 1)}},
		},
		{
			name:     "API window that could still open before the fix-by date: pending",
			cfg:      asOf("2025-03-05 12:00:00"),
			practice: apiClosed,
			visit:    seen(7, mar3, lockedAt(ny("2025-03-04 09:00:00"))),
			want: verdictView{State: Pending, Deadline: "2025-03-07", FixBy: "2025-03-07",
				Reasons: []Reason{missingReason(APINotEnabled, 2)}},
		},
		{
			name:     "API still off after the fix-by date: failed",
			cfg:      asOf("2025-03-11 12:00:00"),
			practice: apiClosed,
			visit:    seen(7, mar3, lockedAt(ny("2025-03-04 09:00:00"))),
			want: verdictView{State: Failed, Deadline: "2025-03-07", FixBy: "2025-03-07",
				Reasons: []Reason{missingReason(APINotEnabled, 2)}},
		},
		{
			name:  "as-of on the fix-by date itself: pending, 0 business days left",
			cfg:   asOf("2025-03-07 23:00:00"),
			visit: seen(7, mar3, Notes{}),
			want: verdictView{State: Pending, Deadline: "2025-03-07", FixBy: "2025-03-07",
				Reasons: []Reason{missingReason(NoteMissing, 0)}},
		},
		{
			name:  "as-of on a capped fix-by date (Dec 31): pending",
			cfg:   asOf("2025-12-31 18:00:00"),
			visit: seen(7, dec29, Notes{}),
			want: verdictView{State: Pending, Deadline: "2026-01-05", FixBy: "2025-12-31",
				Reasons: []Reason{missingReason(NoteMissing, 0)}},
		},
		{
			name:  "as-of the day after a capped fix-by date: failed though the deadline is ahead",
			cfg:   asOf("2026-01-02 09:00:00"),
			visit: seen(7, dec29, Notes{}),
			want: verdictView{State: Failed, Deadline: "2026-01-05", FixBy: "2025-12-31",
				Reasons: []Reason{missingReason(NoteMissing, 1)}},
		},
		{
			name:  "missing lock reported on a Saturday after the fix-by date counts the next business day",
			cfg:   asOf("2025-03-08 12:00:00"),
			visit: seen(7, mar3, Notes{}),
			want: verdictView{State: Failed, Deadline: "2025-03-07", FixBy: "2025-03-07",
				Reasons: []Reason{missingReason(NoteMissing, 1)}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, p := testConfig(), testPractice()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			if c.practice != nil {
				c.practice(&p)
			}
			inv := c.inv
			if inv == nil {
				inv = invitedLongAgo()
			}
			got := viewVerdict(verdictOf(t, cfg, p, inv, c.visit))
			if diff := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("verdict (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVerdictCountsAsOfByLocalDate is R1's as-of rule end to end: a seen visit later on
// the as-of day counts by its status; one on a later local date is not counted and
// produces one VISIT_AFTER_AS_OF finding with the count.
func TestVerdictCountsAsOfByLocalDate(t *testing.T) {
	cfg := testConfig()
	cfg.AsOf = ny("2025-03-03 09:50:00")
	r := mustEvaluate(t, cfg, testPractice(),
		patientRec(1, invitedLongAgo(), seen(7, ny("2025-03-03 10:00:00"), Notes{})),
		patientRec(2, invitedLongAgo(), seen(8, ny("2025-03-04 10:00:00"), Notes{}), seen(9, ny("2025-03-05 08:00:00"), Notes{})))
	if r.Counts.SeenVisits != 1 || r.Counts.AfterAsOf != 2 || r.Counts.PendingVisits != 1 {
		t.Errorf("counts %+v: want 1 seen (pending), 2 after the as-of date", r.Counts)
	}
	var found []Finding
	for _, f := range r.Findings {
		if f.Code == VisitAfterAsOf {
			found = append(found, f)
		}
	}
	if len(found) != 1 || found[0].Count != 2 || found[0].Severity != SeverityWarning {
		t.Errorf("VISIT_AFTER_AS_OF findings %+v: want one warning with count 2", found)
	} else if want := "2 appointments with a seen status fall on a later date than the as-of date 2025-03-03; they are not counted yet"; found[0].Message != want {
		t.Errorf("message %q, want the local as-of date: %q", found[0].Message, want)
	}
	// At 01:30 in New York it is still March 2 in Los Angeles: both dates are named.
	cfg.AsOf = ny("2025-03-03 01:30:00")
	r = mustEvaluate(t, cfg, testPractice(), patientRec(2, invitedLongAgo(), seen(8, ny("2025-03-04 10:00:00"), Notes{})))
	for _, f := range r.Findings {
		if want := "1 appointments with a seen status fall on a later date than the as-of date 2025-03-02 or 2025-03-03 (by the office's time zone); they are not counted yet"; f.Code == VisitAfterAsOf && f.Message != want {
			t.Errorf("message %q, want %q", f.Message, want)
		}
	}
	// Only the counted visit has rows; the next-day visits have none.
	for is := range r.AllIssues() {
		if is.AppointmentID != 7 {
			t.Errorf("row about appointment %d (%s): visits after the as-of date must not be itemised", is.AppointmentID, is.Code)
		}
	}

	// Nothing after the as-of date: no finding.
	cfg.AsOf = ny("2025-03-10 12:00:00")
	r = mustEvaluate(t, cfg, testPractice(), patientRec(1, invitedLongAgo(), seen(7, ny("2025-03-03 10:00:00"), Notes{})))
	for _, f := range r.Findings {
		if f.Code == VisitAfterAsOf {
			t.Errorf("unexpected finding %+v", f)
		}
	}
}

// TestBestReachableRate is R9's best rate: numerator + pending over the denominator,
// rounded like Rate.
func TestBestReachableRate(t *testing.T) {
	for _, c := range []struct {
		num, pend, den int
		want           float64
	}{{0, 0, 0, 0}, {1, 1, 3, 0.6667}, {2, 0, 3, 0.6667}, {3, 0, 3, 1}, {0, 2, 7, 0.2857}} {
		e := EntityResult{Numerator: c.num, Pending: c.pend, Denominator: c.den}
		if got := e.BestReachableRate(); got != c.want {
			t.Errorf("%d+%d of %d: %v, want %v", c.num, c.pend, c.den, got, c.want)
		}
	}
}

// TestDangling records rows that point at nothing as findings with a count and
// examples, and refuses other codes.
func TestDangling(t *testing.T) {
	e, err := NewEvaluator(testConfig(), testPractice())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Dangling(DanglingNote, 7, []int64{11, 12, 13}); err != nil {
		t.Fatal(err)
	}
	if err := e.Dangling(DanglingInvitation, 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Dangling(NoteMissing, 1, nil); err == nil {
		t.Error("Dangling accepted NOTE_MISSING")
	}
	r := resultOf(t, e)
	var got []Finding
	for _, f := range r.Findings {
		if f.Code == DanglingNote || f.Code == DanglingInvitation {
			got = append(got, f)
		}
	}
	want := []Finding{{Code: DanglingNote, Severity: SeverityWarning, Count: 7, Examples: []int64{11, 12, 13},
		Message: "7 clinical notes name an appointment that does not exist; they are left out (ids 11, 12, 13, …)"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dangling findings (-want +got):\n%s", diff)
	}
	if err := e.Dangling(DanglingNote, 1, nil); err == nil {
		t.Error("Dangling after Result: want an error")
	}
}

// TestJudgeAgreesWithAdd: Judge, visit by visit, gives the states Add counted (one
// judgement per visit), and refuses what R1 does not count.
func TestJudgeAgreesWithAdd(t *testing.T) {
	cfg, p, recs := genPractice(11, 4000)
	cfg.AsOf = cfg.Start.AddDays(200).Time().Add(15 * time.Hour) // mid-period: some visits pending
	r, err := Evaluate(cfg, p, recs)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEvaluator(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	var counts [3]int
	judged := 0
	for i := range recs {
		for j := range recs[i].Visits {
			v, err := e.Judge(&recs[i].Visits[j], recs[i].FirstInvitation)
			if err != nil {
				continue // not a counted seen visit
			}
			judged++
			counts[v.State]++
			if (v.State == Timely) != (len(v.Reasons()) == 0 && !v.APINeverEnabled) {
				t.Errorf("appointment %d: state %s with reasons %v", recs[i].Visits[j].ID, v.State, v.Reasons())
			}
		}
	}
	if counts[Pending] == 0 || counts[Failed] == 0 || r.Counts.AfterAsOf == 0 {
		t.Fatalf("states %v, %d after as-of: the practice does not exercise pending, failed and later visits", counts, r.Counts.AfterAsOf)
	}
	if judged != r.Counts.SeenVisits || counts[Timely] != r.Counts.TimelyVisits || counts[Pending] != r.Counts.PendingVisits {
		t.Errorf("Judge: %d judged, %d timely, %d pending; Add counted %d seen, %d timely, %d pending",
			judged, counts[Timely], counts[Pending], r.Counts.SeenVisits, r.Counts.TimelyVisits, r.Counts.PendingVisits)
	}
	bad := recs[0].Visits[0]
	bad.Status = "Cancelled"
	if _, err := e.Judge(&bad, nil); err == nil {
		t.Error("Judge of a cancelled appointment: want an error")
	}
	bad.OfficeID = 999999
	if _, err := e.Judge(&bad, nil); err == nil {
		t.Error("Judge with an unknown office: want an error")
	}
}
