package main

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/mipspi/mipspi/ehr"
)

// A practice name holding a right-to-left override (U+202E, which would reverse what
// follows it on a terminal or in a spreadsheet) and a NUL reaches neither stderr nor a
// CSV cell as itself: stderr shows it escaped, the CSV cell as U+FFFD.
func TestPracticeNameBidiAndNUL(t *testing.T) {
	dsn := smallDB(t)
	st, err := ehr.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().DB.Exec("UPDATE offices SET name = 'Main ' || char(8238) || 'cinilC' || char(0) || ' Street'"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	bad := func(s string) bool { return strings.ContainsAny(s, "\u202e\x00") }

	// stderr: the TINs in the database are listed with their names.
	o := mipspi(t, args([]string{"report", "--db", dsn, "--tin", "999999999"}, smallPeriod)...)
	if o.code != exitFail || !strings.Contains(o.stderr, `123456789 (Main \u202ecinilC\x00 Street)`) || bad(o.stderr) {
		t.Errorf("exit %d, stderr %q: want exit 1 and the name with U+202E and NUL escaped", o.code, o.stderr)
	}

	// CSV: the entities table's practice_name, and every cell of the other tables.
	for _, table := range []string{"entities", "issues", "patients", "trend"} {
		o := mustRun(t, args([]string{"report", "--db", dsn, "--quiet", "--format", "csv", "--table", table}, smallPeriod)...)
		if bad(o.stdout) {
			t.Errorf("--table %s: a bidi control or NUL reached the CSV:\n%q", table, o.stdout)
		}
		if table != "entities" {
			continue
		}
		rows, err := csv.NewReader(strings.NewReader(o.stdout)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := -1
		for i, h := range rows[0] {
			if h == "practice_name" {
				col = i
			}
		}
		if col < 0 || len(rows) < 2 || rows[1][col] != "Main \uFFFDcinilC\uFFFD Street" {
			t.Errorf("practice_name column %d of %q: want the name with U+FFFD for U+202E and NUL", col, rows)
		}
	}
}
