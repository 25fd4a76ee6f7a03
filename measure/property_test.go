package measure

// An independent check of the figures: random practices are evaluated by the
// streaming Evaluator and by refEvaluate, a brute-force reference written for clarity,
// not speed. The reference judges dates with calendar.LocalDate (not the engine's zone
// tables), counts deadlines and business days day by day (not the calendar's
// cumulative table), scans every raw API window for the access instant (no merging),
// and groups visits per entity and patient with plain maps before applying R8/R9.

import (
	"flag"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"

	"github.com/mipspi/mipspi/calendar"
)

var propZones = []*time.Location{
	nyZ, laZ, chiZ, time.UTC,
	mustZone("Asia/Kolkata"), mustZone("Pacific/Auckland"), mustZone("America/St_Johns"),
}

// drawScenario draws a random configuration, practice and patient stream.
func drawScenario(t *rapid.T) (Config, Practice, []PatientRecord) {
	year := rapid.IntRange(2022, 2026).Draw(t, "year")
	jan1 := calendar.NewDate(year, time.January, 1)
	dec31 := calendar.NewDate(year, time.December, 31)
	start, end := jan1, dec31
	if rapid.IntRange(0, 2).Draw(t, "partYear") == 2 {
		start = jan1 + calendar.Date(rapid.IntRange(0, 330).Draw(t, "startOffset"))
		end = start + calendar.Date(rapid.IntRange(0, int(dec31-start)).Draw(t, "length"))
	}
	cfg := Config{
		Start:            start,
		End:              end,
		FederalHolidays:  rapid.Bool().Draw(t, "federal"),
		Policy:           rapid.SampledFrom([]Policy{EveryVisit, AnyVisit}).Draw(t, "policy"),
		Release:          rapid.SampledFrom([]Release{ReleaseLock, ReleaseSign}).Draw(t, "release"),
		NumeratorActions: rapid.SampledFrom([]NumeratorActions{ActionsPeriod, ActionsCalendarYear}).Draw(t, "actions"),
		KeepPatients:     true,
	}
	startT := start.Time()
	span := int64(end-start+1) * 86400
	// instant draws an instant from lo to hi seconds around the period's start.
	instant := func(label string, lo, hi int64) time.Time {
		return startT.Add(time.Duration(spread(t, label, lo, hi)) * time.Second)
	}
	// Most events crowd around a focus day, so deadlines, the as-of date, closures and
	// API windows meet often.
	focus := spread(t, "focus", 0, span-1)
	near := func(label string, lo, hi int64) time.Time { return instant(label, focus+lo, focus+hi) }
	// A report run after the period, or one in the middle of it near the focus.
	if rapid.IntRange(0, 2).Draw(t, "asOfInside") == 2 {
		cfg.AsOf = near("asOf", -2*86400, 20*86400)
	} else {
		cfg.AsOf = instant("asOf", span+10*86400, span+60*86400)
	}
	for i, n := 0, rapid.IntRange(0, 4).Draw(t, "closures"); i < n; i++ {
		cfg.Closures = append(cfg.Closures, calendar.LocalDate(near("closure", -2*86400, 12*86400), time.UTC))
	}

	tins := []string{"111111111", "222222222", "33"}
	var p Practice
	for i, n := 0, rapid.IntRange(1, 3).Draw(t, "offices"); i < n; i++ {
		p.Offices = append(p.Offices, Office{ID: int64(i + 1), TIN: rapid.SampledFrom(tins).Draw(t, "tin"),
			Zone: rapid.SampledFrom(propZones).Draw(t, "zone")})
	}
	npis := []string{mkNPI("200000001"), mkNPI("200000002"), "bad"}
	for i, n := 0, rapid.IntRange(1, 3).Draw(t, "clinicians"); i < n; i++ {
		p.Clinicians = append(p.Clinicians, Clinician{ID: int64(10 + i), NPI: rapid.SampledFrom(npis).Draw(t, "npi"),
			Eligible: spread(t, "eligible", 0, 3) > 0})
	}
	for _, tin := range tins {
		if rapid.Bool().Draw(t, "openSince2020") {
			p.APIWindows = append(p.APIWindows, APIWindow{ID: 100, TIN: tin, Enabled: utc("2020-01-01T00:00:00Z")})
		}
	}
	for i, n := 0, rapid.IntRange(0, 6).Draw(t, "windows"); i < n; i++ {
		w := APIWindow{ID: int64(i), TIN: rapid.SampledFrom(tins).Draw(t, "wtin"),
			Enabled: near("enabled", -15*86400, 20*86400)}
		if rapid.IntRange(0, 3).Draw(t, "windowAnywhere") == 3 {
			w.Enabled = instant("enabledAnywhere", -400*86400, span+20*86400)
		}
		if rapid.Bool().Draw(t, "closed") {
			w.Disabled = w.Enabled.Add(time.Duration(spread(t, "windowLength", -86400, 10*86400)) * time.Second)
		}
		p.APIWindows = append(p.APIWindows, w)
	}

	statuses := []string{"Complete", " arrived ", "IN ROOM", "Complete", "Cancelled", "Telehealth"}
	emails := []string{"", "pat@example.com", "not an address"}
	var recs []PatientRecord
	appt := int64(0)
	for i, n := 0, rapid.IntRange(0, 8).Draw(t, "patients"); i < n; i++ {
		r := PatientRecord{Patient: Patient{ID: int64(100 + i), MRN: "M", Email: rapid.SampledFrom(emails).Draw(t, "email")}}
		switch rapid.IntRange(0, 5).Draw(t, "invited") {
		case 0, 1, 2:
			r.FirstInvitation = &Invitation{SentAt: instant("invite", -3*365*86400, 0), Recipient: "patient", Channel: "email"}
		case 3, 4:
			r.FirstInvitation = &Invitation{SentAt: near("invite", -5*86400, 15*86400), Recipient: "representative", Channel: "printed"}
		}
		for j, m := 0, rapid.IntRange(0, 5).Draw(t, "visits"); j < m; j++ {
			appt++
			v := Visit{
				ID:          appt,
				OfficeID:    rapid.SampledFrom(p.Offices).Draw(t, "office").ID,
				ClinicianID: rapid.SampledFrom(p.Clinicians).Draw(t, "clinician").ID,
				ScheduledAt: near("scheduled", -3*86400, 10*86400),
				Status:      rapid.SampledFrom(statuses).Draw(t, "status"),
			}
			if rapid.IntRange(0, 4).Draw(t, "visitAnywhere") == 4 {
				v.ScheduledAt = instant("scheduledAnywhere", -86400, span+86400)
			}
			v.Notes.Count = rapid.SampledFrom([]int{1, 1, 1, 2, 0}).Draw(t, "notes")
			if v.Notes.Count > 0 {
				if rapid.IntRange(0, 4).Draw(t, "signed") > 0 {
					v.Notes.FirstSigned = v.ScheduledAt.Add(time.Duration(spread(t, "signDelay", -3600, 12*86400)) * time.Second)
				}
				if rapid.IntRange(0, 3).Draw(t, "locked") > 0 {
					v.Notes.FirstLocked = v.ScheduledAt.Add(time.Duration(spread(t, "lockDelay", -3600, 12*86400)) * time.Second)
				}
			}
			r.Visits = append(r.Visits, v)
		}
		recs = append(recs, r)
	}
	return cfg, p, recs
}

