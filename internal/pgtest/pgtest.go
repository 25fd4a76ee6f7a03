// Package pgtest gives tests a real PostgreSQL: a throwaway server that the test binary
// starts itself (initdb + pg_ctl from Debian's postgresql package, data in a temp dir,
// fsync off, loopback port), or the server named by $MIPSPI_TEST_PG_DSN. Each test gets a
// fresh empty database.
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
//	func TestX(t *testing.T) { dsn := pgtest.NewDatabase(t); … }
//
// The server starts on the first NewDatabase call, so packages whose PostgreSQL tests
// are filtered out pay nothing, and stops (data dir removed) when Run returns. When no
// server can be had, NewDatabase skips the test — except under CI=true, where it fails:
// CI must never pass by skipping PostgreSQL.
package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"github.com/mipspi/mipspi/internal/testserver"
)

// EnvDSN names an existing server to use instead of starting one. Its user needs
// CREATEDB (and CREATEROLE for role tests).
const EnvDSN = "MIPSPI_TEST_PG_DSN"

var (
	once    sync.Once
	srv     *server
	srvErr  error
	counter atomic.Int64
)

type server struct {
	admin   string // DSN of the maintenance database
	dir     string // temp dir of a server we started ("" for $MIPSPI_TEST_PG_DSN)
	bin     string
	asUser  string // "postgres" when running as root
	started bool
	port    int
	mu      sync.Mutex // guards started against a halt from another goroutine
}

// Run runs the tests and then stops the server if one was started. Use it from TestMain.
func Run(m *testing.M) int {
	code := m.Run()
	Stop()
	return code
}

// Stop stops the server started by this process (if any) and removes its data.
func Stop() {
	if srv != nil && srv.dir != "" {
		srv.stop()
	}
}

// NewDatabase returns the DSN (postgres://…) of a fresh, empty database owned by a
// superuser. It skips t when PostgreSQL is unavailable (fails under CI=true).
func NewDatabase(t testing.TB) string {
	t.Helper()
	once.Do(func() { srv, srvErr = start() })
	if srvErr != nil {
		unavailable(t, srvErr)
	}
	name := fmt.Sprintf("mipspi_test_%d_%d", os.Getpid(), counter.Add(1))
	db, err := sql.Open("postgres", srv.admin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("postgres", srv.admin)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return withDatabase(srv.admin, name)
}

// Admin returns the DSN of the server's maintenance database (superuser), for tests that
// create roles. Same skip/fail rules as NewDatabase.
func Admin(t testing.TB) string {
	t.Helper()
	once.Do(func() { srv, srvErr = start() })
	if srvErr != nil {
		unavailable(t, srvErr)
	}
	return srv.admin
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	testserver.Unavailable(t, "pgtest: PostgreSQL", EnvDSN, "postgresql", err)
}

// withDatabase replaces the database of a postgres:// DSN.
func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

func start() (*server, error) {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		s := &server{admin: dsn}
		if err := s.ping(10 * time.Second); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvDSN, err)
		}
		return s, nil
	}
	return startCluster("")
}

