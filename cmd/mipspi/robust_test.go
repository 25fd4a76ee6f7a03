package main

// Determinism and one consistent snapshot, end to end (issue 7): the same data gives
// byte-identical JSON and CSV on every run and on both databases, and rows committed by
// another session while a report runs do not change it.

import (
	"context"
	"net/url"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/fixtures"
	"github.com/mipspi/mipspi/internal/mariadbtest"
	"github.com/mipspi/mipspi/internal/pgtest"
)

// deterministicOutputs are the machine-readable outputs that must be byte-identical.
var deterministicOutputs = [][]string{
	{"report", "--format", "json", "--patients"},
	{"report", "--format", "csv", "--table", "entities"},
	{"report", "--format", "csv", "--table", "issues"},
	{"report", "--format", "csv", "--table", "patients"},
	{"report", "--format", "json", "--policy", "any-visit"},
	{"notes", "--format", "json"},
	{"notes", "--format", "csv"},
}

// checkDeterministic runs every output twice on each DSN and wants one byte string per
// output.
func checkDeterministic(t *testing.T, period []string, dsns map[string]string) {
	t.Helper()
	for _, out := range deterministicOutputs {
		var first, firstName string
		for _, name := range []string{"sqlite", "postgres", "mariadb"} {
			if dsns[name] == "" {
				continue
			}
			for run := 1; run <= 2; run++ {
				a := append([]string{out[0], "--db", dsns[name], "--quiet"}, period...)
				got := withoutSource(mustRun(t, append(a, out[1:]...)...).stdout)
				if first == "" {
					first, firstName = got, name
					continue
				}
				if got != first {
					t.Errorf("%v: %s run %d differs from %s run 1:\n%s", out, name, run, firstName, cmp.Diff(first, got))
				}
			}
		}
		if len(first) < 100 {
			t.Errorf("%v: output too short to prove anything: %q", out, first)
		}
	}
}

// TestDeterministicDemo: the demo practice (fixtures.Demo) through `mipspi demo` on
// SQLite and through the same bulk writer into PostgreSQL.
func TestDeterministicDemo(t *testing.T) {
	lite, _ := demoDB(t)
	pg, my := pgtest.NewDatabase(t), mariadbtest.NewDatabase(t)
	ctx := context.Background()
	for _, dsn := range []string{pg, my} {
		if err := withStore(ctx, dsn, func(st *ehr.Store) error {
			if err := st.Init(ctx, false); err != nil {
				return err
			}
			return writeRows(ctx, st, func(w ehr.RowWriter) error {
				_, err := fixtures.Demo(w)
				return err
			})
		}); err != nil {
			t.Fatal(err)
		}
	}
	checkDeterministic(t, demoPeriod, map[string]string{"sqlite": lite, "postgres": pg, "mariadb": my})
}

// TestDeterministicGenerated: a generated practice with several TINs, every issue code
// and thousands of visits, built by `db generate` with the same seed on both databases.
func TestDeterministicGenerated(t *testing.T) {
	t.Chdir(t.TempDir())
	lite, pg, my := "sqlite:gen.db", pgtest.NewDatabase(t), mariadbtest.NewDatabase(t)
	for _, dsn := range []string{lite, pg, my} {
		mustRun(t, "db", "generate", "--db", dsn, "--clinicians", "12", "--tins", "3",
			"--patients", "1500", "--appointments", "6000", "--seed", "7", "--quiet")
	}
	checkDeterministic(t, []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2025-10-01T12:00:00Z"},
		map[string]string{"sqlite": lite, "postgres": pg, "mariadb": my})
}

// TestReportSnapshotConcurrentWriter: another session commits, between the report's
// first query (which fixes its snapshot) and the period query, rows that would change
// every figure: the report is the one of the data as it was. A second report sees the
// commit, so the writes did matter.
func TestReportSnapshotConcurrentWriter(t *testing.T) {
	t.Chdir(t.TempDir())
	pg := pgtest.NewDatabase(t)
	mustRun(t, "db", "init", "--db", pg)
	mustRun(t, "db", "load", "--db", pg, filepath.Join(testdataDir, "small.yaml"))
	report := []string{"report", "--quiet", "--format", "json", "--patients"}
	before := withoutSource(mustRun(t, args(report, []string{"--db", pg}, smallPeriod)...).stdout)

	u, err := url.Parse(pg)
	if err != nil {
		t.Fatal(err)
	}
	p := newFaultProxy(t, u.Host)
	writer := sqlOpen(t, pg)
	var writeErr error
	p.beforeQuery = func() {
		// Every kind of change: a new patient seen, a note locked in time, a note for
		// the visit without one, an invitation, a status, an API window closed.
		_, writeErr = writer.Exec(`BEGIN;
			INSERT INTO patients (id, mrn, first_name, last_name) VALUES (6, 'M006', 'Late', 'Comer');
			INSERT INTO appointments VALUES (111, 6, 1, 1, '2025-06-02T15:00:00Z', 'Complete');
			UPDATE clinical_notes SET locked_at = '2025-03-05T20:00:00Z' WHERE id = 202;
			INSERT INTO clinical_notes VALUES (210, 106, '2025-02-03T20:00:00Z', '2025-02-04T20:00:00Z');
			INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (305, 3, '2025-01-01T00:00:00Z');
			UPDATE appointments SET status = 'Complete' WHERE id = 108;
			UPDATE api_windows SET disabled_at = '2025-06-01T00:00:00Z' WHERE id = 401;
			COMMIT`)
	}
	pu := *u
	pu.Host = p.addr()
	during := withoutSource(mustRun(t, args(report, []string{"--db", pu.String()}, smallPeriod)...).stdout)
	if writeErr != nil {
		t.Fatalf("concurrent writer: %v", writeErr)
	}
	if !p.sent.Load() {
		t.Fatal("the period query never went through the proxy")
	}
	if during != before {
		t.Errorf("rows committed during the read changed the report:\n%s", cmp.Diff(before, during))
	}
	after := withoutSource(mustRun(t, args(report, []string{"--db", pg}, smallPeriod)...).stdout)
	if after == before {
		t.Errorf("the committed rows do not change a later report: the test proves nothing")
	}
}

// sourceBlock is the JSON report's source fingerprint (SPEC §7), the one field that
// names the database and so differs between the dialects.
var sourceBlock = regexp.MustCompile(`(?m)^  "source": \{\n(    .*\n)*  \},\n`)

// withoutSource removes the source fingerprint from a JSON report (other outputs pass
// through unchanged).
func withoutSource(s string) string { return sourceBlock.ReplaceAllString(s, "") }
