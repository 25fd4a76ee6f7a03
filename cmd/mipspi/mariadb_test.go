package main

// MariaDB (SPEC §8) end to end: every guard that holds for PostgreSQL holds here. The
// least-privilege login of docs/mariadb.md gives the owner's report byte for byte and
// cannot write; a login that lacks SELECT on one relation is told which; the server
// down, a wrong password, a missing database, --timeout and a server that dies mid-read
// each end with exit 1, one line naming the server, no password and no report file.

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/internal/mariadbtest"
)

// mariadbGrant is docs/mariadb.md's least-privilege login, with {user}, {db} and
// {password} to fill.
const mariadbGrant = `CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{password}';
GRANT SELECT ON {db}.* TO '{user}'@'127.0.0.1'`

// mariadbSmall is a fresh MariaDB database holding testdata/small.yaml: its DSN (the
// administrative login) and name.
func mariadbSmall(t *testing.T) (string, string) {
	t.Helper()
	dsn := mariadbtest.NewDatabase(t)
	mustRun(t, "db", "init", "--db", dsn)
	mustRun(t, "db", "load", "--db", dsn, filepath.Join(testdataDir, "small.yaml"))
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return dsn, strings.TrimPrefix(u.Path, "/")
}

// withLogin is dsn with another user and password.
func withLogin(t *testing.T, dsn, user, password string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

var loginCounter int

func newLogin(t *testing.T, db, password string, grants ...string) string {
	t.Helper()
	loginCounter++
	user := fmt.Sprintf("reader_%d", loginCounter)
	mariadbtest.Exec(t, "", "CREATE USER '"+user+"'@'127.0.0.1' IDENTIFIED BY '"+password+"'")
	t.Cleanup(func() { mariadbtest.Exec(t, "", "DROP USER IF EXISTS '"+user+"'@'127.0.0.1'") })
	for _, g := range grants {
		mariadbtest.Exec(t, "", strings.NewReplacer("{user}", user, "{db}", db).Replace(g))
	}
	return user
}

func TestMariaDBLeastPrivilege(t *testing.T) {
	t.Chdir(t.TempDir())
	owner, db := mariadbSmall(t)
	const password = "Reader-Pw-7d1e"
	grant := strings.Split(mariadbGrant, ";\n")[1]
	user := newLogin(t, db, password, grant)
	reader := withLogin(t, owner, user, password)

	for _, format := range [][]string{
		{"--format", "json", "--patients"},
		{"--format", "csv", "--table", "issues"},
		{"--format", "csv", "--table", "patients"},
	} {
		a := withoutSource(mustRun(t, args([]string{"report", "--db", owner, "--quiet"}, smallPeriod, format)...).stdout)
		b := withoutSource(mustRun(t, args([]string{"report", "--db", reader, "--quiet"}, smallPeriod, format)...).stdout)
		if a != b || a == "" {
			t.Errorf("%v as %s differs from the owner's:\n%s", format, user, diffText(a, b))
		}
	}
	mustRun(t, args([]string{"notes", "--db", reader, "--quiet"}, smallPeriod)...)

	// Writes are refused by the missing privileges, through mipspi too.
	o := mipspi(t, "db", "load", "--db", reader, filepath.Join(testdataDir, "small.yaml"))
	if o.code != exitFail || !strings.Contains(o.stderr, "INSERT command denied to user '"+user+"'") || strings.Contains(o.stderr, password) {
		t.Errorf("db load as %s: exit %d, stderr %s", user, o.code, o.stderr)
	}
	o = mipspi(t, "db", "init", "--db", reader, "--force")
	if o.code != exitFail || !strings.Contains(o.stderr, "denied to user '"+user+"'") || strings.Contains(o.stderr, password) {
		t.Errorf("db init as %s: exit %d, stderr %s", user, o.code, o.stderr)
	}
}

// A login that may read every relation but one is told which one, whichever it is.
func TestMariaDBMissingSelect(t *testing.T) {
	t.Chdir(t.TempDir())
	owner, db := mariadbSmall(t)
	const password = "Reader-Pw-0b9f"
	for _, missing := range ehr.Relations {
		t.Run(missing, func(t *testing.T) {
			var grants []string
			for _, rel := range ehr.Relations {
				if rel != missing {
					grants = append(grants, "GRANT SELECT ON {db}."+rel+" TO '{user}'@'127.0.0.1'")
				}
			}
			user := newLogin(t, db, password, grants...)
			out := t.TempDir()
			o := mipspi(t, args([]string{"report", "--db", withLogin(t, owner, user, password), "--format", "json",
				"--out", filepath.Join(out, "r.json")}, smallPeriod)...)
			want := regexp.MustCompile(`^mipspi: read \w+ from mysql://` + user + `@127\.0\.0\.1:\d+/` + db +
				`: (find rows that point at nothing: )?Error 1142 \(42000\): SELECT command denied to user '` + user + `'@'127\.0\.0\.1' for table ` +
				"`" + db + "`.`" + missing + "`\n$")
			checkFailedPW(t, o, want, out, password)
		})
	}
}

// checkFailedPW is checkFailed with the password of the test.
func checkFailedPW(t *testing.T, o outcome, want *regexp.Regexp, outDir, password string) {
	t.Helper()
	checkFailed(t, o, want, outDir)
	if strings.Contains(o.stdout+o.stderr, password) {
		t.Errorf("the password leaked:\n%s", o.stderr)
	}
}

func TestMariaDBFaults(t *testing.T) {
	t.Chdir(t.TempDir())
	owner, db := mariadbSmall(t)
	u, _ := url.Parse(owner)
	pw, _ := u.User.Password()
	user, host := u.User.Username(), regexp.QuoteMeta(u.Host)
	port := freeTCPPort(t)

	for _, c := range []struct {
		name string
		dsn  string
		want string
	}{
		{"server down", fmt.Sprintf("mysql://%s:%s@127.0.0.1:%d/%s?timeout=5s", user, pw, port, db),
			fmt.Sprintf(`^mipspi: connect to mysql://%s@127\.0\.0\.1:%d/%s: dial tcp 127\.0\.0\.1:%d: connect: connection refused\n$`, user, port, db, port)},
		{"wrong password", withLogin(t, owner, user, "not-"+pw),
			`^mipspi: connect to mysql://` + user + `@` + host + `/` + db + `: Error 1045 \(28000\): Access denied for user '` + user +
				`'@'127\.0\.0\.1' \(using password: YES\) \(check the user name and password, and that the login may connect from this host\)\n$`},
		{"no such database", strings.Replace(owner, "/"+db, "/"+db+"_typo", 1),
			`^mipspi: connect to mysql://` + user + `@` + host + `/` + db + `_typo: Error 1049 \(42000\): Unknown database '` + db +
				`_typo' \(the database after the host must exist and the login needs SELECT on it: GRANT SELECT ON db\.\* TO …\)\n$`},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, cmd := range [][]string{{"report", "--format", "xlsx"}, {"notes"}, {"export", "--to", "qpp"}} {
				out := t.TempDir()
				target := filepath.Join(out, "r")
				o := mipspi(t, args(cmd, []string{"--db", c.dsn, "--out", target}, smallPeriod)...)
				checkFailedPW(t, o, regexp.MustCompile(c.want), out, pw)
				if strings.Contains(o.stderr, "not-") {
					t.Errorf("the wrong password leaked: %s", o.stderr)
				}
			}
		})
	}

	t.Run("--timeout", func(t *testing.T) {
		// A view that takes ten seconds stands in for a slow EHR.
		mariadbtest.Exec(t, db, "RENAME TABLE offices TO offices_t",
			"CREATE VIEW offices AS SELECT o.* FROM offices_t o WHERE SLEEP(10) = 0")
		defer mariadbtest.Exec(t, db, "DROP VIEW offices", "RENAME TABLE offices_t TO offices")
		out := t.TempDir()
		start := time.Now()
		o := mipspi(t, args([]string{"report", "--db", owner, "--timeout", "1s", "--format", "json",
			"--out", filepath.Join(out, "r.json")}, smallPeriod)...)
		checkFailedPW(t, o, regexp.MustCompile(`^mipspi: timed out after 1s \(--timeout\): read offices from mysql://`+user+`@`+host+`/`+db+`: .+\n$`), out, pw)
		if time.Since(start) > 8*time.Second {
			t.Errorf("--timeout 1s took %s", time.Since(start))
		}
		// The query was ended on the server too (KILL QUERY), not left sleeping.
		waitNoMariaDBQuery(t, "SLEEP(10)")
	})
}

