package ehr

import (
	"context"
	"time"
)

// SetReadTxHook makes Read call f inside its transaction, after the practice has been
// handed to the Sink. The returned func removes it.
func SetReadTxHook(f func(ctx context.Context, tx ReadTx) error) (restore func()) {
	readTxHook = f
	return func() { readTxHook = nil }
}

// ReadTx is the read's transaction as the hook sees it.
type ReadTx = readTx

// ParseInstant exposes the timestamp text parser to the tests.
func ParseInstant(s string) (time.Time, bool) { return parseInstant(s) }

// SetSQLiteCommitRows changes how many rows a SQLite bulk load writes per transaction.
func SetSQLiteCommitRows(n int) (restore func()) {
	old := sqliteCommitRows
	sqliteCommitRows = n
	return func() { sqliteCommitRows = old }
}

func SetSQLiteRowsPerInsert(n int) (restore func()) {
	old := sqliteRowsPerInsert
	sqliteRowsPerInsert = n
	return func() { sqliteRowsPerInsert = old }
}

// SetNoteAggregate makes PostgreSQL sum up each appointment's notes in the server
// (count, min) instead of sending one row per note.
func SetNoteAggregate(on bool) (restore func()) {
	old := noteAggregate
	noteAggregate = on
	return func() { noteAggregate = old }
}
