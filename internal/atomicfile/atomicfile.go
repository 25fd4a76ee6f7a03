// Package atomicfile is the one way mipspi puts a file in place: reports, worklists,
// registry files and the evidence store all appear whole or not at all, mode 0600 (or
// the 0640 a caller asks for, WriteMode, given only once the file is whole), and a
// run killed half-way (kill -9, a power cut) leaves only a hidden temporary file that
// the next run for the same name removes.
//
// A temporary file is ".NAME.tmp-DIGITS" in NAME's directory. While a run fills it, the
// run holds an exclusive lock on it (flock on Unix); the lock dies with the process, so
// a temporary file nobody holds a lock on is a dead run's leftover. RemoveStale removes
// such leftovers only when every sign says they are mipspi's: the exact name pattern, a
// regular file (never a link), owned by this user, mode 0600, and no lock held. Where
// there is no flock (not Unix), nothing is removed.
//
// The package imports only the standard library.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Write writes path atomically: write fills a temporary file (mode 0600) in path's
// directory, which is flushed, fsynced and renamed over path. On any error — from write,
// the disk or the rename — the temporary file is removed and path is left as it was.
// Leftovers of killed runs for the same path are removed first (RemoveStale).
func Write(path string, write func(io.Writer) error) error {
	return WriteMode(path, 0o600, write)
}

// WriteMode is Write with the permissions path gets: the temporary file stays 0600 while
// it is filled (so RemoveStale knows a dead run's leftover) and takes mode just before
// the rename. mode is the caller's choice, e.g. 0640 for a report a group shares.
func WriteMode(path string, mode fs.FileMode, write func(io.Writer) error) (err error) {
	dir, tmp, err := begin(path)
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			_ = tmp.Close() // may already be closed; the error that matters is err
			_ = os.Remove(name)
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if mode.Perm() != 0o600 {
		if err = tmp.Chmod(mode.Perm()); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	if err = os.Rename(name, path); err != nil {
		return err
	}
	// Closing releases the lock; the name is already path's, so no cleaner can see it.
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	SyncDir(dir)
	return nil
}

// Create makes the new file path atomically and never replaces one: fill prepares the
// file under a temporary name (it may open, write and close it as it likes, e.g. as an
// SQLite database), which is then hard-linked to path. When path exists by then (another
// run created it first) the result wraps fs.ErrExist and the temporary file is removed,
// so a killed or concurrent first run never leaves a half-made file at path.
func Create(path string, fill func(tmp string) error) (err error) {
	dir, tmp, err := begin(path)
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer func() {
		_ = os.Remove(name) // linked or failed: the temporary name goes either way
		_ = tmp.Close()     // after fill's own handles are closed: releases the lock
	}()
	if err = fill(name); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err = os.Link(name, path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) && errors.Is(le.Err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", path, fs.ErrExist)
		}
		return err
	}
	SyncDir(dir)
	return nil
}

// SyncDir makes renames and links in dir durable. A directory that cannot be synced (some
// file systems refuse) does not make the file wrong, so there is no error.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// begin removes path's dead leftovers and makes its locked temporary file.
func begin(path string) (dir string, tmp *os.File, err error) {
	dir, base, err := split(path)
	if err != nil {
		return "", nil, err
	}
	RemoveStale(path)
	tmp, err = createTemp(dir, base)
	return dir, tmp, err
}

func split(path string) (dir, base string, err error) {
	dir, base = filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return "", "", fmt.Errorf("%q: no file name", path)
	}
	return dir, base, nil
}

// tempPrefix and tempSuffix frame the temporary names of path's base name: the digits
// os.CreateTemp puts at its "*" go between them.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// createTemp creates and locks a temporary file for base in dir, mode 0600. A cleaner
// in another process can take the file between its creation and the lock; then the name
// no longer leads to it, and a fresh one is made.
func createTemp(dir, base string) (*os.File, error) {
	for range 5 {
		f, err := os.CreateTemp(dir, tempPrefix(base)+"*")
		if err != nil {
			return nil, err
		}
		// CreateTemp already uses 0600; Chmod makes it independent of that detail.
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, fmt.Errorf("set mode: %w", err)
		}
		if err := lock(f, true); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		if still(f) {
			return f, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("cannot keep a temporary file in %s: another process removes them", dir)
}

// still reports whether f's name still leads to f.
func still(f *os.File) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(f.Name())
	return err == nil && os.SameFile(a, b)
}

// RemoveStale removes the temporary files that killed runs left for path (see the
// package comment for how they are told from anything else) and returns their names.
// Errors are not returned: a leftover that cannot be removed is simply left.
func RemoveStale(path string) []string {
	if !canLock {
		return nil
	}
	dir, base, err := split(path)
	if err != nil {
		return nil
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	prefix := tempPrefix(base)
	var removed []string
	for _, de := range des {
		n := de.Name()
		if !strings.HasPrefix(n, prefix) || !allDigits(n[len(prefix):]) || !de.Type().IsRegular() {
			continue
		}
		name := filepath.Join(dir, n)
		if removeIfDead(name) {
			removed = append(removed, name)
			// A file filled as an SQLite database (Create) may have left its journal.
			for _, side := range []string{"-journal", "-wal", "-shm"} {
				if fi, err := os.Lstat(name + side); err == nil && fi.Mode().IsRegular() && ownedByMe(fi) {
					_ = os.Remove(name + side)
				}
			}
		}
	}
	return removed
}

// removeIfDead removes name when it is an unlocked 0600 regular file of this user.
func removeIfDead(name string) bool {
	f, err := openNoFollow(name)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 || !ownedByMe(fi) {
		return false
	}
	if lock(f, false) != nil { // a live run holds it
		return false
	}
	if !still(f) {
		return false
	}
	return os.Remove(name) == nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
