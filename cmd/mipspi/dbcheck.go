package main

// mipspi db check (SPEC §8): what mipspi finds in a database before any report — the
// first command a practice's IT runs. It reads as a report reads (read-only, one
// snapshot) and lists every refusal a report would give, including those a report
// gives as usage errors, each with how to fix it.
//
//	exit 0  a report can run
//	exit 1  it cannot: every refusal is listed
//	exit 2  db check itself was called wrongly

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

func checkCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "say what mipspi finds in a database before any report, and what a report would refuse (read-only)",
		UsageText: "mipspi db check --db DSN [--ehr mipspi|openemr] [--config FILE] [--from YYYY-MM-DD --to YYYY-MM-DD] [--format table|json]",
		Flags: []cli.Flag{
			dbFlag(),
			ehrFlag(),
			configFlag(),
			&cli.StringFlag{Name: flagFrom, Usage: "first day of the period to look at (`YYYY-MM-DD`; default January 1 of this year)"},
			&cli.StringFlag{Name: flagTo, Usage: "last day of the period (`YYYY-MM-DD`; default today)"},
			&cli.StringFlag{Name: flagFormat, Aliases: []string{"f"}, Value: "table", Usage: "output: table or json"},
			&cli.DurationFlag{Name: flagTimeout, Usage: "give up after `DURATION` (e.g. 10m; default: no limit)"},
		},
		Action: func(c *cli.Context) error { return runCheck(c, s) },
	}
}

// checkReport is db check's output (the JSON is this, field for field).
type checkReport struct {
	Source    string               `json:"source"`
	EHR       string               `json:"ehr"`
	Period    [2]calendar.Date     `json:"period"`
	Relations []ehr.RelationRows   `json:"relations"`
	OpenEMR   *ehr.OpenEMRFacts    `json:"openemr,omitempty"`
	Offices   []ehr.CheckOffice    `json:"offices"`
	Clinician []ehr.CheckClinician `json:"clinicians"`
	Statuses  []checkStatus        `json:"statuses"`
	APIByTIN  []checkTIN           `json:"api_windows"`
	Findings  []checkFinding       `json:"findings"`
	Warnings  []string             `json:"warnings"`
	Refusals  []string             `json:"refusals"`
	CanReport bool                 `json:"report_can_run"`
}

type checkStatus struct {
	Status string `json:"status"`
	Title  string `json:"title,omitempty"`
	Count  int    `json:"count"`
	Class  string `json:"class"` // seen, known (not seen), unknown
}

type checkTIN struct {
	TIN      string        `json:"tin"`
	Windows  []checkWindow `json:"windows"`
	Problem  string        `json:"problem,omitempty"`
	Practice string        `json:"practice"`
}

type checkWindow struct {
	ID       int64      `json:"id"`
	Enabled  time.Time  `json:"enabled_at"`
	Disabled *time.Time `json:"disabled_at,omitempty"` // nil: open-ended
}

type checkFinding struct {
	Code    measure.Code `json:"code"`
	Count   int          `json:"count,omitempty"`
	Message string       `json:"message"`
}

