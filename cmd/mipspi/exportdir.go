package main

// exportdir.go: an export folder holds one export (SPEC §4), so that "upload the
// registry folder" never sends an older file beside the new ones.
//
// --out DIR must be missing, empty, or hold exactly a previous mipspi export: the files
// its mipspi-manifest.json lists, each unchanged since (its SHA-256); any other file
// refuses the export, named, before the database is read. The new set is written into
// a staging folder beside DIR (.DIR.mipspi-tmp-NNN), each file fsynced, with the
// manifest; then the staging folder and DIR swap names in one step (Linux renameat2
// RENAME_EXCHANGE; elsewhere DIR is moved aside as .DIR.mipspi-old-NNN and the staging
// folder moved in), and the old set, now under the staging name, is removed. A kill
// at any point leaves DIR holding the old set or the new one, whole (without the
// exchange, a kill between the two moves leaves the old set aside and no DIR), and at
// most a leftover folder beside it, which the next export removes once it has checked that
// the folder is mipspi's: named so, holding only files mipspi writes, and not locked
// by a running export (each holds a lock on its staging folder while it works).

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
	"regexp"
	"slices"
	"strings"

	"github.com/mipspi/mipspi/reports"
	"github.com/mipspi/mipspi/reports/registry"
)

// manifestName is the run manifest written beside the registry files.
const manifestName = "mipspi-manifest.json"

// exportManifest is mipspi-manifest.json: what was exported, from what, under which
// settings, and what each file carries (SPEC §4: an auditor can trace every figure and
// answer to its source).
type exportManifest struct {
	Tool      string `json:"tool"`
	Version   string `json:"version"`
	Generated string `json:"generated"`
	Source    string `json:"source"`
	Format    string `json:"format"`
	Entity    string `json:"entity"`
	Filters   struct {
		TIN string `json:"tin"` // --tin as applied ("" = every TIN)
		NPI string `json:"npi"` // --npi as applied ("" = every clinician)
	} `json:"filters"`
	PerformanceStart string `json:"performance_start"`
	PerformanceEnd   string `json:"performance_end"`
	AsOf             string `json:"as_of"`
	// Status is "final as of DATE" or "PROVISIONAL as of DATE" (registry.Status).
	Status      string           `json:"status"`
	Provisional bool             `json:"provisional"`
	Config      *manifestConfig  `json:"config"` // null when no configuration file was read
	Settings    manifestSettings `json:"settings"`
	Forced      bool             `json:"forced"` // written under --force despite refusals
	Files       []manifestFile   `json:"files"`
	Validation  []string         `json:"validation"` // registry validation problems, "severity: entity: message"
	Warnings    []string         `json:"warnings"`   // the run's data-quality findings
}

// manifestConfig names the configuration file and the exact bytes that were read.
type manifestConfig struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

// manifestSettings are the measure settings in force (configuration and flags).
type manifestSettings struct {
	Policy           string   `json:"policy"`
	Release          string   `json:"release"`
	NumeratorActions string   `json:"numerator_actions"`
	SeenStatuses     []string `json:"seen_statuses"`
	Holidays         string   `json:"holidays"` // federal | none
	Closures         []string `json:"closures"`
}

type manifestFile struct {
	Name     string           `json:"name"`
	Bytes    int              `json:"bytes"`
	SHA256   string           `json:"sha256"`
	Entities []registry.Entry `json:"entities,omitempty"` // what the file carries, per entity
}

// maxManifestSize bounds what is read of a previous export's manifest.
const maxManifestSize = 64 << 20

// exportWriteHook, set by tests only, runs before each file is written into the
// staging folder; its error stands for a full disk.
var exportWriteHook func(name string) error

// exportCommitHook, set by tests only, runs at each step of the commit: "staged" (every
// file written, nothing moved) and "swapped" (the new set in DIR, the old one not yet
// removed).
var exportCommitHook func(step string)

var errNoExchange = errors.New("the file system cannot exchange two names")

// exchange is exchangeDirs; tests stand in a file system that cannot.
var exchange = exchangeDirs

