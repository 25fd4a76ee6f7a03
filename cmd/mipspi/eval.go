package main

// One evaluation: open the store, stream the practice and its patients into the measure
// engine, return the result. Data flows one way (STYLE): ehr reads → measure decides.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

// evalSink builds the Evaluator when the practice arrives and feeds it each patient.
type evalSink struct {
	cfg      measure.Config
	ev       *measure.Evaluator
	onPrac   func(measure.Practice)
	patients int
	progress *progressbar.ProgressBar // nil when silent
	practice measure.Practice         // for checkNotEmpty's "what is there"
	stores   *rowStores               // where the rows are kept
	warn     func(measure.Practice)   // nil: no warnings about the practice
	source   *measure.Fingerprint     // with identify: takes the database's identity
}

// identitySink is an evalSink that also takes the database's identity (SPEC §7).
type identitySink struct{ *evalSink }

func (s identitySink) Identity(id string) error {
	if s.source != nil {
		s.source.Identity = id
	}
	return nil
}

func (s *evalSink) Practice(p measure.Practice) error {
	p = p.WithNormalTINs() // SPEC §3: the evaluation and every later use see one form
	ev, err := measure.NewEvaluator(s.cfg, p)
	if err != nil {
		return fmt.Errorf("start evaluation: %w", err)
	}
	ev.KeepRows(s.stores.issues, s.stores.outcomes)
	s.ev = ev
	s.practice = p
	if s.warn != nil {
		s.warn(p)
	}
	if s.onPrac != nil {
		s.onPrac(p)
	}
	return nil
}

func (s *evalSink) Patient(r *measure.PatientRecord) error {
	if s.ev == nil {
		return errors.New("evaluate: patient streamed before the practice")
	}
	s.patients++
	if s.progress != nil {
		_ = s.progress.Add(1)
	}
	return s.ev.Add(r)
}

// Dangling records the EHR's rows that point at nothing as findings (R10).
func (s *evalSink) Dangling(code measure.Code, count int, examples []int64) error {
	if s.ev == nil {
		return errors.New("evaluate: dangling rows before the practice")
	}
	return s.ev.Dangling(code, count, examples)
}

// SourceFinding records a finding of the EHR source (SPEC §8).
func (s *evalSink) SourceFinding(f measure.Finding) error {
	if s.ev == nil {
		return errors.New("evaluate: source findings before the practice")
	}
	return s.ev.SourceFinding(f)
}

// evaluate runs one evaluation against the database. The timeout bounds opening the
// database and reading it; ctx cancellation (Ctrl-C) cancels the queries. The result's
// rows are kept in stores whose files Close removes: the caller closes it once the
// result is no longer read.
func evaluate(ctx context.Context, o *evalOptions, stderr io.Writer) (*measure.Result, string, io.Closer, error) {
	stores := newRowStores()
	r, source, err := evaluateInto(ctx, o, stores, stderr)
	if err != nil {
		stores.Close()
		return nil, source, nil, err
	}
	return r, source, stores, nil
}

func evaluateInto(ctx context.Context, o *evalOptions, stores *rowStores, stderr io.Writer) (*measure.Result, string, error) {
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	if err := requireExistingDB(o.DSN); err != nil {
		return nil, "", err
	}
	// Read-only (issue 13): SQLite mode=ro and query_only, waiting for another
	// connection's write lock no longer than --timeout.
	store, err := ehr.OpenReadOnly(ctx, o.DSN, ehr.ReadOptions{BusyTimeout: o.Timeout})
	if err != nil {
		return nil, "", timeoutError(ctx, o.Timeout, scrub(err, o.DSN))
	}
	defer store.Close()
	source := store.String()

	sink := &evalSink{cfg: o.Config, onPrac: o.OnPractice, stores: stores}
	if !o.Quiet && isTerminal(stderr) {
		sink.progress = newProgress(stderr, -1, "reading patients")
	}
	var read ehr.Sink = sink
	if o.Identify {
		sink.source = fingerprint(o.DSN)
		o.Fingerprint = sink.source
		read = identitySink{sink}
	}
	if o.EHR == ehrOpenEMR {
		if !o.Quiet {
			sink.warn = func(p measure.Practice) { warnWindows(stderr, o.File, p) }
		}
		_, err = store.ReadOpenEMR(ctx, o.Config.Start, o.Config.End, o.OpenEMR, read)
		var se *ehr.SettingError
		if errors.As(err, &se) {
			err = asUsage(err) // SPEC §8: a setting a report cannot run with is a usage error
		}
	} else {
		_, err = store.Read(ctx, o.Config.Start, o.Config.End, read)
	}
	if sink.progress != nil {
		_ = sink.progress.Finish()
		_ = sink.progress.Clear()
	}
	if err != nil {
		return nil, source, timeoutError(ctx, o.Timeout, scrub(err, o.DSN))
	}
	if sink.ev == nil {
		return nil, source, fmt.Errorf("read %s: the store returned no practice", source)
	}
	r, err := sink.ev.Result()
	if err != nil {
		return nil, source, err
	}
	if err := checkNotEmpty(r, sink.practice); err != nil {
		return nil, source, err
	}
	return r, source, nil
}

// openStore opens the EHR store; its error never carries the DSN's password.
func openStore(ctx context.Context, dsn string) (*ehr.Store, error) {
	store, err := ehr.Open(ctx, dsn)
	if err != nil {
		return nil, scrub(err, dsn)
	}
	return store, nil
}

// timeoutError says so when --timeout, not the database, ended the run.
func timeoutError(ctx context.Context, timeout time.Duration, err error) error {
	if timeout > 0 && (errors.Is(ctx.Err(), context.DeadlineExceeded) || sqliteBusy(err)) {
		return fmt.Errorf("timed out after %s (--timeout): %w", timeout, err)
	}
	return err
}

// fingerprint names the database of dsn as a report carries it (SPEC §7), nil when
// nothing another report could share; Read adds its identity.
func fingerprint(dsn string) *measure.Fingerprint {
	d, err := ehr.ParseDSN(dsn)
	if err != nil {
		return nil
	}
	return d.Fingerprint()
}

// scrub removes the DSN's password from an error message, whatever layer put it there
// (a driver quoting its connection string, say): messages name host, port and database,
// never the password.
func scrub(err error, dsn string) error { return ehr.ScrubDSN(err, dsn) }

// isTerminal reports whether w is a terminal (progress bars are drawn only there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress returns a progress bar on w; total -1 means unknown (a counter).
func newProgress(w io.Writer, total int64, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("patients"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSpinnerType(14),
	)
}

// sqliteBusy reports whether err is SQLite giving up on another connection's lock
// (SQLITE_BUSY, "database is locked"): with --timeout, the busy wait is the timeout.
func sqliteBusy(err error) bool {
	return err != nil && strings.Contains(err.Error(), "database is locked")
}
