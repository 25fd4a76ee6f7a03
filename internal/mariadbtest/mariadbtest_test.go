package mariadbtest_test

import (
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/mipspi/mipspi/internal/mariadbtest"
)

func TestMain(m *testing.M) { os.Exit(mariadbtest.Run(m)) }

// connect opens a mipspi DSN (mysql://USER:PASSWORD@HOST:PORT/DB or the socket form)
// through the driver, the way a test outside ehr would.
func connect(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.Net, cfg.Addr = "tcp", u.Host
	if sock := u.Query().Get("socket"); sock != "" {
		cfg.Net, cfg.Addr = "unix", sock
	}
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	return db
}

// Two databases from one server are distinct and empty, on a server whose zone is not
// UTC, reached with a password.
func TestNewDatabase(t *testing.T) {
	a, b := mariadbtest.NewDatabase(t), mariadbtest.NewDatabase(t)
	if a == b {
		t.Fatalf("same DSN twice: %s", a)
	}
	for _, dsn := range []string{a, b} {
		u, _ := url.Parse(dsn)
		if pw, ok := u.User.Password(); !ok || pw == "" {
			t.Errorf("%s: no password in the DSN", u.Redacted())
		}
		db := connect(t, dsn)
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()`).Scan(&n); err != nil {
			t.Fatalf("%s: %v", u.Redacted(), err)
		}
		if n != 0 {
			t.Errorf("%s: %d tables in a fresh database", u.Redacted(), n)
		}
		var zone, charset string
		if err := db.QueryRow(`SELECT @@time_zone, @@character_set_database`).Scan(&zone, &charset); err != nil {
			t.Fatal(err)
		}
		if os.Getenv(mariadbtest.EnvDSN) == "" && zone != mariadbtest.TestTimeZone {
			t.Errorf("server time zone %s, want %s", zone, mariadbtest.TestTimeZone)
		}
		if charset != "utf8mb4" {
			t.Errorf("database character set %s, want utf8mb4", charset)
		}
	}
}

func TestSocketDSN(t *testing.T) {
	name := strings.TrimPrefix(mustURL(t, mariadbtest.NewDatabase(t)).Path, "/")
	dsn := mariadbtest.SocketDSN(t, name)
	u := mustURL(t, dsn)
	if u.Host != "" || u.Query().Get("socket") == "" {
		t.Fatalf("not the socket form: %s", u.Redacted())
	}
	var db string
	if err := connect(t, dsn).QueryRow(`SELECT DATABASE()`).Scan(&db); err != nil {
		t.Fatal(err)
	}
	if db != name {
		t.Errorf("connected to %s, want %s", db, name)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// The pinned OpenEMR schema loads whole: every table, the stock list options.
func TestNewOpenEMR(t *testing.T) {
	db := connect(t, mariadbtest.NewOpenEMR(t))
	var tables, apptstat int
	if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 283 {
		t.Errorf("%d tables, want 283 (the schema's README)", tables)
	}
	if err := db.QueryRow(`SELECT count(*) FROM list_options WHERE list_id = 'apptstat'`).Scan(&apptstat); err != nil {
		t.Fatal(err)
	}
	if apptstat == 0 {
		t.Error("no apptstat list options")
	}
}

// A dedicated server serves until it is stopped, and then refuses.
func TestServerStop(t *testing.T) {
	srv := mariadbtest.NewServer(t)
	db := connect(t, srv.NewDatabase())
	db.SetConnMaxLifetime(time.Millisecond)
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	srv.Stop()
	time.Sleep(10 * time.Millisecond)
	if err := db.Ping(); err == nil {
		t.Error("ping succeeded after Stop")
	}
}