// spread draws a value in [lo, hi]: usually uniform over the range (rapid's integer
// draws favour small values, which would pile every instant onto the period's first
// midnight), sometimes one of the ends.
func spread(t *rapid.T, label string, lo, hi int64) int64 {
	switch rapid.IntRange(0, 9).Draw(t, label+"Kind") {
	case 0:
		return lo
	case 1:
		return hi
	}
	r := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, label), 1))
	return lo + r.Int64N(hi-lo+1)
}

// Comparable projections of a result.

type entKey struct {
	Level    Level
	TIN, NPI string
}

type entFigures struct {
	Den, Num, Pending, IfLocked, Seen, Timely, PendingVisits int
}

type refRow struct {
	Appt           int64
	Code           Code
	Deadline       calendar.Date
	FixBy          calendar.Date
	EventDate      calendar.Date
	HasEvent       bool
	BusinessDays   int
	Fixable        bool
	CountsIfLocked bool
	HasEmail       bool
}

type outKey struct {
	Ent     entKey
	Patient int64
}

type outFigures struct {
	In, Pending  bool
	Reason       Code
	Seen, Timely int
	First, Last  calendar.Date
}

type projection struct {
	Entities map[entKey]entFigures
	Rows     []refRow
	Outcomes map[outKey]outFigures
	Counts   Counts
	Never    []string // TINs with API_NEVER_ENABLED
	Silent   []int64  // reference only: visits not timely without any reason
}

