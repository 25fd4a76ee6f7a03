package ehr_test

// Issue 13: the DSN is parsed, SQLite is opened read-only for reading, and no message
// carries any part of a password whatever the DSN's shape.

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/internal/pgtest"
)

const escapeHint = "; " + ehr.DSNEscapeHint

// TestParsePostgresDSNNeverQuotesPassword: DSNs whose password holds a URL character
// are refused with a message naming the problem and how to escape it; none quotes any
// part of the password (url.Parse's own error quoted ":Sup3rSecretPW").
func TestParsePostgresDSNNeverQuotesPassword(t *testing.T) {
	const pw = "Sup3rSecretPW"
	for _, c := range []struct{ dsn, want string }{
		{"postgres://reader:" + pw + "#@db.example.org:5432/ehr",
			"invalid PostgreSQL DSN: it holds a '#' (in a URL it starts a fragment)" + escapeHint},
		{"postgres://reader:" + pw + "/x@db.example.org:5432/ehr",
			"invalid PostgreSQL DSN: an '@' after the host (a user name or password with an unescaped /, ? or @?)" + escapeHint},
		{"postgres://reader:1234/" + pw + "@db.example.org/ehr", // parses: 1234 would be the port
			"invalid PostgreSQL DSN: an '@' after the host (a user name or password with an unescaped /, ? or @?)" + escapeHint},
		{"postgres://reader:" + pw + "?x@db.example.org/ehr",
			"invalid PostgreSQL DSN: an '@' after the host (a user name or password with an unescaped /, ? or @?)" + escapeHint},
		{"postgres://reader:" + pw + "%zz@db.example.org/ehr",
			"invalid PostgreSQL DSN: a % is not followed by two hexadecimal digits" + escapeHint},
		{"postgres://reader:" + pw + " x@db.example.org/ehr",
			"invalid PostgreSQL DSN: the user name or password holds a character that must be escaped" + escapeHint},
		{"postgres://reader:" + pw + "\x01@db.example.org/ehr",
			"invalid PostgreSQL DSN: it holds a control character" + escapeHint},
		{"postgres://reader:" + pw + "@db.example.org:99999/ehr",
			"invalid PostgreSQL DSN: the port is not a number from 0 to 65535" + escapeHint},
		{"postgresql://reader" + pw + ":x@db.example.org:" + pw + "/ehr", // a password typed in the port
			"invalid PostgreSQL DSN: the port is not a number" + escapeHint},
	} {
		_, err := ehr.ParseDSN(c.dsn)
		if err == nil || err.Error() != c.want {
			t.Errorf("ParseDSN(%q):\n got  %v\n want %s", c.dsn, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "Sup3r") {
			t.Errorf("ParseDSN(%q) leaks the password: %v", c.dsn, err)
		}
	}
	// Escaped, the same password is fine and never in Redacted.
	d, err := ehr.ParseDSN("postgres://reader:" + url.QueryEscape(pw+"#/?@:") + "@db.example.org:5432/ehr?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	if d.Redacted != "postgres://reader@db.example.org:5432/ehr" {
		t.Errorf("Redacted %q", d.Redacted)
	}
}

// dsnReasons are every reason ParseDSN gives for a bad PostgreSQL DSN: none depends
// on the DSN's text.
var dsnReasons = []string{
	"it holds a '#' (in a URL it starts a fragment)",
	"an '@' after the host (a user name or password with an unescaped /, ? or @?)",
	"the port is not a number",
	"the port is not a number from 0 to 65535",
	"a % is not followed by two hexadecimal digits",
	"the user name or password holds a character that must be escaped",
	"the host name holds an invalid character",
	"it holds a control character",
	"an IPv6 host must be written in brackets, [::1]",
	"it is not a valid URL",
}

// FuzzPostgresDSNSecret: whatever characters a password holds, written raw into a DSN,
// ParseDSN either refuses it with one of the fixed messages (which quote nothing of the
// DSN), or parses it with a Redacted form that shows no 4 characters of the password
// and a Scrub that removes it.
func FuzzPostgresDSNSecret(f *testing.F) {
	for _, s := range []string{"Sup3rSecretPW#", "1234/5678", "p@ss:w/rd?", "abc%zz", "with space", "ok-pw", "::::", "a#b@c/d?e", "[::1]"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, pw string, shape uint8) {
		if len(pw) < 4 {
			return
		}
		var dsn string
		switch shape % 4 {
		case 0:
			dsn = "postgres://reader:" + pw + "@db.example.org:5432/ehr"
		case 1:
			dsn = "postgresql://reader:" + pw + "@db.example.org/ehr?sslmode=disable"
		case 2:
			dsn = "postgres://" + pw + "@db.example.org/ehr" // a password typed as the user
		default:
			dsn = "postgres://reader:" + pw + "@/ehr?host=/run/postgresql"
		}
		d, err := ehr.ParseDSN(dsn)
		if err != nil {
			for _, r := range dsnReasons {
				if err.Error() == "invalid PostgreSQL DSN: "+r+escapeHint {
					return
				}
			}
			t.Fatalf("DSN %q: message not one of the fixed ones: %v", dsn, err)
		}
		if shape%4 == 2 {
			return // typed as the user name, it is a user name
		}
		// Scrub writes its mask "xxxxx" where the password stood; a password made of x's
		// (the fuzzer found "xxxx") matches the mask itself, so the mask is taken out
		// before looking for what is left of the password.
		got := d.Scrub(errors.New("x " + pw + " y")).Error()
		if !strings.Contains(pw, "\x00") && strings.Contains(strings.ReplaceAll(got, "xxxxx", "\x00"), pw) {
			t.Fatalf("Scrub keeps the password: %q", got)
		}
		template := strings.ReplaceAll(dsn, pw, "") + " localhost 5432"
		for i := 0; i+4 <= len(pw); i++ {
			if part := pw[i : i+4]; !strings.Contains(template, part) && strings.Contains(d.Redacted, part) {
				t.Fatalf("DSN %q: Redacted %q shows %q of the password", dsn, d.Redacted, part)
			}
		}
	})
}