// exportTarget returns the folder --out names with symlinks followed, so that the swap
// replaces the folder and not a link to it. The current directory and its parents are
// refused: a swap would delete the folder a shell stands in.
func exportTarget(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("export: %s: %w", dir, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	if wd, err := os.Getwd(); err == nil {
		if real, err := filepath.EvalSymlinks(wd); err == nil {
			wd = real
		}
		if rel, err := filepath.Rel(abs, wd); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", usagef("--out %s is the current directory or holds it: an export replaces its folder whole; give a folder of its own (e.g. --out registry)", dir)
		}
	}
	if filepath.Dir(abs) == abs {
		return "", usagef("--out %s is the root directory; give a folder of its own", dir)
	}
	// The staging folder is made beside DIR: its parent must be writable.
	if fi, err := os.Stat(filepath.Dir(abs)); err == nil && fi.IsDir() {
		if err := probeWritable(dir, filepath.Dir(abs)); err != nil {
			return "", err
		}
	}
	return abs, nil
}

// checkExportDir is the usage error when dir (--out as given in shown) holds anything
// but one previous mipspi export: a file its manifest does not list, a listed file
// changed since, or any file beside no manifest. Each such file is named.
func checkExportDir(shown, dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("export: read %s: %w", shown, unwrapPathError(err))
	}
	if len(entries) == 0 {
		return nil
	}
	const fix = "a folder holds one export, which the next export replaces whole: move it away or give another --out"
	listed, err := readExportManifest(filepath.Join(dir, manifestName))
	if err != nil {
		return usagef("--out %s holds %s, which is not a mipspi export manifest (%v); %s", shown, manifestName, err, fix)
	}
	var foreign, changed []string
	for _, e := range entries {
		name := e.Name()
		if name == manifestName || probeName.MatchString(name) {
			continue // a probe file of checkOutDir whose run was killed goes with the set
		}
		sum, ok := listed[name]
		if !ok || !e.Type().IsRegular() {
			foreign = append(foreign, name)
			continue
		}
		if got, err := fileSHA256(filepath.Join(dir, name)); err != nil || got != sum {
			changed = append(changed, name)
		}
	}
	switch {
	case len(foreign) > 0 && listed == nil:
		return usagef("--out %s holds %s and no mipspi export: %s", shown, nameList(foreign), fix)
	case len(foreign) > 0:
		return usagef("--out %s holds %s, which the mipspi export there does not list: %s", shown, nameList(foreign), fix)
	case len(changed) > 0:
		return usagef("--out %s: %s changed since mipspi wrote it (the SHA-256 in %s differs): %s", shown, nameList(changed), manifestName, fix)
	}
	return nil
}

// probeName matches the empty file probeWritable makes and removes at once.
var probeName = regexp.MustCompile(`^\.mipspi-probe-[0-9]+$`)

// nameList names files for a message: "a.txt", "a.txt and b.txt", at most five then
// "and N more".
func nameList(names []string) string {
	slices.Sort(names)
	const most = 5
	shown := names
	more := ""
	if len(names) > most {
		shown, more = names[:most], fmt.Sprintf(" and %d more", len(names)-most)
	}
	quoted := make([]string, len(shown))
	for i, n := range shown {
		quoted[i] = oneLine(n)
	}
	if more == "" && len(quoted) > 1 {
		return strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
	}
	return strings.Join(quoted, ", ") + more
}

// readExportManifest returns the files a previous export's manifest lists with their
// SHA-256, or nil when there is no manifest.
func readExportManifest(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxManifestSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifestSize {
		return nil, fmt.Errorf("larger than %d bytes", maxManifestSize)
	}
	var m exportManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, errors.New("not JSON")
	}
	if m.Tool != "mipspi" {
		return nil, errors.New(`no "tool": "mipspi"`)
	}
	out := map[string]string{}
	for _, f := range m.Files {
		out[f.Name] = f.SHA256
	}
	return out, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// leftoverName matches the staging and set-aside folders an export makes beside DIR.
func leftoverName(dir string) *regexp.Regexp {
	return regexp.MustCompile(`^\.` + regexp.QuoteMeta(filepath.Base(dir)) + `\.mipspi-(tmp|old)-[0-9]+$`)
}

