// Package ehr is mipspi's only door to the practice's data: the seven relations of
// SPEC §3 (tables or views) in PostgreSQL (lib/pq, bun's pgdialect) or an embedded
// SQLite file (pure-Go modernc driver through bun's sqliteshim, bun's sqlitedialect).
//
// It owns: opening a DSN (passwords never leave Open), creating the relations for demos
// and tests (Init), loading fixture YAML (LoadYAML) and bulk rows (BulkWriter), and the
// one read of a report (Read): a single read-only, repeatable-read transaction, a few
// set-based queries for the whole period, rows validated and mapped to measure values
// and streamed patient by patient to a Sink.
//
// Storage shapes never leave this package: callers see measure values, the row types
// of rows.go and *DataError. The package must not import reports/ or cmd/.
package ehr
