package main

// mipspi db: create, load and generate demo and test databases — never on a production
// EHR (SPEC §3): these are the only commands that write to a database — and db check
// (dbcheck.go), which only reads and is meant for the production EHR.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/ehr"
)

func dbCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "db",
		Usage: "check a database before any report (read-only); create, load, generate or import demo and test databases (never a production EHR)",
		Subcommands: []*cli.Command{
			{
				Name:      "init",
				Usage:     "create the seven relations mipspi reads as tables (for demos and tests)",
				UsageText: "mipspi db init --db DSN [--force]",
				Flags: []cli.Flag{
					dbFlag(),
					forceInitFlag(),
					quietFlag(),
				},
				Action: func(c *cli.Context) error {
					if err := noArgs(c); err != nil {
						return err
					}
					dsn, err := requireDB(c)
					if err != nil {
						return err
					}
					return withStore(c.Context, dsn, func(st *ehr.Store) error {
						if err := st.Init(c.Context, c.Bool("force")); err != nil {
							return scrub(err, dsn)
						}
						if !c.Bool(flagQuiet) {
							fmt.Fprintf(s.stderr, "mipspi: tables ready in %s\n", st)
						}
						return nil
					})
				},
			},
			{
				Name:      "load",
				Usage:     "load scenario rows from YAML files (- for stdin) into the tables",
				UsageText: "mipspi db load --db DSN FILE.yaml...",
				ArgsUsage: "FILE.yaml...",
				Flags:     []cli.Flag{dbFlag()},
				Action: func(c *cli.Context) error {
					if err := flagsAfterArgs(c); err != nil {
						return err
					}
					if !c.Args().Present() {
						return usagef("db load: give at least one YAML file")
					}
					dsn, err := requireDB(c)
					if err != nil {
						return err
					}
					if err := requireExistingDB(dsn); err != nil {
						return err
					}
					return withStore(c.Context, dsn, func(st *ehr.Store) error {
						for _, name := range c.Args().Slice() {
							if err := loadFile(c.Context, st, name, s.stdin); err != nil {
								return scrub(err, dsn)
							}
						}
						return nil
					})
				},
			},
			generateCommand(s),
			importSyntheaCommand(s),
			checkCommand(s),
		},
	}
}

// withStore opens the store, runs f and closes it.
func withStore(ctx context.Context, dsn string, f func(*ehr.Store) error) error {
	st, err := openStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	return f(st)
}

// writeRows runs fill against a bulk writer: committed on success, aborted otherwise.
func writeRows(ctx context.Context, st *ehr.Store, fill func(ehr.RowWriter) error) error {
	bw, err := st.BulkWriter(ctx)
	if err != nil {
		return fmt.Errorf("start writing to %s: %w", st, err)
	}
	if err := fill(bw); err != nil {
		bw.Abort()
		return err
	}
	if err := ctx.Err(); err != nil {
		bw.Abort()
		return err
	}
	if err := bw.Close(); err != nil {
		return fmt.Errorf("commit rows to %s: %w", st, err)
	}
	return nil
}

// loadFile loads one scenario file (name "-" is stdin).
func loadFile(ctx context.Context, st *ehr.Store, name string, stdin io.Reader) error {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fmt.Errorf("db load %s: %w", name, err)
		}
		defer f.Close()
		r = f
	} else {
		name = "stdin"
	}
	return st.LoadYAML(ctx, name, r)
}

// prepareFill readies a database for `db generate` and `db import-synthea`: the SPEC
// tables are created (force: even beside other relations), and tables that already hold
// rows are refused unless replace empties them first — a second run replaces the demo
// data instead of piling onto it or failing on duplicate ids.
func prepareFill(ctx context.Context, st *ehr.Store, force, replace bool) error {
	if err := st.Init(ctx, force); err != nil {
		return err
	}
	full, err := st.Populated(ctx)
	if err != nil {
		return err
	}
	if len(full) == 0 {
		return nil
	}
	if !replace {
		return fmt.Errorf("%s already holds rows in %s; --replace empties the seven mipspi tables first", st, strings.Join(full, ", "))
	}
	return st.Empty(ctx)
}

func replaceFlag() cli.Flag {
	return &cli.BoolFlag{Name: "replace", Usage: "empty the seven mipspi tables first when they already hold rows (their rows are lost)"}
}

func forceInitFlag() cli.Flag {
	return &cli.BoolFlag{Name: "force", Usage: "create the mipspi tables even when the database holds other tables or views"}
}
