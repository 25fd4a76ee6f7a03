package main

// Evidence an auditor can trust (SPEC §6, §7): no output replaces an input, no input
// path can hang a run, and nothing kept (the evidence store, the EHR, a previous
// output) changes when a run is refused.

import (
	"bytes"
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// recordedStore makes an evidence store in the current directory with one probe of a
// test EHR and returns its name and a function that fails the test if its bytes changed.
func recordedStore(t *testing.T, name string) (unchanged func(what string)) {
	t.Helper()
	ehr := newTestEHR(t, "smart-v2-openid.json", "capability-r4.json")
	mustRun(t, "api", "check", "--fhir-base", ehr.URL+"/fhir", "--ca", ehr.ca, "--tin", "123456789", "--record", name)
	before, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return func(what string) {
		t.Helper()
		if after, err := os.ReadFile(name); err != nil || !bytes.Equal(after, before) {
			t.Errorf("%s: the evidence store %s changed (%v)", what, name, err)
		}
	}
}

// TestOutNeverReplacesEvidenceOrCA: report --evidence ev.db -o ev.db (or a link to it,
// or its journal) and api check --record onto its own --ca are refused with exit 2
// before anything is read or sent, naming the input.
func TestOutNeverReplacesEvidenceOrCA(t *testing.T) {
	dsn, unchangedEHR := guardFiles(t)
	evUnchanged := recordedStore(t, "ev.db")
	if err := os.Symlink("ev.db", "ev-link.db"); err != nil {
		t.Fatal(err)
	}
	if err := os.Link("ev.db", "ev-hard.db"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("ca.pem", []byte("-----BEGIN CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	isEvidence := func(out string) string {
		return "mipspi: --out " + out + " is the evidence store (--evidence) (ev.db); give another file name\n"
	}
	report := func(out string, more ...string) []string {
		return args([]string{"report", "--db", dsn, "--evidence", "ev.db", "--out", out}, smallPeriod, more)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"report onto its evidence store", report("ev.db"), isEvidence("ev.db")},
		{"report onto ./evidence store, as JSON", report("./ev.db", "-f", "json"), isEvidence("./ev.db")},
		{"report onto a symlink to the evidence store", report("ev-link.db"), isEvidence("ev-link.db")},
		{"report onto a hard link of the evidence store", report("ev-hard.db"), isEvidence("ev-hard.db")},
		{"report onto the evidence store's journal", report("ev.db-journal"),
			"mipspi: --out ev.db-journal is the evidence store's journal file (ev.db-journal); give another file name\n"},
		{"evidence given through a link, out the file", args([]string{"report", "--db", dsn, "--evidence", "ev-link.db", "--out", "ev.db"}, smallPeriod),
			"mipspi: --out ev.db is the evidence store (--evidence) (ev-link.db); give another file name\n"},
		{"api check recording onto its --ca", []string{"api", "check", "--fhir-base", "https://ehr.invalid/fhir", "--ca", "ca.pem", "--record", "./ca.pem"},
			"mipspi: --record ./ca.pem is the certificate authority file (--ca) (ca.pem); give another file name\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := mipspi(t, c.args...)
			checkOutcome(t, c.name, o, exitUsage, c.want)
			unchangedEHR(c.name)
			evUnchanged(c.name)
			if fi, err := os.Lstat("ev-link.db"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the symlink was replaced: %v", err)
			}
			if _, err := os.Stat("ev.db-journal"); err == nil {
				t.Error("a journal appeared")
			}
		})
	}
}

// TestFIFOInputsRefusedAtOnce: a FIFO given as combine's input, --config or --ca is
// refused at once (opening it would wait for a writer forever, deaf to Ctrl-C).
func TestFIFOInputsRefusedAtOnce(t *testing.T) {
	dsn, unchanged := guardFiles(t)
	if err := syscall.Mkfifo("fifo", 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("fifo", "link-to-fifo"); err != nil {
		t.Fatal(err)
	}
	const notRegular = "is not a regular file (a FIFO, device or socket); mipspi reads only regular files\n"
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"combine input", []string{"combine", "fifo"}, exitFail, "mipspi: fifo: " + notRegular},
		{"combine input through a link", []string{"combine", "-o", "out.csv", "link-to-fifo"}, exitFail, "mipspi: link-to-fifo: " + notRegular},
		{"combine --config", []string{"combine", "--config", "fifo", "a.json"}, exitUsage, "mipspi: config fifo: " + notRegular},
		{"report --config", args([]string{"report", "--db", dsn, "--config", "fifo"}, smallPeriod), exitUsage, "mipspi: config fifo: " + notRegular},
		{"api check --ca", []string{"api", "check", "--fhir-base", "https://ehr.invalid/fhir", "--ca", "fifo"}, exitUsage, "mipspi: --ca fifo: " + notRegular},
		{"api check --ca a directory", []string{"api", "check", "--fhir-base", "https://ehr.invalid/fhir", "--ca", "."}, exitUsage, "mipspi: --ca .: is a directory\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan outcome, 1)
			go func() { done <- mipspiCtx(t, ctx, c.args...) }()
			select {
			case o := <-done:
				checkOutcome(t, c.name, o, c.code, c.want)
			case <-time.After(20 * time.Second):
				// Unblock the open so the test can end, then fail.
				if f, err := os.OpenFile("fifo", os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					f.Close()
				}
				t.Fatalf("%s: still running after 20 s: a FIFO input hangs", c.name)
			}
			unchanged(c.name)
			if _, err := os.Stat("out.csv"); err == nil {
				t.Error("an output appeared")
			}
		})
	}
}
