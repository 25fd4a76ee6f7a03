package main

// mipspi export: registry submission files (issue 5), validated before anything is
// written. SPEC §4 spells it `mipspi export --to qpp|qrda3|csv … --from … --to …`: the
// flag --to carries both the format and the period end. The two never look alike (a
// format is a word, a period end is a date), so each --to value is sorted by its shape;
// --format is accepted as the unambiguous spelling of the first.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/reports"
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
		&cli.StringFlag{Name: flagOut, Aliases: []string{"o"}, Usage: "`DIR`ectory for the files (created 0700 if absent)"},
		&cli.BoolFlag{Name: "force", Usage: "write the files even when validation finds errors"},
	)
	return &cli.Command{
		Name:      "export",
		Usage:     "write registry files (QPP JSON, QRDA III, CSV), validated first",
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
			if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
				return usagef("--out %s is a file; give a directory", dir)
			}
			o, err := evalFlags(c, to)
			if err != nil {
				return err
			}
			var rc registry.Config
			if o.File.Registry != nil {
				rc = o.File.Registry.Config
			}
			r, _, err := evaluate(c.Context, o, s.stderr)
			if err != nil {
				return err
			}
			if !o.Quiet {
				printFindings(s.stderr, r)
			}
			filter := registry.EntityFilter(entity)
			problems := registry.Validate(r, rc, filter)
			for _, p := range problems {
				fmt.Fprintf(s.stderr, "mipspi: %s\n", oneLine(p.String()))
			}
			if registry.HasErrors(problems) && !c.Bool("force") {
				n := 0
				for _, p := range problems {
					if p.Severity == registry.SeverityError {
						n++
					}
				}
				return fmt.Errorf("export: %d validation error(s) above; nothing written (--force writes anyway)", n)
			}
			files, err := registry.Files(r, rc, format, filter)
			if err != nil {
				return fmt.Errorf("export %s: %w", format, err)
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return fmt.Errorf("export: create %s: %w", dir, unwrapPathError(err))
			}
			names := make([]string, 0, len(files))
			for name := range files {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				if err := c.Context.Err(); err != nil {
					return err
				}
				if name != filepath.Base(name) || name == "." || name == ".." {
					return fmt.Errorf("export: refusing file name %q outside %s", name, dir)
				}
				data := files[name]
				path := filepath.Join(dir, name)
				if err := reports.WriteFile(path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
					return fmt.Errorf("export: write %s: %w", path, err)
				}
			}
			if !o.Quiet {
				fmt.Fprintf(s.stderr, "mipspi: wrote %d %s file(s) to %s\n", len(names), format, dir)
			}
			return nil
		},
	}
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
