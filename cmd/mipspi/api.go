package main

// mipspi api check: probe the practice's patient FHIR API from outside and, with
// --record, keep the result as dated evidence (SPEC §6). The checks live in ehr/fhirapi;
// this file only reads flags, prints and sets the exit code.

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/ehr/fhirapi"
	"github.com/mipspi/mipspi/measure"
)

func apiCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "api",
		Usage: "check the practice's patient FHIR API",
		Subcommands: []*cli.Command{{
			Name:  "check",
			Usage: "probe the patient API's public discovery documents (no credential, no patient data)",
			UsageText: "mipspi api check --fhir-base URL [--tin TIN] [--record FILE] [--ca PEM] [--timeout D]\n\n" +
				"Sends two GET requests, {base}/.well-known/smart-configuration and {base}/metadata, and prints\n" +
				"one line per check (pass, warn, fail, skip). Exit 0: the API is live (warnings are deviations a\n" +
				"patient's app reads past); 1: it is not; 2: usage error.",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "fhir-base", Usage: "the patient API's FHIR base `URL`, e.g. https://ehr.example.com/fhir/r4"},
				&cli.StringFlag{Name: "tin", Usage: "the practice `TIN` this API serves (recorded with the probe; default: every TIN)"},
				&cli.StringFlag{Name: "record", Usage: "append the result to the evidence store `FILE` (SQLite, created with mode 0600)"},
				&cli.StringFlag{Name: "ca", Usage: "trust the certificate authorities in `PEM` (for a practice's own CA)"},
				&cli.DurationFlag{Name: flagTimeout, Value: fhirapi.DefaultTimeout, Usage: "give up each request after `DURATION`"},
			},
			Action: func(c *cli.Context) error {
				if err := noArgs(c); err != nil {
					return err
				}
				return runAPICheck(c.Context, c, s)
			},
		}},
	}
}

func runAPICheck(ctx context.Context, c *cli.Context, s *streams) error {
	raw := c.String("fhir-base")
	if raw == "" {
		return usagef("--fhir-base is required, e.g. --fhir-base https://ehr.example.com/fhir/r4")
	}
	base, err := fhirapi.ParseBase(raw)
	if err != nil {
		return usagef("--fhir-base: %v", err)
	}
	tin := normalizeTIN(c.String("tin")) // 36-1234567 is 361234567 (SPEC §3)
	if c.IsSet("tin") && !measure.ValidTIN(tin) {
		return usagef("--tin %q: a TIN is 9 digits (hyphens and spaces are read past)", tin)
	}
	timeout := c.Duration(flagTimeout)
	if timeout <= 0 {
		return usagef("--timeout must be positive, e.g. --timeout 10s")
	}
	if err := checkRecord(c, c.String("record")); err != nil { // the same guard as --out
		return err
	}
	var roots *x509.CertPool
	if path := c.String("ca"); path != "" {
		if roots, err = loadCA(path); err != nil {
			return usagef("--ca %s: %v", path, err)
		}
	}
	// Open the evidence store before probing, so a wrong --record is refused up front.
	var store *fhirapi.Evidence
	if path := c.String("record"); path != "" {
		if err := makeParents(path, 0o600); err != nil {
			return err
		}
		store, err = fhirapi.OpenForAppend(ctx, path)
		var ne *fhirapi.NotEvidenceError
		var pe *os.PathError
		if errors.As(err, &ne) {
			return usagef("--record %v", err)
		}
		if errors.As(err, &pe) {
			return usagef("--record %s: %v", path, pe.Err)
		}
		if err != nil {
			return err
		}
		defer store.Close()
	}

	r := fhirapi.Probe(ctx, fhirapi.Options{Base: base, TIN: tin, Roots: roots, Timeout: timeout,
		UserAgent: "mipspi/" + version + " (patient API discovery check)", Now: now})
	if ctx.Err() != nil {
		return ctx.Err() // interrupted: nothing recorded
	}
	if err := printProbe(s.stdout, r); err != nil {
		return err
	}
	if store != nil {
		if err := store.Append(ctx, r, version); err != nil {
			return err
		}
		fmt.Fprintf(s.stderr, "mipspi: recorded in %s\n", c.String("record"))
	}
	if !r.OK() {
		return fmt.Errorf("the patient API at %s is not live: a patient's app could not reach it (%d checks failed)", oneLine(base), len(r.Failed()))
	}
	return nil
}

