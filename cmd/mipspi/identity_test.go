package main

// SPEC §7: combine refuses two reports of the same database, however it was named — a
// symlink or a hard link to the SQLite file, a byte copy of it, another host name for
// the same PostgreSQL server — and still reads reports written before the identity.

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mipspi/mipspi/internal/pgtest"
)

// reportJSON writes the JSON report of dsn to file and returns its source.
func reportJSON(t *testing.T, dsn, file string) map[string]string {
	t.Helper()
	mustRun(t, args([]string{"report", "--db", dsn, "--format", "json", "--out", file}, combinePeriod)...)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Source map[string]string }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Source
}

// refused runs combine on files and checks that it exits 1 naming both and nothing is
// written.
func refused(t *testing.T, first, second string) {
	t.Helper()
	o := mipspi(t, "combine", "--format", "json", "--out", "never.json", first, second)
	if o.code != exitFail {
		t.Fatalf("combine %s %s: exit %d, want 1; stderr %q", first, second, o.code, o.stderr)
	}
	if want := "mipspi: " + second + ": the same source as " + first + " ("; !strings.HasPrefix(o.stderr, want) ||
		!strings.Contains(o.stderr, "its patients would be counted twice") {
		t.Errorf("stderr = %q, want it to start with %q", o.stderr, want)
	}
	if _, err := os.Stat("never.json"); !os.IsNotExist(err) {
		t.Error("never.json written")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

var sqliteIdentity = regexp.MustCompile(`^sqlite:sha256:[0-9a-f]{64}$`)

func TestCombineRefusesSameSQLiteFile(t *testing.T) {
	t.Chdir(t.TempDir())
	siteDB(t, "site-a")
	siteDB(t, "site-b")
	if err := os.Mkdir("elsewhere", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("..", "site-a.db"), filepath.Join("elsewhere", "link.db")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link("site-a.db", "hard.db"); err != nil {
		t.Fatal(err)
	}
	copyFile(t, "site-a.db", "copy.db")
	a := reportJSON(t, "sqlite:site-a.db", "a.json")
	if !sqliteIdentity.MatchString(a["identity"]) {
		t.Fatalf("source %v: no identity", a)
	}
	for _, c := range []struct{ name, dsn string }{
		{"symlink", "sqlite:elsewhere/link.db"},
		{"hard link", "sqlite:hard.db"},
		{"byte copy", "file:copy.db"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := reportJSON(t, c.dsn, c.name+".json")
			if got["identity"] != a["identity"] || got["database"] == a["database"] {
				t.Errorf("source %v, want the identity of %v under another name", got, a)
			}
			refused(t, "a.json", c.name+".json")
		})
	}
	// Another database is another source, and a copy changed afterwards is another
	// database.
	b := reportJSON(t, "sqlite:site-b.db", "b.json")
	if b["identity"] == a["identity"] {
		t.Errorf("site B has site A's identity %s", a["identity"])
	}
	mustRun(t, "combine", "--format", "csv", "a.json", "b.json")
	mustRun(t, "db", "load", "--db", "sqlite:copy.db", filepath.Join(testdataDir, "combine", "site-c.yaml"))
	changed := reportJSON(t, "sqlite:copy.db", "changed.json")
	if changed["identity"] == a["identity"] {
		t.Errorf("the changed copy kept the identity %s", a["identity"])
	}
	mustRun(t, "combine", "--format", "csv", "a.json", "changed.json")
	// The same file read again after rows were added is still the same file.
	mustRun(t, "db", "load", "--db", "sqlite:site-a.db", filepath.Join(testdataDir, "combine", "site-c.yaml"))
	reportJSON(t, "sqlite:site-a.db", "a-more.json")
	refused(t, "a.json", "a-more.json")
}

func TestCombineRefusesSamePostgresUnderAnotherName(t *testing.T) {
	t.Chdir(t.TempDir())
	dsn := pgtest.NewDatabase(t)
	other := pgtest.NewDatabase(t)
	for _, d := range []string{dsn, other} {
		mustRun(t, "db", "init", "--db", d)
		mustRun(t, "db", "load", "--db", d, filepath.Join(testdataDir, "combine", "site-a.yaml"))
	}
	if !strings.Contains(dsn, "@127.0.0.1:") {
		t.Fatalf("test server DSN %q does not name 127.0.0.1", dsn)
	}
	alias := strings.Replace(dsn, "@127.0.0.1:", "@localhost:", 1)
	a := reportJSON(t, dsn, "ip.json")
	b := reportJSON(t, alias, "alias.json")
	if !regexp.MustCompile(`^postgres:[0-9]+/`).MatchString(a["identity"]) || a["identity"] != b["identity"] || a["host"] == b["host"] {
		t.Errorf("sources %v and %v: want one identity under two host names", a, b)
	}
	refused(t, "ip.json", "alias.json")
	// Another database of the same server is another source.
	c := reportJSON(t, other, "other.json")
	if c["identity"] == a["identity"] {
		t.Errorf("another database has the identity %s", a["identity"])
	}
	mustRun(t, "combine", "--format", "csv", "ip.json", "other.json")
}

// TestCombineReadsReportsWithoutIdentity: a report written before the identity existed
// is compared by the name its DSN gave, as it always was.
func TestCombineReadsReportsWithoutIdentity(t *testing.T) {
	t.Chdir(t.TempDir())
	siteDB(t, "site-a")
	siteDB(t, "site-b")
	reportJSON(t, "sqlite:site-a.db", "a.json")
	reportJSON(t, "sqlite:site-b.db", "b.json")
	old := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		s := regexp.MustCompile(`,\s*"identity": "[^"]*"`).ReplaceAllString(string(b), "")
		if s == string(b) {
			t.Fatalf("%s has no identity to take out", from)
		}
		if err := os.WriteFile(to, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old("a.json", "a-old.json")
	old("b.json", "b-old.json")
	mustRun(t, "combine", "--format", "csv", "a-old.json", "b-old.json")
	mustRun(t, "combine", "--format", "csv", "a-old.json", "b.json")
	refused(t, "a-old.json", "a.json")
}
