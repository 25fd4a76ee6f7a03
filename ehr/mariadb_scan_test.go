package ehr

import (
	"context"
	"slices"
	"testing"

	"github.com/mipspi/mipspi/internal/mariadbtest"
)

// A query of the read's own on MariaDB's one connection while a scan still streams
// (mdbTx): the scan is first read into memory, and both give all their rows.
func TestMariaDBQueryWhileScanStreams(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, mariadbtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Init(ctx, false); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`INSERT INTO patients (id, mrn) VALUES (1, 'M1'), (2, 'M2'), (3, 'M3'), (4, NULL), (5, 'M5')`} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := s.d.begin(ctx, s.db)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.close()
	rs, err := snap.scans(ctx, []scanQuery{{cols: "id, mrn", from: "patients", order: "id", patient: "id"}})
	if err != nil {
		t.Fatal(err)
	}
	var id colInt
	var mrn colText
	var ids []int64
	var mrns []string
	for rs[0].Next() {
		if err := rs[0].Scan(&id, &mrn); err != nil {
			t.Fatal(err)
		}
		ids, mrns = append(ids, id.v), append(mrns, mrn.String())
		if len(ids) == 2 {
			var n int
			if err := snap.tx().QueryRowContext(ctx, "SELECT count(*) FROM patients").Scan(&n); err != nil || n != 5 {
				t.Fatalf("count while the scan streams: %d, %v", n, err)
			}
		}
	}
	if err := rs[0].Err(); err != nil {
		t.Fatal(err)
	}
	if want := []int64{1, 2, 3, 4, 5}; !slices.Equal(ids, want) {
		t.Errorf("ids %v, want %v", ids, want)
	}
	if want := []string{"M1", "M2", "M3", "", "M5"}; !slices.Equal(mrns, want) {
		t.Errorf("mrns %q, want %q", mrns, want)
	}
}
