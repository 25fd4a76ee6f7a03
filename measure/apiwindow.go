package measure

import (
	"sort"
	"time"
)

// apiSpan is one merged interval during which a TIN's patient API is enabled (R6):
// start ≤ t < end, or start ≤ t when open.
type apiSpan struct {
	start, end time.Time
	open       bool
}

// apiWindows is a TIN's API availability as sorted, disjoint spans, built once before
// patients are streamed so that R7's "earliest enabled instant" is a short scan.
type apiWindows struct {
	spans []apiSpan
}

// newAPIWindows merges a TIN's windows as known at asOf: a window enabled after asOf
// has not happened yet and is dropped; a window disabled after asOf was still open at
// asOf and is treated as open-ended (its future end was not knowable then). Empty
// windows (disabled at or before enabled) never enable anything.
func newAPIWindows(ws []APIWindow, asOf time.Time) apiWindows {
	var spans []apiSpan
	for _, w := range ws {
		if w.Enabled.After(asOf) {
			continue
		}
		s := apiSpan{start: w.Enabled, end: w.Disabled, open: w.Disabled.IsZero() || w.Disabled.After(asOf)}
		if !s.open && !s.end.After(s.start) {
			continue
		}
		if s.open {
			s.end = time.Time{}
		}
		spans = append(spans, s)
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
	var out []apiSpan
	for _, s := range spans {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.open || !s.start.After(last.end) { // overlapping or touching
				switch {
				case last.open:
				case s.open:
					last.open, last.end = true, time.Time{}
				case s.end.After(last.end):
					last.end = s.end
				}
				continue
			}
		}
		out = append(out, s)
	}
	return apiWindows{spans: out}
}

// everEnabled reports whether the TIN had any window enabled at or before as-of (R10
// API_NEVER_ENABLED when not).
func (w *apiWindows) everEnabled() bool { return len(w.spans) > 0 }

// next returns the earliest instant ≥ t0 at which the API is enabled (R7's A for
// t0 = max(release, invitation)), and false when there is none.
func (w *apiWindows) next(t0 time.Time) (time.Time, bool) {
	for i := range w.spans {
		s := &w.spans[i]
		if s.open || t0.Before(s.end) {
			if t0.Before(s.start) {
				return s.start, true
			}
			return t0, true
		}
	}
	return time.Time{}, false
}
