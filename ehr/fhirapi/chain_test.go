package fhirapi

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/mipspi/mipspi/measure"
)

var chainT0 = time.Date(2025, 3, 4, 15, 0, 0, 0, time.UTC)

// chainStore records n hourly probes through OpenForAppend and Append, as api check
// --record does; probe 3 fails.
func chainStore(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "evidence.db")
	e, err := OpenForAppend(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for i := range n {
		if err := e.Append(ctx, sampleResult(chainT0.Add(time.Duration(i)*time.Hour), i != 2), "v-test"); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// raw opens the store as anyone with sqlite3 could, outside mipspi.
func raw(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func verify(t *testing.T, path string) measure.EvidenceChain {
	t.Helper()
	e, err := OpenForReading(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	c, err := e.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestChainHolds(t *testing.T) {
	path := chainStore(t, 10)
	c := verify(t, path)
	if c.Rows != 10 || c.Unchained != 0 || c.Problems != 0 || c.HeadID != 10 || !c.HeadAt.Equal(chainT0.Add(9*time.Hour)) || len(c.Head) != 64 {
		t.Fatalf("chain: %+v", c)
	}
	// The head is the last row's link, the value a report prints for keeping.
	var last string
	db, _ := sql.Open(sqliteshim.ShimName, "file:"+path+"?mode=ro")
	defer db.Close()
	if err := db.QueryRow(`SELECT link FROM probes WHERE id = 10`).Scan(&last); err != nil || last != c.Head {
		t.Errorf("head %s, row 10's link %s (%v)", c.Head, last, err)
	}
}

// Forgeries, each on a fresh store of 10 probes: the break is named.
func TestChainNamesForgeries(t *testing.T) {
	// A forged passing probe, as an INSERT without the chain (what the adversarial run did
	// 8,695 times), or with a made-up link.
	insert := func(id int, at, link string) string {
		return `INSERT INTO probes (id, at, base_url, tin, ok, failed, check_set_id, smart_status, smart_latency_ms, smart_sha256,
			metadata_status, metadata_latency_ms, metadata_sha256, tls_version, software, software_version, fhir_version, mipspi_version, link)
			VALUES (` + itoa(id) + `, '` + at + `', 'https://fhir.example-ehr.test/api/FHIR/R4', '123456789', 1, '', 1, 200, 40, '', 200, 180, '', 'TLS 1.3', '', '', '4.0.1', 'v-test', '` + link + `')`
	}
	at := func(h int) string { return chainT0.Add(time.Duration(h) * time.Hour).Format(atLayout) }
	for _, tc := range []struct {
		name  string
		stmts []string
		want  []string
	}{
		{"insert without a link", []string{insert(11, at(10), "")},
			[]string{"row 11 (2025-03-05T01:00:00.000Z) has no chain link but follows linked rows: it was not written by mipspi api check --record"}},
		{"insert with a made-up link", []string{insert(11, at(10), strings.Repeat("ab", 32))},
			[]string{"row 11 (2025-03-05T01:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written"}},
		{"insert into the past", []string{insert(11, at(-5), "")},
			[]string{"time runs backwards at row 11: 2025-03-04T10:00:00.000Z comes after row 10's 2025-03-05T00:00:00.000Z",
				"row 11 (2025-03-04T10:00:00.000Z) has no chain link but follows linked rows: it was not written by mipspi api check --record"}},
		{"failure flipped to a pass after dropping a trigger", []string{
			`DROP TRIGGER probes_no_update`, `UPDATE probes SET ok = 1, failed = '' WHERE id = 3`},
			[]string{"the append-only trigger probes_no_update is missing: rows could be changed or deleted without an error",
				"row 3 (2025-03-04T17:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written"}},
		{"flipped, trigger put back", []string{
			`DROP TRIGGER probes_no_update`, `UPDATE probes SET ok = 1, failed = '' WHERE id = 3`, appendOnlyTriggers()[0]},
			[]string{"row 3 (2025-03-04T17:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written"}},
		{"trigger put back differently", []string{
			`DROP TRIGGER probes_no_update`, `CREATE TRIGGER probes_no_update BEFORE UPDATE ON probes WHEN 0 BEGIN SELECT 1; END`},
			[]string{"the append-only trigger probes_no_update was altered"}},
		{"a failing check set rewritten", []string{
			`DROP TRIGGER check_sets_no_update`, `UPDATE check_sets SET checks = replace(checks, '"fail"', '"pass"') WHERE checks LIKE '%"fail"%'`, appendOnlyTriggers()[2]},
			[]string{"row 3 (2025-03-04T17:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written"}},
		{"a row deleted", []string{`DROP TRIGGER probes_no_delete`, `DELETE FROM probes WHERE id = 3`, appendOnlyTriggers()[1]},
			[]string{"row 3 is missing (between 2 and 4): deleted",
				"row 4 (2025-03-04T18:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written"}},
		{"rows reordered", []string{`DROP TRIGGER probes_no_update`,
			`UPDATE probes SET id = 100 WHERE id = 3`, `UPDATE probes SET id = 3 WHERE id = 7`, `UPDATE probes SET id = 7 WHERE id = 100`, appendOnlyTriggers()[0]},
			[]string{"row 3 (2025-03-04T21:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written",
				"time runs backwards at row 4: 2025-03-04T18:00:00.000Z comes after row 3's 2025-03-04T21:00:00.000Z",
				"row 4 (2025-03-04T18:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written",
				"time runs backwards at row 7: 2025-03-04T17:00:00.000Z comes after row 6's 2025-03-04T20:00:00.000Z",
				"row 7 (2025-03-04T17:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written",
				"row 8 (2025-03-04T22:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written"}},
		{"time moved back", []string{`DROP TRIGGER probes_no_update`, `UPDATE probes SET at = '` + at(1) + `' WHERE id = 6`, appendOnlyTriggers()[0]},
			[]string{"time runs backwards at row 6: 2025-03-04T16:00:00.000Z comes after row 5's 2025-03-04T19:00:00.000Z",
				"row 6 (2025-03-04T16:00:00.000Z) does not match its chain link: changed, inserted or moved after it was written"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := chainStore(t, 10)
			raw(t, path, tc.stmts...)
			c := verify(t, path)
			if d := cmp.Diff(tc.want, c.Named); d != "" {
				t.Errorf("problems (-want +got):\n%s", d)
			}
			if c.Problems != len(tc.want) {
				t.Errorf("%d problems, want %d", c.Problems, len(tc.want))
			}
		})
	}
}

// The last rows deleted: invisible until the next probe is recorded, which comes after
// the highest id ever used and so shows the gap.
func TestChainDeletedLastRowShowsOnNextProbe(t *testing.T) {
	path := chainStore(t, 10)
	raw(t, path, `DROP TRIGGER probes_no_delete`, `DELETE FROM probes WHERE id >= 9`, appendOnlyTriggers()[1])
	if c := verify(t, path); c.Problems != 0 || c.HeadID != 8 {
		t.Fatalf("before the next probe: %+v", c)
	}
	ctx := context.Background()
	e, err := OpenForAppend(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Append(ctx, sampleResult(chainT0.Add(10*time.Hour), true), "v-test"); err != nil {
		t.Fatal(err)
	}
	e.Close()
	c := verify(t, path)
	want := []string{"rows 9 to 10 are missing (between 8 and 11): deleted"}
	if d := cmp.Diff(want, c.Named); d != "" || c.HeadID != 11 {
		t.Errorf("problems (-want +got):\n%s\nhead %d", d, c.HeadID)
	}
}

// A probe whose own clock ran backwards is recorded (the chain holds) but named.
func TestChainClockBackwards(t *testing.T) {
	path := chainStore(t, 3)
	ctx := context.Background()
	e, err := OpenForAppend(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Append(ctx, sampleResult(chainT0.Add(-time.Hour), true), "v-test"); err != nil {
		t.Fatal(err)
	}
	e.Close()
	c := verify(t, path)
	want := []string{"time runs backwards at row 4: 2025-03-04T14:00:00.000Z comes after row 3's 2025-03-04T17:00:00.000Z"}
	if d := cmp.Diff(want, c.Named); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}
}

// A store of the first layout (no chain) is upgraded on its next append: its rows are
// counted as unchained and sealed by the first link, so changing one later shows.
func TestChainUpgradesFirstLayout(t *testing.T) {
	path := chainStore(t, 4)
	// Make it what mipspi wrote before the chain: no warnings, no link, layout 1.
	raw(t, path, `ALTER TABLE probes DROP COLUMN link`, `ALTER TABLE probes DROP COLUMN warned`, `ALTER TABLE probes DROP COLUMN warnings`, `PRAGMA user_version = 1`)
	c := verify(t, path)
	if c.Rows != 4 || c.Unchained != 4 || c.Problems != 0 || len(c.Head) != 64 {
		t.Fatalf("first layout: %+v", c)
	}
	ctx := context.Background()
	e, err := OpenForAppend(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 4; i < 6; i++ {
		if err := e.Append(ctx, sampleResult(chainT0.Add(time.Duration(i)*time.Hour), true), "v-test"); err != nil {
			t.Fatal(err)
		}
	}
	e.Close()
	c = verify(t, path)
	if c.Rows != 6 || c.Unchained != 4 || c.Problems != 0 || c.HeadID != 6 {
		t.Fatalf("after the upgrade: %+v", c)
	}
	raw(t, path, `DROP TRIGGER probes_no_update`, `UPDATE probes SET ok = 1 WHERE id = 3`, appendOnlyTriggers()[0])
	c = verify(t, path)
	want := []string{"row 5 (2025-03-04T19:00:00.000Z), the first linked row, does not match: it or one of the 4 rows written before the chain was changed, inserted or removed"}
	if d := cmp.Diff(want, c.Named); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// BenchmarkEvidenceVerifyYear: verifying a year of hourly probes (8,760 rows), as every
// report --evidence does (target: well under a second).
//
//	go test -run '^$' -bench BenchmarkEvidenceVerifyYear ./ehr/fhirapi
func BenchmarkEvidenceVerifyYear(b *testing.B) {
	path := yearStore(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		e, err := OpenForReading(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		c, err := e.Verify(ctx)
		if err != nil || c.Rows != 8760 || c.Problems != 0 {
			b.Fatal(c.Rows, c.Problems, c.Named, err)
		}
		e.Close()
	}
}
