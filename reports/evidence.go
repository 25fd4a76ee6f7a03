package reports

// The patient API evidence (SPEC §6) in every report format: per TIN, the recorded
// probes in the period, the observed uptime and the longest stretch without a passing
// probe. The summary is computed by measure.SummarizeAPIEvidence; its findings
// (API_PROBE_FAILED, API_NOT_PROBED) travel with the result's other findings. Nothing
// here changes a figure: R6 still reads api_windows.

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

// SheetEvidence is the workbook sheet of the patient API evidence (present only with
// mipspi report --evidence).
const SheetEvidence = "API evidence"

var evidenceHeader = []string{"TIN", "Observed from", "Observed to", "Probes", "Passing", "Uptime",
	"Longest without a passing probe (hours)", "Stretch from", "Stretch to", "Failed while api_windows enabled"}

// duration is a stretch of time as people read it: "45 min", "5 h 10 min", "3 d 2 h".
func duration(d time.Duration) string {
	m := int64(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m < 24*60:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	default:
		return fmt.Sprintf("%d d %d h", m/(24*60), m%(24*60)/60)
	}
}

// chainHead is the line to keep with the report (SPEC §6): the store's last row and its
// link. A head kept elsewhere lets an auditor see later that the store was not rewritten.
func chainHead(c *measure.EvidenceChain) string {
	if c.Rows == 0 {
		return "the store holds no probe"
	}
	return fmt.Sprintf("row %d, %s, sha256 %s", c.HeadID, instant(c.HeadAt), c.Head)
}

