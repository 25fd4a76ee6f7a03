package measure

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// issueRowsOf feeds what Add published for recs to a fresh issueRows observer.
func issueRowsOf(t *testing.T, cfg Config, recs ...PatientRecord) []Issue {
	t.Helper()
	e, o := publish(t, cfg, recs...)
	rows := RowsOf[Issue](nil)
	ir := *e.issues
	ir.rows = rows
	for _, p := range o.patients {
		if err := ir.patient(&judgedPatient{rec: p.rec, visits: p.visits, ents: p.ents}); err != nil {
			t.Fatal(err)
		}
	}
	return rowsOf(t, rows.All())
}

// The issue rows of a verdict (R10): one per reason, in the verdict's order, with the
// verdict's fix-by date (R9), then LOCK_BEFORE_VISIT; only for a reported individual
// entity.
func TestIssueRowsObserver(t *testing.T) {
	mon := ny("2025-03-03 10:00:00") // deadline Fri 2025-03-07
	lateInv := &Invitation{ID: 5, SentAt: ny("2025-03-12 09:00:00"), Recipient: "representative", Channel: "sms"}
	cfg := testConfig()

	t.Run("late lock and late invitation", func(t *testing.T) {
		got := issueRowsOf(t, cfg, patientRec(1, lateInv, seen(7, mon, lockedAt(ny("2025-03-11 10:00:00")))))
		base := Issue{Severity: SeverityError, TIN: tinA, NPI: npiAnn, Clinician: "Avery, Ann", PatientID: 1, MRN: mrn(1),
			AppointmentID: 7, VisitDate: day("2025-03-03"), Deadline: day("2025-03-07"), FixBy: day("2025-03-07")}
		lock, inv := base, base
		lock.Code, lock.EventDate, lock.HasEvent, lock.BusinessDays = NoteLockedLate, day("2025-03-11"), true, 2
		inv.Code, inv.EventDate, inv.HasEvent, inv.BusinessDays = InvitedLate, day("2025-03-12"), true, 3
		inv.Recipient, inv.Channel = "representative", "sms"
		if diff := cmp.Diff([]Issue{lock, inv}, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("missing note, never invited: email once per patient", func(t *testing.T) {
		usable := patientRec(1, nil, seen(7, mon, Notes{}))
		unusable := patientRec(2, nil, seen(8, mon, Notes{}))
		unusable.Patient.Email = "not an address"
		got := issueRowsOf(t, cfg, usable, unusable)
		var email []bool
		for _, is := range got {
			if is.Code == NotInvited {
				email = append(email, is.HasEmail)
			}
			if is.Recipient != "" || is.Channel != "" {
				t.Errorf("%s row carries an invitation's recipient or channel", is.Code)
			}
		}
		if !cmp.Equal(email, []bool{true, false}) {
			t.Errorf("NOT_INVITED has_email %v, want [true false]", email)
		}
	})
	t.Run("lock before the visit is a warning, not fixable", func(t *testing.T) {
		c := cfg
		c.AsOf = utc("2025-03-04T12:00:00Z") // the visit is pending
		got := issueRowsOf(t, c, patientRec(1, nil, seen(7, mon, lockedAt(ny("2025-03-01 10:00:00")))))
		last := got[len(got)-1]
		if last.Code != LockBeforeVisit || last.Severity != SeverityWarning || last.Fixable || !last.HasEvent || last.EventDate != day("2025-03-01") {
			t.Errorf("last row %+v, want a LOCK_BEFORE_VISIT warning dated 2025-03-01, not fixable", last)
		}
		if !got[0].Fixable || got[0].FixBy != day("2025-03-07") {
			t.Errorf("first row %+v, want a fixable row with fix-by 2025-03-07", got[0])
		}
	})
	t.Run("only reported individual entities", func(t *testing.T) {
		c := cfg
		c.NPI = npiBob
		if got := issueRowsOf(t, c, patientRec(1, nil, seen(7, mon, Notes{}))); len(got) != 0 {
			t.Errorf("rows of Ann under --npi Bob: %v", got)
		}
	})
}
