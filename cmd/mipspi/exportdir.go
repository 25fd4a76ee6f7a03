package main

// exportdir.go: export's files appear all together or not at all (issue 13, row 6).
// They are written into a temporary directory beside --out DIR, each fsynced, with a
// run manifest (mipspi-manifest.json) listing them and the run's warnings (row 12). Only
// when every one is written are they moved into place: the temporary directory is
// renamed to DIR when DIR does not exist; otherwise each file is moved in, a file it
// replaces kept aside until all are in and put back should a move fail. Ctrl-C or a
// write error (a full disk) before that leaves DIR as it was and removes the rest.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/mipspi/mipspi/reports"
)

// manifestName is the run manifest written beside the registry files.
const manifestName = "mipspi-manifest.json"

// exportManifest is mipspi-manifest.json.
type exportManifest struct {
	Tool             string         `json:"tool"`
	Version          string         `json:"version"`
	Generated        string         `json:"generated"`
	Source           string         `json:"source"`
	Format           string         `json:"format"`
	Entity           string         `json:"entity"`
	PerformanceStart string         `json:"performance_start"`
	PerformanceEnd   string         `json:"performance_end"`
	AsOf             string         `json:"as_of"`
	Forced           bool           `json:"forced"` // written under --force despite validation errors
	Files            []manifestFile `json:"files"`
	Validation       []string       `json:"validation"` // registry validation problems, "severity: entity: message"
	Warnings         []string       `json:"warnings"`   // the run's data-quality findings
}

type manifestFile struct {
	Name   string `json:"name"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// exportWriteHook, set by tests only, runs before each file is written into the
// temporary directory; its error stands for a full disk.
var exportWriteHook func(name string) error

// writeExportDir writes files and the manifest into dir, all or nothing. protected are
// files no export file may replace (the database, the configuration).
func writeExportDir(ctx context.Context, dir string, files map[string][]byte, man *exportManifest, protected []protectedFile) (err error) {
	names := make([]string, 0, len(files))
	for name := range files {
		if name != filepath.Base(name) || name == "." || name == ".." || name == manifestName {
			return fmt.Errorf("export: refusing file name %q in %s", name, dir)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	man.Files = man.Files[:0]
	for _, name := range names {
		sum := sha256.Sum256(files[name])
		man.Files = append(man.Files, manifestFile{Name: name, Bytes: len(files[name]), SHA256: hex.EncodeToString(sum[:])})
	}
	mj, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return fmt.Errorf("export: manifest: %w", err)
	}
	files[manifestName] = append(mj, '\n')
	names = append(names, manifestName)

	// Nothing may land on an input, and nothing may replace a directory or a device.
	for _, name := range names {
		target := filepath.Join(dir, name)
		if err := refuseProtected(flagOut, target, protected); err != nil {
			return err
		}
		if fi, err := os.Stat(target); err == nil && !fi.Mode().IsRegular() {
			return fmt.Errorf("export: %s exists and is not a regular file; nothing written", target)
		}
	}

	clean := filepath.Clean(dir)
	if made, err := mkdirParents(filepath.Dir(clean)); err != nil {
		return fmt.Errorf("export: create %s: %w", filepath.Dir(clean), unwrapPathError(err))
	} else if made != "" {
		defer func() {
			if err != nil { // nothing written: the directories made for it go too
				_ = os.RemoveAll(made)
			}
		}()
	}
	staging, err := os.MkdirTemp(filepath.Dir(clean), "."+filepath.Base(clean)+".mipspi-tmp-*")
	if err != nil {
		return fmt.Errorf("export: create a temporary directory beside %s: %w", dir, unwrapPathError(err))
	}
	defer func() {
		if rerr := os.RemoveAll(staging); rerr != nil && err == nil {
			err = fmt.Errorf("export: remove temporary directory %s: %w", staging, rerr)
		}
	}()
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if exportWriteHook != nil {
			if err := exportWriteHook(name); err != nil {
				return fmt.Errorf("export: write %s: %w; nothing written to %s", name, err, dir)
			}
		}
		data := files[name]
		if err := reports.WriteFile(filepath.Join(staging, name), func(w io.Writer) error {
			_, err := ctxWriter{ctx, w}.Write(data)
			return err
		}); err != nil {
			return fmt.Errorf("export: %w; nothing written to %s", err, dir)
		}
	}
	if err := ctx.Err(); err != nil {
		return err // interrupted: the files never reach dir
	}
	return commitExportDir(staging, clean, names)
}

// commitExportDir moves the written files from staging into dir. It does not watch ctx:
// it is a few renames, and stopping half-way is what it exists to prevent.
func commitExportDir(staging, dir string, names []string) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(staging, dir); err != nil {
			return fmt.Errorf("export: move the files into %s: %w; nothing written", dir, unwrapPathError(err))
		}
		syncDir(filepath.Dir(dir))
		return os.Mkdir(staging, 0o700) // for the deferred RemoveAll
	}
	aside := filepath.Join(staging, ".replaced")
	if err := os.Mkdir(aside, 0o700); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	var moved, kept []string
	undo := func() {
		for _, name := range moved {
			_ = os.Rename(filepath.Join(dir, name), filepath.Join(staging, name))
		}
		for _, name := range kept {
			_ = os.Rename(filepath.Join(aside, name), filepath.Join(dir, name))
		}
	}
	for _, name := range names {
		target := filepath.Join(dir, name)
		if _, err := os.Lstat(target); err == nil {
			if err := os.Rename(target, filepath.Join(aside, name)); err != nil {
				undo()
				return fmt.Errorf("export: move the files into %s: %w; nothing changed", dir, unwrapPathError(err))
			}
			kept = append(kept, name)
		}
		if err := os.Rename(filepath.Join(staging, name), target); err != nil {
			undo()
			return fmt.Errorf("export: move the files into %s: %w; nothing changed", dir, unwrapPathError(err))
		}
		moved = append(moved, name)
	}
	syncDir(dir)
	return nil
}

// mkdirParents creates dir and its missing parents (0700) and returns the first one it
// created ("" when dir existed), so that a failed export can remove them again.
func mkdirParents(dir string) (string, error) {
	first := ""
	for p := dir; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil || p == filepath.Dir(p) {
			break
		}
		first = p
	}
	if first == "" {
		return "", nil
	}
	return first, os.MkdirAll(dir, 0o700)
}

// syncDir makes renames in dir durable where the file system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
