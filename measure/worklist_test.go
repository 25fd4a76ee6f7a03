package measure

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// worklistPractice: as of Thu 2025-03-06 noon, Ann has a missing note and an unlocked
// note still fixable, a note locked late, and a timely visit; Bob has an unsigned note
// whose patient was never invited (locking alone would not count).
func worklistRecords() []PatientRecord {
	return []PatientRecord{
		patientRec(1, invitedLongAgo(), seen(10, ny("2025-03-04 10:00:00"), Notes{})),                               // deadline 03-10
		patientRec(2, invitedLongAgo(), seen(20, ny("2025-03-03 10:00:00"), signedOnly(ny("2025-03-04 09:00:00")))), // deadline 03-07
		patientRec(3, invitedLongAgo(), seen(30, ny("2025-02-24 10:00:00"), lockedAt(ny("2025-03-05 09:00:00")))),   // deadline 02-28
		patientRec(4, invitedLongAgo(), seen(40, ny("2025-03-03 10:00:00"), lockedAt(ny("2025-03-04 09:00:00")))),
		patientRec(5, nil, at(seen(50, ny("2025-03-04 10:00:00"), Notes{Count: 1}), offNY, clinBob)),
	}
}

func TestWorklist(t *testing.T) {
	cfg := testConfig()
	cfg.AsOf = ny("2025-03-06 12:00:00")
	r := mustEvaluate(t, cfg, testPractice(), worklistRecords()...)

	wantEntities := []EntityResult{
		ent(Individual, tinA, npiAnn, 4, 1, 2, 3, 4, 1, 2, 0.25, 6.25),
		ent(Individual, tinA, npiBob, 1, 0, 1, 0, 1, 0, 1, 0, 0),
		ent(Group, tinA, "", 5, 1, 3, 3, 5, 1, 3, 0.2, 5),
	}
	if diff := cmp.Diff(wantEntities, r.Entities, cmpOpts...); diff != "" {
		t.Fatalf("entities (-want +got):\n%s", diff)
	}

	p1 := row(NoteMissing, 1, 10, "2025-03-04", "2025-03-10", fixable(), countsIfLocked(), bdays(2))
	p2 := row(NoteNotLocked, 2, 20, "2025-03-03", "2025-03-07", fixable(), countsIfLocked(), bdays(1))
	p3 := row(NoteLockedLate, 3, 30, "2025-02-24", "2025-02-28", event("2025-03-05"), bdays(3))
	p5 := row(NoteUnsigned, 5, 50, "2025-03-04", "2025-03-10", fixable(), bdays(2), npiOf(npiBob))
	// Those that can still count first, by lock-by date; then those that cannot.
	ann := workView{Entity: 0, TIN: tinA, NPI: npiAnn, Clinician: "Avery, Ann",
		Items: []WorkItem{{Issue: p2, CanCount: true}, {Issue: p1, CanCount: true},
			{Issue: p3, Blocker: Blocker{Kind: NoteLate, Date: day("2025-03-05"), Code: NoteLockedLate}}},
		Notes: 3, FixableNotes: 2, RateNow: 0.25, RateIfLocked: 0.75}
	bob := workView{Entity: 1, TIN: tinA, NPI: npiBob, Clinician: "Brown, Bob",
		Items: []WorkItem{{Issue: p5, CanCount: true, NeedsInvitation: true}},
		Notes: 1, FixableNotes: 1, RateNow: 0, RateIfLocked: 0}

	cases := []struct {
		name string
		npi  string
		want []workView
	}{
		{"every clinician", "", []workView{ann, bob}},
		{"one clinician", npiBob, []workView{bob}},
		{"unknown NPI", "1999999999", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wl := worklistOf(t, r, c.npi)
			if !wl.AsOf.Equal(cfg.AsOf) {
				t.Errorf("as of %v, want %v", wl.AsOf, cfg.AsOf)
			}
			if diff := cmp.Diff(c.want, viewWorklist(t, wl), cmpOpts...); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	var details []string
	for it := range worklistOf(t, r, "").Clinicians[0].Items() {
		details = append(details, it.Detail())
	}
	wantDetails := []string{
		"note signed but not locked; lock by 2025-03-07 (1 business day left)",
		"no note for this visit; lock by 2025-03-10 (2 business days left)",
		"note locked 2025-03-05, 3 business days late",
	}
	if diff := cmp.Diff(wantDetails, details); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}
}

func TestDetail(t *testing.T) {
	cases := []struct {
		name string
		is   Issue
		want string
	}{
		{"locked late", row(NoteLockedLate, 1, 1, "2025-03-03", "2025-03-07", event("2025-03-12"), bdays(3)), "note locked 2025-03-12, 3 business days late"},
		{"signed late, one day", row(NoteSignedLate, 1, 1, "2025-03-03", "2025-03-07", event("2025-03-10"), bdays(1)), "note signed 2025-03-10, 1 business day late"},
		{"missing, past", row(NoteMissing, 1, 1, "2025-03-03", "2025-03-07", bdays(4)), "no note for this visit"},
		{"unsigned, fixable", row(NoteUnsigned, 1, 1, "2025-03-03", "2025-03-07", fixable(), bdays(2)), "note not signed; lock by 2025-03-07 (2 business days left)"},
		{"not locked, last day today", row(NoteNotLocked, 1, 1, "2025-03-03", "2025-03-07", fixable(), bdays(0)), "note signed but not locked; lock by 2025-03-07 (last day today)"},
		{"not invited, email", row(NotInvited, 1, 1, "2025-03-03", "2025-03-07", hasEmail()), "patient never invited to the portal; has a usable email"},
		{"not invited, no email", row(NotInvited, 1, 1, "2025-03-03", "2025-03-07"), "patient never invited to the portal; no usable email on file"},
		{"not invited, fixable", row(NotInvited, 1, 1, "2025-03-03", "2025-03-07", fixable(), bdays(1)), "patient never invited to the portal; no usable email on file; invite by 2025-03-07 (1 business day left)"},
		{"invited late", row(InvitedLate, 1, 1, "2025-03-24", "2025-03-28", event("2025-04-01"), bdays(5), via("representative", "printed")),
			"first invitation 2025-04-01 (representative, printed), 5 business days late"},
		{"API not enabled", row(APINotEnabled, 1, 1, "2025-03-03", "2025-03-07", bdays(3)), "patient API not enabled for TIN 123456789 in time"},
		{"API enabled late", row(APINotEnabled, 1, 1, "2025-03-03", "2025-03-07", event("2025-03-10"), bdays(1)),
			"patient API not enabled for TIN 123456789 in time; enabled 2025-03-10, 1 business day late"},
		{"API not enabled, fixable", row(APINotEnabled, 1, 1, "2025-03-03", "2025-03-07", fixable(), bdays(2)),
			"patient API not enabled for TIN 123456789 in time; enable by 2025-03-07 (2 business days left)"},
		{"access after period", row(AccessAfterPeriod, 1, 1, "2025-12-29", "2026-01-05", event("2026-01-02"), bound("2025-12-31")),
			"access 2026-01-02 after the performance period ended 2025-12-31"},
		{"access after calendar year", row(AccessAfterPeriod, 1, 1, "2025-12-29", "2026-01-05", event("2026-01-02"), bound("2025-12-31"), calendarYear()),
			"access 2026-01-02 after the calendar year ended 2025-12-31"},
		{"lock before visit", row(LockBeforeVisit, 1, 1, "2025-03-03", "2025-03-07", warning(), event("2025-03-02")), "note locked 2025-03-02, before the visit's scheduled time"},
		{"invalid NPI", Issue{Code: InvalidNPI, Text: "12345"}, `NPI "12345" fails the NPI check digit (Luhn with prefix 80840)`},
		{"invalid TIN", Issue{Code: InvalidTIN, Text: "12-3"}, `TIN "12-3" is not 9 digits`},
		{"invalid email", Issue{Code: InvalidEmail, Text: `email on file is not a usable address: "x"`}, `email on file is not a usable address: "x"`},
		{"duplicate", Issue{Code: PossibleDuplicatePatient, Text: "same name and birth date as patient 1"}, "same name and birth date as patient 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.is.Detail(); got != c.want {
				t.Errorf("Detail() = %q, want %q", got, c.want)
			}
		})
	}
}

