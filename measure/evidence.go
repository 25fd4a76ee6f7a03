package measure

// R6 evidence (SPEC §6): what the recorded probes of the practice's patient API say
// about the period, beside what api_windows claims. The figures never change: R6 still
// trusts api_windows; the evidence is there to support it in an audit, or to show where
// it may be wrong.

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Evidence codes (SPEC §6).
const (
	APIProbeFailed Code = "API_PROBE_FAILED" // a probe failed while api_windows says the API was enabled
	APINotProbed   Code = "API_NOT_PROBED"   // a reported TIN has no probe in the period
	// APIEvidenceBroken: the evidence store fails its own check (a chain break, rows
	// missing, time running backwards, a missing trigger): its uptime cannot be trusted.
	APIEvidenceBroken Code = "API_EVIDENCE_BROKEN"
)

// Probe is one recorded check of the patient API (mipspi api check --record).
type Probe struct {
	At      time.Time // when the probe ran (UTC)
	TIN     string    // the TIN it was recorded for; "" stands for every TIN
	BaseURL string
	OK      bool   // every check passed
	Failed  string // the first failing check and its reason, when !OK
}

// APIEvidence is the evidence summary of a report: one row per reported TIN, and the
// findings it raises.
type APIEvidence struct {
	Source   string // the evidence file, for the report (set by the caller)
	TINs     []TINEvidence
	Findings []Finding
	Chain    *EvidenceChain // the store's own check; nil when not verified
}

// EvidenceChain is what verifying the evidence store's chain found (SPEC §6): every
// report with --evidence shows it, head included, so the head can be kept with the report.
type EvidenceChain struct {
	Rows      int   // probe rows in the store, every period
	Unchained int   // rows written before the store had a chain (sealed by the first link)
	HeadID    int64 // the last row
	HeadAt    time.Time
	Head      string   // its link (hex SHA-256), or the seal of the rows when none is linked
	Problems  int      // breaks, missing rows, time running backwards, missing triggers
	Named     []string // the first problems, one sentence each
}

// ChainFinding is API_EVIDENCE_BROKEN for a chain with problems (nil when it holds).
func ChainFinding(c EvidenceChain, file string) *Finding {
	if c.Problems == 0 {
		return nil
	}
	problems := "problems"
	if c.Problems == 1 {
		problems = "problem"
	}
	msg := fmt.Sprintf("the evidence store %s fails its check (%d %s), so its probes cannot be trusted as they stand: %s",
		file, c.Problems, problems, strings.Join(c.Named, "; "))
	if c.Problems > len(c.Named) {
		msg += fmt.Sprintf("; and %d more", c.Problems-len(c.Named))
	}
	return &Finding{Code: APIEvidenceBroken, Severity: SeverityError, Count: c.Problems, Message: msg}
}

// TINEvidence is one TIN's probes over the observed part of the period.
type TINEvidence struct {
	TIN string
	// From and To bound the observed period: the start of the performance period's first
	// day in the TIN's office zone (inclusive), and the end of its last day (exclusive) or
	// the as-of instant (inclusive), whichever is earlier (probes after the as-of instant
	// have not happened, R9).
	From, To time.Time
	Probes   int
	Passing  int
	// Uptime is Passing/Probes (0 when there is no probe).
	Uptime float64
	// The longest stretch of the observed period without a passing probe: between two
	// passing probes, or from From to the first, or from the last to To (the whole
	// period when none passed).
	LongestGap         time.Duration
	GapFrom, GapTo     time.Time
	FailedWhileEnabled int       // failing probes at an instant api_windows says enabled (R6)
	FirstFailed        time.Time // the first of those
	FirstFailedReason  string
}

