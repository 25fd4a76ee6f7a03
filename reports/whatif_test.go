package reports

import "testing"

// TestWhatIf pins the sentence that ends a clinician's worklist in each of its forms.
func TestWhatIf(t *testing.T) {
	for _, tc := range []struct {
		name          string
		fixable       int
		now, ifLocked float64
		want          string
	}{
		{"raise", 3, 0.5, 0.75, "locking the 3 fixable notes on time would raise the rate from 50.00% to 75.00%"},
		{"one note", 1, 0.3333, 0.6667, "locking the 1 fixable note on time would raise the rate from 33.33% to 66.67%"},
		{"nothing to lock", 0, 0.8, 0.8, "no note can still be locked in time: the rate stays at 80.00%"},
		{"locking alone is not enough", 2, 0.2, 0.2, "locking the 2 fixable notes on time would not change the rate (20.00%): their patients also need an invitation or the patient API"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := whatIf(tc.fixable, tc.now, tc.ifLocked); got != tc.want {
				t.Errorf("whatIf(%d, %v, %v) = %q, want %q", tc.fixable, tc.now, tc.ifLocked, got, tc.want)
			}
		})
	}
}
