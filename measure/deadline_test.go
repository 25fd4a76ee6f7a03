package measure

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestDeadlineBoundaries checks R3 end to end through the engine: for each visit, a
// note locked at 23:59:59 local time on the expected deadline day makes the visit
// timely, and one locked at 00:00:01 local the next day makes it NOTE_LOCKED_LATE with
// that deadline. Instants are stored in UTC; dates are judged in the office's zone.
func TestDeadlineBoundaries(t *testing.T) {
	type tc struct {
		name     string
		year     int // performance year (default 2025)
		tweak    func(*Config)
		office   int64
		visit    time.Time
		visitDay string // expected local date of the visit
		deadline string // expected R3 deadline
		lateBD   int    // business days late for a lock at 00:00:01 the day after (R9: never 0)
	}
	cases := []tc{
		{name: "Monday visit", office: offNY, visit: ny("2025-03-03 10:00:00"), visitDay: "2025-03-03", deadline: "2025-03-07", lateBD: 1},
		{name: "Saturday visit", office: offNY, visit: ny("2025-03-01 10:00:00"), visitDay: "2025-03-01", deadline: "2025-03-06", lateBD: 1},
		{name: "Sunday visit", office: offNY, visit: ny("2025-03-02 10:00:00"), visitDay: "2025-03-02", deadline: "2025-03-06", lateBD: 1},
		{name: "Friday visit spans the weekend", office: offNY, visit: ny("2025-03-07 16:00:00"), visitDay: "2025-03-07", deadline: "2025-03-13", lateBD: 1},
		{name: "Friday-observed holiday (July 4 2026 is a Saturday)", year: 2026, office: offNY,
			visit: ny("2026-07-01 09:00:00"), visitDay: "2026-07-01", deadline: "2026-07-08", lateBD: 1},
		{name: "federal holidays switched off", year: 2026, tweak: func(c *Config) { c.FederalHolidays = false }, office: offNY,
			visit: ny("2026-07-01 09:00:00"), visitDay: "2026-07-01", deadline: "2026-07-07", lateBD: 1},
		{name: "Monday holiday (Labor Day)", office: offNY, visit: ny("2025-08-29 09:00:00"), visitDay: "2025-08-29", deadline: "2025-09-05", lateBD: 1},
		{name: "Monday holiday (MLK Day)", office: offNY, visit: ny("2025-01-16 09:00:00"), visitDay: "2025-01-16", deadline: "2025-01-23", lateBD: 1},
		{name: "practice closure", tweak: func(c *Config) { c.Closures = append(c.Closures, day("2025-03-05")) }, office: offNY,
			visit: ny("2025-03-03 10:00:00"), visitDay: "2025-03-03", deadline: "2025-03-10", lateBD: 1},
		{name: "Thanksgiving week, Friday open", office: offNY, visit: ny("2025-11-24 10:00:00"), visitDay: "2025-11-24", deadline: "2025-12-01", lateBD: 1},
		{name: "Thanksgiving week, Friday closed", tweak: func(c *Config) { c.Closures = append(c.Closures, day("2025-11-28")) }, office: offNY,
			visit: ny("2025-11-24 10:00:00"), visitDay: "2025-11-24", deadline: "2025-12-02", lateBD: 1},
		{name: "Wednesday before Thanksgiving, Friday open", office: offNY, visit: ny("2025-11-26 10:00:00"), visitDay: "2025-11-26", deadline: "2025-12-03", lateBD: 1},
		{name: "Wednesday before Thanksgiving, Friday closed", tweak: func(c *Config) { c.Closures = append(c.Closures, day("2025-11-28")) }, office: offNY,
			visit: ny("2025-11-26 10:00:00"), visitDay: "2025-11-26", deadline: "2025-12-04", lateBD: 1},
		{name: "22:00 Pacific is the next day in UTC", office: offLA, visit: local(laZ, "2025-03-03 22:00:00"), visitDay: "2025-03-03", deadline: "2025-03-07", lateBD: 1},
		{name: "23:30 Eastern Thursday is Friday in UTC", office: offNY, visit: ny("2025-03-06 23:30:00"), visitDay: "2025-03-06", deadline: "2025-03-12", lateBD: 1},
		{name: "Chicago evening visit", office: offChi, visit: local(chiZ, "2025-06-02 19:30:00"), visitDay: "2025-06-02", deadline: "2025-06-06", lateBD: 1},
		{name: "spring-forward night New York, before the switch", office: offNY, visit: utc("2025-03-09T06:30:00Z"), visitDay: "2025-03-09", deadline: "2025-03-13", lateBD: 1},
		{name: "spring-forward night New York, after the switch", office: offNY, visit: utc("2025-03-09T07:30:00Z"), visitDay: "2025-03-09", deadline: "2025-03-13", lateBD: 1},
		{name: "spring-forward night Los Angeles, before the switch", office: offLA, visit: utc("2025-03-09T09:30:00Z"), visitDay: "2025-03-09", deadline: "2025-03-13", lateBD: 1},
		{name: "spring-forward night Los Angeles, after the switch", office: offLA, visit: utc("2025-03-09T10:30:00Z"), visitDay: "2025-03-09", deadline: "2025-03-13", lateBD: 1},
		{name: "fall-back night New York, first 01:30 (EDT)", office: offNY, visit: utc("2025-11-02T05:30:00Z"), visitDay: "2025-11-02", deadline: "2025-11-06", lateBD: 1},
		{name: "fall-back night New York, second 01:30 (EST)", office: offNY, visit: utc("2025-11-02T06:30:00Z"), visitDay: "2025-11-02", deadline: "2025-11-06", lateBD: 1},
		{name: "fall-back night Los Angeles, first 01:30 (PDT)", office: offLA, visit: utc("2025-11-02T08:30:00Z"), visitDay: "2025-11-02", deadline: "2025-11-06", lateBD: 1},
		{name: "fall-back night Los Angeles, second 01:30 (PST)", office: offLA, visit: utc("2025-11-02T09:30:00Z"), visitDay: "2025-11-02", deadline: "2025-11-06", lateBD: 1},
		{name: "deadline week spans fall-back (Los Angeles)", office: offLA, visit: local(laZ, "2025-10-31 17:00:00"), visitDay: "2025-10-31", deadline: "2025-11-06", lateBD: 1},
		{name: "late evening visit before the fall-back (Los Angeles)", office: offLA, visit: local(laZ, "2025-11-01 23:30:00"), visitDay: "2025-11-01", deadline: "2025-11-06", lateBD: 1},
	}
	zoneOf := map[int64]*time.Location{offNY: nyZ, offLA: laZ, offChi: chiZ}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			year := c.year
			if year == 0 {
				year = 2025
			}
			cfg := testConfig()
			cfg.Start = day(itoa(year) + "-01-01")
			cfg.End = day(itoa(year) + "-12-31")
			cfg.AsOf = time.Date(year+1, 3, 2, 12, 0, 0, 0, time.UTC)
			if c.tweak != nil {
				c.tweak(&cfg)
			}
			zone := zoneOf[c.office]
			v := at(seen(7, c.visit, Notes{}), c.office, clinAnn)

			// 23:59:59 local on the deadline day: in time.
			v.Notes = lockedAt(local(zone, c.deadline+" 23:59:59"))
			got := viewOf(mustEvaluate(t, cfg, testPractice(), patientRec(1, invitedLongAgo(), v)))
			want := view{Entities: annAlone(1, 0, 1, 1, 1, 0)}
			if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
				t.Errorf("lock at 23:59:59 on the deadline (-want +got):\n%s", diff)
			}

			// 00:00:01 local the next day: one business-day-counted late row.
			next := day(c.deadline).AddDays(1).String()
			v.Notes = lockedAt(local(zone, next+" 00:00:01"))
			got = viewOf(mustEvaluate(t, cfg, testPractice(), patientRec(1, invitedLongAgo(), v)))
			want = view{
				Entities: annAlone(0, 0, 0, 1, 0, 0),
				Issues:   []Issue{row(NoteLockedLate, 1, 7, c.visitDay, c.deadline, event(next), bdays(c.lateBD))},
				Findings: annZero(),
			}
			if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
				t.Errorf("lock at 00:00:01 the day after (-want +got):\n%s", diff)
			}
		})
	}
}