// TestFilters checks that Config.TIN / Config.NPI choose what is reported without
// changing any figure.
func TestFilters(t *testing.T) {
	early := ny("2025-03-03 10:00:00")
	late := lockedAt(ny("2025-03-12 09:00:00"))
	timely := lockedAt(ny("2025-03-04 09:00:00"))
	recs := []PatientRecord{
		patientRec(1, invitedLongAgo(), seen(7, early, late), at(seen(8, early, timely), offB, clinAnn)),
		patientRec(2, invitedLongAgo(), at(seen(9, early, late), offNY, clinBob), at(seen(10, early, late), offB, clinBob)),
	}
	lateRow := func(p, appt int64, opts ...func(*Issue)) Issue {
		return row(NoteLockedLate, p, appt, "2025-03-03", "2025-03-07", append([]func(*Issue){event("2025-03-12"), bdays(3)}, opts...)...)
	}
	all := mustEvaluate(t, testConfig(), testPractice(), recs...)
	cases := []struct {
		name     string
		tin, npi string
		want     view
		inFilter FilterCounts // the filter's own data counts (the Data line)
	}{
		{
			name:     "TIN B only",
			tin:      tinB,
			inFilter: FilterCounts{Patients: 2, SeenVisits: 2, TimelyVisits: 1},
			want: view{
				Entities: []EntityResult{
					ent(Individual, tinB, npiAnn, 1, 1, 0, 1, 1, 1, 0, 1, 25),
					ent(Individual, tinB, npiBob, 1, 0, 0, 0, 1, 0, 0, 0, 0),
					ent(Group, tinB, "", 2, 1, 0, 1, 2, 1, 0, 0.5, 12.5),
				},
				Issues:   []Issue{lateRow(2, 10, tinOf(tinB), npiOf(npiBob))},
				Findings: []Finding{numZero(tinB, npiBob, 1)},
			},
		},
		{
			name:     "Bob only: his rows under both TINs, no group rows",
			npi:      npiBob,
			inFilter: FilterCounts{Patients: 1, SeenVisits: 2},
			want: view{
				Entities: []EntityResult{
					ent(Individual, tinA, npiBob, 1, 0, 0, 0, 1, 0, 0, 0, 0),
					ent(Individual, tinB, npiBob, 1, 0, 0, 0, 1, 0, 0, 0, 0),
				},
				Issues:   []Issue{lateRow(2, 9, npiOf(npiBob)), lateRow(2, 10, tinOf(tinB), npiOf(npiBob))},
				Findings: []Finding{numZero(tinA, npiBob, 1), numZero(tinB, npiBob, 1)},
			},
		},
		{
			name: "TIN A and Ann",
			tin:  tinA, npi: npiAnn,
			inFilter: FilterCounts{Patients: 1, SeenVisits: 1},
			want: view{
				Entities: []EntityResult{ent(Individual, tinA, npiAnn, 1, 0, 0, 0, 1, 0, 0, 0, 0)},
				Issues:   []Issue{lateRow(1, 7)},
				Findings: []Finding{numZero(tinA, npiAnn, 1)},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.TIN, cfg.NPI = c.tin, c.npi
			r := mustEvaluate(t, cfg, testPractice(), recs...)
			if diff := cmp.Diff(c.want, viewOf(r), cmpOpts...); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.inFilter, r.Counts.InFilter); diff != "" {
				t.Errorf("the filter's counts (-want +got):\n%s", diff)
			}
			k := r.Counts
			k.InFilter = FilterCounts{}
			if diff := cmp.Diff(all.Counts, k); diff != "" {
				t.Errorf("data read changed by the filter (-all +filtered):\n%s", diff)
			}
		})
	}
}

