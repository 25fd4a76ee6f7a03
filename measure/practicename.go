package measure

// Practice names (issue 17): a TIN is shown with the name of its offices, so billing
// staff recognise a group by its name rather than nine digits. Names never change a
// figure.

import (
	"sort"
	"strings"
)

// PracticeNames maps each TIN to the names of its offices: distinct non-blank names
// (trimmed), sorted, joined by " / " ("" when every office of the TIN is unnamed).
func PracticeNames(offices []Office) map[string]string {
	sets := map[string][]string{}
	for _, o := range offices {
		n := strings.TrimSpace(o.Name)
		if _, ok := sets[o.TIN]; !ok {
			sets[o.TIN] = nil
		}
		if n != "" {
			sets[o.TIN] = append(sets[o.TIN], n)
		}
	}
	out := make(map[string]string, len(sets))
	for tin, names := range sets {
		sort.Strings(names)
		uniq := names[:0]
		for i, n := range names {
			if i == 0 || n != names[i-1] {
				uniq = append(uniq, n)
			}
		}
		out[tin] = strings.Join(uniq, " / ")
	}
	return out
}

// namePractices sets each entity's PracticeName from its TIN.
func namePractices(ents []EntityResult, names map[string]string) {
	for i := range ents {
		ents[i].PracticeName = names[ents[i].TIN]
	}
}
