package main

// mipspi export: registry submission files (issue 5), validated before anything is
// written. SPEC §4 spells it `mipspi export --to qpp|qrda3|csv … --from … --to …`: the
// flag --to carries both the format and the period end. The two never look alike (a
// format is a word, a period end is a date), so each --to value is sorted by its shape;
// --format is accepted as the unambiguous spelling of the first.

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/registry"
)

var (
	exportFormats  = []string{string(registry.QPP), string(registry.QRDA3), string(registry.CSV)}
	exportEntities = []string{string(registry.Individuals), string(registry.Groups), string(registry.All)}
)

func exportCommand(s *streams) *cli.Command {
	flags := append(periodFlags(false),
		&cli.StringSliceFlag{Name: flagTo, Usage: "the registry format (qpp, qrda3, csv) and, given again, the last day of the period (YYYY-MM-DD)"},
		&cli.StringFlag{Name: flagFormat, Usage: "the registry format: qpp, qrda3 or csv (same as --to FORMAT)"},
		&cli.StringFlag{Name: "entity", Value: "all", Usage: "entities to export: individual, group or all"},
		&cli.StringFlag{Name: flagOut, Aliases: []string{"o"}, Usage: "`DIR`ectory for the files (created 0700 if absent); all are written, with mipspi-manifest.json, or none"},
		&cli.BoolFlag{Name: "force", Usage: "write the files even when validation finds errors or the PI category would score 0"},
		modeFlag(),
	)
	return &cli.Command{
		Name:  "export",
		Usage: "write registry files (QPP JSON, QRDA III, CSV), validated first",
		Description: "The files and mipspi-manifest.json (the files, their SHA-256, the validation problems and the run's\n" +
			"warnings) appear in DIR together or not at all. Exit 3: written, but validation found warnings or\n" +
			"--force wrote past errors; the manifest lists them. -q prints only errors (and what --force overrode).",
		UsageText: "mipspi export --to qpp|qrda3|csv --db DSN --from YYYY-MM-DD --to YYYY-MM-DD --config FILE [--entity individual|group|all] --out DIR [--force]",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			format, to, err := exportTo(c.StringSlice(flagTo), strings.ToLower(strings.TrimSpace(c.String(flagFormat))))
			if err != nil {
				return err
			}
			entity := c.String("entity")
			if err := choice("entity", entity, exportEntities...); err != nil {
				return err
			}
			dir := c.String(flagOut)
			if dir == "" {
				return usagef("--out DIR is required: the directory for the registry files")
			}
			if err := checkOutDir(c, dir); err != nil {
				return err
			}
			mode, err := outMode(c, dir)
			if err != nil {
				return err
			}
			target, err := exportTarget(dir)
			if err != nil {
				return err
			}
			// A folder holds one export (SPEC §4): said before the database is read.
			if err := checkExportDir(dir, target); err != nil {
				return err
			}
			o, err := evalFlags(c, to)
			if err != nil {
				return err
			}
			var rc registry.Config
			if o.File.Registry != nil {
				rc = o.File.Registry.Config
			}
			r, source, rows, err := evaluate(c.Context, o, s.stderr)
			if err != nil {
				return err
			}
			defer rows.Close()
			if !o.Quiet {
				printFindings(s.stderr, r)
			}
			force := c.Bool("force")
			filter := registry.EntityFilter(entity)
			problems := registry.Validate(r, rc, filter)
			// SPEC §5: a submission whose PI category would score 0 is refused before
			// anything is written; each reason is said once (the problems that repeat a
			// gate are left out).
			gates, err := registry.Gates(r, rc, filter)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			// Said even with -q: a zero-scoring submission is never a mere warning.
			zero := printGates(s.stderr, gates, o.File != nil && o.File.Registry != nil, force)
			status := registry.StatusOf(r)
			man := newExportManifest(o, source, string(format), entity, status, r)
			for _, g := range gates {
				man.Validation = append(man.Validation, "category scores 0: "+oneLine(g.String()))
			}
			warnings, errs := 0, 0
			for _, p := range problems {
				if zero && p.RepeatsGate() {
					continue
				}
				man.Validation = append(man.Validation, oneLine(p.String()))
				if p.Severity == registry.SeverityError {
					errs++
				} else {
					warnings++
				}
				if !o.Quiet || p.Severity == registry.SeverityError {
					// Quiet keeps the warnings for the manifest; errors are always listed.
					fmt.Fprintf(s.stderr, "mipspi: %s\n", oneLine(p.String()))
				}
			}
			// SPEC §4, R9: figures that can still change are refused, or written marked.
			// Said even with -q, like the zero score.
			if status.Provisional {
				if force {
					fmt.Fprintf(s.stderr, "mipspi: WARNING: --force: writing PROVISIONAL figures: %s\n", provisionalWhy(status))
				} else {
					fmt.Fprintf(s.stderr, "mipspi: the figures are PROVISIONAL: %s\n", provisionalWhy(status))
				}
			}
			if (zero || errs > 0 || status.Provisional) && !force {
				return refusal(zero, len(gates), errs, status)
			}
			man.Forced = zero || errs > 0 || status.Provisional
			files, err := registry.Files(r, rc, format, filter)
			if err != nil {
				return fmt.Errorf("export %s: %w", format, err)
			}
			ents, err := registry.Entries(r, rc, format, filter)
			if err != nil {
				return fmt.Errorf("export %s: %w", format, err)
			}
			for _, en := range ents {
				i := slices.IndexFunc(man.Files, func(f manifestFile) bool { return f.Name == en.File })
				if i < 0 {
					man.Files = append(man.Files, manifestFile{Name: en.File})
					i = len(man.Files) - 1
				}
				man.Files[i].Entities = append(man.Files[i].Entities, en)
			}
			for _, note := range cleanExportLeftovers(target) {
				fmt.Fprintf(s.stderr, "mipspi: %s\n", oneLine(note))
			}
			if err := writeExportDir(c.Context, dir, target, files, man, protectedFiles(c), mode); err != nil {
				return err
			}
			if warnings > 0 || man.Forced {
				// Exit 3: written, but look at the manifest (row 12).
				forced := ""
				if zero {
					forced = fmt.Sprintf("%d reason(s) the category would score 0 and ", len(gates))
				}
				prov := ""
				if status.Provisional {
					prov = " " + status.String()
				}
				return &warnedError{quiet: o.Quiet, msg: fmt.Sprintf("wrote %d %s file(s)%s to %s with %s%d validation error(s) (--force) and %d warning(s); they are listed in %s",
					len(files)-1, format, prov, dir, forced, errs, warnings, filepath.Join(dir, manifestName))}
			}
			if !o.Quiet {
				fmt.Fprintf(s.stderr, "mipspi: wrote %d %s file(s) and %s to %s\n", len(files)-1, format, manifestName, dir)
			}
			return nil
		},
	}
}