// TestCheckRead: SQLite parameters are parsed; only read-only ones pass.
func TestCheckRead(t *testing.T) {
	const allowed = "mipspi opens the EHR read-only and accepts only mode=ro, cache=shared|private, _pragma=busy_timeout(N)|cache_size(N)|mmap_size(N)|temp_store(memory)"
	for _, c := range []struct{ dsn, want string }{
		{"sqlite:w.db", ""},
		{"file:w.db?mode=ro&cache=shared&_pragma=cache_size(-2000)&_pragma=busy_timeout(500)&_pragma=temp_store=memory", ""},
		{"sqlite:w.db?_pragma=user_version(1)%3BDROP%20TABLE%20api_windows",
			`sqlite:w.db: SQLite parameter "_pragma=user_version(1);DROP TABLE api_windows" is refused: ` + allowed},
		{"sqlite:w.db?_pragma=cache_size(1)%3BDROP%20TABLE%20x", `sqlite:w.db: SQLite parameter "_pragma=cache_size(1);DROP TABLE x" is refused: ` + allowed},
		{"sqlite:w.db?_pragma=journal_mode(WAL)", "sqlite:w.db: SQLite parameter _pragma=journal_mode(WAL) is refused: " + allowed},
		{"sqlite:w.db?mode=rwc", "sqlite:w.db: SQLite parameter mode=rwc is refused: " + allowed},
		{"sqlite:w.db?mode=rw", "sqlite:w.db: SQLite parameter mode=rw is refused: " + allowed},
		{"sqlite:w.db?_txlock=exclusive", "sqlite:w.db: SQLite parameter _txlock=exclusive is refused: " + allowed},
		{"sqlite:w.db?vfs=unix-none", "sqlite:w.db: SQLite parameter vfs=unix-none is refused: " + allowed},
		{"sqlite:/x/none.db?nomode=memory", "sqlite:/x/none.db: SQLite parameter nomode=memory is refused: " + allowed},
		{"sqlite:w.db?mode=memory", "sqlite:w.db: an in-memory SQLite database holds no EHR; give the database file"},
		{"sqlite::memory:", "sqlite::memory:: an in-memory SQLite database holds no EHR; give the database file"},
		{"postgres://u@h/db?sslmode=disable", ""},
	} {
		d, err := ehr.ParseDSN(c.dsn)
		if err != nil {
			t.Fatalf("ParseDSN(%q): %v", c.dsn, err)
		}
		got := ""
		if err := d.CheckRead(); err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("CheckRead(%q):\n got  %s\n want %s", c.dsn, got, c.want)
		}
	}
	// mode=memory is read as a parameter, not found as a substring.
	if d, _ := ehr.ParseDSN("sqlite:x.db?nomode=memory"); d.Memory {
		t.Error("nomode=memory taken for an in-memory database")
	}
	for _, raw := range []string{"sqlite:x.db?a=%zz", "sqlite:x.db?_pragma=cache_size(1);DROP TABLE x"} {
		if _, err := ehr.ParseDSN(raw); err == nil || err.Error() != "sqlite:x.db: the parameters after '?' are not name=value pairs joined by '&'" {
			t.Errorf("%s: %v", raw, err)
		}
	}
	if _, err := ehr.ParseDSN("sqlite:x.db?a=%zz"); err == nil || err.Error() != "sqlite:x.db: the parameters after '?' are not name=value pairs joined by '&'" {
		t.Errorf("bad query: %v", err)
	}
}

