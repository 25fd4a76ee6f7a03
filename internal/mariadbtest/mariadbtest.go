// Package mariadbtest gives tests a real MariaDB: a throwaway server that the test binary
// starts itself (Debian's mariadb-server: mariadb-install-db, then mariadbd as the mysql
// user when running as root; data in a temp dir, a private loopback port and socket,
// durability off, no systemd), or the server named by $MIPSPI_TEST_MARIADB_DSN. Each test
// gets a fresh empty database (utf8mb4), and NewOpenEMR one holding the pinned OpenEMR
// schema (SPEC §8).
//
//	func TestMain(m *testing.M) { os.Exit(mariadbtest.Run(m)) }
//	func TestX(t *testing.T) { dsn := mariadbtest.NewDatabase(t); … }
//
// DSNs are mipspi's own (mysql://USER:PASSWORD@127.0.0.1:PORT/DB, SPEC §4), and the login
// has a password, so that every test that opens one also exercises the scrubbing of it.
// The server's default time zone is +05:30, never UTC: a session that forgot to set its
// own zone (SPEC §8: '+00:00') reads other instants and its test fails.
//
// The server starts on the first call that needs it, so packages whose MariaDB tests are
// filtered out pay nothing, and stops (data dir removed) when Run returns; a test binary
// that dies takes its server with it (the parent-death signal). When no server can be
// had, the test is skipped with the reason — except under CI=true, where it fails: CI must
// never pass by skipping MariaDB. The same holds for the OpenEMR schema file.
package mariadbtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/mipspi/mipspi/internal/testserver"
)

// EnvDSN names an existing server to use instead of starting one, as
// mysql://USER:PASSWORD@HOST:PORT/ (the database part is ignored). Its user needs to
// create and drop databases, and to create users and grant (for login tests).
const EnvDSN = "MIPSPI_TEST_MARIADB_DSN"

// OpenEMRSchema is the pinned OpenEMR schema (SPEC §8), relative to the repository root.
const OpenEMRSchema = "../shared/reference/openemr/database.sql"

// TestTimeZone is the started server's default time zone (see the package comment).
const TestTimeZone = "+05:30"

var (
	once    sync.Once
	srv     *server
	srvErr  error
	counter atomic.Int64
)

// server is a MariaDB we talk to: one we started (dir != "") or $MIPSPI_TEST_MARIADB_DSN.
type server struct {
	host     string // 127.0.0.1:PORT
	user     string
	password string
	dir      string // temp dir of a server we started
	socket   string // its unix socket ("" for $MIPSPI_TEST_MARIADB_DSN)
	port     int

	mu   sync.Mutex // guards cmd against a halt from another goroutine
	cmd  *exec.Cmd
	exit chan struct{} // closed when cmd has exited
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

func shared(t testing.TB) *server {
	t.Helper()
	once.Do(func() { srv, srvErr = start() })
	if srvErr != nil {
		unavailable(t, srvErr)
	}
	return srv
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	testserver.Unavailable(t, "mariadbtest: MariaDB", EnvDSN, "mariadb-server", err)
}

// NewDatabase returns the DSN (mysql://…, with a password) of a fresh, empty utf8mb4
// database; its user may do anything on the server. It skips t when MariaDB is
// unavailable (fails under CI=true). The database is dropped when t ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	s := shared(t)
	name := s.newDatabase(t)
	return s.dsn(s.user, s.password, name)
}

// Admin returns the DSN of the server's administrative login (every privilege, WITH
// GRANT OPTION) on database db ("" for none), for tests that create logins. Same
// skip-or-fail rule as NewDatabase.
func Admin(t testing.TB, db string) string {
	t.Helper()
	s := shared(t)
	return s.dsn(s.user, s.password, db)
}

