package pgtest_test

import (
	"database/sql"
	"os"
	"testing"

	"github.com/mipspi/mipspi/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// Two databases from one server are distinct and empty.
func TestNewDatabase(t *testing.T) {
	a, b := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	if a == b {
		t.Fatalf("same DSN twice: %s", a)
	}
	for _, dsn := range []string{a, b} {
		db, err := sql.Open("postgres", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&n); err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		if n != 0 {
			t.Errorf("%s: %d tables in a fresh database", dsn, n)
		}
	}
}
