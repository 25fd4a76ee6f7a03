package main

// mipspi report: the figures, issues and patient drill-down (SPEC §4, issue 4).

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports"
	"github.com/mipspi/mipspi/reports/registry"
)

// reportFormats are the --format choices of mipspi report.
var reportFormats = []string{"table", "json", "csv", "xlsx", "html"}

func reportCommand(s *streams) *cli.Command {
	flags := append(periodFlags(true),
		&cli.StringFlag{Name: flagFormat, Aliases: []string{"f"}, Value: "table", Usage: "output: " + strings.Join(reportFormats, ", ")},
		&cli.StringFlag{Name: "table", Value: "entities", Usage: "with --format csv, the table to write: " + strings.Join(reports.CSVTables, ", ")},
		&cli.BoolFlag{Name: "patients", Usage: "with --format json, include the per-patient drill-down"},
		&cli.StringFlag{Name: flagOut, Aliases: []string{"o"}, Usage: "write the report to `FILE` (atomically, mode 0600) instead of stdout; never the database, the config file or a device"},
		evidenceFlag(),
	)
	flags = append(flags, pseudonymizeFlags()...)
	return &cli.Command{
		Name:      "report",
		Usage:     "compute PI_PEA_1 for a performance period",
		UsageText: "mipspi report --db DSN --from YYYY-MM-DD --to YYYY-MM-DD [--format table|json|csv|xlsx|html] [--out FILE] [options]",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			return runReport(c.Context, c, s)
		},
	}
}

// reportOutput is what report (and demo) write and where.
type reportOutput struct {
	Format string
	Table  string
	Out    string
	Key    []byte // --pseudonymize key; nil = identified
}

func runReport(ctx context.Context, c *cli.Context, s *streams) error {
	format := strings.ToLower(strings.TrimSpace(c.String(flagFormat))) // -f XLSX is xlsx
	if err := choice(flagFormat, format, reportFormats...); err != nil {
		return err
	}
	table := c.String("table")
	if err := choice("table", table, reports.CSVTables...); err != nil {
		return err
	}
	if c.IsSet("table") && format != "csv" {
		return usagef("--table applies to --format csv only")
	}
	if c.Bool("patients") && format != "json" {
		return usagef("--patients applies to --format json only (csv: --table patients; xlsx: the Patients sheet)")
	}
	out := reportOutput{Format: format, Table: table, Out: c.String(flagOut)}
	if err := checkOut(c, out.Out); err != nil {
		return err
	}
	if format == "xlsx" && out.Out == "" && isTerminal(s.stdout) {
		return usagef("--format xlsx writes a binary workbook: give --out FILE.xlsx (or redirect stdout)")
	}
	key, err := pseudonymizeKey(c)
	if err != nil {
		return err
	}
	out.Key = key
	o, err := evalFlags(c, c.String(flagTo))
	if err != nil {
		return err
	}
	// What `mipspi combine` needs to add this report to others (SPEC §7), in the JSON.
	o.Identify = format == "json"
	// The drill-down is kept only where it is written: it is what grows with patients.
	o.Config.KeepPatients = format == "xlsx" || (format == "csv" && table == "patients") || c.Bool("patients")
	evidence, err := evidenceOption(c, o)
	if err != nil {
		return err
	}

	r, source, rows, err := evaluate(ctx, o, s.stderr)
	if err != nil {
		return err
	}
	defer rows.Close()
	opts := reportsOptions(source)
	if opts.Evidence, err = evidence(ctx, r); err != nil {
		return err
	}
	if out.Key != nil {
		r = reports.Deidentify(r, out.Key)
	}
	if !o.Quiet && !(format == "table" && out.Out == "") {
		// The table carries the warnings itself; other formats get them on stderr.
		printFindings(s.stderr, r)
	}
	opts.Registry = registryAnswers(o.File) // the PI category estimate (SPEC §5)
	if !o.Quiet && o.File.Registry != nil {
		for _, p := range registry.UnmatchedKeys(r, o.File.Registry.Config) { // SPEC §4
			fmt.Fprintf(s.stderr, "mipspi: %s\n", oneLine(p.String()))
		}
	}
	// What `mipspi combine` needs to add this report to others (SPEC §7).
	opts.Fingerprint = o.Fingerprint
	if out.Key != nil {
		opts.PseudonymKeyID = reports.KeyID(out.Key)
	}
	if format == "xlsx" && !o.Quiet && isTerminal(s.stderr) {
		var clear func()
		opts.Progress, clear = xlsxProgress(s.stderr)
		defer clear()
	}
	return writeReport(ctx, s.stdout, r, out, opts)
}

func reportsOptions(source string) reports.Options {
	return reports.Options{Version: version, Source: source, Generated: now()}
}

// writeReport encodes r in the chosen format to out.Out (atomically, mode 0600) or stdout.
func writeReport(ctx context.Context, stdout io.Writer, r *measure.Result, out reportOutput, o reports.Options) error {
	encode := func(w io.Writer) error {
		switch out.Format {
		case "json":
			return reports.JSON(w, r, o)
		case "csv":
			return reports.CSV(w, r, out.Table, o)
		case "xlsx":
			return reports.XLSX(w, r, o)
		case "html":
			return reports.HTML(w, r, o)
		default:
			return reports.Table(w, r, o)
		}
	}
	return emit(ctx, stdout, out.Out, encode)
}

// emit writes through reports.WriteFile when path is set (nothing appears at path
// unless write succeeds), or to stdout.
//
// Every write checks ctx, so Ctrl-C while a large workbook is being encoded stops it:
// reports.WriteFile then removes its temporary file and nothing is renamed into place.
func emit(ctx context.Context, stdout io.Writer, path string, write func(io.Writer) error) error {
	if err := ctx.Err(); err != nil {
		return err // interrupted: do not start
	}
	if path == "" {
		return write(ctxWriter{ctx, stdout})
	}
	if err := reports.WriteFile(path, func(w io.Writer) error { return write(ctxWriter{ctx, w}) }); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ctxWriter fails every write once ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// printFindings writes the run-level findings to stderr, one line each, and one line
// counting the data-quality warnings among the issues.
func printFindings(w io.Writer, r *measure.Result) {
	for _, f := range r.Findings {
		msg := f.Message
		if msg == "" {
			msg = string(f.Code)
		}
		fmt.Fprintf(w, "mipspi: %s: %s [%s]\n", f.Severity, oneLine(msg), f.Code)
	}
	counts := map[measure.Code]int{}
	total := 0
	for is, err := range r.AllIssues() {
		if err != nil {
			fmt.Fprintf(w, "mipspi: warning: the data-quality warnings could not be counted: %s\n", oneLine(err.Error()))
			return
		}
		if is.Severity == measure.SeverityWarning {
			counts[is.Code]++
			total++
		}
	}
	if total == 0 {
		return
	}
	codes := make([]string, 0, len(counts))
	for c := range counts {
		codes = append(codes, string(c))
	}
	sort.Strings(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s %d", c, counts[measure.Code(c)])
	}
	fmt.Fprintf(w, "mipspi: warning: %d data-quality warnings (%s); they do not change the figures; --format csv --table issues lists them\n", total, strings.Join(parts, ", "))
}