// SocketDSN returns a DSN in the socket form (mysql://USER:PASSWORD@/DB?socket=PATH) for
// database db of the server started here; it skips t on a $MIPSPI_TEST_MARIADB_DSN server,
// whose socket is not ours to know.
func SocketDSN(t testing.TB, db string) string {
	t.Helper()
	s := shared(t)
	if s.socket == "" {
		t.Skipf("mariadbtest: %s names a TCP server; the socket form needs a server started here", EnvDSN)
	}
	u := url.URL{Scheme: "mysql", User: url.UserPassword(s.user, s.password), Path: "/" + db,
		RawQuery: "socket=" + s.socket}
	return u.String() // mysql://USER:PASSWORD@/DB?socket=…
}

// Exec runs statements on database db ("" for none) as the administrative login.
func Exec(t testing.TB, db string, stmts ...string) {
	t.Helper()
	s := shared(t)
	conn, err := s.open(db, false)
	if err != nil {
		t.Fatalf("mariadbtest: %v", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("mariadbtest: %s: %v", q, err)
		}
	}
}

// NewOpenEMR returns the DSN of a fresh database holding the pinned OpenEMR schema
// (OpenEMRSchema): 283 tables, loaded as OpenEMR's installer does (utf8mb4,
// innodb_strict_mode=0, see the schema's README). A missing schema file skips t, and
// fails it under CI=true.
func NewOpenEMR(t testing.TB) string {
	t.Helper()
	path := schemaFile(t)
	s := shared(t)
	name := s.newDatabase(t)
	if err := s.load(name, path); err != nil {
		t.Fatalf("mariadbtest: load %s into %s: %v", OpenEMRSchema, name, err)
	}
	return s.dsn(s.user, s.password, name)
}

// schemaFile finds OpenEMRSchema from the repository root (the directory holding go.mod
// above the test's working directory) or, in a git worktree, from the main checkout's.
func schemaFile(t testing.TB) string {
	t.Helper()
	roots, err := repoRoots()
	for _, root := range roots {
		path := filepath.Join(root, filepath.FromSlash(OpenEMRSchema))
		if _, err = os.Stat(path); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("mariadbtest: the OpenEMR schema is missing under CI: %v", err)
	}
	t.Skipf("mariadbtest: the OpenEMR schema (%s beside the repository) is missing: %v", OpenEMRSchema, err)
	return ""
}

// repoRoots is the repository root and, when it is a linked git worktree (.git is a
// file "gitdir: MAIN/.git/worktrees/NAME"), the main checkout MAIN.
func repoRoots() ([]string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
	roots := []string{dir}
	if b, err := os.ReadFile(filepath.Join(dir, ".git")); err == nil {
		gitdir := strings.TrimSpace(strings.TrimPrefix(string(b), "gitdir:"))
		if wt := filepath.Dir(gitdir); filepath.Base(wt) == "worktrees" && filepath.Base(filepath.Dir(wt)) == ".git" {
			roots = append(roots, filepath.Dir(filepath.Dir(wt)))
		}
	}
	return roots, nil
}

// load runs the schema file in database name: one multi-statement batch on a connection
// of its own (the test harness only: mipspi refuses multiStatements).
func (s *server) load(name, path string) error {
	script, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	conn, err := s.open(name, true)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := conn.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	// Both from the schema's README: OpenEMR's installer loads it so.
	if _, err := c.ExecContext(ctx, "SET SESSION innodb_strict_mode = 0, NAMES utf8mb4"); err != nil {
		return err
	}
	_, err = c.ExecContext(ctx, string(script))
	return err
}

func (s *server) newDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("mipspi_test_%d_%d", os.Getpid(), counter.Add(1))
	Exec(t, "", "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci")
	t.Cleanup(func() {
		if conn, err := s.open("", false); err == nil {
			conn.Exec("DROP DATABASE IF EXISTS " + name)
			conn.Close()
		}
	})
	return name
}

// dsn is mipspi's DSN for user on database db over TCP.
func (s *server) dsn(user, password, db string) string {
	u := url.URL{Scheme: "mysql", User: url.UserPassword(user, password), Host: s.host, Path: "/" + db}
	return u.String()
}

