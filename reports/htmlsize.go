package reports

// The HTML page opens at any size (issue 17): at a health system's scale the page
// carries the summaries (entity table, charts, issue codes, findings) and, for each
// clinician, only the top rows of their worklist with a count of the rest and where
// to find them (the workbook, `mipspi notes`, the issues CSV). At 1,000 clinicians
// (the 5M-appointment benchmark practice) the page stays under 5 MB.

import (
	"iter"

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

// topItems is the first limit items of a clinician's worklist, in its order: those
// whose note can still count first, by lock-by date, then the others (Result.Worklist).
func topItems(items iter.Seq2[measure.WorkItem, error], n, limit int) ([]measure.WorkItem, error) {
	out := make([]measure.WorkItem, 0, min(n, limit))
	for is, err := range items {
		if err != nil {
			return nil, err
		}
		if len(out) == limit {
			break
		}
		out = append(out, is)
	}
	return out, nil
}
