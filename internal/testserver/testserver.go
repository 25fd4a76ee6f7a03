// Package testserver holds what the throwaway database servers of the tests
// (internal/pgtest, internal/mariadbtest) share: the skip-or-fail rule, a free loopback
// port, waiting for a server to answer, and the tail of a log for a message.
package testserver

import (
	"context"
	"database/sql"
	"net"
	"os"
	"testing"
	"time"
)

// Unavailable skips t because the server named what cannot be had — or fails it under
// CI=true: CI must never pass by skipping a database. env is the variable that may name
// an existing server instead, pkg the Debian package that provides one.
func Unavailable(t testing.TB, what, env, pkg string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s unavailable under CI: %v", what, err)
	}
	t.Skipf("%s unavailable (set %s or install %s): %v", what, env, pkg, err)
}

// FreePort is a loopback TCP port nothing listens on at the moment.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Ping waits until db answers, for at most limit.
func Ping(db *sql.DB, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Tail is the end of a log, short enough for a test message.
func Tail(s string) string {
	const max = 2000
	if len(s) > max {
		return "…" + s[len(s)-max:]
	}
	return s
}
