// Command visitsql prints the period query that ehr.Store.Read issues, with its
// arguments written in as literals and on one line, so that bench/run.sh can run the
// very same SQL through psql (\copy … to /dev/null) and the sqlite3 shell: the floor
// that mipspi report is measured against.
//
//	go run ./bench/visitsql --db DSN --from 2025-01-01 --to 2025-12-31
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
)

func main() {
	dsn := flag.String("db", "", "DSN of the database (postgres://… or sqlite:FILE)")
	from := flag.String("from", "", "first day of the period, YYYY-MM-DD")
	to := flag.String("to", "", "last day of the period, YYYY-MM-DD")
	flag.Parse()
	if err := run(*dsn, *from, *to); err != nil {
		fmt.Fprintln(os.Stderr, "visitsql:", err)
		os.Exit(1)
	}
}

func run(dsn, fromS, toS string) error {
	from, err := parseDate(fromS)
	if err != nil {
		return err
	}
	to, err := parseDate(toS)
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, err := ehr.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open %s: %w", dsn, err)
	}
	defer s.Close()
	// The same UTC window Read uses: [from-1 day 00:00Z, to+2 days 00:00Z).
	q, args := s.VisitsSQL(from.AddDays(-1).Time(), to.AddDays(2).Time())
	// Replace the highest-numbered placeholders first so that $1 never eats $10.
	for i := len(args); i >= 1; i-- {
		var lit string
		switch v := args[i-1].(type) {
		case time.Time:
			lit = "'" + v.UTC().Format(time.RFC3339Nano) + "'::timestamptz"
		case string:
			lit = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		default:
			return fmt.Errorf("argument %d: unexpected type %T", i, v)
		}
		ph := "?" + strconv.Itoa(i)
		if s.Dialect() == ehr.Postgres {
			ph = "$" + strconv.Itoa(i)
		}
		q = strings.ReplaceAll(q, ph, lit)
	}
	fmt.Println(strings.Join(strings.Fields(q), " "))
	return nil
}

func parseDate(s string) (calendar.Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return calendar.DateOfCivil(t), nil
}