func runCheck(c *cli.Context, s *streams) error {
	if err := noArgs(c); err != nil {
		return err
	}
	format := strings.ToLower(strings.TrimSpace(c.String(flagFormat)))
	if err := choice(flagFormat, format, "table", "json"); err != nil {
		return err
	}
	today := calendar.DateOfCivil(now())
	from, to := c.String(flagFrom), c.String(flagTo)
	if from == "" {
		from = calendar.NewDate(today.Year(), time.January, 1).String()
	}
	if to == "" {
		to = today.String()
	}
	start, end, err := period(from, to)
	if err != nil {
		return err
	}
	timeout := c.Duration(flagTimeout)
	if timeout < 0 {
		return usagef("--timeout %s is negative", timeout)
	}
	dsn, err := requireReadDB(c)
	if err != nil {
		return err
	}
	rep := &checkReport{Period: [2]calendar.Date{start, end}, Refusals: []string{}, Warnings: []string{}}
	// A configuration a report would refuse is listed, and the check goes on without it.
	fc, cerr := loadConfigFlag(c)
	if cerr != nil {
		rep.Refusals = append(rep.Refusals, oneLine(cerr.Error()))
		fc = &fileConfig{}
	}
	kind, err := resolveEHR(c, fc, dsn)
	if err != nil {
		return err
	}
	rep.EHR = kind
	cfg := measure.Config{Start: start, End: end, AsOf: now(), SeenStatuses: fc.SeenStatuses, FederalHolidays: fc.Holidays != "none",
		Closures: fc.Closures, Policy: fc.Policy, Release: fc.Release, NumeratorActions: fc.NumeratorActions}
	var set ehr.OpenEMRSettings
	if kind == ehrOpenEMR {
		set = openEMRSettings(fc, &cfg)
	}
	cfg = cfg.WithDefaults()

	ctx := c.Context
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if err := requireExistingDB(dsn); err != nil {
		return err
	}
	store, err := ehr.OpenReadOnly(ctx, dsn, ehr.ReadOptions{BusyTimeout: timeout})
	if err != nil {
		return timeoutError(ctx, timeout, scrub(err, dsn))
	}
	defer store.Close()
	rep.Source = store.String()

	stores := newRowStores() // the check keeps its few rows like a report does
	defer stores.Close()
	sink := &evalSink{cfg: cfg, stores: stores}
	var chk *ehr.Check
	if kind == ehrOpenEMR {
		chk = store.CheckOpenEMR(ctx, start, end, set, sink)
	} else {
		chk = store.CheckRelations(ctx, start, end, sink)
	}
	if ctx.Err() != nil {
		return timeoutError(ctx, timeout, ctx.Err())
	}
	rep.fill(chk, sink, fc)
	rep.CanReport = len(rep.Refusals) == 0
	if format == "json" {
		enc := json.NewEncoder(s.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if err := rep.table(s.stdout); err != nil {
		return err
	}
	if !rep.CanReport {
		return fmt.Errorf("db check: a report cannot run (%d refusals listed)", len(rep.Refusals))
	}
	return nil
}

// fill turns what the check found into the report, refusals first.
func (rep *checkReport) fill(chk *ehr.Check, sink *evalSink, fc *fileConfig) {
	rep.Relations, rep.OpenEMR, rep.Offices, rep.Clinician = chk.Relations, chk.OpenEMR, chk.Offices, chk.Clinicians
	for _, r := range chk.Relations {
		if r.Problem != "" {
			rep.Refusals = append(rep.Refusals, fmt.Sprintf("cannot read %s: %s (the login needs SELECT on it)", r.Name, r.Problem))
		}
	}
	for _, e := range chk.Refusals {
		rep.Refusals = append(rep.Refusals, oneLine(e.Error()))
	}
	if chk.Read != nil {
		msg := oneLine(chk.Read.Error())
		var de *ehr.DataError
		if errors.As(chk.Read, &de) {
			msg = "data error: " + msg
		}
		if !containsString(rep.Refusals, msg) {
			rep.Refusals = append(rep.Refusals, msg)
		}
	}
	for _, o := range chk.Offices {
		if o.ZoneProblem != "" {
			rep.Refusals = append(rep.Refusals, fmt.Sprintf("office %d (%s): %s", o.ID, o.Name, o.ZoneProblem))
		}
	}
	if sink.ev != nil && chk.Read == nil {
		r, err := sink.ev.Result()
		if err != nil {
			rep.Refusals = append(rep.Refusals, oneLine(err.Error()))
			return
		}
		if err := checkNotEmpty(r, sink.practice); err != nil {
			rep.Refusals = append(rep.Refusals, strings.Replace(oneLine(err.Error()), "; nothing written", "", 1))
		}
		titles := map[string]string{}
		for _, st := range chk.Statuses {
			titles[st.Code] = st.Title
		}
		for _, st := range r.Statuses {
			class := "unknown"
			switch {
			case st.Seen:
				class = "seen"
			case st.Known:
				class = "known, not seen"
			}
			rep.Statuses = append(rep.Statuses, checkStatus{Status: st.Status, Title: titles[st.Status], Count: st.Count, Class: class})
		}
		for _, f := range r.Findings {
			switch f.Code {
			case measure.NumeratorZero, measure.PeriodTooShort: // about a report's figures and period, not the data
				continue
			}
			rep.Findings = append(rep.Findings, checkFinding{Code: f.Code, Count: f.Count, Message: f.Message})
		}
		for is, err := range r.AllIssues() {
			if err != nil {
				rep.Refusals = append(rep.Refusals, oneLine(err.Error()))
				break
			}
			switch is.Code {
			case measure.InvalidTIN:
				rep.Findings = append(rep.Findings, checkFinding{Code: is.Code, Message: fmt.Sprintf("TIN %q of seen visits is not 9 digits", is.Text)})
			case measure.InvalidNPI:
				rep.Findings = append(rep.Findings, checkFinding{Code: is.Code, Message: fmt.Sprintf("NPI %q of an eligible clinician with seen visits fails the NPI check", is.Text)})
			}
		}
	}
	rep.Warnings = append(rep.Warnings, fc.apiWindowTINWarnings(sink.practice)...)
	rep.APIByTIN = apiByTIN(chk.APIWindows, sink.practice, chk.Offices)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// apiByTIN groups the API windows by the TINs of the offices: a TIN with none was never
// enabled (R6, R10); windows of one TIN that overlap are named.
func apiByTIN(windows []measure.APIWindow, p measure.Practice, offices []ehr.CheckOffice) []checkTIN {
	names := map[string][]string{}
	add := func(tin, name string) {
		if !containsString(names[tin], name) {
			names[tin] = append(names[tin], name)
		}
	}
	for _, o := range p.Offices {
		if o.ID >= 0 {
			add(o.TIN, o.Name)
		}
	}
	if len(p.Offices) == 0 {
		for _, o := range offices {
			add(o.TIN, o.Name)
		}
	}
	for _, w := range windows {
		if _, ok := names[w.TIN]; !ok {
			names[w.TIN] = nil
		}
	}
	var tins []string
	for t := range names {
		tins = append(tins, t)
	}
	sort.Strings(tins)
	var out []checkTIN
	for _, t := range tins {
		ct := checkTIN{TIN: t, Windows: []checkWindow{}, Practice: strings.Join(names[t], " / ")}
		var mine []measure.APIWindow
		for _, w := range windows {
			if w.TIN == t {
				mine = append(mine, w)
				cw := checkWindow{ID: w.ID, Enabled: w.Enabled.UTC()}
				if !w.Disabled.IsZero() {
					d := w.Disabled.UTC()
					cw.Disabled = &d
				}
				ct.Windows = append(ct.Windows, cw)
			}
		}
		switch {
		case t == "":
			ct.Problem = "offices without a TIN: a visit there counts under no TIN a registry knows (INVALID_TIN)"
		case len(ct.Windows) == 0:
			ct.Problem = "never enabled: no visit under this TIN can be timely"
		case names[t] == nil:
			ct.Problem = "no office has this TIN"
		default:
			for i := range mine {
				for j := i + 1; j < len(mine); j++ {
					if overlap(mine[i], mine[j]) {
						ct.Problem = fmt.Sprintf("windows %d and %d overlap", mine[i].ID, mine[j].ID)
					}
				}
			}
		}
		out = append(out, ct)
	}
	return out
}

// table writes the report for people.
func (rep *checkReport) table(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	kind := "the section 3 relations"
	if rep.EHR == ehrOpenEMR {
		kind = "OpenEMR's own tables"
	}
	p("mipspi db check  %s  (%s)\n", rep.Source, kind)
	p("Period  %s..%s\n\n", rep.Period[0], rep.Period[1])
	p("Tables\n")
	for _, r := range rep.Relations {
		if r.Problem != "" {
			p("  %-30s cannot read: %s\n", r.Name, r.Problem)
		} else {
			p("  %-30s %d rows\n", r.Name, r.Rows)
		}
	}
	if f := rep.OpenEMR; f != nil {
		p("\nOpenEMR\n")
		p("  version           %s\n", f.Version)
		if f.Zone != "" {
			p("  time zone         %s (from %s)\n", f.Zone, f.ZoneFrom)
		} else {
			p("  time zone         none\n")
		}
		p("  patient API       globals rest_fhir_api: %s; windows attested in the configuration below\n", f.RestFHIRAPI)
		l := f.Links
		p("  appointments      in the period: %d linked to their encounter through the tracker, %d by patient + date + provider, %d with no encounter, %d with several (no link)\n",
			l.Tracker, l.Fallback, l.None, l.Ambiguous)
		p("  recurring series  %d overlap the period, %d with a seen status (never counted as visits)\n", f.Series, f.SeenSeries)
		suspect := "no"
		if f.Suspect {
			suspect = "yes: INVITATION_DATES_SUSPECT"
		}
		p("  credentials       %d patients with portal credentials; most sharing one creation instant: %d at %s (suspect: %s)\n",
			f.Credentials, f.SharedCount, orNone(f.SharedAt), suspect)
		p("\n  Forms of the period's encounters that are notes or carry signatures\n")
		p("  %-24s %-6s %-8s %7s %7s %7s\n", "FORMDIR", "NOTE", "DELETED", "FORMS", "SIGNED", "LOCKED")
		for _, cf := range append(f.Forms, f.EncounterSig) {
			p("  %-24s %-6s %-8s %7d %7d %7d\n", cf.FormDir, yesNo(cf.Note), yesNo(cf.Deleted), cf.Forms, cf.Signed, cf.Locked)
		}
	}
	p("\nOffices\n")
	p("  %-8s %-40s %-11s %-6s %s\n", "ID", "NAME", "TIN", "VALID", "ZONE")
	for _, o := range rep.Offices {
		zone := o.Zone
		if o.ZoneProblem != "" {
			zone += " (" + o.ZoneProblem + ")"
		}
		p("  %-8d %-40s %-11s %-6s %s\n", o.ID, cut(o.Name, 40), orNone(o.TIN), yesNo(o.TINValid), zone)
	}
	p("\nClinicians\n")
	p("  %-8s %-28s %-11s %-6s %-9s %7s  %s\n", "ID", "NAME", "NPI", "VALID", "ELIGIBLE", "APPTS", "WHY NOT")
	for _, c := range rep.Clinician {
		p("  %-8d %-28s %-11s %-6s %-9s %7d  %s\n", c.ID, cut(c.Name, 28), orNone(c.NPI), yesNo(c.NPIValid), yesNo(c.Eligible), c.Visits, c.NotEligible)
	}
	p("\nStatuses in the period\n")
	for _, st := range rep.Statuses {
		title := ""
		if st.Title != "" {
			title = " (" + st.Title + ")"
		}
		p("  %-40s %7d  %s\n", cut(fmt.Sprintf("%q%s", st.Status, title), 40), st.Count, st.Class)
	}
	p("\nPatient API windows by TIN\n")
	for _, t := range rep.APIByTIN {
		p("  %s %s\n", orNone(t.TIN), t.Practice)
		for _, win := range t.Windows {
			until := "open"
			if win.Disabled != nil {
				until = win.Disabled.Format(time.RFC3339)
			}
			p("    enabled %s until %s\n", win.Enabled.Format(time.RFC3339), until)
		}
		if t.Problem != "" {
			p("    %s\n", t.Problem)
		}
	}
	if len(rep.Findings) > 0 {
		p("\nFindings (a report shows them; they change no figure unless said)\n")
		for _, f := range rep.Findings {
			p("  %-26s %s\n", f.Code, f.Message)
		}
	}
	for _, wn := range rep.Warnings {
		p("\nwarning: %s\n", wn)
	}
	if rep.CanReport {
		p("\nA report can run.\n")
	} else {
		p("\nA report cannot run:\n")
		for _, r := range rep.Refusals {
			p("  - %s\n", r)
		}
	}
	_, err := io.WriteString(w, printable(b.String())) // EHR text may hold control characters
	return err
}

// cut shortens s to n runes for a column.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
