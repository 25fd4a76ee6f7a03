package main

// The source fingerprint a JSON report carries so that `mipspi combine` can refuse the
// same database twice (SPEC §7): dialect, host and database, never a user or password.

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

// fingerprint describes the database of dsn. A SQLite file is named by its absolute path
// on the machine that read it (two sites may both call theirs ehr.db).
func fingerprint(dsn string) *measure.Fingerprint {
	if p := sqlitePath(dsn); p != "" {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		host, _ := os.Hostname()
		return &measure.Fingerprint{Dialect: "sqlite", Host: host, Database: p}
	}
	if d, err := ehr.ParseDSN(dsn); err == nil && d.Dialect == ehr.MariaDB {
		return &measure.Fingerprint{Dialect: ehr.MariaDB, Host: d.Host, Port: d.Port, Database: d.Database}
	}
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return nil // in-memory SQLite: nothing another report could share
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil
	}
	q := u.Query()
	host := u.Hostname()
	if host == "" {
		host = q.Get("host") // a unix socket directory
	}
	if host == "" {
		host = "localhost"
	}
	port := u.Port()
	if port == "" {
		port = q.Get("port")
	}
	if port == "" {
		port = "5432"
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		db = q.Get("dbname")
	}
	return &measure.Fingerprint{Dialect: "postgres", Host: host, Port: port, Database: db}
}