// stagedName matches what an export writes into its staging folder: the registry files,
// the manifest, and reports.WriteFile's temporary copies of them.
var stagedName = regexp.MustCompile(`^\.?(.+?)(\.tmp-[0-9]+)?$`)

func isStagedFile(name string) bool {
	m := stagedName.FindStringSubmatch(name)
	if m == nil || (m[2] != "") != strings.HasPrefix(name, ".") {
		return false
	}
	return m[1] == manifestName || registry.IsFileName(m[1])
}

// cleanExportLeftovers removes the folders beside dir that killed exports left: named
// .DIR.mipspi-tmp-NNN or .DIR.mipspi-old-NNN, real folders (not links), holding only
// regular files mipspi writes, and not locked by an export still running. It returns a
// sentence for each such folder it left alone.
func cleanExportLeftovers(dir string) []string {
	parent := filepath.Dir(dir)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil // nothing to clean; the export itself will say what is wrong
	}
	pat := leftoverName(dir)
	var notes []string
	for _, e := range entries {
		if !pat.MatchString(e.Name()) || !e.IsDir() || e.Type()&fs.ModeSymlink != 0 {
			continue
		}
		path := filepath.Join(parent, e.Name())
		if why := notOurs(path); why != "" {
			notes = append(notes, fmt.Sprintf("left %s in place: it looks like a killed export's leftover but %s; remove it yourself once you know what it is", path, why))
			continue
		}
		unlock, busy, err := lockDir(path)
		if busy {
			continue // an export is writing it now
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("left %s in place: %v", path, unwrapPathError(err)))
			continue
		}
		err = os.RemoveAll(path)
		unlock()
		if err != nil {
			notes = append(notes, fmt.Sprintf("could not remove %s, a killed export's leftover: %v", path, unwrapPathError(err)))
		}
	}
	return notes
}

// notOurs says why the folder at path is not a mipspi staging folder ("" when it is).
func notOurs(path string) string {
	entries, err := os.ReadDir(path)
	if err != nil {
		return "it cannot be read (" + unwrapPathError(err).Error() + ")"
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !isStagedFile(e.Name()) {
			return "it holds " + oneLine(e.Name()) + ", which mipspi does not write"
		}
	}
	return ""
}