// printProbe writes one line per check and a closing verdict. Details quote what the
// server sent, so they are cleaned of control characters.
func printProbe(w io.Writer, r *fhirapi.Result) error {
	ew := &lineWriter{w: w}
	ew.printf("Patient API check of %s at %s\n", oneLine(r.Base), r.At.UTC().Format(time.RFC3339))
	counts := map[fhirapi.Status]int{}
	for _, ch := range r.Checks {
		counts[ch.Status]++
		ew.printf("%-4s  %-30s  %s\n", strings.ToUpper(string(ch.Status)), ch.Name, oneLine(ch.Detail))
	}
	// SPEC §6: live unless a check failed; warnings are deviations an app reads past.
	switch {
	case !r.OK():
		ew.printf("NOT live: %d checks failed, %d warned, %d passed, %d not checked\n", counts[fhirapi.Fail], counts[fhirapi.Warn], counts[fhirapi.Pass], counts[fhirapi.Skip])
	case counts[fhirapi.Warn] > 0:
		w := "1 warning"
		if n := counts[fhirapi.Warn]; n != 1 {
			w = fmt.Sprintf("%d warnings", n)
		}
		ew.printf("LIVE, with %s (deviations a patient's app reads past): %d checks passed, %d not applicable\n", w, counts[fhirapi.Pass], counts[fhirapi.Skip])
	default:
		ew.printf("LIVE and conformant: %d checks passed, %d not applicable\n", counts[fhirapi.Pass], counts[fhirapi.Skip])
	}
	return ew.err
}

type lineWriter struct {
	w   io.Writer
	err error
}

func (l *lineWriter) printf(format string, args ...any) {
	if l.err == nil {
		_, l.err = fmt.Fprintf(l.w, format, args...)
	}
}

// maxCASize bounds --ca: a bundle of every public root is about 200 KB.
const maxCASize = 4 << 20

// loadCA reads PEM certificates for --ca.
func loadCA(path string) (*x509.CertPool, error) {
	f, err := openInput(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCASize+1))
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if len(b) > maxCASize {
		return nil, fmt.Errorf("larger than %d MiB, not a PEM file of certificate authorities", maxCASize>>20)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, errors.New("no PEM certificate in the file")
	}
	return pool, nil
}

// evidenceFlag is mipspi report's --evidence.
func evidenceFlag() cli.Flag {
	return &cli.StringFlag{Name: "evidence", Usage: "add the patient API probes recorded in the evidence store `FILE` (mipspi api check --record)"}
}

// evidenceOption reads --evidence before the evaluation: it refuses a missing or foreign
// file up front (exit 2), asks the evaluation for the practice, and returns the step that
// summarises the probes against the result and adds the findings to it.
func evidenceOption(c *cli.Context, o *evalOptions) (func(context.Context, *measure.Result) (*measure.APIEvidence, error), error) {
	path := c.String("evidence")
	none := func(context.Context, *measure.Result) (*measure.APIEvidence, error) { return nil, nil }
	if path == "" {
		if c.String("table") == "evidence" {
			return nil, usagef("--table evidence needs the evidence store: --evidence FILE")
		}
		return none, nil
	}
	store, err := fhirapi.OpenForReading(c.Context, path)
	var ne *fhirapi.NotEvidenceError
	var pe *os.PathError
	switch {
	case errors.As(err, &ne), errors.As(err, &pe):
		return nil, usagef("--evidence %v", unwrapPathError(err))
	case err != nil:
		return nil, err // a store that cannot be read now (a hot journal): exit 1, with advice
	}
	store.Close()
	var practice measure.Practice
	o.OnPractice = func(p measure.Practice) { practice = p }
	return func(ctx context.Context, r *measure.Result) (*measure.APIEvidence, error) {
		store, err := fhirapi.OpenForReading(ctx, path)
		if err != nil {
			return nil, err
		}
		defer store.Close()
		// A margin of two days either side covers every office zone; the summary keeps
		// exactly the probes of each TIN's period.
		from := r.Config.Start.AddDays(-2).Time()
		to := r.Config.End.AddDays(3).Time()
		probes, err := store.Probes(ctx, from, to)
		if err != nil {
			return nil, err
		}
		// The whole store's own check (SPEC §6): its chain, every row and trigger.
		chain, err := store.Verify(ctx)
		if err != nil {
			return nil, err
		}
		ev := measure.SummarizeAPIEvidence(probes, practice, r)
		ev.Source, ev.Chain = path, &chain
		if f := measure.ChainFinding(chain, path); f != nil {
			ev.Findings = append([]measure.Finding{*f}, ev.Findings...)
		}
		r.Findings = append(r.Findings, ev.Findings...)
		return &ev, nil
	}, nil
}
