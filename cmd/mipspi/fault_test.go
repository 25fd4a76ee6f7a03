package main

// Database faults (issue 7): connection refused, wrong password, a statement timeout, the
// --timeout flag, Ctrl-C and the server stopping in the middle of the read. Each must end
// with exit 1 and one message saying what failed and where (host, port, database) without
// the password, and leave no report file, final or temporary, behind.
//
// The shared pgtest server uses trust authentication and must outlive every test, so the
// faults that need a password check or a dying server get a dedicated server of their
// own (faultServer), reached through a TCP proxy (faultProxy) that lets a test act at an
// exact point of the conversation: just before the period query is sent, or once its
// rows are streaming.

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mipspi/mipspi/internal/pgtest"
)

// faultPassword is the password of the dedicated server's roles; every test below checks
// that it never appears in any output.
const faultPassword = "Fault-Pw-7f3b9c"

// faultServer is a PostgreSQL cluster of one test (pgtest.Cluster): password (SCRAM)
// authentication, and free to be stopped.
type faultServer struct {
	*pgtest.Cluster
	t    *testing.T
	port int
}

// newFaultServer starts a dedicated cluster whose superuser "postgres" and every other
// role log in with faultPassword. It skips (fails under CI=true) when PostgreSQL cannot
// be had, like pgtest.
func newFaultServer(t *testing.T) *faultServer {
	t.Helper()
	c := pgtest.NewCluster(t, faultPassword)
	return &faultServer{Cluster: c, t: t, port: c.Port}
}

// stop stops the server at once, as a crash or an administrator's
// `pg_ctl stop -m immediate` would: backends are killed mid-query.
func (s *faultServer) stop() { s.Stop() }

// dsn is a DSN for user and database on this server, through hostPort when given (a
// proxy) or straight to the server.
func (s *faultServer) dsn(user, password, database, hostPort string) string {
	return s.DSN(user, password, database, hostPort)
}

// exec runs statements as the superuser on database.
func (s *faultServer) exec(database string, stmts ...string) {
	s.t.Helper()
	db, err := sql.Open("postgres", s.dsn("postgres", faultPassword, database, ""))
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			s.t.Fatalf("%s: %v", q, err)
		}
	}
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// faultProxy relays TCP connections to a PostgreSQL server and calls
//
//   - beforeQuery, once, just before forwarding the client's message that carries
//     marker (the text of a query), and
//   - afterRows, once, when the server has sent streamBytes bytes after that message.
//
// The callback runs while the relay of that connection is held, so the server's reply
// (or the rest of its rows) waits for it.
type faultProxy struct {
	ln          net.Listener
	target      string
	marker      []byte
	beforeQuery func()
	afterRows   func()
	streamBytes int64

	sent     atomic.Bool  // the marker went through
	streamed atomic.Int64 // server bytes after it
	before   sync.Once
	after    sync.Once
	fired    atomic.Bool // afterRows ran
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

// visitsMarker is a piece of the period query's text (ehr/visits.go, both dialects:
// the PostgreSQL one is what travels here).
var visitsMarker = []byte("ORDER BY a.patient_id")

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln, target: target, marker: visitsMarker}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *faultProxy) addr() string { return p.ln.Addr().String() }

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.relay(s, c, true)
		go p.relay(c, s, false)
	}
}

