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
type ReadTx = querier

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

// SetNoteAggregate is kept for TestReadNoteRowsAsAggregate: the notes are now always
// read one row per note and summed up by measure (Notes.Add), so there is no server
// aggregate to switch to; TestReadNotesAsServerMin holds the read to the server's
// count() and min() instead.
func SetNoteAggregate(bool) (restore func()) { return func() {} }