// SummarizeAPIEvidence judges the recorded probes against the result's TINs, period,
// as-of instant and the practice's api_windows (R6). It reads nothing else: the caller
// passes the probes (any order), the practice the result was computed from, and the result.
func SummarizeAPIEvidence(probes []Probe, p Practice, r *Result) APIEvidence {
	cfg := r.Config
	p = p.WithNormalTINs() // SPEC §3
	var out APIEvidence
	zones := map[string]*time.Location{}
	for _, o := range sortedOffices(p.Offices) {
		if _, ok := zones[o.TIN]; !ok && o.Zone != nil {
			zones[o.TIN] = o.Zone
		}
	}
	var tins []string
	seen := map[string]bool{}
	for _, e := range r.Entities {
		if !seen[e.TIN] {
			seen[e.TIN] = true
			tins = append(tins, e.TIN)
		}
	}
	sort.Strings(tins)
	sorted := append([]Probe(nil), probes...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].At.Before(sorted[j].At) })

	for _, tin := range tins {
		loc := zones[tin]
		if loc == nil {
			loc = time.UTC
		}
		y, m, d := cfg.Start.Civil()
		from := time.Date(y, m, d, 0, 0, 0, 0, loc).UTC()
		y, m, d = cfg.End.AddDays(1).Civil()
		to := time.Date(y, m, d, 0, 0, 0, 0, loc).UTC()
		atAsOf := false // a probe at exactly To counts: To is the as-of instant
		// R9: probes are a fact of the TIN as a whole, as of its westernmost office.
		if asOf := cfg.tinAsOf(p.Offices, tin); !asOf.IsZero() && asOf.Before(to) {
			to, atAsOf = asOf.UTC(), true
		}
		te := TINEvidence{TIN: tin, From: from, To: to}
		last := from
		for _, pr := range sorted {
			if pr.TIN != "" && pr.TIN != tin {
				continue
			}
			if pr.At.Before(from) || pr.At.After(to) || (pr.At.Equal(to) && !atAsOf) {
				continue
			}
			te.Probes++
			if pr.OK {
				te.Passing++
				if g := pr.At.Sub(last); g > te.LongestGap {
					te.LongestGap, te.GapFrom, te.GapTo = g, last, pr.At
				}
				last = pr.At
				continue
			}
			if apiEnabledAt(p.APIWindows, tin, pr.At) {
				if te.FailedWhileEnabled == 0 {
					te.FirstFailed, te.FirstFailedReason = pr.At, pr.Failed
				}
				te.FailedWhileEnabled++
			}
		}
		if g := to.Sub(last); g > te.LongestGap {
			te.LongestGap, te.GapFrom, te.GapTo = g, last, to
		}
		if te.Probes > 0 {
			te.Uptime = float64(te.Passing) / float64(te.Probes)
		}
		out.TINs = append(out.TINs, te)
		switch {
		case te.Probes == 0:
			out.Findings = append(out.Findings, Finding{Code: APINotProbed, Severity: SeverityWarning, TIN: tin,
				Message: fmt.Sprintf("TIN %s: no probe of the patient API is recorded between %s and %s; there is no outside evidence that it was live (record one with mipspi api check --record)",
					tin, from.Format(time.RFC3339), to.Format(time.RFC3339))})
		case te.FailedWhileEnabled > 0:
			msg := fmt.Sprintf("TIN %s: %d of %d probes of the patient API failed while api_windows says it was enabled; check api_windows against the outage. First: %s",
				tin, te.FailedWhileEnabled, te.Probes, te.FirstFailed.UTC().Format(time.RFC3339))
			if te.FirstFailedReason != "" {
				msg += ", " + te.FirstFailedReason
			}
			out.Findings = append(out.Findings, Finding{Code: APIProbeFailed, Severity: SeverityWarning, TIN: tin,
				Count: te.FailedWhileEnabled, Message: msg})
		}
	}
	return out
}

// apiEnabledAt reports whether any of the TIN's windows covers t (R6: enabled ≤ t <
// disabled, open-ended when disabled is zero).
func apiEnabledAt(ws []APIWindow, tin string, t time.Time) bool {
	for _, w := range ws {
		if w.TIN == tin && !t.Before(w.Enabled) && (w.Disabled.IsZero() || t.Before(w.Disabled)) {
			return true
		}
	}
	return false
}

func sortedOffices(os []Office) []Office {
	out := append([]Office(nil), os...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