// waitNoMariaDBQuery waits until no session runs a query containing text, and fails if
// one still does after ten seconds.
func waitNoMariaDBQuery(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		db := sqlOpenMariaDB(t, mariadbtest.Admin(t, "mysql"))
		var n int
		err := db.QueryRow(`SELECT count(*) FROM information_schema.processlist WHERE info LIKE ? AND id <> CONNECTION_ID()`,
			"%"+text+"%").Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d session(s) still run %q", n, text)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The server dies while the period's appointments stream: exit 1, a lost connection
// named as such, no report.
func TestMariaDBServerStoppedMidRead(t *testing.T) {
	t.Chdir(t.TempDir())
	srv := mariadbtest.NewServer(t)
	dsn := srv.NewDatabase()
	mustRun(t, "db", "generate", "--db", dsn, "--patients", "20000", "--appointments", "100000", "--quiet")
	u, _ := url.Parse(dsn)
	pw, _ := u.User.Password()
	// The appointments stream slowly: one note in 5,000 sleeps as the period's scan
	// joins it (the notes are a view; nothing else reads them before that scan).
	db := sqlOpenMariaDB(t, dsn) // the dedicated server's administrative login
	for _, q := range []string{"RENAME TABLE clinical_notes TO clinical_notes_t",
		"CREATE VIEW clinical_notes AS SELECT * FROM clinical_notes_t WHERE id % 5000 <> 0 OR SLEEP(1) = 0"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-time.After(2 * time.Second):
			srv.Stop()
		case <-ctx.Done():
		}
	}()
	o := mipspi(t, args([]string{"report", "--db", dsn, "--format", "json", "--out", filepath.Join(out, "r.json")}, smallPeriod)...)
	checkFailedPW(t, o, regexp.MustCompile(`^mipspi: read appointments from mysql://\w+@127\.0\.0\.1:\d+/\w+: `+
		`lost the connection to the server \(it stopped or restarted, ended this session, or the network failed\): .+\n$`), out, pw)
}

