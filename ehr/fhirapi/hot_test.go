package fhirapi

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/sqliteshim"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
}

// hotStore is an evidence store in dir with a hot journal: the files as a run killed in
// the middle of a write leaves them (copied while a write transaction is open).
func hotStore(t *testing.T, dir string) string {
	t.Helper()
	path := chainStore(t, 3)
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?_pragma=cache_size(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`CREATE TABLE filler (x)`); err != nil {
		t.Fatal(err)
	}
	for range 200 { // more than the one-page cache: pages reach the file, the journal fills
		if _, err := tx.Exec(`INSERT INTO filler VALUES (randomblob(4000))`); err != nil {
			t.Fatal(err)
		}
	}
	hot := filepath.Join(dir, "ev.db")
	copyFile(t, path, hot)
	copyFile(t, path+"-journal", hot+"-journal")
	return hot
}

// A hot journal makes a read-only open fail with SQLite's "attempt to write a readonly
// database"; the error says why and what to do, and the next append rolls it back.
func TestEvidenceHotJournalAdvice(t *testing.T) {
	ctx := context.Background()
	hot := hotStore(t, t.TempDir())
	before := digest(t, hot)
	_, err := OpenForReading(ctx, hot)
	want := "open evidence store " + hot + ": attempt to write a readonly database (776): " + hot +
		"-journal holds a write that a killed mipspi api check --record did not finish (a hot journal), and reading for a report may not roll it back; the next mipspi api check … --record " +
		hot + " rolls it back (run it as the user who owns the store, with write access to its directory), then the report can read the store"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if digest(t, hot) != before {
		t.Error("the read-only open changed the store")
	}
	e, err := OpenForAppend(ctx, hot)
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	if _, err := os.Stat(hot + "-journal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("journal still there: %v", err)
	}
	if c := verify(t, hot); c.Rows != 3 || c.Problems != 0 {
		t.Errorf("after the roll-back: %+v", c)
	}
}

// The store appears whole or not at all: a killed first run leaves only a temporary file
// that the next run removes, never an empty file at the path; concurrent first runs all
// record, one after the other, in one chain.
func TestEvidenceCreationAtomic(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ev.db")
	// What a first run killed while making the schema leaves: a temporary file, unlocked.
	left := filepath.Join(dir, ".ev.db.tmp-123456")
	for _, f := range []string{left, left + "-journal"} {
		if err := os.WriteFile(f, []byte("SQLite format 3\x00half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := OpenForAppend(ctx, path)
			if err != nil {
				errs[i] = err
				return
			}
			defer e.Close()
			errs[i] = e.Append(ctx, sampleResult(chainT0.Add(time.Duration(i)*time.Minute), true), "v-test")
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
	c := verify(t, path)
	if c.Rows != 6 || c.HeadID != 6 {
		t.Errorf("chain after concurrent first runs: %+v", c)
	}
	for _, p := range c.Named { // the runs' instants interleave; nothing else may show
		if !strings.HasPrefix(p, "time runs backwards") {
			t.Errorf("problem: %s", p)
		}
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	hidden, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(names) != 1 || len(hidden) != 0 {
		t.Errorf("directory holds %v %v, want only ev.db", names, hidden)
	}
}
