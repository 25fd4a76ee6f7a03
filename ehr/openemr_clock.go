package ehr

// OpenEMR's clock (SPEC §8): every DATETIME, DATE and TIME OpenEMR stores is a local
// wall-clock time in the one zone of the installation. This file turns those values, as
// the MariaDB driver hands them over (text), into dates and UTC instants:
//
//   - a zero date (0000-00-00, with or without a time) is NULL;
//   - a NULL start time is 00:00; a TIME outside 00:00–24:00 is a data error;
//   - a local time repeated by the autumn change is the earlier instant; one skipped in
//     spring moves forward by the gap.

import (
	"bytes"
	"fmt"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// oeClock converts the installation's local times into instants.
type oeClock struct {
	loc *time.Location
}

// instant is the UTC instant of local wall time (date d, second of day sec) — sec may be
// 86400 (24:00, the next midnight). A repeated local time is the earlier instant; a
// skipped one moves forward by the gap (SPEC §8).
func (c oeClock) instant(d calendar.Date, sec int) time.Time {
	civil := int64(d)*86400 + int64(sec) // seconds as if the zone were UTC
	// The zone's offsets a day either side: an instant with this wall time lies between.
	before := offsetAt(c.loc, civil-86400)
	after := offsetAt(c.loc, civil+86400)
	best, ok := int64(0), false
	for _, off := range [2]int64{before, after} {
		t := civil - off
		if offsetAt(c.loc, t) == off && (!ok || t < best) {
			best, ok = t, true
		}
	}
	if !ok {
		// Skipped (spring forward): read with the offset before the gap, which lands the
		// same distance after it.
		best = civil - before
	}
	return time.Unix(best, 0).UTC()
}

// offsetAt is loc's UTC offset in seconds at the unix instant t.
func offsetAt(loc *time.Location, t int64) int64 {
	_, off := time.Unix(t, 0).In(loc).Zone()
	return int64(off)
}

// oeDate reads a DATE (or the date part of a DATETIME) as the driver hands it over:
// "YYYY-MM-DD…". null is true for SQL NULL, an empty value and a zero date (SPEC §8).
func oeDate(b []byte) (d calendar.Date, null bool, err error) {
	if b == nil || len(b) == 0 || isZeroDate(b) {
		return 0, true, nil
	}
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, false, fmt.Errorf("unreadable date %s", quote(string(b)))
	}
	y, ok1 := digits(b[0:4])
	m, ok2 := digits(b[5:7])
	dd, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || dd < 1 || dd > daysIn(y, m) {
		return 0, false, fmt.Errorf("unreadable date %s", quote(string(b)))
	}
	return calendar.NewDate(y, time.Month(m), dd), false, nil
}

// isZeroDate is MariaDB's zero date, alone or with a time: 0000-00-00[ 00:00:00].
func isZeroDate(b []byte) bool {
	return len(b) >= 10 && string(b[:10]) == "0000-00-00"
}

// oeTime reads a TIME: "HH:MM:SS[.frac]" from 00:00:00 to 24:00:00, as the second of
// the day (SPEC §8: NULL is 00:00, the caller's choice; anything outside the day —
// negative, beyond 24:00, the driver's "838:59:59" — is an error).
func oeTime(b []byte) (sec int, null bool, err error) {
	if b == nil || len(b) == 0 {
		return 0, true, nil
	}
	bad := func() (int, bool, error) {
		return 0, false, fmt.Errorf("time %s is outside 00:00–24:00", quote(string(b)))
	}
	s := b
	if i := bytes.IndexByte(s, '.'); i >= 0 { // fractional seconds: OpenEMR stores none
		for _, c := range s[i+1:] {
			if c < '0' || c > '9' {
				return bad()
			}
		}
		s = s[:i]
	}
	if len(s) != 8 || s[2] != ':' || s[5] != ':' {
		return bad()
	}
	h, ok1 := digits(s[0:2])
	m, ok2 := digits(s[3:5])
	x, ok3 := digits(s[6:8])
	if !ok1 || !ok2 || !ok3 || m > 59 || x > 59 || h > 24 || h == 24 && (m != 0 || x != 0 || len(s) != len(b)) {
		return bad()
	}
	return h*3600 + m*60 + x, false, nil
}

// oeDateTime reads a DATETIME "YYYY-MM-DD HH:MM:SS[.frac]" as its date and second of
// day; a zero date is NULL (SPEC §8).
func oeDateTime(b []byte) (d calendar.Date, sec int, null bool, err error) {
	d, null, err = oeDate(b)
	if err != nil || null {
		return d, 0, null, err
	}
	if len(b) == 10 {
		return d, 0, false, nil
	}
	if b[10] != ' ' && b[10] != 'T' {
		return 0, 0, false, fmt.Errorf("unreadable date and time %s", quote(string(b)))
	}
	sec, _, err = oeTime(b[11:])
	if err != nil || sec == 86400 {
		return 0, 0, false, fmt.Errorf("unreadable date and time %s", quote(string(b)))
	}
	return d, sec, false, nil
}
