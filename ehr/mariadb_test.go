package ehr_test

// The MariaDB/MySQL dialect (SPEC §8): its DSN, opening, the read's snapshot and the
// tables `db init` creates, on a real server (internal/mariadbtest).

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/fixtures"
	"github.com/mipspi/mipspi/internal/mariadbtest"
)

const mariadbEscapeHint = "; percent-escape special characters in the user name and password " +
	"(@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25, space as %20)"

func TestParseMariaDBDSN(t *testing.T) {
	utc := map[string]string{"time_zone": "'+00:00'"}
	for _, c := range []struct {
		dsn, redacted string
		want          ehr.MariaDBConfig
	}{
		{"mysql://reader:pw@db.example.org/ehr", "mysql://reader@db.example.org:3306/ehr",
			ehr.MariaDBConfig{Net: "tcp", Addr: "db.example.org:3306", DBName: "ehr", User: "reader", Passwd: "pw", Timeout: 30 * time.Second}},
		{"mariadb://reader:pw@127.0.0.1:3307/openemr?tls=skip-verify&timeout=5s", "mysql://reader@127.0.0.1:3307/openemr",
			ehr.MariaDBConfig{Net: "tcp", Addr: "127.0.0.1:3307", DBName: "openemr", User: "reader", Passwd: "pw", TLS: "skip-verify", Timeout: 5 * time.Second}},
		{"mysql://reader@/openemr?socket=/run/mysqld/mysqld.sock", "mysql://reader@/openemr?socket=/run/mysqld/mysqld.sock",
			ehr.MariaDBConfig{Net: "unix", Addr: "/run/mysqld/mysqld.sock", DBName: "openemr", User: "reader", Timeout: 30 * time.Second}},
		{"mysql://reader:p%40ss%2Fw%3Ard%23@[::1]:3306/ehr?tls=true", "mysql://reader@[::1]:3306/ehr",
			ehr.MariaDBConfig{Net: "tcp", Addr: "[::1]:3306", DBName: "ehr", User: "reader", Passwd: "p@ss/w:rd#", TLS: "true", Timeout: 30 * time.Second}},
		{"mysql://reader:pw@db/ehr?tls=preferred", "mysql://reader@db:3306/ehr",
			ehr.MariaDBConfig{Net: "tcp", Addr: "db:3306", DBName: "ehr", User: "reader", Passwd: "pw", TLS: "preferred", Timeout: 30 * time.Second}},
		{"mysql://db/ehr?tls=false", "mysql://db:3306/ehr",
			ehr.MariaDBConfig{Net: "tcp", Addr: "db:3306", DBName: "ehr", TLS: "false", Timeout: 30 * time.Second}},
	} {
		d, err := ehr.ParseDSN(c.dsn)
		if err != nil {
			t.Errorf("ParseDSN(%q): %v", c.dsn, err)
			continue
		}
		if d.Dialect != ehr.MariaDB || d.Redacted != c.redacted {
			t.Errorf("ParseDSN(%q): dialect %s, redacted %s; want %s", c.dsn, d.Dialect, d.Redacted, c.redacted)
		}
		c.want.Params = utc // every session is UTC, whatever the DSN
		if diff := cmp.Diff(c.want, d.MariaDBConfig()); diff != "" {
			t.Errorf("ParseDSN(%q) driver configuration (-want +got):\n%s", c.dsn, diff)
		}
		if err := d.CheckRead(); err != nil {
			t.Errorf("CheckRead(%q): %v", c.dsn, err)
		}
	}
}