// TestOutcomes checks the per-patient drill-down (KeepPatients).
func TestOutcomes(t *testing.T) {
	cfg := testConfig()
	cfg.AsOf = ny("2025-05-07 12:00:00")
	cfg.KeepPatients = true
	recs := []PatientRecord{
		patientRec(1, invitedLongAgo(),
			seen(7, ny("2025-03-03 10:00:00"), lockedAt(ny("2025-03-12 09:00:00"))),                      // late
			seen(8, ny("2025-04-07 10:00:00"), lockedAt(ny("2025-04-08 09:00:00"))),                      // timely
			at(seen(9, ny("2025-05-05 10:00:00"), lockedAt(ny("2025-05-06 09:00:00"))), offNY, clinBob)), // timely
		patientRec(2, invitedLongAgo(), at(seen(10, ny("2025-05-05 11:00:00"), Notes{}), offNY, clinBob)), // pending
	}
	r := mustEvaluate(t, cfg, testPractice(), recs...)
	o := func(entity int, p int64, in, pending bool, reason Code, seenV, timelyV int, first, last string) Outcome {
		rec := recs[0].Patient
		if p == 2 {
			rec = recs[1].Patient
		}
		return Outcome{Entity: entity, PatientID: p, MRN: mrn(p), FirstName: rec.FirstName, LastName: rec.LastName,
			BirthDate: rec.BirthDate, HasBirthDate: true, InNumerator: in, Pending: pending, Reason: reason,
			SeenVisits: seenV, TimelyVisits: timelyV, FirstVisit: day(first), LastVisit: day(last)}
	}
	// Entities: 0 Ann, 1 Bob, 2 group TIN A.
	want := []Outcome{
		o(0, 1, false, false, NoteLockedLate, 2, 1, "2025-03-03", "2025-04-07"),
		o(2, 1, false, false, NoteLockedLate, 3, 2, "2025-03-03", "2025-05-05"),
		o(1, 1, true, false, "", 1, 1, "2025-05-05", "2025-05-05"),
		o(1, 2, false, true, NoteMissing, 1, 0, "2025-05-05", "2025-05-05"),
		o(2, 2, false, true, NoteMissing, 1, 0, "2025-05-05", "2025-05-05"),
	}
	if diff := cmp.Diff(want, rowsOf(t, r.AllOutcomes()), cmpOpts...); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if r.OutcomeCount() != len(want) {
		t.Errorf("OutcomeCount %d, want %d", r.OutcomeCount(), len(want))
	}
	cfg.KeepPatients = false
	if r := mustEvaluate(t, cfg, testPractice(), recs...); r.OutcomeCount() != 0 {
		t.Errorf("outcomes kept without KeepPatients: %v", rowsOf(t, r.AllOutcomes()))
	}
}

