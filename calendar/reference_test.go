package calendar_test

// Federal holidays (R3) checked two ways: against the project's reference table for
// 2021–2028 (a copy is kept in testdata/ so the package tests stand alone, and the copy
// is compared with ../shared when that is present), and against the observance rules
// written out with plain date arithmetic for every year the calendar tabulates.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zones for the tests even on a machine without /usr/share/zoneinfo

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
)

const (
	referenceName   = "us-federal-holidays-2021-2028.json"
	referenceCopy   = "testdata/" + referenceName
	referenceShared = "../../shared/reference/" + referenceName // tests run in calendar/
)

type referenceFile struct {
	Holidays []struct {
		HolidayYear     int    `json:"holidayYear"`
		Name            string `json:"name"`
		Date            string `json:"date"`
		Observed        string `json:"observed"`
		ObservedWeekday string `json:"observedWeekday"`
	} `json:"holidays"`
}

// dayOff is one observed holiday; names are left out because the reference uses the
// statutory names and rickar/cal its own.
type dayOff struct{ Actual, Observed calendar.Date }

func sortDays(ds []dayOff) []dayOff {
	sort.Slice(ds, func(i, j int) bool { return ds[i].Observed < ds[j].Observed })
	return ds
}

func federalDaysOff(year int) []dayOff {
	var out []dayOff
	for _, h := range calendar.FederalHolidays(year) {
		out = append(out, dayOff{h.Actual, h.Observed})
	}
	return sortDays(out)
}

func TestFederalHolidaysMatchReference(t *testing.T) {
	raw, err := os.ReadFile(referenceCopy)
	if err != nil {
		t.Fatalf("read reference copy: %v", err)
	}
	var ref referenceFile
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatalf("decode %s: %v", referenceCopy, err)
	}
	if len(ref.Holidays) == 0 {
		t.Fatalf("%s lists no holidays", referenceCopy)
	}
	want := map[int][]dayOff{} // by the year of the observed date
	for _, h := range ref.Holidays {
		actual, err := calendar.ParseDate(h.Date)
		if err != nil {
			t.Fatalf("reference %s %d: %v", h.Name, h.HolidayYear, err)
		}
		observed, err := calendar.ParseDate(h.Observed)
		if err != nil {
			t.Fatalf("reference %s %d: %v", h.Name, h.HolidayYear, err)
		}
		if got := observed.Weekday().String(); got != h.ObservedWeekday {
			t.Errorf("reference %s observed %s: file says %s, Date.Weekday says %s", h.Name, h.Observed, h.ObservedWeekday, got)
		}
		y := observed.Year()
		if y < 2021 || y > 2028 {
			t.Fatalf("reference %s observed %s lies outside 2021–2028", h.Name, h.Observed)
		}
		want[y] = append(want[y], dayOff{actual, observed})
	}
	for y := 2021; y <= 2028; y++ {
		if diff := cmp.Diff(sortDays(want[y]), federalDaysOff(y)); diff != "" {
			t.Errorf("FederalHolidays(%d) vs reference (-want +got):\n%s", y, diff)
		}
	}
	// The two New Year's Days observed in the previous December must be in that year.
	for _, s := range []string{"2021-12-31", "2027-12-31"} {
		d := calendar.MustParseDate(s)
		found := false
		for _, h := range calendar.FederalHolidays(d.Year()) {
			found = found || h.Observed == d
		}
		if !found {
			t.Errorf("FederalHolidays(%d) lacks New Year's Day observed %s", d.Year(), s)
		}
	}
}

// TestReferenceCopyMatchesShared keeps testdata's copy identical to the project's
// reference. CI checks out ../shared beside the repository, so there a missing file is
// a failure; on a developer machine without it the comparison is skipped.
func TestReferenceCopyMatchesShared(t *testing.T) {
	shared, err := os.ReadFile(referenceShared)
	if errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing: the shared reference must be checked out beside the repository", referenceShared)
		}
		t.Skipf("%s not present (shared/ is not checked out beside the repository); the copy in testdata/ was still checked", referenceShared)
	}
	if err != nil {
		t.Fatalf("read shared reference: %v", err)
	}
	copied, err := os.ReadFile(referenceCopy)
	if err != nil {
		t.Fatalf("read reference copy: %v", err)
	}
	if !bytes.Equal(shared, copied) {
		t.Errorf("%s differs from %s; refresh it with: cp %s calendar/testdata/", referenceCopy, referenceShared, referenceShared[3:])
	}
}