// startCluster initialises and starts a server of our own in a new temp dir. With a
// password, every role (the superuser postgres included) logs in with it over SCRAM;
// without, any login is trusted.
func startCluster(password string) (*server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root and no postgres user to run initdb as: %w", err)
		}
		s.asUser = "postgres"
	}
	// Not t.TempDir: its parents are 0700 root, out of reach of the postgres user.
	if s.dir, err = os.MkdirTemp("", "mipspi-pg-*"); err != nil {
		return nil, err
	}
	if err := s.init(password); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// findBin picks the newest /usr/lib/postgresql/*/bin holding initdb and pg_ctl.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
				return d, nil
			}
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no initdb/pg_ctl in /usr/lib/postgresql/*/bin or on PATH")
}

// run runs a server binary, as the postgres user when we are root.
func (s *server) run(name string, args ...string) error {
	path := filepath.Join(s.bin, name)
	var cmd *exec.Cmd
	if s.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, testserver.Tail(out.String()))
	}
	return nil
}

func (s *server) init(password string) error {
	if s.asUser != "" {
		if out, err := exec.Command("chown", s.asUser, s.dir).CombinedOutput(); err != nil {
			return fmt.Errorf("chown %s: %v: %s", s.dir, err, out)
		}
	}
	data := filepath.Join(s.dir, "data")
	auth := []string{"-A", "trust"}
	if password != "" {
		pwfile := filepath.Join(s.dir, "pw")
		if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o644); err != nil {
			return err
		}
		defer os.Remove(pwfile)
		auth = []string{"--pwfile", pwfile, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256"}
	}
	args := append([]string{"-D", data, "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"}, auth...)
	if err := s.run("initdb", args...); err != nil {
		return err
	}
	port, err := testserver.FreePort()
	if err != nil {
		return err
	}
	s.port = port
	if err := s.startServer(); err != nil {
		return err
	}
	u := url.URL{Scheme: "postgres", Host: fmt.Sprintf("127.0.0.1:%d", port), Path: "/postgres", RawQuery: "sslmode=disable"}
	u.User = url.User("postgres")
	if password != "" {
		u.User = url.UserPassword("postgres", password)
	}
	s.admin = u.String()
	return s.ping(10 * time.Second)
}

// startServer starts the initialised cluster on s.port (loopback only, durability off).
func (s *server) startServer() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off "+
		"-c synchronous_commit=off -c full_page_writes=off -c max_connections=50 "+
		"-c password_encryption=scram-sha-256", s.port, s.dir)
	logf := filepath.Join(s.dir, "server.log")
	if err := s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-l", logf, "-o", opts, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(logf)
		return fmt.Errorf("%v\nserver log:\n%s", err, testserver.Tail(string(log)))
	}
	s.started = true
	return nil
}

// halt stops the server at once, as a crash or `pg_ctl stop -m immediate` would:
// backends are killed mid-query. The data dir stays.
func (s *server) halt() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return nil
	}
	s.started = false
	return s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
}

// ping waits until the server answers (pg_ctl -w already waited; this covers
// $MIPSPI_TEST_PG_DSN and slow machines).
func (s *server) ping(limit time.Duration) error {
	db, err := sql.Open("postgres", s.admin)
	if err != nil {
		return err
	}
	defer db.Close()
	return testserver.Ping(db, limit)
}

func (s *server) stop() {
	s.halt()
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
	s.dir = ""
}

// Cluster is a PostgreSQL server of one test's own, for faults the shared server must
// not suffer: password logins (the shared one trusts every login) and a server that
// stops in the middle of a test. It obeys the same skip-or-fail rule as NewDatabase
// and is removed when the test ends.
type Cluster struct {
	t testing.TB
	s *server
	// Port is the server's loopback TCP port.
	Port int
}

// NewCluster starts a dedicated cluster. With a password, every role logs in with it
// (SCRAM), the superuser "postgres" included; with "" any login is trusted.
func NewCluster(t testing.TB, password string) *Cluster {
	t.Helper()
	Admin(t) // the shared server decides skip-or-fail and proves the binaries work here
	s, err := startCluster(password)
	if err != nil {
		t.Fatalf("start a dedicated PostgreSQL cluster: %v", err)
	}
	t.Cleanup(s.stop)
	return &Cluster{t: t, s: s, Port: s.port}
}

// DSN is a DSN for user on database of this cluster, through hostPort when given (a
// proxy in front of it) or straight to the server.
func (c *Cluster) DSN(user, password, database, hostPort string) string {
	if hostPort == "" {
		hostPort = fmt.Sprintf("127.0.0.1:%d", c.Port)
	}
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Host: hostPort, Path: "/" + database,
		RawQuery: "sslmode=disable&connect_timeout=10"}
	return u.String()
}

// Stop stops the server at once (pg_ctl stop -m immediate); it is safe to call from
// another goroutine while a query streams, and more than once.
func (c *Cluster) Stop() {
	if err := c.s.halt(); err != nil {
		c.t.Errorf("stop the dedicated cluster: %v", err)
	}
}
