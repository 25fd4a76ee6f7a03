//go:build unix

package main

import (
	"errors"
	"os"
	"syscall"
)

// lockDir takes an exclusive advisory lock (flock) on directory dir, held until
// unlock: a running export holds one on its staging folder, so that another export's
// cleaning (cleanExportLeftovers) never takes it for a killed run's leftover. The
// kernel drops the lock when the process dies, however it dies. busy reports that
// another process holds it.
func lockDir(dir string) (unlock func(), busy bool, err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, true, nil
		}
		return nil, false, err
	}
	return func() { f.Close() }, false, nil
}