// open connects as the administrative login through the driver itself.
func (s *server) open(db string, multi bool) (*sql.DB, error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.DBName = s.user, s.password, db
	cfg.Net, cfg.Addr = "tcp", s.host
	if s.socket != "" {
		cfg.Net, cfg.Addr = "unix", s.socket
		cfg.User, cfg.Passwd = "root", "" // root on the socket: the login the install made
	}
	cfg.MultiStatements = multi
	cfg.Timeout = 10 * time.Second
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	db2 := sql.OpenDB(connector)
	db2.SetMaxOpenConns(2)
	return db2, nil
}

func start() (*server, error) {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		u, err := url.Parse(dsn)
		if err != nil || u.Scheme != "mysql" && u.Scheme != "mariadb" || u.User == nil || u.Host == "" {
			return nil, fmt.Errorf("%s: want mysql://USER:PASSWORD@HOST:PORT/", EnvDSN)
		}
		s := &server{host: u.Host, user: u.User.Username()}
		s.password, _ = u.User.Password()
		if u.Port() == "" {
			s.host = net.JoinHostPort(u.Hostname(), "3306")
		}
		if err := s.ping(10 * time.Second); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvDSN, err)
		}
		return s, nil
	}
	return startServer()
}

// Options of a started server: small memory, loopback only, no durability.
var serverArgs = []string{
	"--bind-address=127.0.0.1",
	"--skip-name-resolve",
	"--innodb-buffer-pool-size=64M",
	"--innodb-log-file-size=16M",
	"--innodb-flush-log-at-trx-commit=0",
	"--innodb-doublewrite=0",
	"--innodb-flush-method=nosync",
	"--character-set-server=utf8mb4",
	"--collation-server=utf8mb4_general_ci",
	"--performance-schema=OFF",
	"--max-connections=100",
	"--max-allowed-packet=64M",
	"--default-time-zone=" + TestTimeZone,
}

// startServer initialises and starts a server of our own in a new temp dir, and makes
// its administrative login: mipspi_admin with a random password, over TCP.
func startServer() (*server, error) {
	mariadbd, err := findBin("mariadbd", "/usr/sbin", "/usr/libexec")
	if err != nil {
		return nil, err
	}
	install, err := findBin("mariadb-install-db", "/usr/bin", "/usr/scripts")
	if err != nil {
		return nil, err
	}
	runAs := ""
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("mysql"); err != nil {
			return nil, fmt.Errorf("running as root and no mysql user to run mariadbd as: %w", err)
		}
		runAs = "mysql"
	}
	// Not t.TempDir: its parents are 0700 root, out of reach of the mysql user.
	dir, err := os.MkdirTemp("", "mipspi-mariadb-*")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, socket: filepath.Join(dir, "mysqld.sock"), user: "mipspi_admin"}
	if runAs != "" {
		if out, err := exec.Command("chown", runAs, dir).CombinedOutput(); err != nil {
			s.stop()
			return nil, fmt.Errorf("chown %s: %v: %s", dir, err, out)
		}
	}
	data := filepath.Join(dir, "data")
	args := []string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal",
		"--skip-test-db", "--skip-name-resolve", "--innodb-log-file-size=16M"}
	if runAs != "" {
		args = append(args, "--user="+runAs)
	}
	var out bytes.Buffer
	cmd := exec.Command(install, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &out
	if err := cmd.Run(); err != nil {
		s.stop()
		return nil, fmt.Errorf("mariadb-install-db: %v\n%s", err, testserver.Tail(out.String()))
	}
	if s.port, err = testserver.FreePort(); err != nil {
		s.stop()
		return nil, err
	}
	s.host = "127.0.0.1:" + strconv.Itoa(s.port)
	args = append([]string{"--no-defaults", "--datadir=" + data, "--socket=" + s.socket,
		"--port=" + strconv.Itoa(s.port), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
		"--log-error=" + filepath.Join(dir, "server.log")}, serverArgs...)
	if runAs != "" {
		args = append(args, "--user="+runAs)
	}
	if err := s.launch(mariadbd, args); err != nil {
		s.stop()
		return nil, err
	}
	pw := make([]byte, 12)
	rand.Read(pw)
	s.password = "pw-" + hex.EncodeToString(pw)
	conn, err := s.open("", false) // root on the socket
	if err == nil {
		// On TCP (127.0.0.1) and on the socket (localhost).
		for _, host := range []string{"127.0.0.1", "localhost"} {
			for _, q := range []string{
				"CREATE USER '" + s.user + "'@'" + host + "' IDENTIFIED BY '" + s.password + "'",
				"GRANT ALL PRIVILEGES ON *.* TO '" + s.user + "'@'" + host + "' WITH GRANT OPTION",
			} {
				if err == nil {
					_, err = conn.Exec(q)
				}
			}
		}
		conn.Close()
	}
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("create the administrative login: %w", err)
	}
	return s, nil
}

