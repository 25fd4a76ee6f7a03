package main

// input.go: how mipspi opens a file it reads (combine's reports, --config, --ca). A FIFO
// or a device given where a file is expected would block open(2) or read(2) forever,
// beyond the reach of Ctrl-C and SIGTERM; such a path is refused at once instead.

import (
	"errors"
	"os"
)

// errNotRegular says an input path is a FIFO, device, socket or directory.
var errNotRegular = errors.New("is not a regular file (a FIFO, device or socket); mipspi reads only regular files")

// openInput opens path for reading without ever blocking: the open itself does not wait
// for a FIFO's writer (nonblocking on Unix), and anything but a regular file is refused
// with errNotRegular (a directory with errIsDir).
func openInput(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	switch {
	case fi.IsDir():
		f.Close()
		return nil, errIsDir
	case !fi.Mode().IsRegular():
		f.Close()
		return nil, errNotRegular
	}
	return f, nil
}

var errIsDir = errors.New("is a directory")
