package reports

// Report files hold patient data (issue 7): they are created mode 0600 and appear whole
// or not at all, so a failed or interrupted run never leaves a half-written workbook or
// a world-readable copy behind. The writing itself is internal/atomicfile's, the one
// atomic writer of the project; a run killed outright (kill -9) leaves a hidden
// .NAME.tmp-* file that the next write of NAME removes.

import (
	"fmt"
	"io"
	"io/fs"

	"github.com/mipspi/mipspi/internal/atomicfile"
)

// WriteFile writes path atomically: write fills a temporary file (mode 0600) in path's
// directory, which is flushed, fsynced and renamed over path. On any error — from write,
// the disk or the rename — the temporary file is removed and path is left as it was.
func WriteFile(path string, write func(io.Writer) error) error {
	return WriteFileMode(path, 0o600, write)
}

// WriteFileMode is WriteFile giving the file mode (0640 for a report the owner's group
// shares) once it is whole.
func WriteFileMode(path string, mode fs.FileMode, write func(io.Writer) error) error {
	if err := atomicfile.WriteMode(path, mode, write); err != nil {
		return fmt.Errorf("write report file %s: %w", path, err)
	}
	return nil
}
