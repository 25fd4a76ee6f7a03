package ehr

// MariaDB/MySQL (SPEC §8) through github.com/go-sql-driver/mysql and bun's mysqldialect:
// opening, the read's snapshot, the column types of `db init`, the catalogue questions
// and the database's identity for combine (SPEC §7).
//
// MariaDB cannot share a snapshot between connections and the driver reads one result
// set at a time per connection, so a read is one connection: SET TRANSACTION ISOLATION
// LEVEL REPEATABLE READ, then START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT
// (InnoDB), and every query of the read runs on it, one after another. Every session
// runs with time_zone '+00:00' (mariadb_dsn.go), so a DATETIME(6) or TIMESTAMP column
// comes back as UTC text that instant.go reads like SQLite's.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/mysqldialect"
	"github.com/uptrace/bun/schema"
)

// openMariaDB connects to the server of d and checks the connection. Nothing it returns
// carries the password (d.Scrub on every driver message).
func openMariaDB(ctx context.Context, d *DSN) (*Store, error) {
	s := &Store{dialect: MariaDB, redacted: d.Redacted, secret: d.password}
	connector, err := mysql.NewConnector(d.mysql)
	if err != nil {
		return nil, d.Scrub(fmt.Errorf("open %s: %w", s.redacted, err))
	}
	sqldb := sql.OpenDB(connector)
	sqldb.SetMaxIdleConns(1)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, d.Scrub(mariadbHint(fmt.Errorf("connect to %s: %w", s.redacted, err)))
	}
	// After the ping: bun asks the server's version at once, and logs a failure to
	// stderr itself.
	s.db = bun.NewDB(sqldb, mysqldialect.New())
	return s, nil
}

// mariadbHint adds what to change to the server's answers a DBA meets first.
func mariadbHint(err error) error {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return err
	}
	switch me.Number {
	case 1045: // ER_ACCESS_DENIED_ERROR
		return fmt.Errorf("%w (check the user name and password, and that the login may connect from this host)", err)
	case 1044, 1049: // ER_DBACCESS_DENIED_ERROR, ER_BAD_DB_ERROR
		return fmt.Errorf("%w (the database after the host must exist and the login needs SELECT on it: GRANT SELECT ON db.* TO …)", err)
	}
	return err
}

// mariadbBegin opens the read's snapshot on a connection of its own (SPEC §8). done
// ends it: ROLLBACK (nothing is ever written) and the connection back to the pool, or
// closed when the rollback failed.
func mariadbBegin(ctx context.Context, db *sql.DB) (*sql.Conn, func(), error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, q := range []string{
		"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
		"START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			conn.Close()
			return nil, nil, err
		}
	}
	return conn, func() {
		if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
			// Never hand a connection in an open transaction back to the pool.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// mariadbRowsPerInsert is the rows of one INSERT of the bulk loader (db load, db
// generate), well under the 65,535 placeholders of a prepared statement.
var mariadbRowsPerInsert = 1000

// mariadbType is the MariaDB column type for a model field's SPEC §3 type (SPEC §8:
// instants DATETIME(6) in UTC, booleans TINYINT(1)).
func mariadbType(f *schema.Field) string {
	switch strings.ToLower(f.UserSQLType) {
	case "timestamptz":
		return "DATETIME(6)"
	case "boolean":
		return "TINYINT(1)"
	}
	return f.CreateTableSQLType
}

// mariadbRelationsSQL lists the tables and views of the DSN's database: name, "table"
// or "view".
const mariadbRelationsSQL = `SELECT table_name, CASE WHEN table_type = 'BASE TABLE' THEN 'table' ELSE 'view' END
	FROM information_schema.tables WHERE table_schema = DATABASE()`

// Identity is what names a database across renamings (SPEC §7): for MariaDB the
// server's @@hostname, @@port and @@datadir and the database's name, so that the same
// database reached as localhost, 127.0.0.1 or through a proxy is one.
type Identity struct {
	Dialect string
	Parts   []string
}

// mariadbIdentity asks the server who it is.
func mariadbIdentity(ctx context.Context, q querier) (Identity, error) {
	var host, port, datadir, db sql.NullString
	rows, err := q.QueryContext(ctx, "SELECT @@hostname, @@port, @@datadir, DATABASE()")
	if err != nil {
		return Identity{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Identity{}, err
		}
		return Identity{}, sql.ErrNoRows
	}
	if err := rows.Scan(&host, &port, &datadir, &db); err != nil {
		return Identity{}, err
	}
	return Identity{Dialect: MariaDB, Parts: []string{host.String, port.String, datadir.String, db.String}}, rows.Err()
}