// chainState says whether the chain holds, in a few words.
func chainState(c *measure.EvidenceChain) string {
	s := "holds"
	if c.Problems > 0 {
		s = fmt.Sprintf("BROKEN: %d %s (API_EVIDENCE_BROKEN)", c.Problems, plural(c.Problems, "problem", "problems"))
	}
	s += fmt.Sprintf("; %d rows", c.Rows)
	if c.Unchained > 0 {
		s += fmt.Sprintf(", %d written before the chain (sealed by the first link, not checked one by one)", c.Unchained)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func uptimeText(t measure.TINEvidence) string {
	if t.Probes == 0 {
		return "no probe"
	}
	return pct(t.Uptime)
}

// tableEvidence writes the evidence section of the terminal report.
func tableEvidence(e *errWriter, ev *measure.APIEvidence) {
	if ev == nil {
		return
	}
	e.printf("\nPatient API evidence (probes recorded in %s)\n", sanitize.Display(ev.Source, 200))
	if len(ev.TINs) == 0 {
		e.printf("  no TIN is reported\n")
		return
	}
	tw := tab(e)
	fmt.Fprintln(tw, "  TIN\tPROBES\tPASSING\tUPTIME\tLONGEST WITHOUT A PASSING PROBE\tFAILED WHILE ENABLED")
	for _, t := range ev.TINs {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\t%s (%s to %s)\t%d\n", sanitize.Display(t.TIN, nameWidth), t.Probes, t.Passing,
			uptimeText(t), duration(t.LongestGap), instant(t.GapFrom), instant(t.GapTo), t.FailedWhileEnabled)
	}
	_ = tw.Flush()
	tableChain(e, ev.Chain)
}

// tableChain writes the store's own check and the head to keep.
func tableChain(e *errWriter, c *measure.EvidenceChain) {
	if c == nil {
		return
	}
	e.printf("  Chain: %s\n", chainState(c))
	for _, p := range c.Named {
		e.printf("    %s\n", sanitize.Display(p, 300))
	}
	if c.Problems > len(c.Named) {
		e.printf("    and %d more\n", c.Problems-len(c.Named))
	}
	e.printf("  Chain head (keep it with this report): %s\n", chainHead(c))
}

// jsonChainOf is the store's own check and the head to keep, as the JSON report has it.
func jsonChainOf(c *measure.EvidenceChain) *wire.EvidenceChain {
	if c == nil {
		return nil
	}
	return &wire.EvidenceChain{Rows: c.Rows, Unchained: c.Unchained, HeadRow: c.HeadID, HeadAt: instant(c.HeadAt),
		HeadSHA256: c.Head, Problems: c.Problems, Named: append([]string{}, c.Named...)}
}

func jsonEvidenceOf(ev *measure.APIEvidence) *wire.Evidence {
	if ev == nil {
		return nil
	}
	out := &wire.Evidence{File: ev.Source, TINs: []wire.EvidenceTIN{}, Chain: jsonChainOf(ev.Chain)}
	for _, t := range ev.TINs {
		out.TINs = append(out.TINs, wire.EvidenceTIN{
			TIN: t.TIN, ObservedFrom: instant(t.From), ObservedTo: instant(t.To),
			Probes: t.Probes, Passing: t.Passing, Uptime: wire.Dec4(t.Uptime),
			LongestGapSeconds: int64(t.LongestGap / time.Second),
			LongestGapFrom:    instant(t.GapFrom), LongestGapTo: instant(t.GapTo),
			FailedWhileEnabled: t.FailedWhileEnabled,
		})
	}
	return out
}

// evidence writes the workbook's API evidence sheet.
func (wb *workbook) evidence() error {
	ev := wb.o.Evidence
	if ev == nil {
		return nil
	}
	sh, st := SheetEvidence, wb.st
	if err := wb.setRow(sh, 1, wb.bold("Patient API probes recorded in "+ev.Source)); err != nil {
		return err
	}
	if err := wb.setRow(sh, 2, "Recorded by mipspi api check --record. The figures still follow api_windows; findings are on the Run sheet."); err != nil {
		return err
	}
	if c := ev.Chain; c != nil {
		if err := wb.setRow(sh, 3, wb.bold("Chain "+chainState(c)+". Head (keep it with this report): "+chainHead(c))); err != nil {
			return err
		}
		for i, p := range c.Named {
			if err := wb.setRow(sh, 6+len(ev.TINs)+i, p); err != nil {
				return err
			}
		}
	}
	if err := wb.setRow(sh, 4, headerCells(evidenceHeader)...); err != nil {
		return err
	}
	for i, t := range ev.TINs {
		var uptime any = "no probe"
		if t.Probes > 0 {
			uptime = excelize.Cell{StyleID: st.percent, Value: t.Uptime}
		}
		hours, _ := strconv.ParseFloat(strconv.FormatFloat(t.LongestGap.Hours(), 'f', 2, 64), 64)
		if err := wb.setRow(sh, 5+i, t.TIN, st.excelInstant(t.From), st.excelInstant(t.To), t.Probes, t.Passing,
			uptime, hours, st.excelInstant(t.GapFrom), st.excelInstant(t.GapTo), t.FailedWhileEnabled); err != nil {
			return err
		}
	}
	if err := wb.f.SetColWidth(sh, "A", "J", 20); err != nil {
		return err
	}
	return printSetup(wb.f, sh, printScale(slices.Repeat([]float64{20}, 10)))
}

// htmlEvidence is the page's evidence section.
type htmlEvidence struct {
	File  string
	TINs  []htmlEvidenceTIN
	Chain *htmlChain
}

type htmlChain struct {
	State, Head string
	Broken      bool
	Named       []string
}

type htmlEvidenceTIN struct {
	TIN                string
	From, To           string
	Probes, Passing    int
	Uptime             string
	UptimeValue        string // data-value: the JSON report's number
	Longest            string
	GapFrom, GapTo     string
	LongestSeconds     int64
	FailedWhileEnabled int
}

func htmlEvidenceOf(ev *measure.APIEvidence) *htmlEvidence {
	if ev == nil {
		return nil
	}
	out := &htmlEvidence{File: sanitize.Display(ev.Source, htmlNameWidth)}
	if c := ev.Chain; c != nil {
		out.Chain = &htmlChain{State: chainState(c), Head: chainHead(c), Broken: c.Problems > 0}
		for _, p := range c.Named {
			out.Chain.Named = append(out.Chain.Named, sanitize.Display(p, 300))
		}
	}
	for _, t := range ev.TINs {
		out.TINs = append(out.TINs, htmlEvidenceTIN{
			TIN: sanitize.Display(t.TIN, htmlNameWidth), From: instant(t.From), To: instant(t.To),
			Probes: t.Probes, Passing: t.Passing, Uptime: uptimeText(t),
			UptimeValue: strconv.FormatFloat(measure.Round(t.Uptime, 4), 'f', -1, 64),
			Longest:     duration(t.LongestGap), GapFrom: instant(t.GapFrom), GapTo: instant(t.GapTo),
			LongestSeconds: int64(t.LongestGap / time.Second), FailedWhileEnabled: t.FailedWhileEnabled,
		})
	}
	return out
}

var evidenceColumns = []string{"tin", "observed_from", "observed_to", "probes", "passing", "uptime",
	"longest_without_pass_seconds", "longest_without_pass_from", "longest_without_pass_to", "failed_while_enabled",
	"chain_rows", "chain_problems", "chain_head_row", "chain_head_at", "chain_head_sha256"}

// csvEvidence writes the evidence table (mipspi report --format csv --table evidence);
// without evidence, the header alone.
func csvEvidence(cw *csv.Writer, ev *measure.APIEvidence) error {
	if err := cw.Write(evidenceColumns); err != nil {
		return err
	}
	if ev == nil {
		return nil
	}
	for _, t := range ev.TINs {
		row := []string{sanitize.CSVCell(t.TIN), instant(t.From), instant(t.To), itoa(t.Probes), itoa(t.Passing),
			wire.Decimal(t.Uptime, 4), strconv.FormatInt(int64(t.LongestGap/time.Second), 10),
			instant(t.GapFrom), instant(t.GapTo), itoa(t.FailedWhileEnabled)}
		if c := ev.Chain; c != nil { // the store's check, the same on every row
			row = append(row, itoa(c.Rows), itoa(c.Problems), strconv.FormatInt(c.HeadID, 10), instant(c.HeadAt), c.Head)
		} else {
			row = append(row, "", "", "", "", "")
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	return nil
}