// provisionalWhy says why figures are provisional (SPEC §4, R9).
func provisionalWhy(st registry.Status) string {
	return fmt.Sprintf("%s, a visit can still become timely until %s, so every figure can still change", strings.Replace(st.String(), "PROVISIONAL as", "as", 1), st.Bound)
}

// refusal is the error of an export refused without --force: every reason, one line.
func refusal(zero bool, gates, errs int, st registry.Status) error {
	var why []string
	if st.Provisional {
		why = append(why, "the figures are "+st.String())
	}
	if zero {
		why = append(why, fmt.Sprintf("the PI category would score 0 (%d reason(s) above)", gates))
	}
	if errs > 0 {
		other := ""
		if zero {
			other = "other "
		}
		why = append(why, fmt.Sprintf("%d %svalidation error(s) above", errs, other))
	}
	if len(why) == 1 && errs > 0 {
		return fmt.Errorf("export: %d validation error(s) above; nothing written (--force writes anyway)", errs)
	}
	if len(why) == 1 && st.Provisional {
		return fmt.Errorf("export: refused: the figures are %s; nothing written (--force writes them marked PROVISIONAL)", st)
	}
	last := why[len(why)-1]
	if len(why) > 1 {
		last = strings.Join(why[:len(why)-1], ", ") + " and " + last
	}
	return fmt.Errorf("export: refused: %s; nothing written (--force writes anyway)", last)
}

// newExportManifest starts the manifest of an export: what, from where, with which
// filters, configuration and settings (SPEC §4).
func newExportManifest(o *evalOptions, source, format, entity string, st registry.Status, r *measure.Result) *exportManifest {
	c := o.Config
	m := &exportManifest{
		Tool: "mipspi", Version: version, Generated: now().Format(time.RFC3339), Source: source,
		Format: format, Entity: entity,
		PerformanceStart: c.Start.String(), PerformanceEnd: c.End.String(),
		AsOf: c.AsOfText(), Status: st.String(), Provisional: st.Provisional,
		Validation: []string{}, Warnings: findingLines(r), Files: []manifestFile{},
	}
	m.Filters.TIN, m.Filters.NPI = c.TIN, c.NPI
	if o.File != nil && o.File.Name != "" {
		m.Config = &manifestConfig{File: o.File.Name, SHA256: o.File.SHA256}
	}
	m.Settings = manifestSettings{
		Policy: string(c.Policy), Release: string(c.Release), NumeratorActions: string(c.NumeratorActions),
		SeenStatuses: slices.Clone(c.SeenStatuses), Holidays: "federal", Closures: []string{},
	}
	if !c.FederalHolidays {
		m.Settings.Holidays = "none"
	}
	for _, d := range c.Closures {
		m.Settings.Closures = append(m.Settings.Closures, d.String())
	}
	return m
}

// findingLines are the run's findings and data-quality warning counts, as printFindings
// writes them to stderr, for the manifest.
func findingLines(r *measure.Result) []string {
	var b strings.Builder
	printFindings(&b, r)
	lines := []string{}
	for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		if l = strings.TrimPrefix(l, "mipspi: "); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// exportTo sorts the --to values into the registry format and the period end.
func exportTo(values []string, formatFlag string) (registry.Format, string, error) {
	var format, end string
	setFormat := func(v string) error {
		if format != "" && format != v {
			return usagef("two registry formats given (%s and %s): export writes one at a time", format, v)
		}
		format = v
		return nil
	}
	if formatFlag != "" {
		if err := choice(flagFormat, formatFlag, exportFormats...); err != nil {
			return "", "", err
		}
		format = formatFlag
	}
	for _, v := range values {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			continue
		case v[0] >= '0' && v[0] <= '9':
			if end != "" {
				return "", "", usagef("--to given two dates (%s and %s)", end, v)
			}
			end = v
		default:
			v = strings.ToLower(v) // --to QPP is qpp
			if err := choice(flagTo, v, exportFormats...); err != nil {
				return "", "", usagef("--to %s is neither a registry format (%s) nor a date (YYYY-MM-DD)", quoteIfOdd(v), strings.Join(exportFormats, ", "))
			}
			if err := setFormat(v); err != nil {
				return "", "", err
			}
		}
	}
	if format == "" {
		return "", "", usagef("give the registry format: --to qpp, --to qrda3 or --to csv")
	}
	return registry.Format(format), end, nil
}
