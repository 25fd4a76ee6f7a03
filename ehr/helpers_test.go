package ehr_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/internal/mariadbtest"
	"github.com/mipspi/mipspi/internal/pgtest"
	"github.com/mipspi/mipspi/measure"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	mariadbtest.Stop()
	os.Exit(code)
}

// onBoth runs f on a fresh SQLite file, a fresh PostgreSQL database and a fresh
// MariaDB database (SPEC §3, §8: every dialect, same behaviour).
func onBoth(t *testing.T, f func(t *testing.T, s *ehr.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, openSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, openPostgres(t)) })
	t.Run("mariadb", func(t *testing.T) { f(t, openMariaDB(t)) })
	// The period's scans joined by the server a range of two patients at a time
	// (mariadb_scan.go), so that every read test crosses ranges; "mariadb" joins them in
	// memory (mariadb_join.go).
	t.Run("mariadb-ranges", func(t *testing.T) {
		defer ehr.SetMariaDBRangePatients(2)()
		defer ehr.SetMariaDBJoinBytes(0)()
		f(t, openMariaDB(t))
	})
}

func openMariaDB(t testing.TB) *ehr.Store {
	t.Helper()
	return open(t, mariadbtest.NewDatabase(t))
}

func openSQLite(t testing.TB) *ehr.Store {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "ehr.db"))
}

func openPostgres(t testing.TB) *ehr.Store {
	t.Helper()
	return open(t, pgtest.NewDatabase(t))
}

func open(t testing.TB, dsn string) *ehr.Store {
	t.Helper()
	s, err := ehr.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// initLoad creates the SPEC tables and loads a testdata fixture.
func initLoad(t testing.TB, s *ehr.Store, fixture string) {
	t.Helper()
	ctx := context.Background()
	if err := s.Init(ctx, false); err != nil {
		t.Fatal(err)
	}
	load(t, s, fixture)
}

func load(t testing.TB, s *ehr.Store, fixture string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := s.LoadYAML(context.Background(), fixture, f); err != nil {
		t.Fatal(err)
	}
}

// rfc3339Literal is a timestamp literal of the tests' SQL in UTC; MariaDB's DATETIME
// takes it without the T and the Z (SPEC §8: the session is UTC).
var rfc3339Literal = regexp.MustCompile(`'([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9:.]+)Z'`)

// dialectSQL is q as s's dialect takes it.
func dialectSQL(s *ehr.Store, q string) string {
	if s.Dialect() == ehr.MariaDB {
		return rfc3339Literal.ReplaceAllString(q, "'$1 $2'")
	}
	return q
}

func exec(t testing.TB, s *ehr.Store, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		q = dialectSQL(s, q)
		if _, err := s.DB().DB.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// recorder is a Sink that keeps deep copies of what it is given.
type recorder struct {
	practice   measure.Practice
	patients   []measure.PatientRecord
	onPractice func() error
}

func (r *recorder) Practice(p measure.Practice) error {
	r.practice = p
	if r.onPractice != nil {
		return r.onPractice()
	}
	return nil
}

func (r *recorder) Patient(p *measure.PatientRecord) error {
	c := *p
	c.Visits = append([]measure.Visit(nil), p.Visits...)
	if p.FirstInvitation != nil {
		inv := *p.FirstInvitation
		c.FirstInvitation = &inv
	}
	r.patients = append(r.patients, c)
	return nil
}

func read(t testing.TB, s *ehr.Store, from, to string) (*recorder, ehr.ReadStats) {
	t.Helper()
	r := &recorder{}
	st, err := s.Read(context.Background(), calendar.MustParseDate(from), calendar.MustParseDate(to), r)
	if err != nil {
		t.Fatalf("read %s..%s: %v", from, to, err)
	}
	return r, st
}

// cmpOpts compares zones by name.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() }),
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func zone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// sqliteScenario is testdata/scenario.yaml read from SQLite (UTC text): what every other
// spelling of the same practice must read as.
func sqliteScenario(t *testing.T) *recorder {
	t.Helper()
	s := openSQLite(t)
	initLoad(t, s, "scenario.yaml")
	r, _ := read(t, s, "2025-01-01", "2025-12-31")
	return r
}
