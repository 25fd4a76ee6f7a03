package main

// Least privilege (issue 7, SPEC §1 "no writes to the EHR"): the whole report runs as a
// PostgreSQL role that may only log in and SELECT the seven relations of SPEC §3 — the
// role docs/database.md documents for DBAs — and that role cannot write.

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lib/pq"

	"github.com/mipspi/mipspi/internal/pgtest"
)

// readerGrants is docs/database.md's least-privilege role, with {role}, {db} and {password} to
// fill. PUBLIC's default rights (CONNECT on the database, USAGE on schema public) are
// revoked first in the test, so each right the role needs is one granted here.
const readerGrants = `CREATE ROLE {role} LOGIN PASSWORD '{password}';
ALTER ROLE {role} SET default_transaction_read_only = on;
GRANT CONNECT ON DATABASE {db} TO {role};
GRANT USAGE ON SCHEMA public TO {role};
GRANT SELECT ON offices, clinicians, patients, appointments, clinical_notes, portal_invitations, api_windows TO {role}`

func TestLeastPrivilegeRole(t *testing.T) {
	t.Chdir(t.TempDir())
	owner := pgtest.NewDatabase(t)
	mustRun(t, "db", "init", "--db", owner)
	mustRun(t, "db", "load", "--db", owner, filepath.Join(testdataDir, "small.yaml"))

	u, err := url.Parse(owner)
	if err != nil {
		t.Fatal(err)
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	role := fmt.Sprintf("mipspi_reader_%d", os.Getpid())
	const password = "Reader-Pw-51c2"
	ownerDB := sqlOpen(t, owner)
	sqlExec(t, ownerDB,
		"REVOKE ALL ON DATABASE "+dbName+" FROM PUBLIC",
		"REVOKE ALL ON SCHEMA public FROM PUBLIC")
	grants := strings.NewReplacer("{role}", role, "{db}", dbName, "{password}", password).Replace(readerGrants)
	sqlExec(t, ownerDB, strings.Split(grants, ";\n")...)
	t.Cleanup(func() {
		ownerDB.Exec("DROP OWNED BY " + role)
		ownerDB.Close()
		admin, err := sql.Open("postgres", pgtest.Admin(t))
		if err == nil {
			admin.Exec("DROP ROLE IF EXISTS " + role)
			admin.Close()
		}
	})
	ru := *u
	ru.User = url.UserPassword(role, password)
	reader := ru.String()

	// The same report, byte for byte (the table and workbook name the source, user included).
	for _, format := range [][]string{
		{"--format", "json", "--patients"},
		{"--format", "csv", "--table", "issues"},
		{"--format", "csv", "--table", "patients"},
	} {
		a := mustRun(t, args([]string{"report", "--db", owner, "--quiet"}, smallPeriod, format)...).stdout
		b := mustRun(t, args([]string{"report", "--db", reader, "--quiet"}, smallPeriod, format)...).stdout
		if a != b || a == "" {
			t.Errorf("%v as %s differs from the owner's:\n%s", format, role, diffText(a, b))
		}
	}
	mustRun(t, args([]string{"notes", "--db", reader, "--quiet"}, smallPeriod)...)

	// Nothing else is granted: another table of the database is out of reach ...
	sqlExec(t, ownerDB, "CREATE TABLE billing (id BIGINT)")
	rdb := sqlOpen(t, reader)
	var n int
	if err := rdb.QueryRow("SELECT count(*) FROM billing").Scan(&n); !isPQ(err, "42501") {
		t.Errorf("SELECT on an ungranted table as %s: %v, want permission denied (42501)", role, err)
	}
	// ... and writes are refused twice over, even outside mipspi's read-only transaction:
	// by the role's default (read_only_sql_transaction) and, with that switched off in
	// the session, by the missing privileges.
	writes := []string{
		"INSERT INTO offices (id, tin, name, timezone) VALUES (99, '123456789', 'X', 'UTC')",
		"UPDATE clinical_notes SET locked_at = now()",
		"DELETE FROM appointments",
	}
	for _, q := range writes {
		if _, err := rdb.Exec(q); !isPQ(err, "25006") {
			t.Errorf("%s as %s: %v, want read-only transaction (25006)", q, role, err)
		}
	}
	sqlExec(t, rdb, "SET default_transaction_read_only = off") // one connection: same session
	for _, q := range writes {
		if _, err := rdb.Exec(q); !isPQ(err, "42501") {
			t.Errorf("%s as %s, read-only off: %v, want permission denied (42501)", q, role, err)
		}
	}
	// Through mipspi too: db load and db init fail (exit 1) and name the refusal.
	o := mipspi(t, "db", "load", "--db", reader, filepath.Join(testdataDir, "small.yaml"))
	if o.code != exitFail || !strings.Contains(o.stderr, "pq: permission denied for table offices (42501)") || strings.Contains(o.stderr, password) {
		t.Errorf("db load as %s: exit %d, stderr %s", role, o.code, o.stderr)
	}
	o = mipspi(t, "db", "init", "--db", reader, "--force")
	if o.code != exitFail || !strings.Contains(o.stderr, "pq: permission denied for schema public") || strings.Contains(o.stderr, password) {
		t.Errorf("db init as %s: exit %d, stderr %s", role, o.code, o.stderr)
	}
	// The data is untouched.
	after := mustRun(t, args([]string{"report", "--db", owner, "--quiet", "--format", "json", "--patients"}, smallPeriod)...).stdout
	before := mustRun(t, args([]string{"report", "--db", reader, "--quiet", "--format", "json", "--patients"}, smallPeriod)...).stdout
	if after != before {
		t.Errorf("the reader's attempts changed the data")
	}
}

func sqlOpen(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func sqlExec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func isPQ(err error, code string) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && string(pe.Code) == code
}

// diffText is a short diff of two outputs for a failure message.
func diffText(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}