// Every parameter but tls and timeout is refused by name, and no refusal quotes any
// part of the password or a parameter's value.
func TestParseMariaDBDSNRefuses(t *testing.T) {
	const pw = "Sup3rSecretPW"
	const bad = "invalid MariaDB/MySQL DSN: "
	const only = ": mipspi accepts only tls (true, false, skip-verify or preferred) and timeout (e.g. 10s)"
	for _, c := range []struct{ dsn, want string }{
		{"mysql://reader:" + pw + "@db/ehr?parseTime=true", bad + "parameter parseTime is refused" + only},
		{"mysql://reader:" + pw + "@db/ehr?loc=Local", bad + "parameter loc is refused" + only},
		{"mysql://reader:" + pw + "@db/ehr?multiStatements=true", bad + "parameter multiStatements is refused" + only},
		{"mysql://reader:" + pw + "@db/ehr?allowAllFiles=true", bad + "parameter allowAllFiles is refused" + only},
		{"mysql://reader:" + pw + "@db/ehr?interpolateParams=true", bad + "parameter interpolateParams is refused" + only},
		{"mysql://reader:" + pw + "@db/ehr?time_zone=%27SYSTEM%27", bad + "parameter time_zone is refused" + only},
		{"mysql://reader@db/ehr?password=" + pw, bad + "parameter password is refused" + only},
		{"mysql://reader@db/ehr?tls=" + pw, bad + "parameter tls: want true, false, skip-verify or preferred"},
		{"mysql://reader@db/ehr?timeout=" + pw, bad + "parameter timeout: want a duration such as 10s"},
		{"mysql://reader@db/ehr?timeout=-1s", bad + "parameter timeout: want a duration such as 10s"},
		{"mysql://reader@db/ehr?tls=true&tls=false", bad + "parameter tls given 2 times"},
		{"mysql://reader@db/ehr?a=%zz", bad + "the parameters after '?' are not name=value pairs joined by '&'"},
		{"mysql://reader:" + pw + "#@db/ehr", bad + "it holds a '#' (in a URL it starts a fragment)" + mariadbEscapeHint},
		{"mysql://reader:" + pw + "/x@db/ehr", bad + "an '@' after the host (a user name or password with an unescaped /, ? or @?)" + mariadbEscapeHint},
		{"mysql://reader:1234/" + pw + "@db/ehr", bad + "an '@' after the host (a user name or password with an unescaped /, ? or @?)" + mariadbEscapeHint},
		{"mysql://reader:" + pw + "%zz@db/ehr", bad + "a % is not followed by two hexadecimal digits" + mariadbEscapeHint},
		{"mysql://reader:" + pw + "@db:99999/ehr", bad + "the port is not a number from 1 to 65535" + mariadbEscapeHint},
		{"mysql://reader:" + pw + "@db:0/ehr", bad + "the port is not a number from 1 to 65535" + mariadbEscapeHint},
		{"mariadb://reader" + pw + ":x@db:" + pw + "/ehr", bad + "the port is not a number" + mariadbEscapeHint},
		{"mysql://reader:" + pw + "@db", bad + "name the database after the host: mysql://USER@HOST:PORT/DB"},
		{"mysql://reader:" + pw + "@db/", bad + "name the database after the host: mysql://USER@HOST:PORT/DB"},
		{"mysql://reader:" + pw + "@/ehr", bad + "no host: mysql://USER@HOST:PORT/DB, or mysql://USER@/DB?socket=PATH"},
		{"mysql://reader:" + pw + "@db/ehr?socket=/run/mysqld/mysqld.sock", bad + "give a host or a socket, not both (mysql://USER@/DB?socket=PATH)"},
		{"mysql://reader:" + pw + "@/ehr?socket=mysqld.sock", bad + "socket must be an absolute path, e.g. /run/mysqld/mysqld.sock"},
	} {
		_, err := ehr.ParseDSN(c.dsn)
		if err == nil || err.Error() != c.want {
			t.Errorf("ParseDSN(%q):\n got  %v\n want %s", c.dsn, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "Sup3r") {
			t.Errorf("ParseDSN(%q) leaks the password: %v", c.dsn, err)
		}
	}
}

// Opening fails with a message naming the server, never the password: the server is
// down, the password is wrong, the database does not exist, the server offers no TLS.
func TestMariaDBOpenErrors(t *testing.T) {
	ctx := context.Background()
	dsn := mariadbtest.NewDatabase(t)
	u, _ := url.Parse(dsn)
	pw, _ := u.User.Password()
	user, host, db := u.User.Username(), u.Host, strings.TrimPrefix(u.Path, "/")
	wrongPW := "Wr0ngSecretPW"
	for _, c := range []struct{ name, dsn, want string }{
		{"server down", "mysql://" + user + ":" + pw + "@127.0.0.1:1/" + db + "?timeout=5s",
			"connect to mysql://" + user + "@127.0.0.1:1/" + db + ": dial tcp 127.0.0.1:1: connect: connection refused"},
		{"wrong password", "mysql://" + user + ":" + wrongPW + "@" + host + "/" + db,
			"connect to mysql://" + user + "@" + host + "/" + db + ": Error 1045 (28000): Access denied for user '" + user +
				"'@'127.0.0.1' (using password: YES) (check the user name and password, and that the login may connect from this host)"},
		{"no such database", "mysql://" + user + ":" + pw + "@" + host + "/no_such_db",
			"connect to mysql://" + user + "@" + host + "/no_such_db: Error 1049 (42000): Unknown database 'no_such_db' " +
				"(the database after the host must exist and the login needs SELECT on it: GRANT SELECT ON db.* TO …)"},
		{"no TLS", "mysql://" + user + ":" + pw + "@" + host + "/" + db + "?tls=true",
			"connect to mysql://" + user + "@" + host + "/" + db + ": TLS requested but server does not support TLS"},
	} {
		for _, openf := range []func() (*ehr.Store, error){
			func() (*ehr.Store, error) { return ehr.Open(ctx, c.dsn) },
			func() (*ehr.Store, error) { return ehr.OpenReadOnly(ctx, c.dsn, ehr.ReadOptions{}) },
		} {
			s, err := openf()
			if err == nil {
				s.Close()
				t.Errorf("%s: opened", c.name)
				continue
			}
			if err.Error() != c.want {
				t.Errorf("%s:\n got  %v\n want %s", c.name, err, c.want)
			}
			for _, secret := range []string{pw, wrongPW} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("%s: the password is in %v", c.name, err)
				}
			}
		}
	}
}

