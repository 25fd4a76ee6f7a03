package registry

// gates.go: the gates that would make CMS score the whole PI category 0 for the
// entities an export writes (SPEC §5), from package category's estimate. The export
// refuses such a submission before writing anything.

import (
	"slices"
	"strings"

	"github.com/mipspi/mipspi/category"
	"github.com/mipspi/mipspi/measure"
)

// Gate is one reason the PI category of exported entities would score 0, listed once.
type Gate struct {
	Code    string
	Message string
	// Entities names the entities it applies to ("TIN 123456789 NPI 1234567893"), or is
	// nil when it applies to every exported entity (a practice-wide answer).
	Entities []string
}

// String renders g for stderr: "CEHRT_ID_MISSING: The CMS EHR…", prefixed with the
// entities when it does not concern them all.
func (g Gate) String() string {
	if len(g.Entities) == 0 {
		return g.Code + ": " + g.Message
	}
	return g.Code + ": " + strings.Join(g.Entities, ", ") + ": " + g.Message
}

// Gates returns every reason, once, for which the estimate of an exported entity is 0.
// A Config without answers (no registry block) lists everything the category needs.
func Gates(r *measure.Result, cfg Config, filter EntityFilter) ([]Gate, error) {
	ents, err := selected(r, filter)
	if err != nil {
		return nil, err
	}
	est := estimates(r, cfg, ents)
	var out []Gate
	idx := map[category.Reason]int{}
	for i, e := range ents {
		for _, z := range est[i].ZeroReasons {
			i, ok := idx[z]
			if !ok {
				i = len(out)
				idx[z] = i
				out = append(out, Gate{Code: z.Code, Message: z.Message})
			}
			out[i].Entities = append(out[i].Entities, entityLabel(e))
		}
	}
	for i := range out {
		if len(out[i].Entities) == len(ents) {
			out[i].Entities = nil
		}
	}
	return out, nil
}

// gateCodes are the Problem codes that repeat a gate; an export that lists the gates
// leaves those problems out so that every reason is said once.
var gateCodes = []string{
	category.CEHRTIDMissing, category.CEHRTIDInvalid, category.PeriodTooShort,
	category.ConflictingMeasures, category.NumeratorZero,
}

// RepeatsGate reports whether p says again what a gate of Gates says.
func (p Problem) RepeatsGate() bool { return p.Code != "" && slices.Contains(gateCodes, p.Code) }
