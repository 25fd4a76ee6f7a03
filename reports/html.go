package reports

// The HTML report (issue 8, `--format html`): one self-contained page a clinician or a
// billing manager can read at a glance and print. Everything is inline — CSS in a
// <style> element, charts as inline SVG, no script, no font, image or link to fetch —
// so the file opens the same from a mail attachment, a share or a USB stick.
//
// html/template escapes every data string for its context (text, attribute, SVG text),
// so a hostile clinician name or appointment status stays text. Key figures carry
// data- attributes (data-tin, data-npi, data-field, data-value) so that programs and the
// browser test read them without parsing the layout.

import (
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// htmlNameWidth caps data strings in page text and chart labels; the full value stays
// in a title attribute where it is cut.
const (
	htmlNameWidth  = 120
	htmlLabelWidth = 30
)

// deadlineBusinessDays is R3's "within 4 business days", the line on the histogram.
const deadlineBusinessDays = 4

type htmlPage struct {
	Title       string
	MeasureID   string
	MeasureName string
	Start, End  string
	Year        int
	AsOf        string
	Policy      string
	Release     string
	Actions     string
	Seen        string
	Holidays    string
	Closures    string
	Filter      string
	Source      string
	Method      string   // SPEC §7: combined reports only
	Combined    []string // the source reports, one line each
	Version     string
	Generated   string
	Counts      measure.Counts
	DataLine    string // the Data line (dataLine), the filter's counts first
	TINs        []htmlTIN
	Rates       *htmlRateChart
	Trend       *htmlTrendChart // trend.go
	Lag         *htmlLagChart
	Codes       []htmlCode
	IssueRows   int
	Fixable     int
	Findings    []htmlFinding
	Worklists   []htmlWorklist
	GroupWhatIf []string
	Statuses    []htmlStatus
	// The headline (SPEC §5): one table row per entity, groups first; what is missing
	// for an estimate said once above it, each zero reason once under it.
	Headlines    []hlRow
	NotEstimated string // the sentence when there is no registry block
	Estimated    bool
	Weight       string // the category's weight, for the column heading
	ZeroReasons  []htmlReason
	Unverified   []string
	Evidence     *htmlEvidence // the patient API evidence (SPEC §6), nil without --evidence
}

type htmlReason struct {
	Code, Message, Affects string
}

type htmlTIN struct {
	TIN  string
	Name string // the practice name (offices.name), "" when unnamed
	Rows []htmlEntity
}

type htmlEntity struct {
	Level      string
	Group      bool
	TIN, NPI   string
	Clinician  string
	Numerator  int
	Denom      int
	Rate       string // data-value: the JSON report's number
	RatePct    string // what people read
	Pending    int
	BestPct    string // (numerator + pending) / denominator: the best rate still reachable (R9)
	Points     string
	SeenVisits int
	Timely     int
	PendVisits int
	Worklist   string // anchor of the clinician's worklist, "" for a group
	Causes     string // patients out of the numerator by cause (causesText)
}

// htmlRateChart is the horizontal bar chart of each clinician's rate, grouped by TIN.
type htmlRateChart struct {
	Width, Height int
	LabelX        int // right edge of the labels
	BarX, BarW    int // the 0..100% span
	ValueX        int
	Grid          []htmlTick
	GridTop       int
	GridBottom    int
	Heads         []htmlChartHead
	Bars          []htmlBar
	Marks         []htmlGroupMark
}

type htmlTick struct {
	X, Y  string
	Label string
}

type htmlChartHead struct {
	Y    int
	Text string
}

type htmlBar struct {
	TIN, NPI  string
	Name      string // cut for the label
	Full      string // the whole name, for the tooltip
	Rate      string
	Y, H      int
	TextY     int
	W         string // bar width
	BestW     string // width up to the best reachable rate
	Value     string // "40.00%  2/5"
	TrackW    int
	Tooltip   string
	Clinician string
}

type htmlGroupMark struct {
	TIN    string
	X      string
	Y1, Y2 int
	Title  string
}

// htmlLagChart is the histogram of business days from visit to release (R3, R4).
type htmlLagChart struct {
	Width, Height  int
	X0, X1, Y0, Y1 int
	Bars           []htmlLagBar
	YTicks         []htmlTick
	DeadlineX      string
	Released       int
	InTime         int
	InTimePct      string
	Unreleased     int
	Total          int
	AxisY          int
	TitleY         int
}

type htmlLagBar struct {
	Bucket  string // "0".."14", "15+", "none"
	Count   int
	X, W    string
	Y, H    string
	LabelX  string
	Class   string
	Tooltip string
}

type htmlCode struct {
	Code     string
	Severity string
	Meaning  string
	Rows     int
	Fixable  int
	Share    string // bar width, percent of the most frequent code
}

type htmlFinding struct {
	Code, Severity, Scope, Message string
}

type htmlWorklist struct {
	ID         string
	TIN, NPI   string
	Clinician  string
	RatePct    string
	Rate       string
	Fixable    int
	WhatIf     string
	Items      []htmlItem
	Numerator  int
	Denom      int
	IfLocked   int
	IfLockPct  string
	ItemsCount int
	Hidden     int // items not shown (htmlsize.go): counted, and the page says where they are
}

type htmlItem struct {
	LockBy, DaysLeft, Visit string
	Patient, MRN, Appt      string
	Code, Problem           string
	Fixable, CanCount       bool
	Standing                string // WorkItem.Standing: "yes", "no: lock-by date passed"
}

type htmlStatus struct {
	Status string
	Count  int
	Kind   string
}

// codeMeaning says in a few words what each code means, for the issue-code table.
var codeMeaning = map[measure.Code]string{
	measure.NoteMissing:              "no clinical note for the visit",
	measure.NoteUnsigned:             "note not signed",
	measure.NoteNotLocked:            "note signed but not locked",
	measure.NoteLockedLate:           "note locked after the 4-business-day deadline",
	measure.NoteSignedLate:           "note signed after the deadline (release on signature)",
	measure.NotInvited:               "patient never invited to the portal",
	measure.InvitedLate:              "first portal invitation after the deadline",
	measure.APINotEnabled:            "patient API not enabled for the TIN in time",
	measure.AccessAfterPeriod:        "access came after the numerator-action bound",
	measure.LockBeforeVisit:          "note locked before the visit (data quality)",
	measure.UnknownStatus:            "appointment status not recognised (data quality)",
	measure.InvalidNPI:               "NPI fails its check digit (data quality)",
	measure.InvalidTIN:               "TIN is not 9 digits (data quality)",
	measure.InvalidEmail:             "patient email not usable (data quality)",
	measure.PossibleDuplicatePatient: "same name and birth date as another patient (data quality)",
	measure.APINeverEnabled:          "patient API never enabled for a TIN",
	measure.PeriodTooShort:           "performance period too short",
	measure.NumeratorZero:            "numerator 0: the PI category would score 0",
}

// HTML writes the self-contained HTML report.
func HTML(w io.Writer, r *measure.Result, o Options) error {
	if r == nil {
		return errors.New("write HTML report: no result")
	}
	p, err := htmlPageOf(newModel(r, o))
	if err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	ew := &errWriter{w: w}
	if err := htmlTemplate.Execute(ew, p); err != nil {
		if ew.err != nil {
			return fmt.Errorf("write HTML report: %w", ew.err)
		}
		return fmt.Errorf("write HTML report: %w", err)
	}
	return nil
}

func htmlPageOf(m *model) (htmlPage, error) {
	r, o, c, ci := m.r, m.o, m.cfg, m.cal
	p := htmlPage{
		MeasureID:   sanitize.Display(m.id, htmlNameWidth),
		MeasureName: "Provide Patients Electronic Access to Their Health Information",
		Start:       c.Start.String(),
		End:         c.End.String(),
		Year:        c.Start.Year(),
		AsOf:        m.asOf,
		Policy:      string(c.Policy),
		Release:     "note " + string(c.Release),
		Actions:     "within the " + strings.ReplaceAll(string(c.NumeratorActions), "-", " "),
		Source:      sanitize.Display(o.Source, 300),
		Version:     sanitize.Display(o.Version, htmlNameWidth),
		Counts:      r.Counts,
		DataLine:    dataLine(r, m.cfg),
	}
	if cb := o.Combined; cb != nil {
		p.Method = cb.Method
		for _, s := range cb.Sources {
			src := "no source named"
			if s.Source != nil {
				src = s.Source.String()
			}
			p.Combined = append(p.Combined, sanitize.Display(fmt.Sprintf("%s (%s, as of %s)", s.File, src, s.AsOf), 300))
		}
	}
	p.Title = fmt.Sprintf("%s %s to %s", p.MeasureID, p.Start, p.End)
	hs := m.ordered
	for _, h := range hs {
		p.Headlines = append(p.Headlines, h.row(htmlNameWidth, 2*htmlNameWidth))
	}
	if len(hs) > 0 && o.Registry == nil {
		p.NotEstimated = notEstimated + " " + notEstimatedFix
	}
	p.Estimated, p.Weight = o.Registry != nil, categoryWeight(hs)
	for _, z := range zeroReasons(hs, htmlNameWidth) {
		p.ZeroReasons = append(p.ZeroReasons, htmlReason{Code: z.Code, Message: z.Message, Affects: z.Affects(len(hs))})
	}
	p.Unverified = unverifiedOnce(hs)
	if !o.Generated.IsZero() {
		p.Generated = instant(o.Generated)
	}
	seen := make([]string, 0, len(m.seen))
	for _, s := range m.seen {
		seen = append(seen, sanitize.Display(s, htmlNameWidth))
	}
	p.Seen = strings.Join(seen, ", ")
	p.Holidays = "none"
	if ci.Holidays == "federal" {
		var names []string
		for _, h := range ci.Applied {
			names = append(names, h.Observed.String()+" "+h.Name)
		}
		p.Holidays = "observed US federal holidays"
		if len(names) > 0 {
			p.Holidays += ": " + strings.Join(names, "; ")
		}
	}
	var cl []string
	for _, d := range ci.Closures {
		cl = append(cl, d.String())
	}
	p.Closures = strings.Join(cl, ", ")
	var f []string
	if c.TIN != "" {
		f = append(f, "TIN "+sanitize.Display(c.TIN, htmlNameWidth))
	}
	if c.NPI != "" {
		f = append(f, "NPI "+sanitize.Display(c.NPI, htmlNameWidth))
	}
	p.Filter = strings.Join(f, ", ")

	wl, err := m.worklist()
	if err != nil {
		return htmlPage{}, err
	}
	anchor := map[int]string{}
	for _, wc := range wl.Clinicians {
		anchor[wc.Entity] = worklistID(wc.TIN, wc.NPI)
	}
	for i, e := range r.Entities {
		if len(p.TINs) == 0 || p.TINs[len(p.TINs)-1].TIN != sanitize.Display(e.TIN, htmlNameWidth) {
			p.TINs = append(p.TINs, htmlTIN{TIN: sanitize.Display(e.TIN, htmlNameWidth), Name: sanitize.Display(e.PracticeName, 2*htmlNameWidth)})
		}
		t := &p.TINs[len(p.TINs)-1]
		t.Rows = append(t.Rows, htmlEntity{
			Level: string(e.Level), Group: e.Level == measure.Group,
			TIN: sanitize.Display(e.TIN, htmlNameWidth), NPI: sanitize.Display(e.NPI, htmlNameWidth), Clinician: sanitize.Display(e.Clinician, htmlNameWidth),
			Numerator: e.Numerator, Denom: e.Denominator, Rate: wire.Decimal(e.Rate, 4), RatePct: pct(e.Rate),
			Pending: e.Pending, BestPct: pct(e.BestReachableRate()),
			Points:     points(m.heads[i].PEA.Points), // the whole points CMS awards (SPEC §5)
			SeenVisits: e.SeenVisits, Timely: e.TimelyVisits, PendVisits: e.PendingVisits,
			Causes:   sanitize.Display(causesText(e.Causes), 1000),
			Worklist: anchor[i],
		})
	}
	p.Rates = rateChart(r)
	p.Trend = trendChart(r)
	p.Lag = lagChart(r)

	counts, err := m.codeCounts()
	if err != nil {
		return htmlPage{}, err
	}
	counts = slices.Clone(counts) // by rows, most first, here only
	sort.SliceStable(counts, func(a, b int) bool { return counts[a].rows > counts[b].rows })
	top := 0
	if len(counts) > 0 {
		top = counts[0].rows
	}
	for _, cc := range counts {
		p.Codes = append(p.Codes, htmlCode{
			Code: sanitize.Display(string(cc.code), htmlNameWidth), Severity: sanitize.Display(string(cc.severity), htmlNameWidth),
			Meaning: codeMeaning[cc.code], Rows: cc.rows, Fixable: cc.fixable,
			Share: coord(100 * float64(cc.rows) / float64(top)),
		})
		p.IssueRows += cc.rows
		p.Fixable += cc.fixable
	}

	for _, fd := range r.Findings {
		var scope []string
		if fd.TIN != "" {
			scope = append(scope, "TIN "+sanitize.Display(fd.TIN, htmlNameWidth))
		}
		if fd.NPI != "" {
			scope = append(scope, "NPI "+sanitize.Display(fd.NPI, htmlNameWidth))
		}
		if fd.Code == measure.UnknownStatus || fd.Status != "" {
			scope = append(scope, fmt.Sprintf("%q: %d appointments", sanitize.Display(fd.Status, htmlNameWidth), fd.Count))
		}
		p.Findings = append(p.Findings, htmlFinding{
			Code: sanitize.Display(string(fd.Code), htmlNameWidth), Severity: sanitize.Display(string(fd.Severity), htmlNameWidth),
			Scope: strings.Join(scope, ", "), Message: sanitize.Display(fd.Message, 1000),
		})
	}

	for _, wc := range wl.Clinicians {
		hw := htmlWorklist{
			ID: worklistID(wc.TIN, wc.NPI), TIN: sanitize.Display(wc.TIN, htmlNameWidth), NPI: sanitize.Display(wc.NPI, htmlNameWidth),
			Clinician: sanitize.Display(wc.Clinician, htmlNameWidth), RatePct: pct(wc.RateNow), Rate: wire.Decimal(wc.RateNow, 4),
			Fixable: wc.FixableNotes, WhatIf: whatIf(wc.FixableNotes, wc.RateNow, wc.RateIfLocked),
			IfLockPct: pct(wc.RateIfLocked), ItemsCount: wc.Notes,
		}
		if wc.Entity >= 0 && wc.Entity < len(r.Entities) {
			e := r.Entities[wc.Entity]
			hw.Numerator, hw.Denom, hw.IfLocked = e.Numerator, e.Denominator, e.NumeratorIfNotesLocked
		}
		perClinician := htmlItemsPerClinician(len(wl.Clinicians))
		items, err := topItems(wc.Items(), wc.Notes, perClinician)
		if err != nil {
			return htmlPage{}, err
		}
		hw.Hidden = wc.Notes - len(items)
		for _, is := range items {
			hw.Items = append(hw.Items, htmlItem{
				LockBy: lockBy(is.Issue).String(), DaysLeft: daysLeft(is.Issue), Visit: is.VisitDate.String(),
				Patient: idOrEmpty(is.PatientID), MRN: sanitize.Display(is.MRN, htmlNameWidth), Appt: idOrEmpty(is.AppointmentID),
				Code: sanitize.Display(string(is.Code), htmlNameWidth), Problem: sanitize.Display(is.Detail(), 1000),
				Fixable: is.Fixable, CanCount: is.CanCount, Standing: sanitize.Display(is.Standing(), 1000),
			})
		}
		p.Worklists = append(p.Worklists, hw)
	}
	for _, s := range groupWhatIf(r, wl) {
		p.GroupWhatIf = append(p.GroupWhatIf, sanitize.Display(s, 1000))
	}

	for _, s := range r.Statuses {
		kind := "unknown"
		switch {
		case s.Seen:
			kind = "seen"
		case s.Known:
			kind = "not seen"
		}
		p.Statuses = append(p.Statuses, htmlStatus{Status: sanitize.Display(s.Status, htmlNameWidth), Count: s.Count, Kind: kind})
	}
	p.Evidence = htmlEvidenceOf(o.Evidence)
	return p, nil
}

// worklistID is the anchor of a clinician's worklist. TIN and NPI are cleaned to
// [0-9A-Za-z] so a hostile identifier cannot make an odd fragment; the entity table
// links to it.
func worklistID(tin, npi string) string {
	clean := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	return "worklist-" + clean(tin) + "-" + clean(npi)
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return measure.Round(float64(n)/float64(d), 4)
}

// coord prints an SVG coordinate or length with at most one decimal.
func coord(x float64) string { return wire.Decimal(x, 1) }

// Rate chart geometry, in SVG user units (the chart scales to the page width).
const (
	rcWidth   = 960
	rcLabelX  = 268 // labels end here
	rcBarX    = 280
	rcBarW    = 520
	rcRowH    = 26
	rcBarH    = 16
	rcHeadH   = 28
	rcTop     = 28 // room for the percentage axis
	rcBottom  = 8
	rcValueGp = 10
)

// rateChart lays out one bar per individual entity (clinician under a TIN), grouped by
// TIN with the group's rate as a dashed mark; nil when there is no individual entity.
func rateChart(r *measure.Result) *htmlRateChart {
	ch := &htmlRateChart{Width: rcWidth, LabelX: rcLabelX, BarX: rcBarX, BarW: rcBarW, ValueX: rcBarX + rcBarW + rcValueGp, GridTop: rcTop - 6}
	y := rcTop
	tin, first := "", 0
	var group *measure.EntityResult
	flush := func() {
		if group != nil && len(ch.Bars) > first {
			x := float64(rcBarX) + float64(rcBarW)*group.Rate
			ch.Marks = append(ch.Marks, htmlGroupMark{
				TIN: sanitize.Display(group.TIN, htmlNameWidth), X: coord(x), Y1: ch.Bars[first].Y - 4, Y2: ch.Bars[len(ch.Bars)-1].Y + rcBarH + 4,
				Title: fmt.Sprintf("TIN %s group rate %s", sanitize.Display(group.TIN, htmlNameWidth), pct(group.Rate)),
			})
		}
		group = nil
	}
	for i := range r.Entities {
		e := &r.Entities[i]
		if e.Level == measure.APMEntity {
			continue // the table shows it; the chart is one bar per clinician
		}
		if e.TIN != tin || i == 0 {
			flush()
			tin, first = e.TIN, len(ch.Bars)
			head := "TIN " + sanitize.Display(e.TIN, htmlLabelWidth)
			for j := i; j < len(r.Entities) && r.Entities[j].TIN == e.TIN; j++ {
				if r.Entities[j].Level == measure.Group {
					g := r.Entities[j]
					head += fmt.Sprintf(" · group %s (%d/%d), dashed line", pct(g.Rate), g.Numerator, g.Denominator)
				}
			}
			ch.Heads = append(ch.Heads, htmlChartHead{Y: y + 18, Text: head})
			y += rcHeadH
		}
		if e.Level == measure.Group {
			group = e
			continue
		}
		name := sanitize.Display(e.Clinician, htmlNameWidth)
		if name == "" {
			name = "NPI " + sanitize.Display(e.NPI, htmlNameWidth)
		}
		best := e.BestReachableRate()
		ch.Bars = append(ch.Bars, htmlBar{
			TIN: sanitize.Display(e.TIN, htmlNameWidth), NPI: sanitize.Display(e.NPI, htmlNameWidth), Clinician: name,
			Name: sanitize.Display(name, htmlLabelWidth), Full: name, Rate: wire.Decimal(e.Rate, 4),
			Y: y + (rcRowH-rcBarH)/2, H: rcBarH, TextY: y + rcRowH/2 + 4,
			W: coord(float64(rcBarW) * e.Rate), BestW: coord(float64(rcBarW) * best), TrackW: rcBarW,
			Value: fmt.Sprintf("%s  %d/%d", pct(e.Rate), e.Numerator, e.Denominator),
			Tooltip: fmt.Sprintf("%s, NPI %s, TIN %s: %s (%d of %d patients); %d pending, best reachable %s",
				name, sanitize.Display(e.NPI, htmlNameWidth), sanitize.Display(e.TIN, htmlNameWidth), pct(e.Rate), e.Numerator, e.Denominator, e.Pending, pct(best)),
		})
		y += rcRowH
	}
	flush()
	if len(ch.Bars) == 0 {
		return nil
	}
	ch.Height = y + rcBottom
	ch.GridBottom = y
	for _, q := range []int{0, 25, 50, 75, 100} {
		ch.Grid = append(ch.Grid, htmlTick{X: coord(float64(rcBarX) + float64(rcBarW)*float64(q)/100), Label: strconv.Itoa(q) + "%"})
	}
	return ch
}

// Histogram geometry.
const (
	lgWidth  = 960
	lgHeight = 300
	lgX0     = 64
	lgX1     = 940
	lgY0     = 34
	lgY1     = 240
)

// lagChart lays out the histogram of Result.ReleaseLag plus a separate "none" bar for
// unreleased visits; nil when the result carries no histogram.
func lagChart(r *measure.Result) *htmlLagChart {
	if len(r.ReleaseLag) == 0 {
		return nil
	}
	n := len(r.ReleaseLag)
	ch := &htmlLagChart{Width: lgWidth, Height: lgHeight, X0: lgX0, X1: lgX1, Y0: lgY0, Y1: lgY1,
		Unreleased: r.Unreleased, AxisY: lgY1 + 18, TitleY: lgY1 + 44}
	max := r.Unreleased
	for i, c := range r.ReleaseLag {
		max = maxInt(max, c)
		ch.Released += c
		if i <= deadlineBusinessDays {
			ch.InTime += c
		}
	}
	ch.Total = ch.Released + ch.Unreleased
	ch.InTimePct = pct(ratio(ch.InTime, ch.Total))
	step := niceStep(max)
	top := step * ((max + step - 1) / step)
	if top == 0 {
		top = 1
	}
	slots := n + 2 // a gap, then "none"
	slotW := float64(lgX1-lgX0) / float64(slots)
	barW := slotW * 0.78
	yOf := func(c int) float64 { return float64(lgY1) - float64(lgY1-lgY0)*float64(c)/float64(top) }
	bar := func(slot int, label string, c int, class, tip string) htmlLagBar {
		x := float64(lgX0) + slotW*float64(slot) + (slotW-barW)/2
		return htmlLagBar{Bucket: label, Count: c, X: coord(x), W: coord(barW), Y: coord(yOf(c)),
			H: coord(float64(lgY1) - yOf(c)), LabelX: coord(x + barW/2), Class: class, Tooltip: tip}
	}
	for i, c := range r.ReleaseLag {
		label, tip := strconv.Itoa(i), fmt.Sprintf("%d visits released %d business days after the visit", c, i)
		if i == n-1 {
			label = strconv.Itoa(i) + "+"
			tip = fmt.Sprintf("%d visits released %d or more business days after the visit", c, i)
		}
		class := "lag-in"
		if i > deadlineBusinessDays {
			class = "lag-late"
		}
		ch.Bars = append(ch.Bars, bar(i, label, c, class, tip))
	}
	ch.Bars = append(ch.Bars, bar(n+1, "none", r.Unreleased, "lag-none",
		fmt.Sprintf("%d visits with no released note as of the report", r.Unreleased)))
	ch.DeadlineX = coord(float64(lgX0) + slotW*float64(deadlineBusinessDays+1))
	for v := 0; v <= top; v += step {
		ch.YTicks = append(ch.YTicks, htmlTick{Y: coord(yOf(v)), Label: strconv.Itoa(v)})
	}
	return ch
}

// niceStep returns a tick step of 1, 2 or 5 × 10^k giving at most 5 intervals up to max.
func niceStep(max int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if s := m * p; max <= 5*s {
				return s
			}
		}
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