func project(r *Result) projection {
	pr := projection{Entities: map[entKey]entFigures{}, Outcomes: map[outKey]outFigures{}, Counts: r.Counts}
	for _, e := range r.Entities {
		pr.Entities[entKey{e.Level, e.TIN, e.NPI}] = entFigures{e.Denominator, e.Numerator, e.Pending,
			e.NumeratorIfNotesLocked, e.SeenVisits, e.TimelyVisits, e.PendingVisits}
	}
	for is := range r.AllIssues() {
		if is.AppointmentID == 0 {
			continue // patient, clinician and office rows are not visit reasons
		}
		pr.Rows = append(pr.Rows, refRow{is.AppointmentID, is.Code, is.Deadline, is.FixBy, is.EventDate, is.HasEvent,
			is.BusinessDays, is.Fixable, is.CountsIfLocked, is.HasEmail})
	}
	sortRows(pr.Rows)
	for o := range r.AllOutcomes() {
		e := r.Entities[o.Entity]
		pr.Outcomes[outKey{entKey{e.Level, e.TIN, e.NPI}, o.PatientID}] = outFigures{o.InNumerator, o.Pending, o.Reason,
			o.SeenVisits, o.TimelyVisits, o.FirstVisit, o.LastVisit}
	}
	for _, f := range r.Findings {
		if f.Code == APINeverEnabled {
			pr.Never = append(pr.Never, f.TIN)
		}
	}
	return pr
}

func sortRows(rows []refRow) {
	order := map[Code]int{NoteMissing: 0, NoteUnsigned: 0, NoteNotLocked: 0, NoteLockedLate: 0, NoteSignedLate: 0,
		NotInvited: 1, InvitedLate: 1, APINotEnabled: 2, AccessAfterPeriod: 3, LockBeforeVisit: 4}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Appt != rows[j].Appt {
			return rows[i].Appt < rows[j].Appt
		}
		return order[rows[i].Code] < order[rows[j].Code]
	})
}

// refCalendar counts business days one day at a time (R3).
type refCalendar struct {
	federal  bool
	closed   map[calendar.Date]bool
	holidays map[int]map[calendar.Date]bool
}

func (c *refCalendar) business(d calendar.Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday || c.closed[d] {
		return false
	}
	if !c.federal {
		return true
	}
	y := d.Year()
	if c.holidays[y] == nil {
		c.holidays[y] = map[calendar.Date]bool{}
		for _, h := range calendar.FederalHolidays(y) {
			c.holidays[y][h.Observed] = true
		}
	}
	return !c.holidays[y][d]
}

func (c *refCalendar) deadline(v calendar.Date) calendar.Date {
	for n, d := 0, v+1; ; d++ {
		if c.business(d) {
			if n++; n == 4 {
				return d
			}
		}
	}
}

func (c *refCalendar) between(a, b calendar.Date) int {
	n, sign := 0, 1
	if b < a {
		a, b, sign = b, a, -1
	}
	for d := a + 1; d <= b; d++ {
		if c.business(d) {
			n++
		}
	}
	return sign * n
}

type refVisit struct {
	id                        int64
	at                        time.Time
	tin, npi                  string
	v                         calendar.Date
	timely, pending, ifLocked bool
	reason                    Code
}

