package main

// guard.go: the one check of --out that report, notes and export run before the database
// is read (issue 13), and of api check's --record before probing. An output path never
// replaces
//
//   - an input of the same command: the EHR database file (or its SQLite -journal,
//     -wal, -shm companions), the configuration file, report's evidence store (and its
//     companions) or api check's --ca file, however it is spelled (./ehr.db,
//     ../x/ehr.db, a symlink, a hard link): compared with os.SameFile, for a path that
//     does not exist yet through its directory;
//   - anything that is not a regular file (a FIFO, a device such as /dev/null, a
//     socket): mipspi writes by renaming a temporary file over the path, which would
//     replace the device itself. To write to stdout, leave --out out.
//
// and its directory must exist and be writable, checked by creating (and removing) a
// probe file, so that a run that cannot write fails before the whole read, not after.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/ehr"
)

// protectedFile is a file no output may replace.
type protectedFile struct {
	what string // "the database", "the configuration file"
	path string
}

// protectedFiles are the inputs of the command c: the SQLite database file with its
// companions, and the configuration file. A command without --db or --config (api
// check) protects those that $MIPSPI_DB and $MIPSPI_CONFIG name, the EHR database and
// configuration of the user's other runs.
func protectedFiles(c *cli.Context) []protectedFile {
	var ps []protectedFile
	dsn, cfg := c.String(flagDB), c.String(flagConfig)
	if dsn == "" {
		dsn = os.Getenv("MIPSPI_DB")
	}
	if cfg == "" {
		cfg = os.Getenv("MIPSPI_CONFIG")
	}
	if d, err := ehr.ParseDSN(dsn); err == nil && d.File() != "" {
		ps = append(ps, protectedFile{"the database", d.File()})
		for _, suffix := range []string{"-journal", "-wal", "-shm"} {
			ps = append(ps, protectedFile{"the database's " + suffix[1:] + " file", d.File() + suffix})
		}
	}
	if cfg != "" {
		ps = append(ps, protectedFile{"the configuration file", cfg})
	}
	// The other inputs a command reads: report's evidence store (an SQLite file, with
	// its companions) and api check's certificate authorities.
	if ev := c.String("evidence"); ev != "" {
		ps = append(ps, protectedFile{"the evidence store (--evidence)", ev})
		for _, suffix := range []string{"-journal", "-wal", "-shm"} {
			ps = append(ps, protectedFile{"the evidence store's " + suffix[1:] + " file", ev + suffix})
		}
	}
	if ca := c.String("ca"); ca != "" {
		ps = append(ps, protectedFile{"the certificate authority file (--ca)", ca})
	}
	return ps
}

// sameOutput reports whether a and b name one file: the same inode when both exist, or
// the same name in the same directory when either does not exist yet.
func sameOutput(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	if filepath.Base(a) != filepath.Base(b) {
		return false
	}
	da, errA := os.Stat(filepath.Dir(a))
	db, errB := os.Stat(filepath.Dir(b))
	return errA == nil && errB == nil && os.SameFile(da, db)
}

// refuseProtected is the usage error when path is one of ps.
func refuseProtected(flag, path string, ps []protectedFile) error {
	for _, p := range ps {
		if sameOutput(path, p.path) {
			return usagef("--%s %s is %s (%s); give another file name", flag, path, p.what, p.path)
		}
	}
	return nil
}

// checkOut is the shared check of a report or worklist --out FILE (rows 1, 2, 11).
func checkOut(c *cli.Context, path string) error {
	return checkFile(c, flagOut, path, " (leave --out out to write to stdout)")
}

// checkRecord is the same check for api check's --record FILE, the evidence store it
// appends to: an existing regular file is expected (fhirapi then checks that it is an
// evidence store), but never the EHR database or the configuration file.
func checkRecord(c *cli.Context, path string) error { return checkFile(c, "record", path, "") }

// checkFile checks the output FILE of --flag; hint ends the not-a-regular-file message.
func checkFile(c *cli.Context, flag, path, hint string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return usagef("--%s %s is a directory; give a file name", flag, path)
		}
		if !fi.Mode().IsRegular() {
			return usagef("--%s %s is not a regular file (a device, pipe or socket); mipspi writes only regular files%s", flag, path, hint)
		}
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usagef("--%s %s: directory %s does not exist", flag, path, dir)
	}
	if err := refuseProtected(flag, path, protectedFiles(c)); err != nil {
		return err
	}
	return probeWritableFlag(flag, path, dir)
}

// checkOutDir is the same check for export's --out DIR: DIR is absent or a directory,
// and the nearest directory that exists on the way to it can be written (the files are
// written into a temporary directory beside DIR, exportdir.go; missing parents are
// created then).
func checkOutDir(c *cli.Context, dir string) error {
	fi, err := os.Stat(dir)
	if err == nil && !fi.IsDir() {
		if err := refuseProtected(flagOut, dir, protectedFiles(c)); err != nil {
			return err
		}
		return usagef("--out %s is a file; give a directory", dir)
	}
	if err == nil {
		return probeWritable(dir, dir)
	}
	for p := filepath.Dir(filepath.Clean(dir)); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return usagef("--out %s: %s is a file, not a directory", dir, p)
			}
			return probeWritable(dir, p)
		}
		if p == filepath.Dir(p) {
			return usagef("--out %s: no directory on its path exists", dir)
		}
	}
}

// probeWritable creates and removes an empty file in dir: the one sure test of "can
// write here" (permissions, ACLs, a read-only mount, root or not).
func probeWritable(out, dir string) error { return probeWritableFlag(flagOut, out, dir) }

func probeWritableFlag(flag, out, dir string) error {
	f, err := os.CreateTemp(dir, ".mipspi-probe-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return usagef("--%s %s: cannot write in directory %s: %v", flag, out, dir, err)
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("--%s %s: remove probe file %s: %w", flag, out, name, err)
	}
	return nil
}
