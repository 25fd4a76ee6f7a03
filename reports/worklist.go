package reports

// The clinicians' note worklist (SPEC §4 `mipspi notes`, issue 4): every seen visit whose
// note blocks timeliness, grouped by clinician, sorted by lock-by date (the R3 deadline),
// with business days left or late and whether locking it now can still make it count.
// Each clinician ends with the what-if sentence.

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

// daysLeft is the worklist's "business days left" cell: the days left until the lock-by
// date for a pending visit (R9), or "N late" when the deadline has passed.
func daysLeft(is measure.Issue) string {
	if is.Fixable {
		return strconv.Itoa(is.BusinessDays)
	}
	return strconv.Itoa(is.BusinessDays) + " late"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// problem is the code and the engine's sentence for an item.
func problem(is measure.Issue) string { return string(is.Code) + ": " + is.Detail() }

// groupWhatIf returns, per TIN, the group entity's what-if sentence when the worklist
// covers more than one clinician: the TIN's fixable notes and the group rate (patients
// de-duplicated, R2) now and if they were locked.
func groupWhatIf(r *measure.Result, wl measure.Worklist) []string {
	if len(wl.Clinicians) < 2 {
		return nil
	}
	fixable := map[string]int{}
	for _, c := range wl.Clinicians {
		fixable[c.TIN] += c.FixableNotes
	}
	var out []string
	for _, e := range r.Entities {
		n, ok := fixable[e.TIN]
		if e.Level != measure.Group || !ok {
			continue
		}
		ifLocked := 0.0
		if e.Denominator > 0 {
			ifLocked = measure.Round(float64(e.NumeratorIfNotesLocked)/float64(e.Denominator), 4)
		}
		out = append(out, fmt.Sprintf("TIN %s group: %s", e.TIN, whatIf(n, e.Rate, ifLocked)))
	}
	return out
}

// part01 is the worklist part of an item: 0 can still count, 1 cannot.
func part01(canCount bool) int {
	if canCount {
		return 0
	}
	return 1
}

// WorklistTable writes the worklist for a terminal.
func WorklistTable(w io.Writer, r *measure.Result, wl measure.Worklist, o Options) error {
	if r == nil {
		return errors.New("write worklist table: no result")
	}
	e := &errWriter{w: w}
	m := newModel(r, o)
	e.printf("Notes worklist for %s to %s, as of %s\n", m.cfg.Start, m.cfg.End, m.asOf)
	e.printf("A note must be locked by its lock-by date (4 business days after the visit, and no later than the end of the period) for the visit to count.\n")
	if len(wl.Clinicians) == 0 {
		e.printf("\nNo notes to fix.\n")
	}
	for _, wc := range wl.Clinicians {
		e.printf("\n%s  NPI %s  TIN %s  rate %s\n", sanitize.Display(wc.Clinician, nameWidth), sanitize.Display(wc.NPI, nameWidth),
			sanitize.Display(wc.TIN, nameWidth), pct(wc.RateNow))
		if wc.Notes == 0 {
			e.printf("  no notes to fix\n")
		}
		// Two parts: the notes that can still count (WorkItem.CanCount), then those
		// that cannot, each under its own heading; Items gives them in that order.
		var tw *tabwriter.Writer
		part := -1
		for is, err := range wc.Items() {
			if err != nil {
				return fmt.Errorf("write worklist table: %w", err)
			}
			if p := part01(is.CanCount); p != part {
				if tw != nil {
					_ = tw.Flush()
				}
				part = p
				if p == 0 {
					e.printf("  Can still count (%d %s):\n", wc.FixableNotes, plural(wc.FixableNotes, "note", "notes"))
				} else {
					n := wc.Notes - wc.FixableNotes
					e.printf("  Cannot count any more (%d %s):\n", n, plural(n, "note", "notes"))
				}
				tw = tab(e)
				fmt.Fprintln(tw, "  LOCK BY\tDAYS LEFT\tVISIT\tPATIENT\tMRN\tAPPOINTMENT\tPROBLEM\tCAN STILL COUNT")
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\t%d\t%s\t%s\n", lockBy(is.Issue), daysLeft(is.Issue), is.VisitDate,
				is.PatientID, sanitize.Display(is.MRN, nameWidth), is.AppointmentID,
				sanitize.Display(problem(is.Issue), 200), is.Standing())
		}
		if tw != nil {
			_ = tw.Flush()
		}
		e.printf("  %s\n", whatIf(wc.FixableNotes, wc.RateNow, wc.RateIfLocked))
	}
	if g := groupWhatIf(r, wl); len(g) > 0 {
		e.printf("\n")
		for _, s := range g {
			e.printf("%s\n", sanitize.Display(s, 300))
		}
	}
	if e.err != nil {
		return fmt.Errorf("write worklist table: %w", e.err)
	}
	return nil
}

var worklistColumns = []string{"tin", "npi", "clinician", "lock_by", "business_days_left", "days_late",
	"visit_date", "patient_id", "mrn", "appointment_id", "code", "problem", "fixable",
	"can_still_count", "fixable_notes", "rate_now", "rate_if_locked", "why_not", "also_needs"}

// WorklistCSV writes one row per worklist item. The clinician's fixable-note count and
// rates (now, if locked) repeat on each row so that a filtered sheet still carries the
// what-if.
func WorklistCSV(w io.Writer, r *measure.Result, wl measure.Worklist, o Options) error {
	if r == nil {
		return errors.New("write worklist CSV: no result")
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(worklistColumns); err != nil {
		return fmt.Errorf("write worklist CSV: %w", err)
	}
	for _, wc := range wl.Clinicians {
		for is, err := range wc.Items() {
			if err != nil {
				return fmt.Errorf("write worklist CSV: %w", err)
			}
			left, late := "", ""
			if is.Fixable {
				left = itoa(is.BusinessDays)
			} else {
				late = itoa(is.BusinessDays)
			}
			if err := cw.Write([]string{
				sanitize.CSVCell(wc.TIN), sanitize.CSVCell(wc.NPI), sanitize.CSVCell(wc.Clinician), lockBy(is.Issue).String(), left, late,
				is.VisitDate.String(), idOrEmpty(is.PatientID), sanitize.CSVCell(is.MRN), idOrEmpty(is.AppointmentID),
				sanitize.CSVCell(string(is.Code)), sanitize.CSVCell(problem(is.Issue)), strconv.FormatBool(is.Fixable),
				strconv.FormatBool(is.CanCount), itoa(wc.FixableNotes), wire.Decimal(wc.RateNow, 4),
				wire.Decimal(wc.RateIfLocked, 4), is.WhyNot(), is.AlsoNeeds(),
			}); err != nil {
				return fmt.Errorf("write worklist CSV: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write worklist CSV: %w", err)
	}
	return nil
}

type jsonWorklist struct {
	MeasureID        string           `json:"measure_id"`
	PerformanceStart string           `json:"performance_start"`
	PerformanceEnd   string           `json:"performance_end"`
	AsOf             string           `json:"as_of"`
	AsOfLocal        []wire.LocalAsOf `json:"as_of_local,omitempty"` // as in the report (json.go)
	Version          string           `json:"version,omitempty"`
	Clinicians       []jsonClinician  `json:"clinicians"`
	Groups           []string         `json:"group_what_if,omitempty"`
}

type jsonClinician struct {
	TIN                    string     `json:"tin"`
	NPI                    string     `json:"npi"`
	Clinician              string     `json:"clinician"`
	FixableNotes           int        `json:"fixable_notes"`
	RateNow                wire.Dec4  `json:"rate_now"`
	RateIfLocked           wire.Dec4  `json:"rate_if_locked"`
	Denominator            int        `json:"denominator"`
	Numerator              int        `json:"numerator"`
	NumeratorIfNotesLocked int        `json:"numerator_if_notes_locked"`
	WhatIf                 string     `json:"what_if"`
	Items                  []jsonItem `json:"items"`
}

type jsonItem struct {
	LockBy           string `json:"lock_by"`
	BusinessDaysLeft *int   `json:"business_days_left"` // null once the lock-by date has passed
	DaysLate         *int   `json:"days_late"`          // null while the note can still be locked in time
	VisitDate        string `json:"visit_date"`
	PatientID        int64  `json:"patient_id"`
	MRN              string `json:"mrn,omitempty"`
	AppointmentID    int64  `json:"appointment_id"`
	Code             string `json:"code"`
	Detail           string `json:"detail"`
	Fixable          bool   `json:"fixable"`
	CanStillCount    bool   `json:"can_still_count"`
	WhyNot           string `json:"why_not,omitempty"`    // why it cannot count any more (WorkItem.WhyNot)
	AlsoNeeds        string `json:"also_needs,omitempty"` // what else it needs by its lock-by date (WorkItem.AlsoNeeds)
}

// WorklistJSON writes the worklist with stable field names, 2-space indent and a
// trailing newline.
func WorklistJSON(w io.Writer, r *measure.Result, wl measure.Worklist, o Options) error {
	if r == nil {
		return errors.New("write worklist JSON: no result")
	}
	m := newModel(r, o)
	c := m.cfg
	out := jsonWorklist{
		MeasureID: m.id, PerformanceStart: c.Start.String(), PerformanceEnd: c.End.String(),
		AsOf: c.AsOfText(), AsOfLocal: m.asOfZones, Version: o.Version, Clinicians: make([]jsonClinician, 0, len(wl.Clinicians)),
		Groups: groupWhatIf(r, wl),
	}
	for _, wc := range wl.Clinicians {
		jc := jsonClinician{
			TIN: wc.TIN, NPI: wc.NPI, Clinician: wc.Clinician, FixableNotes: wc.FixableNotes,
			RateNow: wire.Dec4(wc.RateNow), RateIfLocked: wire.Dec4(wc.RateIfLocked),
			WhatIf: whatIf(wc.FixableNotes, wc.RateNow, wc.RateIfLocked), Items: make([]jsonItem, 0, wc.Notes),
		}
		if wc.Entity >= 0 && wc.Entity < len(r.Entities) {
			e := r.Entities[wc.Entity]
			jc.Denominator, jc.Numerator, jc.NumeratorIfNotesLocked = e.Denominator, e.Numerator, e.NumeratorIfNotesLocked
		}
		for is, err := range wc.Items() {
			if err != nil {
				return fmt.Errorf("write worklist JSON: %w", err)
			}
			days := is.BusinessDays
			it := jsonItem{
				LockBy: lockBy(is.Issue).String(), VisitDate: is.VisitDate.String(), PatientID: is.PatientID,
				MRN: is.MRN, AppointmentID: is.AppointmentID, Code: string(is.Code), Detail: is.Detail(),
				Fixable: is.Fixable, CanStillCount: is.CanCount, WhyNot: is.WhyNot(), AlsoNeeds: is.AlsoNeeds(),
			}
			if is.Fixable {
				it.BusinessDaysLeft = &days
			} else {
				it.DaysLate = &days
			}
			jc.Items = append(jc.Items, it)
		}
		out.Clinicians = append(out.Clinicians, jc)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write worklist JSON: %w", err)
	}
	return nil
}