// refEvaluate is the brute-force reference.
func refEvaluate(cfg Config, p Practice, recs []PatientRecord) projection {
	cfg = cfg.WithDefaults()
	cal := &refCalendar{federal: cfg.FederalHolidays, closed: map[calendar.Date]bool{}, holidays: map[int]map[calendar.Date]bool{}}
	for _, d := range cfg.Closures {
		cal.closed[d] = true
	}
	bound := cfg.End
	if cfg.NumeratorActions == ActionsCalendarYear {
		bound = calendar.NewDate(cfg.End.Year(), time.December, 31)
	}
	seenSet := map[string]bool{}
	for _, s := range cfg.SeenStatuses {
		seenSet[strings.ToLower(strings.TrimSpace(s))] = true
	}
	offices := map[int64]Office{}
	for _, o := range p.Offices {
		offices[o.ID] = o
	}
	clins := map[int64]Clinician{}
	for _, c := range p.Clinicians {
		clins[c.ID] = c
	}
	asOf := cfg.AsOf
	known := func(t time.Time) bool { return !t.IsZero() && !t.After(asOf) }
	// enabledAt reports whether the TIN's API is on at t, as known at as-of.
	enabledAt := func(tin string, t time.Time) bool {
		for _, w := range p.APIWindows {
			if w.TIN != tin || w.Enabled.After(asOf) || t.Before(w.Enabled) {
				continue
			}
			if w.Disabled.IsZero() || w.Disabled.After(asOf) || t.Before(w.Disabled) {
				return true
			}
		}
		return false
	}
	// next is the earliest enabled instant ≥ t0: t0 itself or some window's start.
	next := func(tin string, t0 time.Time) (time.Time, bool) {
		best, ok := time.Time{}, false
		cands := []time.Time{t0}
		for _, w := range p.APIWindows {
			if w.TIN == tin && w.Enabled.After(t0) {
				cands = append(cands, w.Enabled)
			}
		}
		for _, c := range cands {
			if enabledAt(tin, c) && (!ok || c.Before(best)) {
				best, ok = c, true
			}
		}
		return best, ok
	}
	ever := func(tin string) bool {
		for _, w := range p.APIWindows {
			if w.TIN == tin && !w.Enabled.After(asOf) && (w.Disabled.IsZero() || w.Disabled.After(asOf) || w.Disabled.After(w.Enabled)) {
				return true
			}
		}
		return false
	}

	pr := projection{Entities: map[entKey]entFigures{}, Outcomes: map[outKey]outFigures{}}
	neverSet := map[string]bool{}
	for _, r := range recs {
		pr.Counts.Patients++
		pr.Counts.Appointments += len(r.Visits)
		var inv time.Time
		hasInv := r.FirstInvitation != nil && known(r.FirstInvitation.SentAt)
		if hasInv {
			inv = r.FirstInvitation.SentAt
		}
		var visits []refVisit
		for _, v := range r.Visits {
			o, c := offices[v.OfficeID], clins[v.ClinicianID]
			vd := calendar.LocalDate(v.ScheduledAt, o.Zone)
			switch {
			case vd < cfg.Start || vd > cfg.End:
				pr.Counts.OutsidePeriod++
				continue
			case !seenSet[strings.ToLower(strings.TrimSpace(v.Status))]:
				pr.Counts.NotSeen++
				continue
			case !c.Eligible:
				pr.Counts.NotEligible++
				continue
			case vd > calendar.LocalDate(asOf, o.Zone): // a later local date than the as-of date (R1)
				pr.Counts.AfterAsOf++
				continue
			}
			pr.Counts.SeenVisits++
			date := func(t time.Time) calendar.Date { return calendar.LocalDate(t, o.Zone) }
			rv := refVisit{id: v.ID, at: v.ScheduledAt, tin: o.TIN, npi: c.NPI, v: vd}
			d := cal.deadline(vd)
			fix := d // R9: the fix-by date, the deadline capped at the bound
			if bound < fix {
				fix = bound
			}
			asOfDate := date(asOf)
			var rel time.Time
			relT := v.Notes.FirstLocked
			if cfg.Release == ReleaseSign {
				relT = v.Notes.FirstSigned
			}
			hasRel := v.Notes.Count > 0 && known(relT)
			if hasRel {
				rel = relT
			}
			var a time.Time
			hasA := false
			if hasRel && hasInv {
				t0 := rel
				if inv.After(t0) {
					t0 = inv
				}
				a, hasA = next(o.TIN, t0)
				rv.timely = hasA && date(a) <= d && date(a) <= bound
			}
			rv.ifLocked = rv.timely
			if !rv.timely {
				// R9: reachable while the as-of date is on or before the fix-by date and no
				// event that happened fell after it.
				rv.pending = asOfDate <= fix &&
					!(hasRel && date(rel) > fix) && !(hasInv && date(inv) > fix) && !(hasA && date(a) > fix)
				if rv.pending && !hasRel && hasInv {
					t0 := asOf
					if inv.After(t0) {
						t0 = inv
					}
					if a2, ok := next(o.TIN, t0); ok {
						rv.ifLocked = date(a2) <= d && date(a2) <= bound
					}
				}
				pr.Counts.PendingVisits += b2i(rv.pending)
			} else {
				pr.Counts.TimelyVisits++
			}

			// R10 rows.
			var rows []refRow
			// lateBy counts business days from due to e, a non-business e counting as the
			// next business day (R9: never 0 days late); 0 when e is not after due.
			lateBy := func(due, e calendar.Date) int {
				if e <= due {
					return 0
				}
				n := cal.between(due, e)
				if !cal.business(e) {
					n++
				}
				return n
			}
			missing := func(code Code) refRow {
				bd := lateBy(fix, asOfDate)
				if rv.pending {
					bd = cal.between(asOfDate, fix)
				}
				return refRow{Appt: v.ID, Code: code, Deadline: d, FixBy: fix, BusinessDays: bd, Fixable: rv.pending}
			}
			late := func(code Code, e calendar.Date) refRow {
				return refRow{Appt: v.ID, Code: code, Deadline: d, FixBy: fix, EventDate: e, HasEvent: true, BusinessDays: lateBy(d, e), Fixable: rv.pending}
			}
			if !rv.timely {
				switch {
				case v.Notes.Count == 0 || !hasRel:
					code := NoteMissing
					if v.Notes.Count > 0 {
						code = NoteUnsigned
						if cfg.Release == ReleaseLock && known(v.Notes.FirstSigned) {
							code = NoteNotLocked
						}
					}
					row := missing(code)
					row.CountsIfLocked = rv.ifLocked
					rows = append(rows, row)
				case date(rel) > d:
					code := NoteLockedLate
					if cfg.Release == ReleaseSign {
						code = NoteSignedLate
					}
					rows = append(rows, late(code, date(rel)))
				}
				switch {
				case !hasInv:
					row := missing(NotInvited)
					row.HasEmail = UsableEmail(r.Patient.Email)
					rows = append(rows, row)
				case date(inv) > d:
					rows = append(rows, late(InvitedLate, date(inv)))
				}
				if !ever(o.TIN) {
					neverSet[o.TIN] = true
					rv.reason = APINeverEnabled
				} else {
					t0 := v.ScheduledAt
					if hasRel && date(rel) <= d && rel.After(t0) {
						t0 = rel
					}
					if hasInv && date(inv) <= d && inv.After(t0) {
						t0 = inv
					}
					if a0, ok := next(o.TIN, t0); !ok {
						rows = append(rows, missing(APINotEnabled))
					} else if date(a0) > d {
						rows = append(rows, late(APINotEnabled, date(a0)))
					}
					if hasA && date(a) <= d && date(a) > bound {
						rows = append(rows, refRow{Appt: v.ID, Code: AccessAfterPeriod, Deadline: d, FixBy: fix, EventDate: date(a), HasEvent: true, Fixable: rv.pending})
					}
				}
				if len(rows) > 0 {
					rv.reason = rows[0].Code
				}
				if rv.reason == "" {
					pr.Silent = append(pr.Silent, v.ID) // not timely, yet no reason: a rule gap
				}
			}
			if v.Notes.Count > 0 && known(v.Notes.FirstLocked) && v.Notes.FirstLocked.Before(v.ScheduledAt) {
				rows = append(rows, refRow{Appt: v.ID, Code: LockBeforeVisit, Deadline: d, FixBy: fix, EventDate: date(v.Notes.FirstLocked), HasEvent: true})
			}
			pr.Rows = append(pr.Rows, rows...)
			visits = append(visits, rv)
		}
		sort.SliceStable(visits, func(i, j int) bool {
			if !visits[i].at.Equal(visits[j].at) {
				return visits[i].at.Before(visits[j].at)
			}
			return visits[i].id < visits[j].id
		})
		// R2: the patient's visits per entity; R8/R9 per entity from scratch.
		per := map[entKey][]refVisit{}
		for _, v := range visits {
			per[entKey{Individual, v.tin, v.npi}] = append(per[entKey{Individual, v.tin, v.npi}], v)
			per[entKey{Group, v.tin, ""}] = append(per[entKey{Group, v.tin, ""}], v)
		}
		for k, vs := range per {
			all, any := true, false
			allFailPending, anyPending := true, false
			allIf, anyIf := true, false
			var reason Code
			timely := 0
			for _, v := range vs {
				all = all && v.timely
				any = any || v.timely
				allIf = allIf && v.ifLocked
				anyIf = anyIf || v.ifLocked
				anyPending = anyPending || v.pending
				if !v.timely {
					allFailPending = allFailPending && v.pending
					if reason == "" {
						reason = v.reason
					}
				} else {
					timely++
				}
			}
			in, pend, ifl := all, !all && allFailPending, allIf
			if cfg.Policy == AnyVisit {
				in, pend, ifl = any, !any && anyPending, anyIf
			}
			if in {
				reason = ""
			}
			f := pr.Entities[k]
			f.Den++
			f.Num += b2i(in)
			f.Pending += b2i(pend)
			f.IfLocked += b2i(ifl)
			f.Seen += len(vs)
			f.Timely += timely
			for _, v := range vs {
				f.PendingVisits += b2i(v.pending)
			}
			pr.Entities[k] = f
			if k.Level == Individual && in {
				pr.Counts.PatientsInNumerator++
			}
			pr.Outcomes[outKey{k, r.Patient.ID}] = outFigures{in, pend, reason, len(vs), timely, vs[0].v, vs[len(vs)-1].v}
		}
	}
	sortRows(pr.Rows)
	for tin := range neverSet {
		pr.Never = append(pr.Never, tin)
	}
	sort.Strings(pr.Never)
	return pr
}

