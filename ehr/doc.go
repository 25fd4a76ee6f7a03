// Package ehr is mipspi's only door to the practice's data: the seven relations of
// SPEC §3 (tables or views) in PostgreSQL (lib/pq, bun's pgdialect), MariaDB/MySQL
// (go-sql-driver/mysql, bun's mysqldialect; SPEC §8) or an embedded SQLite file
// (pure-Go modernc driver through bun's sqliteshim, bun's sqlitedialect).
// What differs between the databases sits behind one interface, one file per dialect
// (dialect.go); shared code never asks which database it is talking to.
//
// It owns: reading a DSN (dsn.go: its parts, the read-only check, the one password
// scrubber; passwords never leave it), opening it, creating the relations for demos
// and tests (Init), loading fixture YAML (LoadYAML) and bulk rows (BulkWriter), and
// the one read of a report (Read): a single read-only, repeatable-read snapshot — one
// transaction, or on PostgreSQL several connections sharing one exported snapshot, on
// MariaDB one connection reading plain scans it puts in order in memory
// (mariadb_join.go), or a range of patients at a time (mariadb_scan.go) — a
// few set-based queries for the whole period, merged patient by patient (period.go),
// every row checked against SPEC §3, and streamed to a Sink as measure values. What
// the rows mean is measure's: the earliest note times (R4) and the first invitation
// (R5) are decided there.
//
// OpenEMR's own tables (SPEC §8, openemr*.go) are a second source of the same stream:
// ReadOpenEMR maps facilities, users, calendar events, encounters and their signed
// forms, and portal credentials into the section 3 model on one MariaDB connection;
// OpenEMRWriter writes a generated practice into them (demos and tests), and Check /
// CheckOpenEMR are what `mipspi db check` finds before any report (check.go).
//
// Storage shapes never leave this package: callers see measure values, the row types
// of rows.go and *DataError. The package must not import reports/ or cmd/.
package ehr
