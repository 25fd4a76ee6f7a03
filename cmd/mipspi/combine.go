package main

// mipspi combine: add several JSON reports into one (SPEC §7). The adding is done by
// package combine; this file only opens the files, wires the flags and writes the result
// with the same encoders as mipspi report.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/combine"
	"github.com/mipspi/mipspi/reports"
)

func combineCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "combine",
		Usage: "add JSON reports from several EHRs, practices or TINs into one (an APM Entity)",
		UsageText: "mipspi combine [--name NAME] [--match none|patients] [--format table|json|csv|xlsx|html] [--out FILE] REPORT.json…\n\n" +
			"Each REPORT.json is written by mipspi report --format json for the same period, policy and release rule.\n" +
			"Figures are summed per clinician (TIN + NPI), per TIN, and for the whole entity (an apm_entity row);\n" +
			"patients are de-duplicated within each report only, as CMS allows for several EHRs. With --match patients\n" +
			"and reports written with --patients and one shared pseudonymisation key, the same patient in two reports\n" +
			"counts once.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "the APM Entity's or practice's `NAME`, for the row that sums every TIN"},
			&cli.StringFlag{Name: "match", Value: string(combine.MatchNone), Usage: "how patients are counted across reports: none (summed) or patients (matched by pseudonym)"},
			&cli.StringFlag{Name: flagFormat, Aliases: []string{"f"}, Value: "table", Usage: "output: " + strings.Join(reportFormats, ", ")},
			&cli.StringFlag{Name: flagOut, Aliases: []string{"o"}, Usage: "write the report to `FILE` (atomically, mode 0600) instead of stdout"},
			modeFlag(),
			&cli.StringFlag{Name: flagConfig, Usage: "YAML configuration `FILE` whose registry block (CEHRT ID, the other PI answers) gives the PI category estimate of every row, the APM Entity's included"},
			quietFlag(),
		},
		Action: func(c *cli.Context) error { return runCombine(c.Context, c, s) },
	}
}

func runCombine(ctx context.Context, c *cli.Context, s *streams) error {
	if err := flagsAfterArgs(c); err != nil {
		return err
	}
	format := c.String(flagFormat)
	if err := choice(flagFormat, format, reportFormats...); err != nil {
		return err
	}
	match := c.String("match")
	if err := choice("match", match, string(combine.MatchNone), string(combine.MatchPatients)); err != nil {
		return err
	}
	files := c.Args().Slice()
	if len(files) == 0 {
		return usagef("give the JSON reports to combine: mipspi combine [flags] REPORT.json…")
	}
	out := reportOutput{Format: format, Table: "entities", Out: c.String(flagOut)}
	if err := checkOut(c, out.Out); err != nil {
		return err
	}
	mode, err := outMode(c, out.Out)
	if err != nil {
		return err
	}
	out.Mode = mode
	for _, f := range files {
		if out.Out != "" && sameFile(f, out.Out) {
			return usagef("--out %s is one of the reports to combine", out.Out)
		}
	}
	if format == "xlsx" && out.Out == "" && isTerminal(s.stdout) {
		return usagef("--format xlsx writes a binary workbook: give --out FILE.xlsx (or redirect stdout)")
	}
	fc, err := loadConfigFlag(c)
	if err != nil {
		return err
	}
	cb := combine.New(combine.Options{Name: strings.TrimSpace(c.String("name")), Match: combine.Match(match)})
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := addFile(cb, f); err != nil {
			return err
		}
	}
	res, err := cb.Result()
	if err != nil {
		return err
	}
	if !c.Bool(flagQuiet) {
		for _, w := range res.Warnings {
			fmt.Fprintf(s.stderr, "mipspi: warning: %s\n", oneLine(w))
		}
		if !(format == "table" && out.Out == "") {
			printFindings(s.stderr, res.Result)
		}
	}
	ro := combinedOptions(res)
	// The whole-category estimate (SPEC §5) of every combined row, the APM Entity's
	// included, from the practice's answers, exactly as mipspi report gives it.
	ro.Registry = registryAnswers(fc)
	return writeReport(ctx, s.stdout, res.Result, out, ro)
}

// addFile reads one report as a stream and adds it.
func addFile(cb *combine.Combiner, name string) error {
	f, err := openInput(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, unwrapPathError(err))
	}
	defer f.Close()
	rep, err := combine.Read(name, bufio.NewReaderSize(f, 64<<10), cb.NeedsPatients())
	if err != nil {
		return err
	}
	return cb.Add(name, rep)
}

// combinedOptions is what every format states about a combined report (SPEC §7).
func combinedOptions(res *combine.Combined) reports.Options {
	o := reportsOptions(fmt.Sprintf("%d reports combined", len(res.Sources)))
	cmb := &reports.Combined{Name: res.Name, Match: string(res.Match), Method: res.Method}
	for _, src := range res.Sources {
		cs := reports.CombinedSource{File: src.File, AsOf: src.AsOfText, Version: src.Version, Entities: src.Entities}
		if src.Source != nil {
			cs.Source = src.Source
		}
		cmb.Sources = append(cmb.Sources, cs)
	}
	o.Combined = cmb
	return o
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