// launch starts mariadbd and waits until it answers on its socket.
func (s *server) launch(bin string, args []string) error {
	cmd := exec.Command(bin, args...)
	cmd.Dir = s.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// A test binary that dies (a panic, a timeout) takes its server with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start mariadbd: %w", err)
	}
	exit := make(chan struct{})
	go func() { cmd.Wait(); close(exit) }()
	s.mu.Lock()
	s.cmd, s.exit = cmd, exit
	s.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exit:
			log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
			return fmt.Errorf("mariadbd exited at start: %s\n%s\nserver log:\n%s", cmd.ProcessState, testserver.Tail(out.String()), testserver.Tail(string(log)))
		case <-time.After(100 * time.Millisecond):
		}
		if err := s.ping(2 * time.Second); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
			return fmt.Errorf("mariadbd did not answer in 60 s: %v\nserver log:\n%s", err, testserver.Tail(string(log)))
		}
	}
}

// ping checks that the server answers within limit.
func (s *server) ping(limit time.Duration) error {
	db, err := s.open("", false)
	if err != nil {
		return err
	}
	defer db.Close()
	return testserver.Ping(db, limit)
}

// halt kills the server at once, as a crash would: sessions end mid-query. The data dir
// stays.
func (s *server) halt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exit
	s.cmd = nil
}

func (s *server) stop() {
	s.mu.Lock()
	cmd, exit := s.cmd, s.exit
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		cmd.Process.Signal(syscall.SIGTERM) // a clean shutdown, quick on an idle server
		select {
		case <-exit:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exit
		}
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
	s.dir = ""
}

// Server is a MariaDB server of one test's own, for faults the shared server must not
// suffer: one that stops in the middle of a test. It obeys the same skip-or-fail rule as
// NewDatabase and is removed when the test ends.
type Server struct {
	t testing.TB
	s *server
}

// NewServer starts a dedicated server.
func NewServer(t testing.TB) *Server {
	t.Helper()
	shared(t) // decides skip-or-fail and proves the binaries work here
	s, err := startServer()
	if err != nil {
		t.Fatalf("mariadbtest: start a dedicated server: %v", err)
	}
	t.Cleanup(s.stop)
	return &Server{t: t, s: s}
}

// NewDatabase creates a fresh database on the dedicated server and returns its DSN.
func (d *Server) NewDatabase() string {
	d.t.Helper()
	name := fmt.Sprintf("mipspi_test_%d_%d", os.Getpid(), counter.Add(1))
	conn, err := d.s.open("", false)
	if err != nil {
		d.t.Fatalf("mariadbtest: %v", err)
	}
	defer conn.Close()
	if _, err := conn.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4"); err != nil {
		d.t.Fatalf("mariadbtest: create database %s: %v", name, err)
	}
	return d.s.dsn(d.s.user, d.s.password, name)
}

// Stop kills the server at once; it is safe to call from another goroutine while a
// query streams, and more than once.
func (d *Server) Stop() { d.s.halt() }

func findBin(name string, dirs ...string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no %s on PATH or in %s", name, strings.Join(dirs, ", "))
}
