package reports

import (
	"testing"

	"github.com/mipspi/mipspi/measure"
)

// TestDataLine: under --tin/--npi the Data line counts the filter's own patients and
// visits first, then what was read in all.
func TestDataLine(t *testing.T) {
	r := &measure.Result{Counts: measure.Counts{Patients: 14, Appointments: 44, SeenVisits: 29, TimelyVisits: 13, PendingVisits: 5,
		InFilter: measure.FilterCounts{Patients: 4, SeenVisits: 9, TimelyVisits: 6, PendingVisits: 1}}}
	cfg := testResult().Config
	if got, want := dataLine(r, cfg), "14 patients, 44 appointments read, 29 seen visits (13 timely, 5 pending)"; got != want {
		t.Errorf("no filter: %q, want %q", got, want)
	}
	cfg.TIN = tinA
	if got, want := dataLine(r, cfg), "4 patients, 9 seen visits (6 timely, 1 pending) in the filter; 14 patients, 44 appointments read in all"; got != want {
		t.Errorf("--tin: %q, want %q", got, want)
	}
}
