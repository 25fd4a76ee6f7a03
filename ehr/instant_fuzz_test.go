package ehr_test

import (
	"context"
	"database/sql"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mipspi/mipspi/ehr"
)

// instantShape is the grammar of SPEC §3 timestamp text (ehr/instant.go).
var instantShape = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})?$`)

// FuzzParseTime checks the SQLite timestamp parser (both spellings of SPEC §3,
// 2025-03-03T15:00:00Z and 2025-03-03 15:00:00+00:00) against two references:
//
//   - the standard library: a text of the accepted shape is accepted exactly when
//     time.Parse(RFC 3339) takes its RFC 3339 form, and gives the same instant;
//   - SQLite's julianday(), which the duplicate-id check of keyless views uses to
//     window the period: every accepted text must be one julianday() reads as the same
//     instant (to its millisecond), or the check and the read would disagree about
//     which rows lie in the period.
//
// Nothing may panic, and accepted instants are UTC.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{
		"2025-03-03T15:00:00Z", "2025-03-03 15:00:00+00:00", "2025-03-03T10:00:00-05:00",
		"2025-03-03 15:00:00", "2025-03-03T15:00:00.123456789Z", "2024-02-29 23:30:00-14:00",
		"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2025-02-30T10:00:00Z",
		"2025-03-03T15:00:00+15:00", "2025-03-03T24:00:00Z", "2025-03-03", "now", "",
		"2025-03-03t15:00:00z", "2025-03-03T15:00:00Z\nxyz", "2025-03-03T15:00:00Z ", "2025-03-03 15:00:00+00:00 x",
	} {
		f.Add(s)
	}
	lite, err := ehr.Open(context.Background(), "sqlite::memory:")
	if err != nil {
		f.Fatal(err)
	}
	defer lite.Close()
	// As the SQLite duplicate-id check reads a timestamp column: coalesce(julianday(…), julianday(upper(…))).
	julian, err := lite.DB().DB.Prepare(`SELECT coalesce(julianday(?1), julianday(upper(?1)))`)
	if err != nil {
		f.Fatal(err)
	}
	defer julian.Close()

	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ehr.ParseInstant(s)

		// The standard library on the RFC 3339 form of the same text.
		shaped := instantShape.MatchString(s)
		var want time.Time
		var stdOK bool
		if shaped {
			rfc := strings.ToUpper(s[:10] + "T" + s[11:])
			if !strings.HasSuffix(rfc, "Z") && !strings.ContainsAny(rfc[19:], "+-") {
				rfc += "Z" // no zone: UTC, as SQLite writes it
			}
			want, err = time.Parse(time.RFC3339Nano, rfc)
			stdOK = err == nil
			if z := rfc[len(rfc)-6:]; z[0] == '+' || z[0] == '-' {
				// Offsets: hours to 14 (what julianday() reads, instant.go), minutes to 59
				// (time.Parse lets 60 through).
				if z[1:3] > "14" || z[4:6] > "59" {
					stdOK = false
				}
			}
		}
		if ok != stdOK {
			t.Fatalf("ParseInstant(%q) ok=%v, but the shape matches=%v and time.Parse ok=%v (%v)", s, ok, shaped, stdOK, err)
		}
		// SQLite's reading of the same text.
		var jd sql.NullFloat64
		if err := julian.QueryRow(s).Scan(&jd); err != nil {
			t.Fatal(err)
		}
		if !ok {
			return
		}
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Fatalf("ParseInstant(%q) = %v, time.Parse gives %v", s, got, want.UTC())
		}

		if !jd.Valid {
			t.Fatalf("ParseInstant(%q) accepts what SQLite's julianday() cannot read: the duplicate-id "+
				"check would keep it outside the window", s)
		}
		ms := int64(math.Round((jd.Float64 - 2440587.5) * 86400000))
		if d := ms - got.Round(time.Millisecond).UnixMilli(); d < -1 || d > 1 {
			t.Fatalf("ParseInstant(%q) = %v, julianday() = %v (%d ms apart)", s, got, time.UnixMilli(ms).UTC(), d)
		}
	})
}