// writeExportDir writes files and the manifest as DIR's one export (see the file's
// comment). shown is --out as given, for messages; dir is exportTarget's path.
// protected are files no export file may replace (the database, the configuration).
// mode is the files' (0600, or 0640 with --mode 0640: then the folders it makes are
// 0750, and DIR gains group read and search, so the group can open the files).
func writeExportDir(ctx context.Context, shown, dir string, files map[string][]byte, man *exportManifest, protected []protectedFile, mode fs.FileMode) (err error) {
	dirMode := fs.FileMode(0o700)
	if mode&0o040 != 0 {
		dirMode = 0o750
	}
	names := make([]string, 0, len(files))
	for name := range files {
		if name != filepath.Base(name) || name == "." || name == ".." || name == manifestName {
			return fmt.Errorf("export: refusing file name %q in %s", name, shown)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	entries := map[string][]registry.Entry{}
	for _, f := range man.Files {
		entries[f.Name] = f.Entities
	}
	man.Files = man.Files[:0]
	for _, name := range names {
		sum := sha256.Sum256(files[name])
		man.Files = append(man.Files, manifestFile{Name: name, Bytes: len(files[name]), SHA256: hex.EncodeToString(sum[:]), Entities: entries[name]})
	}
	mj, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return fmt.Errorf("export: manifest: %w", err)
	}
	files[manifestName] = append(mj, '\n')
	names = append(names, manifestName)

	// Nothing may land on an input.
	for _, name := range names {
		if err := refuseProtected(flagOut, filepath.Join(dir, name), protected); err != nil {
			return err
		}
	}

	parent := filepath.Dir(dir)
	if made, err := mkdirParents(parent, dirMode); err != nil {
		return fmt.Errorf("export: create %s: %w", parent, unwrapPathError(err))
	} else if made != "" {
		defer func() {
			if err != nil { // nothing written: the directories made for it go too
				_ = os.RemoveAll(made)
			}
		}()
	}
	staging, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".mipspi-tmp-*")
	if err != nil {
		return fmt.Errorf("export: create a staging folder beside %s: %w", shown, unwrapPathError(err))
	}
	unlock, _, err := lockDir(staging)
	if err != nil {
		_ = os.Remove(staging)
		return fmt.Errorf("export: lock %s: %w", staging, unwrapPathError(err))
	}
	defer func() {
		unlock()
		// After a failure the staging folder holds the new set; after the commit, the
		// old one (or nothing): either way it goes. Should that fail, the export is
		// still whole in DIR and the next one removes the leftover.
		_ = os.RemoveAll(staging)
	}()
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if exportWriteHook != nil {
			if err := exportWriteHook(name); err != nil {
				return fmt.Errorf("export: write %s: %w; nothing written to %s", name, err, shown)
			}
		}
		data := files[name]
		if err := reports.WriteFileMode(filepath.Join(staging, name), mode, func(w io.Writer) error {
			_, err := ctxWriter{ctx, w}.Write(data)
			return err
		}); err != nil {
			return fmt.Errorf("export: %w; nothing written to %s", err, shown)
		}
	}
	syncDir(staging)
	if err := ctx.Err(); err != nil {
		return err // interrupted: the files never reach dir
	}
	perm := dirMode
	if fi, err := os.Stat(dir); err == nil {
		perm = fi.Mode().Perm() | dirMode&0o070 // the folder keeps its permissions
	}
	_ = os.Chmod(staging, perm)
	if exportCommitHook != nil {
		exportCommitHook("staged")
	}
	// DIR is looked at again: a file put there while the database was read must not go.
	if err := checkExportDir(shown, dir); err != nil {
		return err
	}
	return commitExport(shown, staging, dir)
}

// commitExport puts the staged set in dir's place. It does not watch ctx: it is one or
// two renames, and stopping half-way is what it exists to prevent.
func commitExport(shown, staging, dir string) error {
	defer syncDir(filepath.Dir(dir))
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(staging, dir); err != nil {
			return fmt.Errorf("export: move the files into %s: %w; nothing written", shown, unwrapPathError(err))
		}
		return nil
	}
	err := exchange(staging, dir)
	if err == nil {
		if exportCommitHook != nil {
			exportCommitHook("swapped")
		}
		return nil // the old set is under the staging name, removed by the caller
	}
	if !errors.Is(err, errNoExchange) {
		return fmt.Errorf("export: put the new files in place of %s: %w; nothing changed", shown, unwrapPathError(err))
	}
	aside := strings.Replace(staging, ".mipspi-tmp-", ".mipspi-old-", 1)
	if err := os.Rename(dir, aside); err != nil {
		return fmt.Errorf("export: move the previous export in %s aside: %w; nothing changed", shown, unwrapPathError(err))
	}
	if err := os.Rename(staging, dir); err != nil {
		if uerr := os.Rename(aside, dir); uerr != nil {
			return fmt.Errorf("export: move the files into %s: %w; the previous export is in %s", shown, unwrapPathError(err), aside)
		}
		return fmt.Errorf("export: move the files into %s: %w; nothing changed", shown, unwrapPathError(err))
	}
	if exportCommitHook != nil {
		exportCommitHook("swapped")
	}
	_ = os.RemoveAll(aside) // should that fail, the next export removes the leftover
	return nil
}

// mkdirParents creates dir and its missing parents (perm: 0700, or 0750 for a group's
// export) and returns the first one it created ("" when dir existed), so that a failed
// export can remove them again.
func mkdirParents(dir string, perm fs.FileMode) (string, error) {
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
	if err := os.MkdirAll(dir, perm); err != nil {
		return first, err
	}
	// MkdirAll's modes pass through the umask; the group's rights are asked for.
	for p := dir; ; p = filepath.Dir(p) {
		_ = os.Chmod(p, perm)
		if p == first || p == filepath.Dir(p) {
			break
		}
	}
	return first, nil
}

// syncDir makes renames in dir durable where the file system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
