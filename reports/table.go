package reports

// The terminal report: what a billing manager reads after `mipspi report`. Per TIN, each
// clinician's figures and then the group's (R2), the run-level warnings (R10, R11) and a
// count of issues by code with the commands that list them. Plain text, no colours;
// every data string is cleaned of control characters so a hostile status cannot drive
// the terminal.

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
)

// nameWidth caps clinician names and other data strings in terminal cells.
const nameWidth = 40

// Hint is printed under the issue counts: where the rows behind them are listed.
const Hint = "run `mipspi notes` for the clinicians' note worklist; `mipspi report --format csv --table issues` lists every row"

// Table writes the terminal report.
func Table(w io.Writer, r *measure.Result, o Options) error {
	if r == nil {
		return errors.New("write table report: no result")
	}
	ew := &errWriter{w: w}
	m := newModel(r, o)
	tableHeader(ew, m)
	tableHeadline(ew, m)
	tableEntities(ew, m)
	tableCauses(ew, r)
	tableFindings(ew, r)
	tableEvidence(ew, o.Evidence)
	if o.Combined != nil {
		// SPEC §7: only figures travel; each site's report keeps its own issue rows.
		ew.printf("\nIssues: listed in each source report (mipspi report --format csv --table issues at each site)\n")
	} else {
		tableIssueCounts(ew, m)
	}
	if ew.err != nil {
		return fmt.Errorf("write table report: %w", ew.err)
	}
	return nil
}

// errWriter keeps the first write error so the layout code can stay linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

// tab returns a tabwriter over e; callers Flush it (errors land in e).
func tab(e *errWriter) *tabwriter.Writer { return tabwriter.NewWriter(e, 0, 0, 2, ' ', 0) }

func tableHeader(e *errWriter, m *model) {
	r, o, c := m.r, m.o, m.cfg
	e.printf("%s  Provide Patients Electronic Access to Their Health Information\n", m.id)
	tw := tab(e)
	fmt.Fprintf(tw, "Period\t%s to %s (performance year %d)\n", c.Start, c.End, c.Start.Year())
	fmt.Fprintf(tw, "As of\t%s\n", m.asOf)
	fmt.Fprintf(tw, "Policy\t%s; information released on note %s; numerator actions within the %s\n",
		c.Policy, c.Release, strings.ReplaceAll(string(c.NumeratorActions), "-", " "))
	if c.TIN != "" || c.NPI != "" {
		var f []string
		if c.TIN != "" {
			f = append(f, "TIN "+sanitize.Display(c.TIN, nameWidth))
		}
		if c.NPI != "" {
			f = append(f, "NPI "+sanitize.Display(c.NPI, nameWidth))
		}
		fmt.Fprintf(tw, "Filter\t%s\n", strings.Join(f, ", "))
	}
	fmt.Fprintf(tw, "Data\t%s\n", dataLine(r, c))
	if o.Source != "" {
		fmt.Fprintf(tw, "Source\t%s\n", sanitize.Display(o.Source, 200))
	}
	if o.Version != "" {
		fmt.Fprintf(tw, "mipspi\t%s\n", sanitize.Display(o.Version, nameWidth))
	}
	if cb := o.Combined; cb != nil { // SPEC §7
		fmt.Fprintf(tw, "Method\t%s\n", cb.Method)
		for i, s := range cb.Sources {
			head := ""
			if i == 0 {
				head = "Combined"
			}
			src := "(no source named)"
			if s.Source != nil {
				src = s.Source.String()
			}
			fmt.Fprintf(tw, "%s\t%s  %s  as of %s\n", head, sanitize.Display(s.File, 200), sanitize.Display(src, 200), sanitize.Display(s.AsOf, nameWidth))
		}
	}
	_ = tw.Flush()
}

// tableEntities writes each TIN's figures; PEA POINTS are the whole PI_PEA_1 points CMS
// awards of the maximum, the headline's (SPEC §5), never the unrounded rate × maximum.
func tableEntities(e *errWriter, m *model) {
	r := m.r
	if len(r.Entities) == 0 {
		e.printf("\nNo entity has a seen visit in the period.\n")
		return
	}
	var tw *tabwriter.Writer
	tin := ""
	for i, en := range r.Entities {
		if en.Level == measure.APMEntity { // SPEC §7: every TIN added together
			if tw != nil {
				_ = tw.Flush()
			}
			e.printf("\nAPM Entity %s (all TINs)\n", sanitize.Display(en.Clinician, nameWidth))
			tw = tab(e)
			fmt.Fprintln(tw, "  \tNAME\tNUM/DEN\tRATE\tPENDING\tPEA POINTS")
			fmt.Fprintf(tw, "  entity\t%s\t%d/%d\t%s\t%d\t%s\n", sanitize.Display(en.Clinician, nameWidth), en.Numerator, en.Denominator,
				pct(en.Rate), en.Pending, m.heads[i].pointsOfMax())
			tin = "\x00apm"
			continue
		}
		if i == 0 || en.TIN != tin {
			if tw != nil {
				_ = tw.Flush()
			}
			tin = en.TIN
			if en.PracticeName != "" {
				e.printf("\nTIN %s  %s\n", sanitize.Display(tin, nameWidth), sanitize.Display(en.PracticeName, 2*nameWidth))
			} else {
				e.printf("\nTIN %s\n", sanitize.Display(tin, nameWidth))
			}
			tw = tab(e)
			fmt.Fprintln(tw, "  NPI\tCLINICIAN\tNUM/DEN\tRATE\tPENDING\tPEA POINTS")
		}
		npi, name := sanitize.Display(en.NPI, nameWidth), sanitize.Display(en.Clinician, nameWidth)
		if en.Level == measure.Group {
			npi, name = "group", "(all clinicians)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d/%d\t%s\t%d\t%s\n", npi, name, en.Numerator, en.Denominator,
			pct(en.Rate), en.Pending, m.heads[i].pointsOfMax())
	}
	_ = tw.Flush()
	e.printf("\n%s\n", pendingNote)
}

