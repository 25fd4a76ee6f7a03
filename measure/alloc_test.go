package measure

import (
	"testing"
	"time"
)

// TestTimelyVisitDoesNotAllocate pins the streaming claim of issue 2: once the
// evaluator has met a patient's entities and statuses, adding a patient whose visits
// are all timely allocates nothing. (The same record is re-added; a new patient also
// enters the duplicate-name index, whose growth is amortised per patient.)
func TestTimelyVisitDoesNotAllocate(t *testing.T) {
	e, err := NewEvaluator(testConfig(), testPractice())
	if err != nil {
		t.Fatal(err)
	}
	rec := patientRec(1, invitedLongAgo(),
		seen(7, ny("2025-03-03 10:00:00"), lockedAt(ny("2025-03-04 09:00:00"))),
		at(seen(8, local(laZ, "2025-06-02 22:00:00"), lockedAt(local(laZ, "2025-06-03 09:00:00"))), offLA, clinBob),
		at(seen(9, ny("2025-09-02 10:00:00"), lockedAt(ny("2025-09-03 09:00:00"))), offB, clinAnn),
	)
	if err := e.Add(&rec); err != nil { // warm up: entity slots, statuses, scratch
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if err := e.Add(&rec); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Add of an all-timely patient allocates %.1f times, want 0", allocs)
	}
	// AllocsPerRun makes one warm-up call besides the 100 it measures.
	if r := resultOf(t, e); r.Counts.TimelyVisits != 3*102 || r.IssueCount() != 0 {
		t.Errorf("timely visits = %d, issues = %d; want %d and 0", r.Counts.TimelyVisits, r.IssueCount(), 3*102)
	}
}

// FuzzAdd feeds hostile values (statuses, emails, instants far outside any period)
// through the engine: it must not panic and its figures must stay consistent.
func FuzzAdd(f *testing.F) {
	f.Add("Complete", "pat@example.com", int64(0), int64(3600), int64(-86400*400), uint8(1))
	f.Add(" \x00ARRIVED\t", "<script>@x", int64(-62135596800), int64(253402300799), int64(0), uint8(0))
	f.Add("in room", "a@b.c", int64(86400*200), int64(-86400), int64(86400*210), uint8(2))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	clamp := func(s int64) time.Time {
		const lo, hi = -62135596800, 253402300799 // years 1 and 9999
		s += base
		if s < lo || s > hi+base {
			s = lo
		}
		if s > hi {
			s = hi
		}
		return time.Unix(s, 0).UTC()
	}
	f.Fuzz(func(t *testing.T, status, email string, sched, lock, inv int64, notes uint8) {
		cfg := testConfig()
		rec := patientRec(1, &Invitation{SentAt: clamp(inv), Recipient: status, Channel: email},
			Visit{ID: 1, OfficeID: offLA, ClinicianID: clinAnn, ScheduledAt: clamp(sched), Status: status,
				Notes: Notes{Count: int(notes % 3), FirstSigned: clamp(lock), FirstLocked: clamp(lock)}},
			Visit{ID: 2, OfficeID: offNY, ClinicianID: clinBob, ScheduledAt: clamp(sched / 2), Status: "Complete"})
		rec.Patient.Email = email
		rec.Patient.FirstName = status
		r, err := Evaluate(cfg, testPractice(), []PatientRecord{rec, rec})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range r.Entities {
			if e.Numerator > e.Denominator || e.Pending > e.Denominator-e.Numerator || e.NumeratorIfNotesLocked > e.Denominator {
				t.Fatalf("inconsistent entity %+v", e)
			}
		}
		for is := range r.AllIssues() {
			_ = is.Detail()
		}
	})
}
