package reports

// Report files hold patient data (issue 7): they are created mode 0600 and appear whole
// or not at all, so a failed or interrupted run never leaves a half-written workbook or
// a world-readable copy behind.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes path atomically: write fills a temporary file (mode 0600) in path's
// directory, which is flushed, fsynced and renamed over path. On any error — from write,
// the disk or the rename — the temporary file is removed and path is left as it was.
func WriteFile(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return fmt.Errorf("write report file %q: no file name", path)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write report file %s: %w", path, err)
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			_ = tmp.Close() // may already be closed; the error that matters is err
			_ = os.Remove(name)
		}
	}()
	// CreateTemp already uses 0600; Chmod makes it independent of that detail.
	if err = tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("write report file %s: set mode: %w", path, err)
	}
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err = write(bw); err != nil {
		return fmt.Errorf("write report file %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("write report file %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write report file %s: sync: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write report file %s: close: %w", path, err)
	}
	if err = os.Rename(name, path); err != nil {
		return fmt.Errorf("write report file %s: %w", path, err)
	}
	// Make the rename itself durable; a directory that cannot be synced (some file
	// systems refuse) does not make the report wrong, so that error is not returned.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