// pendingNote says what the entity table's PENDING counts.
const pendingNote = "PENDING: patients out of the numerator now who would count if every pending visit were fixed by its lock-by date"

// dataLine is the report's Data line: what was read and counted; under a --tin/--npi
// filter, the filter's own patients and visits first, then what was read in all.
func dataLine(r *measure.Result, c measure.Config) string {
	k := r.Counts
	if c.TIN != "" || c.NPI != "" {
		f := k.InFilter
		return fmt.Sprintf("%d patients, %d seen visits (%d timely, %d pending) in the filter; %d patients, %d appointments read in all",
			f.Patients, f.SeenVisits, f.TimelyVisits, f.PendingVisits, k.Patients, k.Appointments)
	}
	return fmt.Sprintf("%d patients, %d appointments read, %d seen visits (%d timely, %d pending)",
		k.Patients, k.Appointments, k.SeenVisits, k.TimelyVisits, k.PendingVisits)
}

// causesNote says how the causes count patients, wherever they are shown.
const causesNote = "each patient out of the numerator counted once, under the first reason of their earliest visit that is not timely"

// causesText is an entity's causes in one line: "NOTE_LOCKED_LATE 12 (3 can still
// count), NOT_INVITED 5".
func causesText(cs []measure.CauseCount) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		p := fmt.Sprintf("%s %d", c.Code, c.Patients)
		if c.Pending > 0 {
			p += fmt.Sprintf(" (%d can still count)", c.Pending)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// tableCauses writes, per entity with patients out of the numerator, the patients each
// cause keeps out (measure.EntityResult.Causes).
func tableCauses(e *errWriter, r *measure.Result) {
	any := false
	for _, en := range r.Entities {
		any = any || len(en.Causes) > 0
	}
	if !any {
		return
	}
	e.printf("\nPatients out of the numerator, by cause (%s)\n", causesNote)
	tw := tab(e)
	fmt.Fprintln(tw, "  TIN\tNPI\tOUT\tCAUSES")
	for _, en := range r.Entities {
		if len(en.Causes) == 0 {
			continue
		}
		npi := sanitize.Display(en.NPI, nameWidth)
		if en.Level != measure.Individual {
			npi = string(en.Level)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\n", sanitize.Display(en.TIN, nameWidth), npi, en.Denominator-en.Numerator, causesText(en.Causes))
	}
	_ = tw.Flush()
}

func tableFindings(e *errWriter, r *measure.Result) {
	if len(r.Findings) == 0 {
		e.printf("\nRun warnings: none\n")
		return
	}
	e.printf("\nRun warnings\n")
	tw := tab(e)
	for _, f := range r.Findings {
		var scope []string
		if f.TIN != "" {
			scope = append(scope, "TIN "+sanitize.Display(f.TIN, nameWidth))
		}
		if f.NPI != "" {
			scope = append(scope, "NPI "+sanitize.Display(f.NPI, nameWidth))
		}
		if f.Code == measure.UnknownStatus || f.Status != "" {
			scope = append(scope, fmt.Sprintf("%q: %d appointments", sanitize.Display(f.Status, nameWidth), f.Count))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", f.Severity, f.Code, strings.Join(scope, ", "), sanitize.Display(f.Message, 200))
	}
	_ = tw.Flush()
}

type codeCount struct {
	code          measure.Code
	severity      measure.Severity
	rows, fixable int
}

// countByCode counts issue rows by code, in codeOrder.
func countByCode(r *measure.Result) ([]codeCount, error) {
	idx := map[measure.Code]int{}
	var out []codeCount
	for is, err := range r.AllIssues() {
		if err != nil {
			return nil, err
		}
		i, ok := idx[is.Code]
		if !ok {
			i = len(out)
			idx[is.Code] = i
			out = append(out, codeCount{code: is.Code, severity: is.Severity})
		}
		out[i].rows++
		if is.Fixable {
			out[i].fixable++
		}
	}
	sort.Slice(out, func(a, b int) bool { return codeLess(out[a].code, out[b].code) })
	return out, nil
}

func tableIssueCounts(e *errWriter, m *model) {
	if m.r.IssueCount() == 0 {
		e.printf("\nIssues: none\n")
		return
	}
	counts, err := m.codeCounts()
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return
	}
	e.printf("\nIssues by code (ROWS are visits, a visit once per reason; FIXABLE rows are visits still pending)\n")
	tw := tab(e)
	fmt.Fprintln(tw, "  CODE\tSEVERITY\tROWS\tFIXABLE")
	total, fixable := 0, 0
	for _, c := range counts {
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\n", sanitize.Display(string(c.code), nameWidth), c.severity, c.rows, c.fixable)
		total += c.rows
		fixable += c.fixable
	}
	fmt.Fprintf(tw, "  total\t\t%d\t%d\n", total, fixable)
	_ = tw.Flush()
	e.printf("\n%s\n", Hint)
}