// ruleDaysOff writes the observance rules out by hand: the fixed-date holidays move
// Saturday → Friday before and Sunday → Monday after, the others are the n-th (or last)
// weekday of their month, Juneteenth from 2021. New Year's Day of year+1 observed on
// Dec 31 belongs to year. (Like rickar/cal, it projects today's rules onto all years.)
func ruleDaysOff(year int) []dayOff {
	var out []dayOff
	fixed := func(y int, m time.Month, d int) {
		a := calendar.NewDate(y, m, d)
		o := a
		switch a.Weekday() {
		case time.Saturday:
			o = a - 1
		case time.Sunday:
			o = a + 1
		}
		if o.Year() == year {
			out = append(out, dayOff{a, o})
		}
	}
	nth := func(m time.Month, wd time.Weekday, n int) {
		first := calendar.NewDate(year, m, 1)
		d := first + calendar.Date((int(wd)-int(first.Weekday())+7)%7) + calendar.Date(7*(n-1))
		out = append(out, dayOff{d, d})
	}
	lastMonday := func(m time.Month) {
		d := calendar.NewDate(year, m+1, 1) - 1
		for d.Weekday() != time.Monday {
			d--
		}
		out = append(out, dayOff{d, d})
	}
	for _, y := range []int{year, year + 1} {
		fixed(y, time.January, 1)
		if y >= 2021 {
			fixed(y, time.June, 19)
		}
		fixed(y, time.July, 4)
		fixed(y, time.November, 11)
		fixed(y, time.December, 25)
	}
	nth(time.January, time.Monday, 3)   // Martin Luther King Jr. Day
	nth(time.February, time.Monday, 3)  // Washington's Birthday
	lastMonday(time.May)                // Memorial Day
	nth(time.September, time.Monday, 1) // Labor Day
	nth(time.October, time.Monday, 2)   // Columbus Day
	nth(time.November, time.Thursday, 4)
	return sortDays(out)
}

// wantZoneEnv names the zone a child test process was started in (see
// TestFederalHolidaysIgnoreProcessZone).
const wantZoneEnv = "MIPSPI_CALENDAR_TEST_LOCAL_ZONE"

func TestFederalHolidaysFollowRule(t *testing.T) {
	if zone := os.Getenv(wantZoneEnv); zone != "" {
		// Make sure the child really runs in the zone, so the check cannot pass vacuously.
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatalf("load %s: %v", zone, err)
		}
		probe := time.Date(1986, time.January, 1, 12, 0, 0, 0, time.UTC)
		if a, b := probe.In(time.Local).Format("-0700"), probe.In(loc).Format("-0700"); a != b {
			t.Fatalf("TZ=%s did not take effect: local offset %s, want %s", zone, a, b)
		}
	}
	years := []int{1, 1600, 1899, 9998}
	for y := 1900; y <= 2200; y++ {
		years = append(years, y)
	}
	for _, y := range years {
		if diff := cmp.Diff(ruleDaysOff(y), federalDaysOff(y)); diff != "" {
			t.Errorf("FederalHolidays(%d) vs the observance rules (-want +got):\n%s", y, diff)
		}
	}
}

// TestFederalHolidaysIgnoreProcessZone reruns TestFederalHolidaysFollowRule in processes
// whose local zone (TZ) has a daylight-saving or offset jump at midnight on a holiday
// (Lima on 1 January 1986, 1987, 1990 and 1994; Bissau on 1 January 1975; Rarotonga on
// 12 November 1978). Holiday dates must not depend on the machine's zone.
func TestFederalHolidaysIgnoreProcessZone(t *testing.T) {
	if os.Getenv(wantZoneEnv) != "" {
		t.Skip("already in a child process")
	}
	for _, zone := range []string{"America/Lima", "Africa/Bissau", "Pacific/Rarotonga", "America/New_York"} {
		t.Run(zone, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestFederalHolidaysFollowRule$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), "TZ="+zone, wantZoneEnv+"="+zone)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("TestFederalHolidaysFollowRule with TZ=%s: %v\n%s", zone, err, out)
			}
			if !strings.Contains(string(out), "--- PASS: TestFederalHolidaysFollowRule") {
				t.Fatalf("child with TZ=%s did not run the test:\n%s", zone, out)
			}
		})
	}
}
