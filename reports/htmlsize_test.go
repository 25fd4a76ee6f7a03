package reports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// wideResult is a health system's result shape: clinicians individual entities under
// one TIN, each with items note rows (every fifth still fixable), plus the group.
func wideResult(clinicians, items int) *measure.Result {
	base := testResult()
	r := &measure.Result{MeasureID: base.MeasureID, Config: base.Config, PerformanceYear: base.PerformanceYear,
		Calendar: base.Calendar, ReleaseLag: base.ReleaseLag}
	r.Config.KeepPatients = false
	tin := "123456789"
	appt := int64(0)
	var issues []measure.Issue
	for c := 0; c < clinicians; c++ {
		npi := npi(fmt.Sprintf("1%08d", c))
		name := fmt.Sprintf("Clinician%04d, Pat", c)
		r.Entities = append(r.Entities, measure.EntityResult{
			Entity:      measure.Entity{Level: measure.Individual, TIN: tin, NPI: npi, Clinician: name, PracticeName: "Big Health"},
			Denominator: 1500, Numerator: 1200, Rate: 0.8, Points: 20, NumeratorIfNotesLocked: 1250, SeenVisits: 5000, TimelyVisits: 4500,
		})
		for i := 0; i < items; i++ {
			appt++
			is := measure.Issue{Code: measure.NoteLockedLate, Severity: measure.SeverityError, TIN: tin, NPI: npi, Clinician: name,
				PatientID: appt, MRN: fmt.Sprintf("M%07d", appt), AppointmentID: appt,
				VisitDate: d("2025-01-02") + calendarDays(i%80), Deadline: d("2025-01-08") + calendarDays(i%80),
				EventDate: d("2025-01-20"), HasEvent: true, BusinessDays: 8}
			if i%5 == 0 {
				is.Code, is.HasEvent, is.Fixable, is.CountsIfLocked = measure.NoteNotLocked, false, true, true
			}
			issues = append(issues, is)
		}
	}
	r.Entities = append(r.Entities, measure.EntityResult{
		Entity:      measure.Entity{Level: measure.Group, TIN: tin, PracticeName: "Big Health"},
		Denominator: 1500000, Numerator: 1200000, Rate: 0.8, Points: 20,
	})
	return withIssues(r, issues)
}

// TestHTMLSizeBounded: at the 5M-appointment benchmark's 1,000 clinicians, each with
// 300 notes to fix, the page stays under 5 MB, shows the top rows per clinician and
// says how many more there are and where.
func TestHTMLSizeBounded(t *testing.T) {
	r := wideResult(1000, 300)
	var b bytes.Buffer
	if err := HTML(&b, r, testOptions); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 5<<20 {
		t.Errorf("HTML page is %d bytes at 1,000 clinicians × 300 notes, want ≤ 5 MB", b.Len())
	}
	page := b.String()
	per := htmlItemsPerClinician(1000)
	want := fmt.Sprintf("Showing %d of 300 notes", per)
	if n := strings.Count(page, want); n != 1000 {
		t.Errorf("%q appears %d times, want once per clinician (1000)", want, n)
	}
	if !strings.Contains(page, `data-field="hidden" data-value="`+fmt.Sprint(300-per)+`"`) {
		t.Errorf("the hidden count is not on the page")
	}
	t.Logf("HTML page: %d bytes (%d rows per clinician)", b.Len(), per)
}

func TestTopItems(t *testing.T) {
	// In the worklist's order (Result.Worklist): the three that can still count, then
	// the others.
	var items []measure.WorkItem
	for i := 0; i < 10; i++ {
		is := measure.WorkItem{Issue: measure.Issue{AppointmentID: int64(i + 1), Deadline: d("2025-01-01") + calendarDays(i)}}
		if i < 3 {
			is.Fixable, is.CanCount = true, true
		}
		items = append(items, is)
	}
	top := func(limit int) []measure.WorkItem {
		out, err := topItems(measure.RowsOf(items).All(), len(items), limit)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var got []int64
	for _, is := range top(5) {
		got = append(got, is.AppointmentID)
	}
	// The three that can still count, then the two first others, as the worklist gives them.
	if fmt.Sprint(got) != "[1 2 3 4 5]" {
		t.Errorf("topItems = %v, want [1 2 3 4 5]", got)
	}
	if len(top(10)) != 10 || len(top(50)) != 10 {
		t.Errorf("topItems cut a list that fits")
	}
	for n, want := range map[int]int{1: 25, 200: 25, 1000: 5, 100000: 3} {
		if got := htmlItemsPerClinician(n); got != want {
			t.Errorf("htmlItemsPerClinician(%d) = %d, want %d", n, got, want)
		}
	}
}

func calendarDays(n int) calendar.Date { return calendar.Date(n) }

// A row that cannot be read back ends the page's worklist with its error.
func TestTopItemsError(t *testing.T) {
	boom := fmt.Errorf("read back issue rows: row 3 of 9: damaged")
	rows := func(yield func(measure.WorkItem, error) bool) {
		if yield(measure.WorkItem{Issue: measure.Issue{AppointmentID: 1}}, nil) {
			yield(measure.WorkItem{}, boom)
		}
	}
	for _, limit := range []int{2, 50} {
		if _, err := topItems(rows, 9, limit); err != boom {
			t.Errorf("limit %d: error %v, want %v", limit, err, boom)
		}
	}
}
