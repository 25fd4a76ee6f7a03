package main

// The whole PI category (SPEC §5, issue 14): the report's headline reads the
// configuration's registry answers, and export refuses a submission whose estimate is
// 0 because of a gate.

import (
	"fmt"
	"io"

	"github.com/mipspi/mipspi/category"
	"github.com/mipspi/mipspi/reports/registry"
)

// registryAnswers returns the configuration's registry block as the estimate reads it,
// or nil when there is none (the reports then say the category is not estimated).
func registryAnswers(fc *fileConfig) *category.Answers {
	if fc == nil || fc.Registry == nil {
		return nil
	}
	a := fc.Registry.Config.Answers()
	return &a
}

// printGates lists every reason the exported submission would score 0 in the PI
// category, once each, and says what a missing registry block means. It returns
// whether there was any.
func printGates(w io.Writer, gates []registry.Gate, haveBlock bool, force bool) bool {
	if len(gates) == 0 {
		return false
	}
	what := "for this submission, because:"
	if !haveBlock {
		what = "for this submission: the configuration has no registry block, so CMS would not get the practice's CEHRT ID nor its answers for the other PI measures. Missing:"
	}
	if force {
		fmt.Fprintf(w, "mipspi: WARNING: --force: writing files that CMS would score 0 in the whole Promoting Interoperability category %s\n", what)
	} else {
		fmt.Fprintf(w, "mipspi: CMS would score the whole Promoting Interoperability category 0 %s\n", what)
	}
	for _, g := range gates {
		fmt.Fprintf(w, "mipspi:   %s\n", oneLine(g.String()))
	}
	return true
}
