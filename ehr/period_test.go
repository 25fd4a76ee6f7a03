package ehr

// The merge's decisions (period.go, scans.go), each at its edges.

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOutsideWindow(t *testing.T) {
	lo, hi := utc("2024-12-31T00:00:00Z"), utc("2026-01-02T00:00:00Z")
	for _, c := range []struct {
		name string
		t    colTime
		want bool
	}{
		{"inside", colTime{t: utc("2025-06-01T12:00:00Z")}, false},
		{"the first instant", colTime{t: lo}, false},
		{"just before", colTime{t: lo.Add(-time.Microsecond)}, true},
		{"the end, excluded", colTime{t: hi}, true},
		{"just before the end", colTime{t: hi.Add(-time.Microsecond)}, false},
		{"NULL: read, to be reported", colTime{null: true}, false},
		{"unreadable: read, to be reported", colTime{bad: `unparseable timestamp "soon"`}, false},
	} {
		if got := outsideWindow(&c.t, lo, hi); got != c.want {
			t.Errorf("%s: outsideWindow = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBelow(t *testing.T) {
	for _, c := range []struct {
		name    string
		id      colInt
		x       int64
		through bool
		want    bool
	}{
		{"lower", colInt{v: 4}, 5, false, true},
		{"equal", colInt{v: 5}, 5, false, false},
		{"equal, through", colInt{v: 5}, 5, true, true},
		{"higher, through", colInt{v: 6}, 5, true, false},
		{"negative", colInt{v: -7}, 0, false, true},
		{"NULL", colInt{null: true}, 5, false, true},
		{"not a number", colInt{bad: `not an integer: "abc"`}, 5, false, true},
	} {
		if got := below(&c.id, c.x, c.through); got != c.want {
			t.Errorf("%s: below = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAttribution(t *testing.T) {
	offices, clinicians := map[int64]bool{1: true}, map[int64]bool{3: true}
	ap := func(office, clinician int64) *appointmentCols {
		a := &appointmentCols{}
		a.id.v, a.officeID.v, a.clinicianID.v = 10, office, clinician
		return a
	}
	for _, c := range []struct {
		name string
		ap   *appointmentCols
		want error
	}{
		{"both known", ap(1, 3), nil},
		{"unknown office", ap(9, 3), &DataError{"appointments", "10", "office_id", "office 9 not found in offices"}},
		{"unknown clinician", ap(1, 8), &DataError{"appointments", "10", "clinician_id", "clinician 8 not found in clinicians"}},
		{"both unknown: the office first", ap(9, 8), &DataError{"appointments", "10", "office_id", "office 9 not found in offices"}},
	} {
		if d := cmp.Diff(c.want, attribution(c.ap, offices, clinicians)); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
}

func TestOpenVisitOf(t *testing.T) {
	open := []openVisit{{v: measure.Visit{ID: 4}}, {v: measure.Visit{ID: 7}}, {v: measure.Visit{ID: 5}}}
	for id, want := range map[int64]int{5: 2, 4: 0, 7: 1, 6: -1} {
		if got := openVisitOf(open, id); got != want {
			t.Errorf("openVisitOf(%d) = %d, want %d", id, got, want)
		}
	}
	if got := openVisitOf(nil, 1); got != -1 {
		t.Errorf("no open visit: %d", got)
	}
}

func TestNoteTime(t *testing.T) {
	at := utc("2025-03-05T10:00:00Z")
	for _, c := range []struct {
		name    string
		t       colTime
		want    time.Time
		inf     bool
		wantErr *DataError
	}{
		{"a time", colTime{t: at}, at, false, nil},
		{"NULL: none", colTime{null: true}, time.Time{}, false, nil},
		{"+infinity: no time, stands beside a real one", colTime{inf: 1, bad: `unparseable timestamp "Infinity"`}, time.Time{}, true, nil},
		{"-infinity", colTime{inf: -1, bad: `unparseable timestamp "-Infinity"`}, time.Time{}, false,
			&DataError{"clinical_notes", "77", "locked_at", `unparseable timestamp "-Infinity"`}},
		{"unreadable text", colTime{bad: `unparseable timestamp "soon"`}, time.Time{}, false,
			&DataError{"clinical_notes", "77", "locked_at", `unparseable timestamp "soon"`}},
		{"the zero instant", colTime{bad: problemZeroInstant}, time.Time{}, false,
			&DataError{"clinical_notes", "", "locked_at", problemZeroInstant + " (note of appointment 3)"}},
	} {
		got, inf, err := noteTime(&c.t, "locked_at", "3", "77")
		var de *DataError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("%s: %v is no DataError", c.name, err)
		}
		if !got.Equal(c.want) || inf != c.inf {
			t.Errorf("%s: noteTime = %v, %v; want %v, %v", c.name, got, inf, c.want, c.inf)
		}
		if d := cmp.Diff(c.wantErr, de); d != "" {
			t.Errorf("%s: error (-want +got):\n%s", c.name, d)
		}
	}
}

func TestInfinityAlone(t *testing.T) {
	for _, c := range []struct {
		name      string
		inf, real [2]bool
		want      *DataError
	}{
		{"none", [2]bool{}, [2]bool{}, nil},
		{"beside a real lock", [2]bool{false, true}, [2]bool{false, true}, nil},
		{"alone, locked_at", [2]bool{false, true}, [2]bool{true, false}, &DataError{"clinical_notes", "", "locked_at", `unparseable timestamp "Infinity"`}},
		{"alone, signed_at first", [2]bool{true, true}, [2]bool{}, &DataError{"clinical_notes", "", "signed_at", `unparseable timestamp "Infinity"`}},
	} {
		err := infinityAlone(&openVisit{inf: c.inf, real: c.real})
		var de *DataError
		if err != nil && !errors.As(err, &de) {
			t.Fatalf("%s: %v is no DataError", c.name, err)
		}
		if d := cmp.Diff(c.want, de); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
}

func TestVisitOrder(t *testing.T) {
	v := func(id int64, at string) measure.Visit { return measure.Visit{ID: id, ScheduledAt: utc(at)} }
	got := []measure.Visit{v(9, "2025-03-03T15:00:00Z"), v(2, "2025-03-10T15:00:00Z"), v(1, "2025-03-03T15:00:00Z"),
		v(10, "2025-03-03T14:00:00Z")}
	slices.SortFunc(got, visitOrder)
	var ids []int64
	for _, x := range got {
		ids = append(ids, x.ID)
	}
	if want := []int64{10, 1, 9, 2}; !slices.Equal(ids, want) {
		t.Errorf("order %v, want %v (by instant, then id)", ids, want)
	}
}
