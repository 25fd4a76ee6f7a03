package main

// Issue 13: never touch the EHR or a user's files. One test per row of the issue's
// table; each asserts the exact message, the exit code, that the EHR file's bytes are
// unchanged and that a previous output file is unchanged.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mipspi/mipspi/ehr"
)

const previousOutput = "previous report\n"

// guardFiles builds the small database (chdir'd into its directory), a configuration
// file and a previous output file, and returns a function checking that none of them
// changed.
func guardFiles(t *testing.T) (dsn string, unchanged func(what string)) {
	t.Helper()
	dsn = smallDB(t)
	if err := os.WriteFile("c.yaml", []byte("holidays: federal\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("prev.csv", []byte(previousOutput), 0o600); err != nil {
		t.Fatal(err)
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	db, cfg := read("small.db"), read("c.yaml")
	return dsn, func(what string) {
		t.Helper()
		if !bytes.Equal(read("small.db"), db) {
			t.Errorf("%s: the EHR database file changed", what)
		}
		if !bytes.Equal(read("c.yaml"), cfg) {
			t.Errorf("%s: the configuration file changed", what)
		}
		if string(read("prev.csv")) != previousOutput {
			t.Errorf("%s: the previous output file changed", what)
		}
		for _, side := range []string{"small.db-journal", "small.db-wal", "small.db-shm"} {
			if _, err := os.Stat(side); err == nil {
				t.Errorf("%s: %s was created", what, side)
			}
		}
	}
}

// checkOutcome asserts exit code and the exact stderr (one line), nothing on stdout.
func checkOutcome(t *testing.T, what string, o outcome, code int, stderr string) {
	t.Helper()
	if o.code != code || o.stderr != stderr || o.stdout != "" {
		t.Errorf("%s: exit %d, stdout %d bytes, stderr\n%q\nwant exit %d and\n%q", what, o.code, len(o.stdout), o.stderr, code, stderr)
	}
}

// TestOutNeverReplacesInputs (rows 1, 2, 11): --out naming the database (however
// spelled), its journal, the configuration file, a FIFO or a directory nobody can
// write is refused with exit 2 before the database is read; nothing changes.
func TestOutNeverReplacesInputs(t *testing.T) {
	dsn, unchanged := guardFiles(t)
	cwd, _ := os.Getwd()
	if err := os.Link("small.db", "hard.db"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("small.db", "sym.db"); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo("fifo", 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("fifo", "stdout-like"); err != nil { // as /dev/stdout → a pipe
		t.Fatal(err)
	}
	// A character device like /dev/null (major 1, minor 3), made here so that a broken
	// guard could only replace this copy; making one needs root.
	device := ""
	if err := syscall.Mknod("null", syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
		device = "null"
	}
	if err := os.Mkdir("sub", 0o700); err != nil {
		t.Fatal(err)
	}
	// A directory that cannot be written: as root, permission bits do not stop a
	// write, so /sys (which refuses new files to root too) stands in.
	locked := filepath.Join(cwd, "locked")
	if err := os.Mkdir(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		locked = "/sys"
	}
	missingDB := "sqlite:" + filepath.Join(cwd, "none", "x.db") // a read would exit 1
	isDB := func(out string) string {
		return "mipspi: --out " + out + " is the database (small.db); give another file name\n"
	}
	notRegular := func(out string) string {
		return "mipspi: --out " + out + " is not a regular file (a device, pipe or socket); mipspi writes only regular files (leave --out out to write to stdout)\n"
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"report onto the database", []string{"report", "--db", dsn, "-f", "csv", "--out", "small.db"}, isDB("small.db")},
		{"report onto ./database", []string{"report", "--db", dsn, "-f", "csv", "--out", "./small.db"}, isDB("./small.db")},
		{"notes onto ../dir/database", []string{"notes", "--db", dsn, "--out", "../" + filepath.Base(cwd) + "/small.db"}, isDB("../" + filepath.Base(cwd) + "/small.db")},
		{"report onto sub/../database", []string{"report", "--db", dsn, "--out", "sub/../small.db"}, isDB("sub/../small.db")},
		{"report onto a hard link of the database", []string{"report", "--db", dsn, "--out", "hard.db"}, isDB("hard.db")},
		{"report onto a symlink to the database", []string{"report", "--db", dsn, "--out", "sym.db"}, isDB("sym.db")},
		{"database given by absolute path", []string{"report", "--db", "sqlite:" + filepath.Join(cwd, "small.db"), "--out", "small.db"},
			"mipspi: --out small.db is the database (" + filepath.Join(cwd, "small.db") + "); give another file name\n"},
		{"report onto the journal (not there yet)", []string{"report", "--db", dsn, "--out", "small.db-journal"},
			"mipspi: --out small.db-journal is the database's journal file (small.db-journal); give another file name\n"},
		{"notes onto the WAL", []string{"notes", "--db", dsn, "--out", "small.db-wal"},
			"mipspi: --out small.db-wal is the database's wal file (small.db-wal); give another file name\n"},
		{"report onto the configuration", []string{"report", "--db", dsn, "--config", "c.yaml", "--out", "./c.yaml"},
			"mipspi: --out ./c.yaml is the configuration file (c.yaml); give another file name\n"},
		{"PostgreSQL: report onto the configuration", []string{"report", "--db", "postgres://u@127.0.0.1:1/ehr?sslmode=disable", "--config", "c.yaml", "--out", "c.yaml"},
			"mipspi: --out c.yaml is the configuration file (c.yaml); give another file name\n"},
		{"export into the database", []string{"export", "--to", "qpp", "--db", dsn, "--out", "small.db"}, isDB("small.db")},
		{"report onto a FIFO", []string{"report", "--db", dsn, "--out", "fifo"}, notRegular("fifo")},
		{"notes onto a link to a FIFO", []string{"notes", "--db", dsn, "--out", "stdout-like"}, notRegular("stdout-like")},
		{"report into an unwritable directory, before reading", []string{"report", "--db", missingDB, "--out", filepath.Join(locked, "r.txt")},
			"mipspi: --out " + filepath.Join(locked, "r.txt") + ": cannot write in directory " + locked + ": permission denied\n"},
		{"notes into an unwritable directory", []string{"notes", "--db", missingDB, "--out", filepath.Join(locked, "r.txt")},
			"mipspi: --out " + filepath.Join(locked, "r.txt") + ": cannot write in directory " + locked + ": permission denied\n"},
		{"export into an unwritable directory", []string{"export", "--to", "csv", "--db", missingDB, "--out", filepath.Join(locked, "reg")},
			"mipspi: --out " + filepath.Join(locked, "reg") + ": cannot write in directory " + locked + ": permission denied\n"},
		{"report onto a device", []string{"report", "--db", dsn, "--out", device}, notRegular(device)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.args[len(c.args)-1] == "" {
				t.Skip("making a device needs root")
			}
			o := mipspi(t, args(c.args, []string{"--from", "2025-01-01", "--to", "2025-12-31"})...)
			checkOutcome(t, c.name, o, exitUsage, c.want)
			unchanged(c.name)
			if fi, err := os.Lstat("fifo"); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
				t.Errorf("the FIFO was replaced: %v", err)
			}
			if fi, err := os.Lstat("null"); device != "" && (err != nil || fi.Mode()&os.ModeCharDevice == 0) {
				t.Errorf("the device was replaced: %v", err)
			}
			if fi, err := os.Lstat("sym.db"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the symlink was replaced: %v", err)
			}
		})
	}
	// Writing beside them still works, and leaves the EHR alone.
	o := mipspi(t, args([]string{"report", "--db", dsn, "--out", "new.txt", "--quiet"}, smallPeriod)...)
	checkOutcome(t, "report beside the database", o, exitOK, "")
	unchanged("report beside the database")
}

// TestReadOnlySQLite (rows 3, 4, 13): parameters that could write are refused before
// anything runs, a missing file is not created, a directory is named as one, and a
// normal run leaves the file's bytes as they were. SQLite only: PostgreSQL's read is a
// READ ONLY transaction and its DSN has no parameter that runs SQL.
func TestReadOnlySQLite(t *testing.T) {
	dsn, unchanged := guardFiles(t)
	dir := t.TempDir()
	const allowed = "mipspi opens the EHR read-only and accepts only mode=ro, cache=shared|private, _pragma=busy_timeout(N)|cache_size(N)|mmap_size(N)|temp_store(memory)"
	for _, c := range []struct {
		name, db string
		code     int
		want     string
	}{
		{"pragma that drops a table", dsn + "?_pragma=user_version(1)%3BDROP%20TABLE%20api_windows", exitUsage,
			`mipspi: --db sqlite:small.db: SQLite parameter "_pragma=user_version(1);DROP TABLE api_windows" is refused: ` + allowed + "\n"},
		{"pragma journal_mode(WAL)", dsn + "?_pragma=journal_mode(WAL)", exitUsage,
			"mipspi: --db sqlite:small.db: SQLite parameter _pragma=journal_mode(WAL) is refused: " + allowed + "\n"},
		{"mode=rwc", dsn + "?mode=rwc", exitUsage, "mipspi: --db sqlite:small.db: SQLite parameter mode=rwc is refused: " + allowed + "\n"},
		{"_txlock=exclusive", dsn + "?_txlock=exclusive", exitUsage, "mipspi: --db sqlite:small.db: SQLite parameter _txlock=exclusive is refused: " + allowed + "\n"},
		{"in memory", "sqlite:small.db?mode=memory", exitUsage, "mipspi: --db sqlite:small.db: an in-memory SQLite database holds no EHR; give the database file\n"},
		{"unknown parameter on a missing file", "sqlite:" + dir + "/none.db?nomode=memory", exitUsage,
			"mipspi: --db sqlite:" + dir + "/none.db: SQLite parameter nomode=memory is refused: " + allowed + "\n"},
		{"missing file", "sqlite:" + dir + "/none.db", exitFail,
			"mipspi: open sqlite:" + dir + "/none.db: no such file or directory (mipspi db init creates a database; mipspi demo builds the demo one)\n"},
		{"missing file, read-only parameters", "sqlite:" + dir + "/none.db?mode=ro", exitFail,
			"mipspi: open sqlite:" + dir + "/none.db: no such file or directory (mipspi db init creates a database; mipspi demo builds the demo one)\n"},
		{"a directory", "sqlite:" + dir, exitFail, "mipspi: open sqlite:" + dir + ": is a directory, not a SQLite database file\n"},
	} {
		for _, cmd := range [][]string{{"report"}, {"notes"}, {"export", "--to", "csv", "--out", filepath.Join(dir, "reg")}} {
			what := c.name + " (" + cmd[0] + ")"
			o := mipspi(t, args(cmd, []string{"--db", c.db}, smallPeriod)...)
			checkOutcome(t, what, o, c.code, c.want)
			unchanged(what)
			if names := dirNames(t, dir); len(names) != 0 {
				t.Errorf("%s: created %v", what, names)
			}
		}
	}
	// Allowed parameters read normally; the file is still byte-identical.
	o := mipspi(t, args([]string{"report", "--db", dsn + "?mode=ro&_pragma=cache_size(-2000)", "--quiet"}, smallPeriod)...)
	if o.code != exitOK || !strings.HasPrefix(o.stdout, "PI_PEA_1") {
		t.Errorf("allowed parameters: exit %d, stderr %s", o.code, o.stderr)
	}
	unchanged("a normal run")
}

// TestPasswordShapes (row 5): whatever the DSN's shape, no message carries any part of
// the password, and it says how to escape.
func TestPasswordShapes(t *testing.T) {
	t.Chdir(t.TempDir())
	const hint = "; percent-escape special characters in the user name and password (@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25, space as %20), or leave the password out of the DSN and use ~/.pgpass or $PGPASSWORD\n"
	for _, c := range []struct{ dsn, want string }{
		{"postgres://reader:Sup3rSecretPW#@db.example.org:5432/ehr", "it holds a '#' (in a URL it starts a fragment)"},
		{"postgres://reader:Sup3r/SecretPW@db.example.org:5432/ehr", "an '@' after the host (a user name or password with an unescaped /, ? or @?)"},
		{"postgres://reader:1234/Sup3rSecretPW@db.example.org/ehr", "an '@' after the host (a user name or password with an unescaped /, ? or @?)"},
		{"postgresql://reader:Sup3r?SecretPW@db.example.org/ehr", "an '@' after the host (a user name or password with an unescaped /, ? or @?)"},
		{"postgres://reader:Sup3r%SecretPW@db.example.org/ehr", "a % is not followed by two hexadecimal digits"},
		{"postgres://reader:Sup3r Secret@db.example.org/ehr", "the user name or password holds a character that must be escaped"},
		{"postgres://reader:Sup3r\nSecret@db.example.org/ehr", "it holds a control character"},
		{"postgres://reader@db.example.org:Sup3rSecretPW/ehr", "the port is not a number"},
	} {
		for _, cmd := range [][]string{args([]string{"report"}, smallPeriod), args([]string{"notes"}, smallPeriod), {"db", "init"}} {
			o := mipspi(t, append(cmd, "--db", c.dsn)...)
			checkOutcome(t, cmd[0]+" "+c.dsn, o, exitUsage, "mipspi: --db: invalid PostgreSQL DSN: "+c.want+hint)
			if strings.Contains(o.stderr+o.stdout, "Sup3r") || strings.Contains(o.stderr, "Secret") {
				t.Errorf("%s: the password leaked: %s", c.dsn, o.stderr)
			}
		}
	}
}

// TestExportAllOrNothing (row 6): a write error (a full disk) or Ctrl-C half-way
// through leaves no file of the run: a new directory is never created, an existing one
// keeps its previous files byte for byte, and no temporary directory is left.
func TestExportAllOrNothing(t *testing.T) {
	dsn, cfg := demoDB(t)
	run := func(ctx context.Context, dir string) outcome {
		return mipspiCtx(t, ctx, args([]string{"export", "--to", "qpp", "--db", dsn, "--config", cfg, "--out", dir, "--quiet"}, demoPeriod)...)
	}
	o := run(context.Background(), "reg")
	checkOutcome(t, "first export", o, exitOK, "")
	before := map[string][]byte{}
	for _, n := range dirNames(t, "reg") {
		before[n], _ = os.ReadFile(filepath.Join("reg", n))
	}
	if len(before) != 13 {
		t.Fatalf("first export wrote %d files, want 12 and the manifest", len(before))
	}
	var m exportManifest
	if err := json.Unmarshal(before[manifestName], &m); err != nil || len(m.Files) != 12 || m.Format != "qpp" || m.Source != dsn {
		t.Errorf("manifest %+v: %v", m, err)
	}
	// A second run with other figures (a later as-of) that fails on the 4th file.
	written := 0
	diskFull := errors.New("no space left on device")
	exportWriteHook = func(string) error {
		if written++; written == 4 {
			return diskFull
		}
		return nil
	}
	defer func() { exportWriteHook = nil }()
	for _, dir := range []string{"reg", "fresh"} {
		written = 0
		o := run(context.Background(), dir)
		checkOutcome(t, "disk full into "+dir, o, exitFail,
			"mipspi: export: write qpp-361234567-1562039481.json: no space left on device; nothing written to "+dir+"\n")
	}
	// Ctrl-C on the 4th file.
	ctx, cancel := context.WithCancel(context.Background())
	exportWriteHook = func(string) error {
		if written++; written == 4 {
			cancel()
		}
		return nil
	}
	for _, dir := range []string{"reg", "fresh"} {
		written = 0
		ctx, cancel = context.WithCancel(context.Background())
		o := run(ctx, dir)
		cancel()
		checkOutcome(t, "Ctrl-C into "+dir, o, exitFail, "mipspi: interrupted\n")
	}
	if _, err := os.Stat("fresh"); !os.IsNotExist(err) {
		t.Errorf("fresh/ exists after failed exports")
	}
	after := dirNames(t, "reg")
	if len(after) != len(before) {
		t.Errorf("reg/ holds %v after failed exports", after)
	}
	for n, b := range before {
		if got, _ := os.ReadFile(filepath.Join("reg", n)); !bytes.Equal(got, b) {
			t.Errorf("reg/%s changed", n)
		}
	}
	for _, n := range dirNames(t, ".") {
		if strings.Contains(n, "mipspi-tmp") {
			t.Errorf("temporary directory %s left behind", n)
		}
	}
	// A successful run into the existing directory replaces the files and the manifest.
	exportWriteHook = nil
	o = mipspi(t, args([]string{"export", "--to", "qpp", "--db", dsn, "--config", cfg, "--out", "reg", "--quiet"}, demoPeriod[:4], []string{"--as-of", "2026-02-01"})...)
	checkOutcome(t, "second export", o, exitOK, "")
	data, _ := os.ReadFile(filepath.Join("reg", manifestName))
	if err := json.Unmarshal(data, &m); err != nil || m.AsOf != "2026-02-01" {
		t.Errorf("manifest not replaced: %s", data)
	}
	for _, f := range m.Files {
		b, _ := os.ReadFile(filepath.Join("reg", f.Name))
		if len(b) != f.Bytes {
			t.Errorf("%s: %d bytes, manifest says %d", f.Name, len(b), f.Bytes)
		}
	}
}

// TestExportQuiet (row 12): with -q, stderr is empty; the run's warnings are in the
// manifest. Written under --force with problems, the exit status is 3 and the manifest
// lists them; -q then keeps only the zero-score block that --force must always say.
func TestExportQuiet(t *testing.T) {
	dsn, cfg := demoDB(t)
	o := mipspi(t, args([]string{"export", "--to", "csv", "--db", dsn, "--config", cfg, "--out", "reg", "-q"}, demoPeriod)...)
	checkOutcome(t, "export -q", o, exitOK, "")
	m := readManifestFile(t, "reg")
	if w := strings.Join(m.Warnings, "\n"); !strings.Contains(w, `unknown status`) && !strings.Contains(w, "UNKNOWN_STATUS") {
		t.Errorf("manifest warnings %q", m.Warnings)
	}
	if m.Forced || len(m.Validation) != 0 || len(m.Files) != 1 || m.Files[0].Name != "registry.csv" {
		t.Errorf("manifest %+v", m)
	}
	// Without -q the same warnings are on stderr.
	o = mipspi(t, args([]string{"export", "--to", "csv", "--db", dsn, "--config", cfg, "--out", "reg2"}, demoPeriod)...)
	if o.code != exitOK || !strings.Contains(o.stderr, "UNKNOWN_STATUS") || !strings.HasSuffix(o.stderr, "mipspi: wrote 1 csv file(s) and mipspi-manifest.json to reg2\n") {
		t.Errorf("exit %d, stderr\n%s", o.code, o.stderr)
	}

	if err := os.WriteFile("bare.yaml", []byte("registry:\n  measures:\n    PI_PPHI_1: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o = mipspi(t, args([]string{"export", "--to", "csv", "--db", dsn, "--config", "bare.yaml", "--out", "forced", "-q", "--force"}, demoPeriod)...)
	if o.code != exitWarned || strings.Contains(o.stderr, "UNKNOWN_STATUS") || strings.Contains(o.stderr, "mipspi: warning") || strings.Contains(o.stderr, "wrote") {
		t.Errorf("--force -q: exit %d, stderr\n%s", o.code, o.stderr)
	}
	m = readManifestFile(t, "forced")
	if !m.Forced || len(m.Validation) == 0 || !strings.HasPrefix(m.Validation[0], "category scores 0: ") {
		t.Errorf("manifest %+v", m)
	}
}

// TestSQLiteBusyTimeout (row 8): while another connection holds the write lock,
// --timeout 1s gives up at the timeout (SQLite's busy wait was 10 s), says so, and
// writes nothing.
func TestSQLiteBusyTimeout(t *testing.T) {
	dsn, unchanged := guardFiles(t)
	w, err := ehr.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	conn, err := w.DB().DB.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	o := mipspi(t, args([]string{"report", "--db", dsn, "--timeout", "1s", "--out", "prev.csv"}, smallPeriod)...)
	waited := time.Since(start)
	conn.ExecContext(context.Background(), "ROLLBACK")
	conn.Close()
	checkOutcome(t, "report under a write lock", o, exitFail,
		"mipspi: timed out after 1s (--timeout): open sqlite:small.db: database is locked (5) (SQLITE_BUSY)\n")
	// Not a speed assertion: the 10 s busy wait that ignored --timeout must be gone.
	if waited > 8*time.Second {
		t.Errorf("gave up after %s with --timeout 1s", waited)
	}
	unchanged("report under a write lock")
}

// TestPseudonymizeKeyFromEnvironment (row 9): a key in the environment alone is not a
// request (identified output, exit 0); typed on the command line without the flag it
// is a usage error (usage tables).
func TestPseudonymizeKeyFromEnvironment(t *testing.T) {
	dsn, unchanged := guardFiles(t)
	t.Setenv("MIPSPI_PSEUDONYMIZE_KEY", "a-test-key-that-is-long-enough")
	o := mipspi(t, args([]string{"report", "--db", dsn, "--quiet", "-f", "csv", "--table", "patients"}, smallPeriod)...)
	if o.code != exitOK || !strings.Contains(o.stdout, "Able") {
		t.Errorf("exit %d, stderr %s", o.code, o.stderr)
	}
	o = mipspi(t, args([]string{"report", "--db", dsn, "--pseudonymize-key", "another-key-long-enough", "--out", "prev.csv"}, smallPeriod)...)
	checkOutcome(t, "key without the flag", o, exitUsage, "mipspi: --pseudonymize-key is given without --pseudonymize: the output would carry patient names; add --pseudonymize\n")
	unchanged("key without the flag")
}

// TestRegistryCSVDefusesFormulas (row 7): a TIN or NPI that a spreadsheet would run as a
// formula reaches registry.csv defused, as in the report CSV, on both dialects.
func TestRegistryCSVDefusesFormulas(t *testing.T) {
	for _, dialect := range []string{ehr.SQLite, ehr.Postgres} {
		t.Run(dialect, func(t *testing.T) {
			dsn := hostileDB(t, dialect, []string{
				`UPDATE offices SET tin = '=HYPERLINK("http://x.example","y")'`,
				`UPDATE api_windows SET tin = '=HYPERLINK("http://x.example","y")'`,
				`UPDATE clinicians SET npi = '@SUM(1+1)'`,
			})
			dir := filepath.Join(t.TempDir(), "reg")
			o := mipspi(t, args([]string{"export", "--to", "csv", "--db", dsn, "--out", dir, "--force", "-q"}, smallPeriod)...)
			if o.code != exitWarned {
				t.Fatalf("exit %d, stderr %s", o.code, o.stderr)
			}
			data, err := os.ReadFile(filepath.Join(dir, "registry.csv"))
			if err != nil {
				t.Fatal(err)
			}
			want := `'=HYPERLINK(""http://x.example"",""y"")",'@SUM(1+1)`
			if !strings.Contains(string(data), want) || strings.Contains(string(data), "\n=") || strings.Contains(string(data), ",@") {
				t.Errorf("registry.csv:\n%s", data)
			}
		})
	}
}

// TestAPICheckRecordGuard: api check's --record goes through the same guard as --out,
// before any request is sent: the EHR database and configuration file the user's other
// runs read ($MIPSPI_DB, $MIPSPI_CONFIG), a FIFO, a directory and an unwritable
// directory are refused with exit 2, and nothing changes.
func TestAPICheckRecordGuard(t *testing.T) {
	dsn, unchanged := guardFiles(t)
	cwd, _ := os.Getwd()
	t.Setenv("MIPSPI_DB", dsn)
	t.Setenv("MIPSPI_CONFIG", "c.yaml")
	if err := syscall.Mkfifo("fifo", 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("sub", 0o700); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(cwd, "locked")
	if err := os.Mkdir(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		locked = "/sys"
	}
	for _, c := range []struct{ record, want string }{
		{"small.db", "mipspi: --record small.db is the database (small.db); give another file name\n"},
		{"./small.db-wal", "mipspi: --record ./small.db-wal is the database's wal file (small.db-wal); give another file name\n"},
		{"c.yaml", "mipspi: --record c.yaml is the configuration file (c.yaml); give another file name\n"},
		{"fifo", "mipspi: --record fifo is not a regular file (a device, pipe or socket); mipspi writes only regular files\n"},
		{"sub", "mipspi: --record sub is a directory; give a file name\n"},
		{filepath.Join(locked, "ev.db"), "mipspi: --record " + filepath.Join(locked, "ev.db") + ": cannot write in directory " + locked + ": permission denied\n"},
	} {
		// The address is never contacted: the guard runs before the probe.
		o := mipspi(t, "api", "check", "--fhir-base", "https://ehr.invalid/fhir", "--timeout", "1s", "--record", c.record)
		checkOutcome(t, "--record "+c.record, o, exitUsage, c.want)
		unchanged("--record " + c.record)
		if fi, err := os.Lstat("fifo"); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			t.Errorf("the FIFO was replaced: %v", err)
		}
	}
}
