package rowstore

// The temporary file rows move to when a store holds more than its threshold in
// memory, and where the workbook keeps its compressed sheet parts until their size is
// known. It is created on the first write only, mode 0600, in the given directory
// (os.TempDir when empty), and removed from the directory at once where the system
// allows (Unix: the open file lives on unnamed, so nothing is left behind even if the
// process is killed); elsewhere Close removes it.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// File is a lazily created, self-removing temporary file: appends, then reads at any
// offset (from any goroutine).
type File struct {
	dir  string
	mu   sync.Mutex
	f    *os.File
	name string // non-empty while the name still exists in the directory
	size int64
	done bool // closed
}

// NewFile returns a File that will live in dir (os.TempDir when "").
func NewFile(dir string) *File { return &File{dir: dir} }

// Write appends p, creating the file on the first call.
func (s *File) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return 0, errors.New("temporary file already closed")
	}
	if s.f == nil {
		if err := s.create(); err != nil {
			return 0, err
		}
	}
	n, err := s.f.WriteAt(p, s.size)
	s.size += int64(n)
	if err != nil {
		return n, fmt.Errorf("write temporary file: %w", err)
	}
	return n, nil
}

func (s *File) create() error {
	dir := s.dir
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "mipspi-spill-*")
	if err != nil {
		return fmt.Errorf("create temporary file in %s: %w", dir, err)
	}
	if err := f.Chmod(0o600); err != nil { // CreateTemp makes 0600; say so for any umask
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("create temporary file in %s: %w", dir, err)
	}
	s.f, s.name = f, f.Name()
	if os.Remove(s.name) == nil { // Unix: the open file stays readable, nameless
		s.name = ""
	}
	return nil
}

// ReadAt reads len(p) bytes from off, which must lie within what was written.
func (s *File) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	f, size, done := s.f, s.size, s.done
	s.mu.Unlock()
	if done {
		return 0, errors.New("temporary file already closed")
	}
	if off >= size || f == nil {
		return 0, io.EOF
	}
	if max := size - off; int64(len(p)) > max {
		n, err := f.ReadAt(p[:max], off)
		if err == nil {
			err = io.EOF
		}
		return n, err
	}
	return f.ReadAt(p, off)
}

// Size is the number of bytes written.
func (s *File) Size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

// Path is the file's name while it still has one in the directory ("" once removed or
// on Unix, where it is removed on creation).
func (s *File) Path() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name
}

// Close closes and removes the file. It is safe to call more than once.
func (s *File) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil
	}
	s.done = true
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	if s.name != "" {
		if rerr := os.Remove(s.name); rerr != nil && err == nil {
			err = rerr
		}
		s.name = ""
	}
	return err
}
