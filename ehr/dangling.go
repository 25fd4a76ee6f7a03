package ehr

// Rows that point at nothing (R10): a clinical note of an appointment that does not
// exist, a portal invitation of a patient who does not exist. They cannot count for
// anyone, so they change no figure, but they are never skipped silently: the reader
// counts them with a few example ids and hands them to a Sink that takes them.

import (
	"database/sql"
	"fmt"

	"github.com/mipspi/mipspi/measure"
)

// DanglingSink is a Sink that also takes the rows that point at nothing.
type DanglingSink interface {
	Dangling(code measure.Code, count int, examples []int64) error
}

// danglingExamples is how many ids a finding names.
const danglingExamples = 5

// danglingQueries select the ids of the rows that point at nothing, lowest first. The
// same SQL runs on both dialects.
var danglingQueries = []struct {
	code measure.Code
	rel  string
	sql  string
}{
	{measure.DanglingNote, "clinical_notes",
		`SELECT n.id FROM clinical_notes n WHERE NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = n.appointment_id) ORDER BY n.id`},
	{measure.DanglingInvitation, "portal_invitations",
		`SELECT i.id FROM portal_invitations i WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = i.patient_id) ORDER BY i.id`},
}

// dangling counts the rows that point at nothing and hands each count to sink, when it
// is a DanglingSink.
func (r *reader) dangling(sink Sink) error {
	ds, ok := sink.(DanglingSink)
	if !ok {
		return nil
	}
	for _, q := range danglingQueries {
		count, examples, err := r.danglingIDs(q.sql)
		if err != nil {
			return r.fail(q.rel, fmt.Errorf("find rows that point at nothing: %w", err))
		}
		if err := ds.Dangling(q.code, count, examples); err != nil {
			return fmt.Errorf("read %s: %w", r.s, err)
		}
	}
	return nil
}

func (r *reader) danglingIDs(query string) (int, []int64, error) {
	rows, err := r.tx.QueryContext(r.ctx, query)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	count := 0
	var examples []int64
	for rows.Next() {
		var id sql.NullInt64
		if err := rows.Scan(&id); err != nil {
			return 0, nil, err
		}
		count++
		if id.Valid && len(examples) < danglingExamples {
			examples = append(examples, id.Int64)
		}
	}
	return count, examples, rows.Err()
}