// TestErrors checks that bad reference data and dangling ids are errors, not panics,
// and that a rejected record changes no figure.
func TestErrors(t *testing.T) {
	practiceErr := []struct {
		name  string
		tweak func(*Practice)
		want  string
	}{
		{"office without zone", func(p *Practice) { p.Offices[1].Zone = nil }, `office 2 ("West") has no time zone`},
		{"duplicate office", func(p *Practice) { p.Offices[1].ID = offNY }, "offices: duplicate id 1"},
		{"duplicate clinician", func(p *Practice) { p.Clinicians[1].ID = clinAnn }, "clinicians: duplicate id 10"},
		{"duplicate sparse office id", func(p *Practice) { p.Offices[0].ID, p.Offices[1].ID = 1<<40, 1<<40 }, "duplicate id 1099511627776"},
	}
	for _, c := range practiceErr {
		t.Run(c.name, func(t *testing.T) {
			p := testPractice()
			c.tweak(&p)
			_, err := NewEvaluator(testConfig(), p)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("NewEvaluator error = %v, want one containing %q", err, c.want)
			}
		})
	}

	e, err := NewEvaluator(testConfig(), testPractice())
	if err != nil {
		t.Fatal(err)
	}
	good := patientRec(1, invitedLongAgo(), seen(7, ny("2025-03-03 10:00:00"), lockedAt(ny("2025-03-04 09:00:00"))))
	if err := e.Add(&good); err != nil {
		t.Fatal(err)
	}
	badOffice := patientRec(5, invitedLongAgo(), seen(8, ny("2025-03-03 10:00:00"), Notes{}), at(seen(77, ny("2025-03-03 11:00:00"), Notes{}), 99, clinAnn))
	badClin := patientRec(6, invitedLongAgo(), at(seen(78, ny("2025-03-03 11:00:00"), Notes{}), offNY, 98))
	for _, c := range []struct {
		rec  PatientRecord
		want string
	}{
		{badOffice, "add patient 5: appointment 77 names unknown office 99"},
		{badClin, "add patient 6: appointment 78 names unknown clinician 98"},
	} {
		if err := e.Add(&c.rec); err == nil || err.Error() != c.want {
			t.Errorf("Add error = %v, want %q", err, c.want)
		}
	}
	r := resultOf(t, e)
	if diff := cmp.Diff(annAlone(1, 0, 1, 1, 1, 0), r.Entities); diff != "" {
		t.Errorf("a rejected record changed the figures (-want +got):\n%s", diff)
	}
	if r.Counts.Patients != 1 || r.Counts.Appointments != 1 {
		t.Errorf("counts = %+v, want the good patient only", r.Counts)
	}
	if resultOf(t, e) != r {
		t.Errorf("a second Result call returned a different result")
	}
	if err := e.Add(&good); err == nil {
		t.Errorf("Add after Result succeeded, want an error")
	}
}