// sqliteFile builds a one-table SQLite database and returns its path and bytes.
func sqliteFile(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ehr.db")
	s, err := ehr.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().DB.Exec(`CREATE TABLE api_windows (id INTEGER PRIMARY KEY, tin TEXT)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// TestOpenReadOnly: nothing can write through the read-only store, the file's bytes do
// not change, and a missing file, a directory or a FIFO is refused before SQLite runs.
func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	path, before := sqliteFile(t)
	s, err := ehr.OpenReadOnly(ctx, "sqlite:"+path, ehr.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TABLE api_windows`, `PRAGMA journal_mode=WAL`, `INSERT INTO api_windows VALUES (1, 'x')`, `PRAGMA query_only=0; DROP TABLE api_windows`} {
		if _, err := s.DB().DB.Exec(q); err == nil {
			if q == `PRAGMA journal_mode=WAL` {
				continue // answered, but cannot change a read-only file: checked below
			}
			t.Errorf("%s succeeded through the read-only store", q)
		}
	}
	s.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the database file changed")
	}

	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.db")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dsn, want string }{
		{"sqlite:" + filepath.Join(dir, "none.db"), "open sqlite:" + filepath.Join(dir, "none.db") + ": no such file or directory"},
		{"sqlite:" + dir, "open sqlite:" + dir + ": is a directory, not a SQLite database file"},
		{"sqlite:" + fifo, "open sqlite:" + fifo + ": is not a regular file (a device, pipe or socket), not a SQLite database file"},
		{"sqlite:" + path + "?_pragma=journal_mode(WAL)", "open database: sqlite:" + path + ": SQLite parameter _pragma=journal_mode(WAL) is refused: mipspi opens the EHR read-only and accepts only mode=ro, cache=shared|private, _pragma=busy_timeout(N)|cache_size(N)|mmap_size(N)|temp_store(memory)"},
	} {
		s, err := ehr.OpenReadOnly(ctx, c.dsn, ehr.ReadOptions{})
		if err == nil {
			s.Close()
			t.Errorf("OpenReadOnly(%q) succeeded", c.dsn)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("OpenReadOnly(%q):\n got  %v\n want %s", c.dsn, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); !os.IsNotExist(err) {
		t.Error("none.db was created")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the database file changed")
	}
}

// TestOpenReadOnlyBusyTimeout: while another connection holds the write lock, a read
// gives up after the busy timeout it was given (SQLite's default wait was 10 s).
func TestOpenReadOnlyBusyTimeout(t *testing.T) {
	ctx := context.Background()
	path, _ := sqliteFile(t)
	w, err := ehr.Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	conn, err := w.DB().DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `ROLLBACK`)

	start := time.Now()
	r, err := ehr.OpenReadOnly(ctx, "sqlite:"+path, ehr.ReadOptions{BusyTimeout: 200 * time.Millisecond})
	if err == nil {
		var n int
		err = r.DB().DB.QueryRowContext(ctx, `SELECT count(*) FROM api_windows`).Scan(&n)
		r.Close()
	}
	waited := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Fatalf("read under an exclusive lock: %v", err)
	}
	// Not a timing assertion on speed: the old 10 s wait is what must be gone.
	if waited > 5*time.Second {
		t.Errorf("waited %s for the lock with a 200ms busy timeout", waited)
	}
}

// TestPostgresSSLHint: a server without TLS, asked for sslmode=require (lib/pq's
// default), gets a message saying what to change.
func TestPostgresSSLHint(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("sslmode", "require")
	u.RawQuery = q.Encode()
	s, err := ehr.Open(context.Background(), u.String())
	if err == nil {
		s.Close()
		t.Skip("the test server offers TLS")
	}
	want := "pq: SSL is not enabled on the server (the server offers no TLS: on a trusted network add sslmode=disable to the DSN; in production enable TLS on the server and use sslmode=verify-full)"
	if !strings.HasSuffix(err.Error(), want) {
		t.Errorf("got %v\nwant suffix %s", err, want)
	}
}
