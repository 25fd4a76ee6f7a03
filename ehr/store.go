package ehr

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	// The office zones of SPEC §3 are IANA names; embed the database so a host
	// without /usr/share/zoneinfo still reads them.
	_ "time/tzdata"
)

// Store is an open EHR database.
type Store struct {
	db  *bun.DB
	d   dialect
	dsn *DSN
}

// Open connects to dsn and checks the connection, for the commands that write (db
// init, load, generate) and for tests:
//
//	postgres://… or postgresql://…  PostgreSQL through lib/pq
//	sqlite:PATH or file:PATH        embedded SQLite (pure Go, no cgo); PATH may carry
//	                                SQLite URI parameters after '?'
//
// Neither the returned error nor Store.String ever contain the password.
func Open(ctx context.Context, dsn string) (*Store, error) {
	d, err := ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db, err := d.d.open(ctx, d, nil)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, d: d.d, dsn: d}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Dialect is the database's dialect: Postgres or SQLite.
func (s *Store) Dialect() string { return s.d.name() }

// String is the DSN without its password (user, host, port, database; or the SQLite path).
func (s *Store) String() string { return s.dsn.Redacted }

// DSN is the parsed DSN the store was opened with.
func (s *Store) DSN() *DSN { return s.dsn }

// DB is the underlying bun handle, for tests and tools.
func (s *Store) DB() *bun.DB { return s.db }

// scrub removes the password from err's message should a driver ever echo it.
func (s *Store) scrub(err error) error { return s.dsn.Scrub(err) }
