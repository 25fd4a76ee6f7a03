//go:build !unix

package atomicfile

import (
	"io/fs"
	"os"
)

// Without flock a live run's temporary file cannot be told from a dead one's, so no
// leftover is ever removed (RemoveStale returns at once).
const canLock = false

func lock(*os.File, bool) error { return nil }

func openNoFollow(name string) (*os.File, error) { return os.Open(name) }

func ownedByMe(fs.FileInfo) bool { return false }