// sqlOpenMariaDB opens a mipspi MariaDB DSN for a test's own statements.
func sqlOpenMariaDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	st, err := ehr.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.DB().DB
}

// SPEC §7: one MariaDB database reached over TCP and through the server's socket is one
// source (@@hostname, @@port, @@datadir and the database's name); another database of
// the same server is another.
func TestCombineRefusesSameMariaDBUnderAnotherName(t *testing.T) {
	t.Chdir(t.TempDir())
	dsn, other := mariadbtest.NewDatabase(t), mariadbtest.NewDatabase(t)
	for _, d := range []string{dsn, other} {
		mustRun(t, "db", "init", "--db", d)
		mustRun(t, "db", "load", "--db", d, filepath.Join(testdataDir, "combine", "site-a.yaml"))
	}
	u, _ := url.Parse(dsn)
	sock := mariadbtest.SocketDSN(t, strings.TrimPrefix(u.Path, "/"))
	a := reportJSON(t, dsn, "tcp.json")
	b := reportJSON(t, sock, "socket.json")
	if !regexp.MustCompile(`^mariadb:[^:]+:\d+:/.+/`+regexp.QuoteMeta(strings.TrimPrefix(u.Path, "/"))+`$`).MatchString(a["identity"]) ||
		a["identity"] != b["identity"] || a["host"] == b["host"] {
		t.Errorf("sources %v and %v: want one identity under two names", a, b)
	}
	refused(t, "tcp.json", "socket.json")
	c := reportJSON(t, other, "other.json")
	if c["identity"] == a["identity"] {
		t.Errorf("another database has the identity %s", a["identity"])
	}
	mustRun(t, "combine", "--format", "csv", "tcp.json", "other.json")
}

// A password holding every URL character, percent-escaped in the DSN, logs in, and
// appears in no message, neither as typed nor decoded.
func TestMariaDBOddPassword(t *testing.T) {
	t.Chdir(t.TempDir())
	owner, db := mariadbSmall(t)
	const password = `p@ss:w/rd?#%x y`
	user := newLogin(t, db, strings.ReplaceAll(password, `'`, `''`), "GRANT SELECT ON {db}.* TO '{user}'@'127.0.0.1'")
	dsn := withLogin(t, owner, user, password)
	u, _ := url.Parse(dsn)
	typedPW, _ := strings.CutPrefix(strings.SplitN(strings.TrimPrefix(dsn, "mysql://"), "@", 2)[0], user+":")
	a := withoutSource(mustRun(t, args([]string{"report", "--db", owner, "--quiet", "--format", "json"}, smallPeriod)...).stdout)
	b := withoutSource(mustRun(t, args([]string{"report", "--db", dsn, "--quiet", "--format", "json"}, smallPeriod)...).stdout)
	if a != b {
		t.Errorf("the report through the odd password differs:\n%s", diffText(a, b))
	}
	for _, bad := range []string{strings.Replace(dsn, u.Path, u.Path+"_typo", 1), strings.Replace(dsn, u.Path, "/"+db+"?parseTime=true", 1)} {
		out := t.TempDir()
		o := mipspi(t, args([]string{"report", "--db", bad, "--out", filepath.Join(out, "r")}, smallPeriod)...)
		if o.code == 0 {
			t.Fatalf("report with %s succeeded", u.Redacted())
		}
		for _, secret := range []string{password, typedPW, url.QueryEscape(password), url.PathEscape(password)} {
			if strings.Contains(o.stderr, secret) {
				t.Errorf("the password (%q) is in %q", secret, o.stderr)
			}
		}
	}
}
