package ehr

// What the database's catalogue says about the period's relations, asked once per read
// in its snapshot (the questions are the dialect's: dialect.columnTypes, idUnique), and
// the duplicate-id check it spares: relations may be views, which cannot promise a
// unique id, and a repeated id would repeat a patient's visits or invitations.

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// catalogue is what one read learnt from the catalogue. Keys are relation.column, or
// the relation for unique.
type catalogue struct {
	// instant: the columns the server holds as instants (it compares and orders them
	// as instants): fetched as the dialect fetches instants (dialect.fetch).
	instant map[string]bool
	// integer: the columns whose every value is an integer, by their type.
	integer map[string]bool
	// unique: the relations whose id the catalogue proves unique.
	unique map[string]bool
}

// periodRelations are the relations whose ids the period's read relies on.
var periodRelations = []string{"appointments", "patients", "portal_invitations"}

// describe asks the catalogue questions.
func (r *reader) describe() error {
	cat := &catalogue{unique: map[string]bool{}}
	for _, rel := range periodRelations {
		u, err := r.d.idUnique(r.ctx, r.tx, rel)
		if err != nil {
			return r.fail(rel, fmt.Errorf("check that ids are unique: %w", err))
		}
		cat.unique[rel] = u
	}
	var err error
	if cat.instant, cat.integer, err = r.d.columnTypes(r.ctx, r.tx); err != nil {
		return r.fail("appointments", err)
	}
	r.cat = cat
	return nil
}

// qualified is a column's name with its relation's alias, if any.
func qualified(c *column, alias string) string {
	if alias == "" {
		return c.name
	}
	return alias + "." + c.name
}

// checkUnique proves that rel's ids are unique among the rows the read uses. A table
// whose id the catalogue proves unique needs no query; a view or a table without one
// gets one GROUP BY over the period.
func (r *reader) checkUnique(rel string, lo, hi time.Time) error {
	if r.cat.unique[rel] {
		return nil
	}
	var q string
	window := r.d.inWindow("scheduled_at")
	switch rel {
	case "appointments":
		q = `SELECT id, count(*) FROM appointments WHERE ` + window + ` AND id IS NOT NULL
			GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1`
	case "portal_invitations":
		// A view repeating an invitation would repeat its patient's visits in a join
		// and be blamed on appointments: name it here.
		q = `SELECT id, count(*) FROM portal_invitations WHERE patient_id IN (SELECT patient_id FROM appointments WHERE ` + window + `)
			AND id IS NOT NULL GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1`
	default:
		q = `SELECT id, count(*) FROM patients WHERE id IN (SELECT patient_id FROM appointments WHERE ` + window + `)
			GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1`
	}
	var id colInt
	var n int64
	err := r.tx.QueryRowContext(r.ctx, q, r.d.instant(lo), r.d.instant(hi)).Scan(&id, &n)
	switch {
	case err == nil:
		return &DataError{Relation: rel, ID: rowID(&id), Column: "id",
			Problem: "duplicate id: " + strconv.FormatInt(n, 10) + " rows"}
	case errors.Is(err, sql.ErrNoRows):
		return nil
	}
	return r.fail(rel, fmt.Errorf("check that ids are unique: %w", err))
}