func TestEvaluatorMatchesReference(t *testing.T) {
	// Off-by-one-day slips need a few hundred scenarios to show up; unless the run
	// asks for a number of checks, do 1000 (100 with -short).
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue && !testing.Short() {
		if err := f.Value.Set("1000"); err != nil {
			t.Fatal(err)
		}
		defer f.Value.Set(f.DefValue)
	}
	rapid.Check(t, func(t *rapid.T) {
		cfg, p, recs := drawScenario(t)
		r, err := Evaluate(cfg, p, recs)
		if err != nil {
			t.Fatalf("Evaluate: %v", err)
		}
		got, want := project(r), refEvaluate(cfg, p, recs)
		if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
			t.Fatalf("engine differs from the reference (-reference +engine):\n%s", diff)
		}
	})
}

// TestZoneDaysMatchesLocalDate checks the engine's precomputed zone offsets against
// calendar.LocalDate for instants in and far outside the precomputed span.
func TestZoneDaysMatchesLocalDate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom(propZones).Draw(t, "zone")
		base := time.Date(rapid.IntRange(1990, 2060).Draw(t, "year"), 1, 1, 0, 0, 0, 0, time.UTC)
		z := newZoneDays(loc, base.Unix(), base.Unix()+2*365*86400)
		at := base.Add(time.Duration(rapid.Int64Range(-30*365*86400, 30*365*86400).Draw(t, "offset")) * time.Second)
		if got, want := z.date(at), calendar.LocalDate(at, loc); got != want {
			t.Fatalf("zoneDays(%s).date(%s) = %s, want %s", loc, at, got, want)
		}
	})
}

// TestFastEmailIsSubset checks that the allocation-free email check never accepts an
// address UsableEmail rejects.
func TestFastEmailIsSubset(t *testing.T) {
	for _, s := range []string{"a@b.co", "first.last+tag@mail.example.org", "x_y%z@a-b.c"} {
		if !usableEmailFast(s) {
			t.Errorf("usableEmailFast(%q) = false, want true for a common address", s)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringOf(rapid.SampledFrom([]rune("ab.@-_+%Z9 \"<>\x00é"))).Draw(t, "email")
		if usableEmailFast(s) && !UsableEmail(s) {
			t.Fatalf("usableEmailFast accepts %q, UsableEmail rejects it", s)
		}
	})
}
