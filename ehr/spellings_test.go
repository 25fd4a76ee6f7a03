package ehr_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A whole practice respelled as bench/respell.sql does — `… +00:00` with a space, local
// offsets out to -12:00 and +14:00 — in every timestamp column reads the same as its UTC
// `…Z` text (issue 12: the period scan compares text dates and Go parses).
func TestReadSQLiteRespelledPractice(t *testing.T) {
	want := sqliteScenario(t)
	respell := func(col, k string) string {
		return `CASE ` + k + ` % 6
  WHEN 0 THEN replace(replace(` + col + `, 'T', ' '), 'Z', '+00:00')
  WHEN 1 THEN strftime('%Y-%m-%dT%H:%M:%S', ` + col + `, '-5 hours') || '-05:00'
  WHEN 2 THEN strftime('%Y-%m-%dT%H:%M:%S', ` + col + `, '-8 hours') || '-08:00'
  WHEN 3 THEN strftime('%Y-%m-%dT%H:%M:%S', ` + col + `, '+14 hours') || '+14:00'
  WHEN 4 THEN strftime('%Y-%m-%dT%H:%M:%S', ` + col + `, '-12 hours') || '-12:00'
  ELSE ` + col + ` END`
	}
	s := openSQLite(t)
	initLoad(t, s, "scenario.yaml")
	exec(t, s,
		`UPDATE appointments SET scheduled_at = `+respell("scheduled_at", "id"),
		`UPDATE clinical_notes SET signed_at = `+respell("signed_at", "id")+`, locked_at = `+respell("locked_at", "id + 1"),
		`UPDATE portal_invitations SET sent_at = `+respell("sent_at", "id"),
		`UPDATE api_windows SET enabled_at = `+respell("enabled_at", "id")+`, disabled_at = `+respell("disabled_at", "id"))
	got, _ := read(t, s, "2025-01-01", "2025-12-31")
	if d := cmp.Diff(want.patients, got.patients, cmpOpts); d != "" {
		t.Errorf("patients (-UTC text +respelled):\n%s", d)
	}
	if d := cmp.Diff(want.practice, got.practice, cmpOpts); d != "" {
		t.Errorf("practice (-UTC text +respelled):\n%s", d)
	}
}

// The window is decided on the instant, not on the text: an appointment whose local
// text date lies before the UTC window but whose instant is inside is read; one whose
// text date is inside but whose instant is before is not.
func TestReadSQLiteWindowOnInstant(t *testing.T) {
	s := openSQLite(t)
	initLoad(t, s, "scenario.yaml")
	// Period 2025-03-03: window [2025-03-02T00:00Z, 2025-03-05T00:00Z), appointments
	// 10, 1 and 9 of patient 1 (TestReadPeriodWindow).
	base, _ := read(t, s, "2025-03-03", "2025-03-03")
	n := len(base.patients[0].Visits)
	exec(t, s,
		// 2025-03-02T00:30Z, spelled on 2025-03-01 local: inside.
		`INSERT INTO appointments VALUES (901, 1, 1, 1, '2025-03-01T19:30:00-05:00', 'Complete')`,
		// 2025-03-01T23:30Z, spelled on 2025-03-02 local: outside.
		`INSERT INTO appointments VALUES (902, 1, 1, 1, '2025-03-02T09:30:00+10:00', 'Complete')`,
		// 2025-03-04T23:59:59Z: inside; 2025-03-05T00:00Z: outside.
		`INSERT INTO appointments VALUES (903, 1, 1, 1, '2025-03-04T23:59:59Z', 'Complete')`,
		`INSERT INTO appointments VALUES (904, 1, 1, 1, '2025-03-04 19:00:00-05:00', 'Complete')`)
	got, st := read(t, s, "2025-03-03", "2025-03-03")
	var ids []int64
	for _, v := range got.patients[0].Visits {
		ids = append(ids, v.ID)
	}
	if len(ids) != n+2 || ids[0] != 901 || ids[len(ids)-1] != 903 {
		t.Errorf("visits %v: want 901 first, 903 last and %d in all (902 and 904 outside)", ids, n+2)
	}
	if st.Appointments != n+2 {
		t.Errorf("stats %+v", st)
	}
}
