package combine

// What a combined report says about the sites it was made from (SPEC §7): each site's
// run warnings with the site named, how the APM Entity row is named without --name, and
// how many patients --match patients matched across the sites.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mipspi/mipspi/measure"
)

// siteFindings are a report's run warnings as the combined report carries them: each
// message opened by the report's file. NUMERATOR_ZERO is left out (the combined rows get
// their own), and PERIOD_TOO_SHORT too (the same for every report of one period, carried
// once from the first).
func siteFindings(file string, fs []measure.Finding) []measure.Finding {
	var out []measure.Finding
	for _, f := range fs {
		if f.Code == measure.NumeratorZero || f.Code == measure.PeriodTooShort {
			continue
		}
		f.Message = file + ": " + f.Message
		out = append(out, f)
	}
	return out
}

// defaultName names the APM Entity row when --name was not given: by its TINs' practice
// names ("Main Street Clinic + Lakeside Pediatrics"), a TIN without a name by its number,
// the first three and a count of the rest.
func (c *Combiner) defaultName(keys []entityKey) string {
	var names []string
	for _, k := range keys {
		if k.level != measure.Group {
			continue
		}
		n := strings.TrimSpace(c.names[k.tin])
		if n == "" {
			n = "TIN " + k.tin
		}
		if r := []rune(n); len(r) > 60 { // cut between characters, never inside one
			n = string(r[:57]) + "…"
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	switch {
	case len(names) == 0:
		return "(no TIN)"
	case len(names) > 3:
		return strings.Join(names[:3], " + ") + fmt.Sprintf(" + %d more", len(names)-3)
	}
	return strings.Join(names, " + ")
}

// matchedMethod is the method sentence of --match patients with what it matched.
func matchedMethod(matched, unmatchable int) string {
	s := MethodMatched + "; " + count(matched, "patient", "patients") + " matched across reports"
	if unmatchable > 0 {
		s += "; " + count(unmatchable, "pseudonym", "pseudonyms") + " held by two or more patients of one report not matched"
	}
	return s
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
