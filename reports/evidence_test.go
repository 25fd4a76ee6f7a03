package reports

import (
	"testing"
	"time"
)

func TestEvidenceDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 min"},
		{29 * time.Second, "0 min"},
		{59*time.Minute + 29*time.Second, "59 min"},
		{time.Hour, "1 h 0 min"},
		{23*time.Hour + 59*time.Minute, "23 h 59 min"},
		{24 * time.Hour, "1 d 0 h"},
		{188*24*time.Hour + 11*time.Hour + 10*time.Minute, "188 d 11 h"},
	} {
		if got := duration(tc.d); got != tc.want {
			t.Errorf("duration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