// relay copies src to dst; fromClient tells which way it runs.
func (p *faultProxy) relay(dst, src net.Conn, fromClient bool) {
	defer p.wg.Done()
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if fromClient {
				if bytes.Contains(chunk, p.marker) {
					if p.beforeQuery != nil {
						p.before.Do(p.beforeQuery)
					}
					p.sent.Store(true)
				}
			} else if p.sent.Load() && p.afterRows != nil && p.streamed.Add(int64(n)) >= p.streamBytes {
				p.after.Do(func() {
					// Marked before the action: the client may see its effect (a dropped
					// connection) and exit before a server stop returns.
					p.fired.Store(true)
					p.afterRows()
				})
			}
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *faultProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// faultDB is the dedicated server with a database "ehr" owned by the role "mipspi"
// (password faultPassword) holding a generated practice large enough that the period
// query's rows take many round trips of the proxy (about 25 MB of rows, far more than
// the socket buffers between server and client hold).
func faultDB(t *testing.T) *faultServer {
	t.Helper()
	s := newFaultServer(t)
	s.exec("postgres",
		"CREATE ROLE mipspi LOGIN PASSWORD '"+faultPassword+"'",
		"CREATE DATABASE ehr OWNER mipspi TEMPLATE template0 ENCODING 'UTF8'")
	mustRun(t, "db", "generate", "--db", s.dsn("mipspi", faultPassword, "ehr", ""),
		"--patients", "20000", "--appointments", "100000", "--quiet")
	return s
}

var faultPeriod = []string{"--from", "2025-01-01", "--to", "2025-12-31", "--as-of", "2026-01-15T12:00:00Z"}

// checkFailed asserts the common outcome of every fault: exit 1, one line on stderr
// matching want, nothing on stdout, the password nowhere, and outDir empty (no report,
// no temporary file).
func checkFailed(t *testing.T, o outcome, want *regexp.Regexp, outDir string) {
	t.Helper()
	if o.code != exitFail {
		t.Errorf("exit %d, want 1; stderr:\n%s", o.code, o.stderr)
	}
	if !want.MatchString(o.stderr) {
		t.Errorf("stderr:\n%s\ndoes not match %s", o.stderr, want)
	}
	if strings.Count(o.stderr, "\n") != 1 {
		t.Errorf("stderr is not one line:\n%s", o.stderr)
	}
	if o.stdout != "" {
		t.Errorf("stdout: %q", o.stdout)
	}
	if strings.Contains(o.stdout+o.stderr, faultPassword) {
		t.Errorf("the password leaked:\n%s", o.stderr)
	}
	if names := dirNames(t, outDir); len(names) != 0 {
		t.Errorf("left %v in the output directory", names)
	}
}

// TestFaultConnectionRefused: nothing listens on the port.
func TestFaultConnectionRefused(t *testing.T) {
	out := t.TempDir()
	port := freeTCPPort(t) // closed again: connections are refused
	dsn := fmt.Sprintf("postgres://reader:%s@127.0.0.1:%d/ehr?sslmode=disable&connect_timeout=5", faultPassword, port)
	for _, format := range []string{"json", "xlsx", "csv", "html", "table"} {
		t.Run(format, func(t *testing.T) {
			o := mipspi(t, args([]string{"report", "--db", dsn, "--format", format, "--out", filepath.Join(out, "r."+format)}, faultPeriod)...)
			want := regexp.MustCompile(fmt.Sprintf(`^mipspi: connect to postgres://reader@127\.0\.0\.1:%d/ehr: dial tcp 127\.0\.0\.1:%d: connect: connection refused\n$`, port, port))
			checkFailed(t, o, want, out)
		})
	}
	t.Run("notes", func(t *testing.T) {
		o := mipspi(t, args([]string{"notes", "--db", dsn, "--out", filepath.Join(out, "n.txt")}, faultPeriod)...)
		checkFailed(t, o, regexp.MustCompile(`^mipspi: connect to postgres://reader@127\.0\.0\.1:\d+/ehr: .*connection refused\n$`), out)
	})
	t.Run("export", func(t *testing.T) {
		dir := filepath.Join(out, "registry")
		o := mipspi(t, append([]string{"export", "--to", "qpp", "--db", dsn, "--out", dir}, faultPeriod...)...)
		checkFailed(t, o, regexp.MustCompile(`^mipspi: connect to postgres://reader@127\.0\.0\.1:\d+/ehr: .*connection refused\n$`), out)
	})
}

// TestFaultsDedicatedServer: the faults that need a server of their own. The subtests
// share one generated database and run in order; the last one stops the server.
func TestFaultsDedicatedServer(t *testing.T) {
	s := faultDB(t)
	host := fmt.Sprintf(`127\.0\.0\.1:%d`, s.port)

	t.Run("wrong password", func(t *testing.T) {
		out := t.TempDir()
		o := mipspi(t, args([]string{"report", "--db", s.dsn("mipspi", "not-"+faultPassword, "ehr", ""),
			"--format", "json", "--out", filepath.Join(out, "r.json")}, faultPeriod)...)
		checkFailed(t, o, regexp.MustCompile(`^mipspi: connect to postgres://mipspi@`+host+
			`/ehr: pq: password authentication failed for user "mipspi" \(28P01\)\n$`), out)
		if strings.Contains(o.stderr, "not-") {
			t.Errorf("the wrong password leaked: %s", o.stderr)
		}
	})

	t.Run("no such database", func(t *testing.T) {
		out := t.TempDir()
		o := mipspi(t, args([]string{"report", "--db", s.dsn("mipspi", faultPassword, "ehr_typo", ""),
			"--out", filepath.Join(out, "r.txt")}, faultPeriod)...)
		checkFailed(t, o, regexp.MustCompile(`^mipspi: connect to postgres://mipspi@`+host+
			`/ehr_typo: pq: database "ehr_typo" does not exist \(3D000\)\n$`), out)
	})

	// A view that takes ten seconds stands in for a slow EHR.
	s.exec("postgres", "CREATE DATABASE slow OWNER mipspi TEMPLATE template0")
	mustRun(t, "db", "init", "--db", s.dsn("mipspi", faultPassword, "slow", ""))
	slow := s.dsn("mipspi", faultPassword, "slow", "")
	s.exec("slow", "ALTER TABLE offices RENAME TO offices_t",
		"CREATE VIEW offices AS SELECT o.* FROM offices_t o, (SELECT pg_sleep(10)) AS z",
		"ALTER VIEW offices OWNER TO mipspi")

	t.Run("statement timeout", func(t *testing.T) {
		// The server's statement_timeout, set through the DSN as a DBA would.
		out := t.TempDir()
		dsn := slow + "&options=" + url.QueryEscape("-c statement_timeout=50")
		o := mipspi(t, args([]string{"report", "--db", dsn, "--format", "xlsx", "--out", filepath.Join(out, "r.xlsx")}, faultPeriod)...)
		checkFailed(t, o, regexp.MustCompile(`^mipspi: read offices from postgres://mipspi@`+host+
			`/slow: pq: canceling statement due to statement timeout \(57014\)\n$`), out)
	})

	t.Run("--timeout", func(t *testing.T) {
		out := t.TempDir()
		o := mipspi(t, args([]string{"report", "--db", slow, "--timeout", "1s", "--format", "json",
			"--out", filepath.Join(out, "r.json")}, faultPeriod)...)
		checkFailed(t, o, regexp.MustCompile(`^mipspi: timed out after 1s \(--timeout\): read offices from postgres://mipspi@`+host+
			`/slow: pq: canceling statement due to user request \(57014\)\n$`), out)
		// The query was cancelled on the server, not left sleeping.
		waitNoQuery(t, s, "pg_sleep")
	})

	t.Run("interrupted mid-read", func(t *testing.T) {
		out := t.TempDir()
		p := newFaultProxy(t, fmt.Sprintf("127.0.0.1:%d", s.port))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p.streamBytes, p.afterRows = 1<<20, cancel // Ctrl-C once 1 MB of rows have arrived
		o := mipspiCtx(t, ctx, args([]string{"report", "--db", s.dsn("mipspi", faultPassword, "ehr", p.addr()),
			"--format", "xlsx", "--out", filepath.Join(out, "r.xlsx")}, faultPeriod)...)
		if !p.fired.Load() {
			t.Fatalf("the read ended before 1 MB of rows (exit %d, %s)", o.code, o.stderr)
		}
		checkFailed(t, o, regexp.MustCompile(`^mipspi: interrupted\n$`), out)
		waitNoQuery(t, s, "ORDER BY a.patient_id")
	})

	t.Run("server stopped mid-read", func(t *testing.T) {
		out := t.TempDir()
		p := newFaultProxy(t, fmt.Sprintf("127.0.0.1:%d", s.port))
		p.streamBytes, p.afterRows = 1<<20, s.stop // pg_ctl stop -m immediate once 1 MB of rows have arrived
		o := mipspi(t, args([]string{"report", "--db", s.dsn("mipspi", faultPassword, "ehr", p.addr()),
			"--format", "json", "--out", filepath.Join(out, "r.json")}, faultPeriod)...)
		if !p.fired.Load() {
			t.Fatalf("the read ended before 1 MB of rows (exit %d, %s)", o.code, o.stderr)
		}
		checkFailed(t, o, regexp.MustCompile(`^mipspi: read appointments from postgres://mipspi@127\.0\.0\.1:\d+/ehr: `+
			`lost the connection to the server \(it stopped or restarted, ended this session, or the network failed\): driver: bad connection\n$`), out)
	})
}

// waitNoQuery waits until no backend runs a query containing text (the cancel request
// is asynchronous), and fails if one is still running after ten seconds.
func waitNoQuery(t *testing.T, s *faultServer, text string) {
	t.Helper()
	db, err := sql.Open("postgres", s.dsn("postgres", faultPassword, "postgres", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 0; ; i++ {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()
			AND position($1 in query) > 0`, text).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if i == 100 {
			t.Fatalf("a query with %q still runs on the server after the client gave up", text)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
