package rowstore

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"testing"
	"time"
)

func TestWriteReadBack(t *testing.T) {
	dir := t.TempDir()
	s := NewFile(dir)
	if n, err := s.ReadAt(make([]byte, 1), 0); n != 0 || err != io.EOF {
		t.Fatalf("empty file read back %d bytes (%v)", n, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("file made before the first write: %v", ents)
	}
	var want bytes.Buffer
	for i := 0; i < 1000; i++ {
		p := bytes.Repeat([]byte{byte(i)}, i%97+1)
		want.Write(p)
		if _, err := s.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := s.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if runtime.GOOS != "windows" {
		if ents, _ := os.ReadDir(dir); len(ents) != 0 || s.Path() != "" {
			t.Errorf("the spill file has a name in %s while open: %v %q", dir, ents, s.Path())
		}
	}
	for pass := 0; pass < 2; pass++ {
		got, err := io.ReadAll(io.NewSectionReader(s, 0, s.Size()))
		if err != nil || !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("pass %d: read back %d bytes (err %v), want %d", pass, len(got), err, want.Len())
		}
	}
	if n, err := s.ReadAt(make([]byte, 10), s.Size()-4); n != 4 || err != io.EOF {
		t.Errorf("read past the end: %d bytes, %v; want 4 and EOF", n, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Write([]byte("x")); err == nil {
		t.Error("write after Close succeeded")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

func TestCreateFails(t *testing.T) {
	s := NewFile(t.TempDir() + "/missing/dir")
	if _, err := s.Write([]byte("x")); err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
}

// A process interrupted (Ctrl-C) or killed while its spill is open leaves nothing in
// the directory.
func TestInterruptLeavesNothing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("signals")
	}
	if os.Getenv("SPILL_CHILD") != "" {
		signal.Ignore(os.Interrupt) // as if busy: only the kill below ends it
		s := NewFile(os.Getenv("SPILL_CHILD"))
		if _, err := s.Write(make([]byte, 1<<20)); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("ready\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	for _, sig := range []os.Signal{os.Interrupt, os.Kill} {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestInterruptLeavesNothing$")
		cmd.Env = append(os.Environ(), "SPILL_CHILD="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child said %q", line)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("while running: %v in the directory", ents)
		}
		cmd.Process.Signal(sig)
		if sig == os.Interrupt {
			time.Sleep(100 * time.Millisecond)
			cmd.Process.Kill()
		}
		cmd.Wait()
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("after %v: %v left in the directory", sig, ents)
		}
	}
}