func TestOpenMariaDBString(t *testing.T) {
	s := openMariaDB(t)
	if s.Dialect() != ehr.MariaDB || !strings.HasPrefix(s.String(), "mysql://mipspi_admin@127.0.0.1:") {
		t.Errorf("dialect %s, String() %s", s.Dialect(), s)
	}
	name := strings.TrimPrefix(mustParse(t, mariadbtest.NewDatabase(t)).Path, "/")
	sock := open(t, mariadbtest.SocketDSN(t, name))
	if !strings.HasPrefix(sock.String(), "mysql://mipspi_admin@/"+name+"?socket=/") {
		t.Errorf("socket String() %s", sock)
	}
	var db string
	if err := sock.DB().DB.QueryRow(`SELECT DATABASE()`).Scan(&db); err != nil || db != name {
		t.Errorf("socket connection on %q (%v), want %s", db, err, name)
	}
}

func mustParse(t *testing.T, dsn string) *url.URL {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// db init creates the SPEC §3 relations with SPEC §8's types: DATETIME(6) instants,
// TINYINT(1) booleans.
func TestMariaDBInitTypes(t *testing.T) {
	s := openMariaDB(t)
	if err := s.Init(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	rows, err := s.DB().DB.Query(`SELECT table_name, column_name, column_type, is_nullable, coalesce(column_default, '')
		FROM information_schema.columns WHERE table_schema = DATABASE()
		  AND table_name IN ('appointments', 'clinicians', 'portal_invitations') ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var tbl, col, typ, null, def string
		if err := rows.Scan(&tbl, &col, &typ, &null, &def); err != nil {
			t.Fatal(err)
		}
		got = append(got, tbl+"."+col+" "+typ+" "+null+" "+def)
	}
	want := []string{
		"appointments.id bigint(20) NO ",
		"appointments.patient_id bigint(20) NO ",
		"appointments.office_id bigint(20) NO ",
		"appointments.clinician_id bigint(20) NO ",
		"appointments.scheduled_at datetime(6) NO ",
		"appointments.status text NO ",
		"clinicians.id bigint(20) NO ",
		"clinicians.npi text NO ",
		"clinicians.first_name text YES NULL",
		"clinicians.last_name text YES NULL",
		"clinicians.mips_eligible tinyint(1) NO 1",
		"portal_invitations.id bigint(20) NO ",
		"portal_invitations.patient_id bigint(20) NO ",
		"portal_invitations.sent_at datetime(6) NO ",
		"portal_invitations.recipient text NO 'patient'",
		"portal_invitations.channel text NO 'email'",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("columns (-want +got):\n%s", d)
	}
}

// The read's snapshot (SPEC §8): read-only (a DELETE inside it fails), repeatable (a
// row committed by another session after it began is not seen), in UTC.
func TestMariaDBSnapshot(t *testing.T) {
	ctx := context.Background()
	s := openMariaDB(t)
	initLoad(t, s, "scenario.yaml")
	conn, done, err := ehr.MariaDBBegin(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	var before, after int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM appointments`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	_, err = conn.ExecContext(ctx, `DELETE FROM appointments`)
	var me *mysql.MySQLError
	if !errors.As(err, &me) || me.Number != 1792 { // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
		t.Errorf("DELETE inside the snapshot: %v, want error 1792", err)
	}
	exec(t, s, `INSERT INTO appointments (id, patient_id, office_id, clinician_id, scheduled_at, status)
		VALUES (999999, 1, 1, 1, '2025-06-02 15:00:00', 'Complete')`)
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM appointments`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the snapshot saw a row committed after it began: %d rows, then %d", before, after)
	}
	var zone, iso string
	var ro int
	if err := conn.QueryRowContext(ctx, `SELECT @@session.time_zone, @@session.tx_isolation, @@session.tx_read_only`).Scan(&zone, &iso, &ro); err != nil {
		t.Fatal(err)
	}
	if zone != "+00:00" || iso != "REPEATABLE-READ" {
		t.Errorf("session time_zone %s, isolation %s; want +00:00, REPEATABLE-READ", zone, iso)
	}
}

// mariadbTextSchema is the SPEC §3 relations with instants held as TEXT, as a MariaDB
// view may give them (SPEC §8: "or TEXT spelled as in SQLite").
var mariadbTextSchema = []string{
	`CREATE TABLE offices (id BIGINT PRIMARY KEY, tin TEXT, name TEXT, timezone TEXT)`,
	`CREATE TABLE clinicians (id BIGINT PRIMARY KEY, npi TEXT, first_name TEXT, last_name TEXT, mips_eligible TINYINT(1))`,
	`CREATE TABLE patients (id BIGINT PRIMARY KEY, mrn TEXT, first_name TEXT, last_name TEXT, birth_date DATE, email TEXT)`,
	`CREATE TABLE appointments (id BIGINT PRIMARY KEY, patient_id BIGINT, office_id BIGINT, clinician_id BIGINT,
		scheduled_at VARCHAR(40), status TEXT, KEY (patient_id, scheduled_at))`,
	`CREATE TABLE clinical_notes (id BIGINT PRIMARY KEY, appointment_id BIGINT, signed_at TEXT, locked_at TEXT, KEY (appointment_id))`,
	`CREATE TABLE portal_invitations (id BIGINT PRIMARY KEY, patient_id BIGINT, sent_at TEXT, recipient TEXT, channel TEXT, KEY (patient_id))`,
	`CREATE TABLE api_windows (id BIGINT PRIMARY KEY, tin TEXT, enabled_at TEXT, disabled_at TEXT)`,
}

// Instants held as text in every spelling of SPEC §3 — UTC with T and Z, a space and
// +00:00, offsets out to -12:00 and +14:00, no zone — read on MariaDB exactly as the
// same practice in UTC: the period's scan keeps text within a day of the window and Go
// decides on the instant (SPEC §8).
func TestReadMariaDBTextInstants(t *testing.T) {
	want := sqliteScenario(t)
	respell := func(col, k string) string {
		dt := "CAST(" + col + " AS DATETIME)"
		return `CASE ` + k + ` % 5
  WHEN 0 THEN CONCAT(REPLACE(` + col + `, ' ', 'T'), 'Z')
  WHEN 1 THEN CONCAT(DATE_FORMAT(` + dt + ` - INTERVAL 5 HOUR, '%Y-%m-%dT%H:%i:%s'), '-05:00')
  WHEN 2 THEN CONCAT(DATE_FORMAT(` + dt + ` + INTERVAL 14 HOUR, '%Y-%m-%dT%H:%i:%s'), '+14:00')
  WHEN 3 THEN CONCAT(DATE_FORMAT(` + dt + ` - INTERVAL 12 HOUR, '%Y-%m-%d %H:%i:%s'), '-12:00')
  ELSE ` + col + ` END`
	}
	for _, name := range []string{"whole", "ranges"} {
		t.Run(name, func(t *testing.T) {
			if name == "ranges" {
				defer ehr.SetMariaDBRangePatients(2)()
			}
			s := openMariaDB(t)
			exec(t, s, mariadbTextSchema...)
			load(t, s, "scenario.yaml")
			exec(t, s,
				`UPDATE appointments SET scheduled_at = `+respell("scheduled_at", "id"),
				`UPDATE clinical_notes SET signed_at = `+respell("signed_at", "id")+`, locked_at = `+respell("locked_at", "id + 1"),
				`UPDATE portal_invitations SET sent_at = `+respell("sent_at", "id"),
				`UPDATE api_windows SET enabled_at = `+respell("enabled_at", "id")+`, disabled_at = `+respell("disabled_at", "id"))
			var spellings int
			if err := s.DB().DB.QueryRow(`SELECT count(DISTINCT RIGHT(scheduled_at, 6)) FROM appointments`).Scan(&spellings); err != nil || spellings < 4 {
				t.Fatalf("%d spellings of scheduled_at (%v): the test would not test anything", spellings, err)
			}
			got, _ := read(t, s, "2025-01-01", "2025-12-31")
			if d := cmp.Diff(want.patients, got.patients, cmpOpts); d != "" {
				t.Errorf("patients (-UTC +respelled text):\n%s", d)
			}
			if d := cmp.Diff(want.practice, got.practice, cmpOpts); d != "" {
				t.Errorf("practice (-UTC +respelled text):\n%s", d)
			}
			// Text that is no timestamp is read wherever it lies, and reported.
			exec(t, s, `INSERT INTO appointments VALUES (905, 1, 1, 1, 'next Tuesday', 'Complete')`)
			_, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), &recorder{})
			want := `appointments id 905 column scheduled_at: unparseable timestamp "next Tuesday"`
			if err == nil || err.Error() != want {
				t.Errorf("read with a non-timestamp: %v, want %s", err, want)
			}
		})
	}
}

// A generated practice read from MariaDB in ranges of every size — one patient, a few,
// a prime number, more than the practice — gives the records SQLite gives (SPEC §8: the
// scans one after another, patient range by patient range, are one read). The notes
// are joined by the server here; mariadb_join_test.go reads the other ways.
func TestReadMariaDBRangesGenerated(t *testing.T) {
	defer ehr.SetMariaDBJoinBytes(0)()
	opt := fixtures.GenerateOptions{Year: 2025, Clinicians: 6, Patients: 300, Appointments: 1200, Seed: 3}
	lite, my := openSQLite(t), openMariaDB(t)
	generated(t, lite, opt)
	generated(t, my, opt)
	want, wst := read(t, lite, "2025-01-01", "2025-12-31")
	if len(want.patients) < 200 {
		t.Fatalf("%d patients read: the test would test little", len(want.patients))
	}
	for _, n := range []int{1, 2, 37, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			defer ehr.SetMariaDBRangePatients(n)()
			got, st := read(t, my, "2025-01-01", "2025-12-31")
			if d := cmp.Diff(want.patients, got.patients, cmpOpts); d != "" {
				t.Errorf("patients (-sqlite +mariadb):\n%s", d)
			}
			if st != wst {
				t.Errorf("stats %+v, want %+v", st, wst)
			}
		})
	}
}
