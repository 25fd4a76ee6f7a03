package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	slices.Sort(out)
	return out
}

// TestMain lets the test binary play a run that is killed while writing: with
// ATOMICFILE_CHILD=path it starts writing path, says so on stdout, and waits forever.
func TestMain(m *testing.M) {
	if path := os.Getenv("ATOMICFILE_CHILD"); path != "" {
		_ = Write(path, func(w io.Writer) error {
			w.Write([]byte(strings.Repeat("patient data\n", 1<<16)))
			os.Stdout.WriteString("writing\n")
			select {}
		})
		os.Exit(3)
	}
	os.Exit(m.Run())
}

// killedWriter starts a child that is writing path and kills it with SIGKILL, leaving
// its temporary file; it returns that file's name.
func killedWriter(t *testing.T, path string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	if _, err := io.ReadFull(out, buf); err != nil || string(buf) != "writing\n" {
		t.Fatalf("child: %q %v", buf, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*"))
	if len(left) != 1 {
		t.Fatalf("the killed run left %v, want one temporary file", left)
	}
	return left[0]
}

func TestKilledWriteLeftoverRemovedByNextWrite(t *testing.T) {
	if !canLock {
		t.Skip("no flock here: leftovers are never removed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.xlsx")
	if err := os.WriteFile(path, []byte("last month's report"), 0o600); err != nil {
		t.Fatal(err)
	}
	left := killedWriter(t, path)
	if b, _ := os.ReadFile(path); string(b) != "last month's report" {
		t.Fatalf("the killed run changed %s: %.40q", path, b)
	}
	// Things that look alike but are not mipspi's dead leftovers stay.
	foreign := map[string]func(string) error{
		".report.xlsx.tmp-1":        func(p string) error { return os.WriteFile(p, nil, 0o644) }, // not 0600
		".report.xlsx.tmp-2x":       func(p string) error { return os.WriteFile(p, nil, 0o600) }, // not the pattern
		".report.xlsx.tmp-3":        func(p string) error { return os.Symlink(path, p) },         // a link
		".other.xlsx.tmp-4":         func(p string) error { return os.WriteFile(p, nil, 0o600) }, // another file's
		".report.xlsx.tmp-5.backup": func(p string) error { return os.WriteFile(p, nil, 0o600) },
	}
	for n, mk := range foreign {
		if err := mk(filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	// A live run's temporary file (locked) stays too.
	live, err := createTemp(dir, "report.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()

	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "this month's"); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(left); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the dead run's %s is still there (%v)", filepath.Base(left), err)
	}
	want := []string{"report.xlsx", filepath.Base(live.Name())}
	for n := range foreign {
		want = append(want, n)
	}
	slices.Sort(want)
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("directory after the next write:\n got %v\nwant %v", got, want)
	}
	if b, _ := os.ReadFile(path); string(b) != "this month's" {
		t.Errorf("content %q", b)
	}
}

func TestCreateNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "evidence.db")
	fill := func(content string) func(string) error {
		return func(tmp string) error { return os.WriteFile(tmp, []byte(content), 0o600) }
	}
	if err := Create(path, fill("first")); err != nil {
		t.Fatal(err)
	}
	err := Create(path, fill("second"))
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Create: %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "first" {
		t.Errorf("content %q", b)
	}
	// A failing fill leaves nothing at all.
	other := filepath.Join(dir, "other.db")
	boom := errors.New("schema failed")
	if err := Create(other, func(string) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"evidence.db"}) {
		t.Errorf("directory %v", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode().Perm())
	}
}

// still() is what createTemp relies on when a cleaner took its file before the lock.
func TestStillSeesARemovedName(t *testing.T) {
	dir := t.TempDir()
	f, err := createTemp(dir, "r.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !still(f) {
		t.Fatal("fresh temporary file not in place")
	}
	if got := RemoveStale(filepath.Join(dir, "r.json")); len(got) != 0 {
		t.Errorf("removed a locked file: %v", got)
	}
	os.Remove(f.Name())
	if still(f) {
		t.Error("still() true after removal")
	}
}

// TestWriteMode: the file appears with the mode asked for, and while it is filled its
// temporary file is 0600 like every other (so a dead run's leftover is still known).
func TestWriteMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shared.csv")
	err := WriteMode(path, 0o640, func(w io.Writer) error {
		tmps, _ := filepath.Glob(filepath.Join(dir, ".shared.csv.tmp-*"))
		if len(tmps) != 1 {
			t.Fatalf("temporary files %v", tmps)
		}
		fi, err := os.Stat(tmps[0])
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("temporary file %v while filled, want 0600", fi.Mode().Perm())
		}
		_, err = io.WriteString(w, "a,b\n")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("%s is %v, want 0640", path, fi.Mode().Perm())
	}
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "c\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("rewritten without a mode: %v, want 0600", fi.Mode().Perm())
	}
}
