package main

// No silent empties (issue 17): a scheduled job must never mail a blank report. A
// --tin or --npi that matches nothing, an --as-of before the period, and a period with
// no seen visit at all are errors that say what is there instead.
//
//	exit 2  --as-of before the period starts (nothing can have happened yet): a usage
//	        error, caught before the database is opened
//	exit 1  the database was read and the filter or the period holds no seen visit;
//	        nothing is written

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mipspi/mipspi/measure"
)

// normalizeTIN reads a TIN the way clerks write it, as measure.NormalTIN does for the
// data (SPEC §3). Anything that is not 9 digits once hyphens and spaces are removed is
// kept as typed (it then simply matches no office and the error lists the TINs there are).
func normalizeTIN(s string) string { return measure.NormalTIN(s) }

// normalizeNPI drops spaces and hyphens from a 10-digit NPI ("1234 567 893").
func normalizeNPI(s string) string { return measure.NormalNPI(s) }

// checkAsOfBeforePeriod refuses an as-of instant before the period has started in any
// US time zone (its local date is before --from everywhere from UTC-12 to UTC+14):
// such a report can only be empty.
func checkAsOfBeforePeriod(cfg measure.Config) error {
	if cfg.AsOf.Add(14 * time.Hour).Before(cfg.Start.Time()) {
		return usagef("--as-of %s is before the period starts (%s): nothing in %s..%s has happened yet; give a later --as-of or omit it",
			cfg.AsOfText(), cfg.Start, cfg.Start, cfg.End)
	}
	return nil
}

// checkNotEmpty fails a read whose result holds no entity: the filter matched nothing
// (naming the TINs or clinicians there are) or the period holds no seen visit (with
// the counts of what was read instead).
func checkNotEmpty(r *measure.Result, p measure.Practice) error {
	if len(r.Entities) > 0 {
		return nil
	}
	cfg := r.Config
	period := fmt.Sprintf("%s..%s", cfg.Start, cfg.End)
	if cfg.TIN != "" {
		names := tinNames(p)
		if _, ok := names[cfg.TIN]; !ok {
			return fmt.Errorf("--tin %s matches no office; TINs in the database: %s", quoteIfOdd(cfg.TIN), listTINs(names))
		}
	}
	if cfg.NPI != "" {
		found := false
		for _, c := range p.Clinicians {
			if c.NPI == cfg.NPI {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("--npi %s matches no clinician; %s", quoteIfOdd(cfg.NPI), listNPIs(p))
		}
	}
	if cfg.TIN != "" || cfg.NPI != "" {
		who := ""
		switch {
		case cfg.TIN != "" && cfg.NPI != "":
			who = "NPI " + cfg.NPI + " under TIN " + cfg.TIN
		case cfg.TIN != "":
			who = "TIN " + cfg.TIN
		default:
			who = "NPI " + cfg.NPI
		}
		if r.Counts.SeenVisits > 0 {
			return fmt.Errorf("%s has no seen visit by a MIPS-eligible clinician in %s as of %s (other entities do: run without --tin/--npi to see them); nothing written",
				who, period, r.Config.AsOfText())
		}
	}
	c := r.Counts
	return fmt.Errorf("no seen visit in %s as of %s: %d appointments read (%d outside the period, %d without a seen status, %d by clinicians not MIPS eligible, %d with a seen status on a later date than the as-of date); nothing written. Check the period, --as-of and seen_statuses",
		period, cfg.AsOfText(), c.Appointments, c.OutsidePeriod, c.NotSeen, c.NotEligible, c.AfterAsOf)
}

// tinNames maps each TIN to its offices' names (distinct, sorted, joined by " / ").
func tinNames(p measure.Practice) map[string]string {
	sets := map[string]map[string]bool{}
	for _, o := range p.Offices {
		if sets[o.TIN] == nil {
			sets[o.TIN] = map[string]bool{}
		}
		if n := strings.TrimSpace(o.Name); n != "" {
			sets[o.TIN][n] = true
		}
	}
	out := make(map[string]string, len(sets))
	for tin, set := range sets {
		names := make([]string, 0, len(set))
		for n := range set {
			names = append(names, n)
		}
		sort.Strings(names)
		out[tin] = strings.Join(names, " / ")
	}
	return out
}

const listMax = 10

func listTINs(names map[string]string) string {
	if len(names) == 0 {
		return "none (the offices relation is empty)"
	}
	tins := make([]string, 0, len(names))
	for t := range names {
		tins = append(tins, t)
	}
	sort.Strings(tins)
	parts := make([]string, 0, listMax+1)
	for i, t := range tins {
		if i == listMax {
			parts = append(parts, fmt.Sprintf("and %d more", len(tins)-listMax))
			break
		}
		if n := names[t]; n != "" {
			t += " (" + printable(n) + ")"
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, ", ")
}

func listNPIs(p measure.Practice) string {
	var cs []measure.Clinician
	for _, c := range p.Clinicians {
		if c.Eligible {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return "the database has no MIPS-eligible clinician"
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].NPI < cs[j].NPI })
	parts := make([]string, 0, listMax+1)
	for i, c := range cs {
		if i == listMax {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-listMax))
			break
		}
		s := c.NPI
		if n := c.DisplayName(); n != "" {
			s += " (" + printable(n) + ")"
		}
		parts = append(parts, s)
	}
	return "MIPS-eligible clinicians in the database: " + strings.Join(parts, ", ")
}