// TestAddDoesNotRetain checks that the evaluator keeps nothing of a record: the caller
// reuses one record (and its Visits array) for every patient.
func TestAddDoesNotRetain(t *testing.T) {
	cfg, p, recs := genPractice(7, 300)
	cfg.KeepPatients = true
	want, err := Evaluate(cfg, p, recs)
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEvaluator(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	var buf PatientRecord
	for i := range recs {
		buf.Patient = recs[i].Patient
		buf.FirstInvitation = nil
		if recs[i].FirstInvitation != nil {
			inv := *recs[i].FirstInvitation
			buf.FirstInvitation = &inv
		}
		buf.Visits = append(buf.Visits[:0], recs[i].Visits...)
		if err := e.Add(&buf); err != nil {
			t.Fatal(err)
		}
		// Scribble over the buffer as a reusing caller would.
		for j := range buf.Visits {
			buf.Visits[j] = Visit{ID: -1, Status: "garbage"}
		}
		if buf.FirstInvitation != nil {
			*buf.FirstInvitation = Invitation{Recipient: "garbage", Channel: "garbage"}
		}
	}
	got := resultOf(t, e)
	if diff := cmp.Diff(want, got, append(cmpOpts, cmpopts.IgnoreFields(Result{}, "Calendar", "Issues", "Outcomes"))...); diff != "" {
		t.Errorf("reused record changed the result (-fresh +reused):\n%s", diff)
	}
	if diff := cmp.Diff(rowsOf(t, want.AllIssues()), rowsOf(t, got.AllIssues()), cmpOpts...); diff != "" {
		t.Errorf("reused record changed the issue rows (-fresh +reused):\n%s", diff)
	}
	if diff := cmp.Diff(rowsOf(t, want.AllOutcomes()), rowsOf(t, got.AllOutcomes()), cmpOpts...); diff != "" {
		t.Errorf("reused record changed the drill-down (-fresh +reused):\n%s", diff)
	}
}

// workView is a WorkClinician with its items read, for comparing.
type workView struct {
	Entity                int
	TIN, NPI, Clinician   string
	Items                 []WorkItem
	Notes, FixableNotes   int
	RateNow, RateIfLocked float64
}

func viewWorklist(t testing.TB, w Worklist) []workView {
	var out []workView
	for _, wc := range w.Clinicians {
		out = append(out, workView{Entity: wc.Entity, TIN: wc.TIN, NPI: wc.NPI, Clinician: wc.Clinician,
			Items: rowsOf(t, wc.Items()), Notes: wc.Notes, FixableNotes: wc.FixableNotes,
			RateNow: wc.RateNow, RateIfLocked: wc.RateIfLocked})
	}
	return out
}
