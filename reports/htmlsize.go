package reports

// The HTML page opens at any size (issue 17): at a health system's scale the page
// carries the summaries (entity table, charts, issue codes, findings) and, for each
// clinician, only the top rows of their worklist with a count of the rest and where
// to find them (the workbook, `mipspi notes`, the issues CSV). At 1,000 clinicians
// (the 5M-appointment benchmark practice) the page stays under 5 MB.

import (
	"cmp"
	"iter"
	"slices"

	"github.com/mipspi/mipspi/measure"
)

const (
	// htmlItemBudget bounds the worklist rows on the page over all clinicians
	// (a row is ~350 bytes of HTML).
	htmlItemBudget = 5000
	// htmlMaxItems is the most rows one clinician's worklist shows.
	htmlMaxItems = 25
	// htmlMinItems is the fewest rows a clinician with notes to fix gets, however many
	// clinicians share the budget.
	htmlMinItems = 3
)

// htmlItemsPerClinician is how many worklist rows each of n clinicians shows.
func htmlItemsPerClinician(n int) int {
	if n <= 0 {
		return htmlMaxItems
	}
	return min(htmlMaxItems, max(htmlMinItems, htmlItemBudget/n))
}

// topItems is the first limit items a clinician should see: those whose note can still
// make the visit count first (they are what locking now can win), then the rest, each in
// lock-by order as the worklist gives them. All of them when they fit. items yields the
// clinician's n items (read again on each pass, not held).
func topItems(items iter.Seq2[measure.WorkItem, error], n, limit int) ([]measure.WorkItem, error) {
	out := make([]measure.WorkItem, 0, min(n, limit))
	if n <= limit {
		for is, err := range items {
			if err != nil {
				return nil, err
			}
			out = append(out, is)
		}
		return out, nil
	}
	for pass := 0; pass < 2 && len(out) < limit; pass++ {
		for is, err := range items {
			if err != nil {
				return nil, err
			}
			if canStillCount(is) == (pass == 0) {
				out = append(out, is)
				if len(out) == limit {
					break
				}
			}
		}
	}
	// Show them in lock-by order, as the full worklist does.
	slices.SortStableFunc(out, func(a, b measure.WorkItem) int {
		if la, lb := lockBy(a.Issue), lockBy(b.Issue); la != lb {
			return int(la) - int(lb)
		}
		return cmp.Compare(a.AppointmentID, b.AppointmentID)
	})
	return out, nil
}
