package registry

// estimates.go: the PI category estimate of each exported entity (SPEC §5), made in one
// place from the entity's own answers (Config.For through category.Answers.For), so the
// keying sheet, the manifest and the gates carry the same figures the reports show.

import (
	"github.com/mipspi/mipspi/category"
	"github.com/mipspi/mipspi/measure"
)

// estimates returns category.Compute's estimate of each of ents, in their order.
func estimates(r *measure.Result, cfg Config, ents []measure.EntityResult) []category.Estimate {
	p := category.PeriodOf(r)
	answers := cfg.Answers()
	out := make([]category.Estimate, len(ents))
	for i, e := range ents {
		out[i] = category.Compute(p, e, answers)
	}
	return out
}
