package main

// --mode: a report carries patient data, so the files mipspi writes are 0600 unless the
// practice lets the owner's group read them (0640), e.g. a scheduled report that billing
// opens. Nothing wider is accepted, and a refused --mode writes nothing (exit 2).

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOutputMode(t *testing.T) {
	dsn, config := demoDB(t)
	old := syscall.Umask(0o077) // the strictest umask a service has: --mode must still hold
	t.Cleanup(func() { syscall.Umask(old) })
	period := []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2026-01-15T12:00:00Z", "-q"}
	perm := func(path string) fs.FileMode {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}

	mustRun(t, args([]string{"report", "--db", dsn, "-f", "xlsx", "-o", "private.xlsx"}, period)...)
	if m := perm("private.xlsx"); m != 0o600 {
		t.Errorf("report without --mode: %v, want 0600", m)
	}
	mustRun(t, args([]string{"report", "--db", dsn, "-f", "xlsx", "-o", "shared.xlsx", "--mode", "0640"}, period)...)
	if m := perm("shared.xlsx"); m != 0o640 {
		t.Errorf("report --mode 0640: %v, want 0640", m)
	}
	mustRun(t, args([]string{"report", "--db", dsn, "-f", "json", "-o", "site.json", "--mode", "640"}, period)...)
	if m := perm("site.json"); m != 0o640 {
		t.Errorf("report --mode 640: %v, want 0640", m)
	}
	mustRun(t, args([]string{"notes", "--db", dsn, "-o", "notes.txt", "--mode", "0640"}, period)...)
	if m := perm("notes.txt"); m != 0o640 {
		t.Errorf("notes --mode 0640: %v, want 0640", m)
	}
	mustRun(t, "combine", "-o", "combined.csv", "-f", "csv", "--mode", "0640", "-q", "site.json")
	if m := perm("combined.csv"); m != 0o640 {
		t.Errorf("combine --mode 0640: %v, want 0640", m)
	}
	// export: the files 0640 and the folders it makes 0750, so the group reaches them.
	if o := mipspi(t, args([]string{"export", "--to", "csv", "--db", dsn, "--config", config, "--out", "outbox/keying", "--mode", "0640"}, period)...); o.code != 0 {
		t.Fatalf("export --mode 0640: exit %d\n%s", o.code, o.stderr)
	}
	for _, p := range []string{"outbox", "outbox/keying"} {
		if m := perm(p); m != 0o750 {
			t.Errorf("export --mode 0640: folder %s %v, want 0750", p, m)
		}
	}
	names := dirNames(t, "outbox/keying")
	if len(names) < 2 {
		t.Fatalf("export wrote %v", names)
	}
	for _, n := range names {
		if m := perm(filepath.Join("outbox/keying", n)); m != 0o640 {
			t.Errorf("export --mode 0640: %s %v, want 0640", n, m)
		}
	}
	// Exported again without --mode: the files are the owner's alone again.
	if o := mipspi(t, args([]string{"export", "--to", "csv", "--db", dsn, "--config", config, "--out", "outbox/keying"}, period)...); o.code != 0 {
		t.Fatalf("export: exit %d\n%s", o.code, o.stderr)
	}
	for _, n := range dirNames(t, "outbox/keying") {
		if m := perm(filepath.Join("outbox/keying", n)); m != 0o600 {
			t.Errorf("export without --mode: %s %v, want 0600", n, m)
		}
	}

	for _, tc := range []struct {
		mode, want string
	}{
		{"0644", "mipspi: --mode 0644: a report carries patient data; only 0600 (the owner alone) or 0640 (the owner's group may read it) are allowed\n"},
		{"0660", "mipspi: --mode 0660: a report carries patient data; only 0600 (the owner alone) or 0640 (the owner's group may read it) are allowed\n"},
		{"0755", "mipspi: --mode 0755: a report carries patient data; only 0600 (the owner alone) or 0640 (the owner's group may read it) are allowed\n"},
		{"0400", "mipspi: --mode 0400: a report carries patient data; only 0600 (the owner alone) or 0640 (the owner's group may read it) are allowed\n"},
		{"g+r", "mipspi: --mode g+r: a report carries patient data; only 0600 (the owner alone) or 0640 (the owner's group may read it) are allowed\n"},
	} {
		for _, cmd := range [][]string{
			{"report", "--db", dsn, "-o", "refused.csv", "-f", "csv"},
			{"notes", "--db", dsn, "-o", "refused.csv", "-f", "csv"},
			{"export", "--to", "csv", "--db", dsn, "--config", config, "--out", "refused"},
		} {
			o := mipspi(t, args(cmd, period, []string{"--mode", tc.mode})...)
			checkOutcome(t, cmd[0]+" --mode "+tc.mode, o, exitUsage, tc.want)
		}
		checkOutcome(t, "combine --mode "+tc.mode, mipspi(t, "combine", "-o", "refused.csv", "--mode", tc.mode, "site.json"), exitUsage, tc.want)
		for _, p := range []string{"refused.csv", "refused"} {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("--mode %s: %s written", tc.mode, p)
			}
		}
	}
	checkOutcome(t, "--mode without --out", mipspi(t, args([]string{"report", "--db", dsn, "--mode", "0640"}, period)...), exitUsage,
		"mipspi: --mode 0640 applies to a file written with --out; stdout has the permissions the shell gives it\n")
}
