// Command mipspi computes the CMS MIPS Promoting Interoperability measure PI_PEA_1
// ("Provide Patients Electronic Access to Their Health Information") from an EHR
// database, and writes the figures, the clinicians' worklist and registry files.
//
// main is thin (STYLE 9): it parses flags into a measure.Config, wires ehr → measure →
// reports, and turns the outcome into an exit code (SPEC §4):
//
//	0  success
//	1  the run failed: bad data, database error, failed validation, interrupted
//	2  usage error: bad flag, bad flag value, bad configuration file
//
// Nothing but the report goes to stdout; progress, warnings and errors go to stderr.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3" ./cmd/mipspi
var version = "dev"

// now is the clock for the default --as-of and the report's generation time; tests pin it.
var now = func() time.Time { return time.Now().UTC() }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C cancels the run, a second one kills the process as usual.
		<-ctx.Done()
		stop()
	}()
	tuneGC()
	stopProfiles := startProfiles(os.Stderr)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stopProfiles()
	stop()
	os.Exit(code)
}

// Exit codes: 0, 1 and 2 are SPEC §4's; 3 is export's alone (issue 13), documented in
// docs/reference.md's exit-code table with why (TestReadmeExitCodes holds the two together).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
	// exitWarned: export wrote every file, but registry validation found warnings (or
	// errors written under --force); mipspi-manifest.json lists them (issue 13).
	exitWarned = 3
)

// warnedError ends a run that succeeded with warnings (exit 3); quiet keeps stderr empty.
type warnedError struct {
	msg   string
	quiet bool
}

func (e *warnedError) Error() string { return e.msg }

// usageError marks a mistake in how mipspi was called (exit 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// asUsage marks err as a usage error (nil stays nil).
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return err
	}
	return &usageError{err}
}

// run is the whole command line, in-process testable: it never calls os.Exit.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"mipspi"}
	}
	app := newApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, helpPath(args))
	if err == nil {
		return exitOK
	}
	err = helpTopicUsage(err)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "mipspi: %s\n", oneLine(ue.Error()))
		return exitUsage
	}
	var we *warnedError
	if errors.As(err, &we) {
		if !we.quiet {
			fmt.Fprintf(stderr, "mipspi: %s\n", oneLine(we.Error()))
		}
		return exitWarned
	}
	if ctx.Err() != nil {
		// Ctrl-C or SIGTERM: the queries were cancelled with ctx and any output file
		// was never renamed into place (reports.WriteFile removes its temporary file).
		fmt.Fprintln(stderr, "mipspi: interrupted")
		return exitFail
	}
	fmt.Fprintf(stderr, "mipspi: %s\n", printable(strings.TrimRight(err.Error(), "\n")))
	return exitFail
}

// streams are the process's standard streams as run received them.
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	s := &streams{stdin: stdin, stdout: stdout, stderr: stderr}
	app := &cli.App{
		Name:    "mipspi",
		Usage:   "compute CMS MIPS PI_PEA_1 (Provide Patients Electronic Access) from an EHR database",
		Version: version,
		Description: "Exit codes: 0 success; 1 the run failed (bad data, database error, failed validation);\n" +
			"2 usage error; 3 (export) files written, with validation warnings listed in mipspi-manifest.json.\nOnly the report goes to stdout; progress and warnings go to stderr.\n" +
			"Start with: mipspi demo",
		Reader:                 stdin,
		Writer:                 stdout,
		ErrWriter:              stderr,
		HideHelpCommand:        false, // `mipspi help [COMMAND]` shows help and exits 0
		UseShortOptionHandling: false,
		Suggest:                false,
		ExitErrHandler:         func(*cli.Context, error) {}, // run decides the exit code
		Commands: []*cli.Command{
			reportCommand(s),
			notesCommand(s),
			exportCommand(s),
			calendarCommand(s),
			dbCommand(s),
			demoCommand(s),
			versionCommand(s),
			apiCommand(s),
			combineCommand(s),
		},
	}
	app.Action = groupAction(s)
	app.OnUsageError = onUsageError
	for _, c := range app.Commands {
		setUsageHandlers(c, s)
	}
	return app
}

// setUsageHandlers makes every command report flag errors as one usage line (exit 2)
// instead of the whole help text, and refuse unknown subcommands.
func setUsageHandlers(c *cli.Command, s *streams) {
	c.OnUsageError = onUsageError
	if len(c.Subcommands) > 0 {
		c.Action = groupAction(s)
		c.HideHelpCommand = true
	}
	for _, sub := range c.Subcommands {
		setUsageHandlers(sub, s)
	}
}

func onUsageError(_ *cli.Context, err error, _ bool) error {
	msg := err.Error()
	// The standard flag package says "flag provided but not defined: -foo".
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		dash := "--"
		if len([]rune(name)) == 1 {
			dash = "-" // a one-letter flag is written -q, not --q
		}
		return usagef("unknown flag %s%s (see --help)", dash, name)
	}
	if strings.HasPrefix(msg, "invalid value ") {
		// `invalid value "x" for flag -timeout: parse error`
		return usagef("%s", strings.Replace(msg, "for flag -", "for flag --", 1))
	}
	return usagef("%s", msg)
}

// groupAction runs for a command that only groups subcommands (mipspi, mipspi db,
// mipspi calendar): with no argument it shows help; with an unknown one it is a usage error.
func groupAction(s *streams) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.Args().Present() {
			name := c.App.Name
			if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
				name += " " + c.Command.FullName()
			}
			return usagef("unknown command %q for %q (see --help)", c.Args().First(), name)
		}
		// Help to stderr: it is not a report.
		w := c.App.Writer
		c.App.Writer = s.stderr
		defer func() { c.App.Writer = w }()
		if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
			_ = cli.ShowSubcommandHelp(c)
		} else {
			_ = cli.ShowAppHelp(c)
		}
		return usagef("missing command (see the list above)")
	}
}

// noArgs refuses stray arguments, including flags written after an argument (urfave/cli
// stops reading flags at the first argument, so they would otherwise be ignored).
func noArgs(c *cli.Context) error {
	if c.Args().Present() {
		a := c.Args().First()
		if strings.HasPrefix(a, "-") {
			return usagef("%s: flags go before arguments", a)
		}
		return usagef("unexpected argument %q (see --help)", a)
	}
	return nil
}

// flagsAfterArgs refuses a flag written after a positional argument.
func flagsAfterArgs(c *cli.Context) error {
	for _, a := range c.Args().Slice() {
		if strings.HasPrefix(a, "-") && a != "-" {
			return usagef("%s: flags go before arguments (%s --help)", a, c.Command.HelpName)
		}
	}
	return nil
}
