package ehr

// Rows that point at nothing (R10): a clinical note of an appointment that does not
// exist, a portal invitation of a patient who does not exist. They cannot count for
// anyone, so they change no figure, but they are never skipped silently: the reader
// counts them with a few example ids and hands them to a Sink that takes them, after
// the patients (the note findings first, then the invitation ones).
//
// Each is found by one whole-table anti-join (danglingQueries), unless the catalogue
// allows a cheaper way to the same count and ids (the anti-joins ran before the period
// read, one core idle, 0.3-0.6 s at 1M appointments on PostgreSQL):
//
//   - invitations: when patients.id and portal_invitations' id and patient_id are
//     integer columns by their type, both scans of the period read come in the same
//     numeric order (patients by id, invitations by patient_id, NULLs last), so the
//     merge sees every invitation whose patient_id lies between two patients' ids, or
//     is NULL, for free (period.go);
//   - notes: when appointments.id is unique (its primary key, or a unique index on id
//     alone) and the dialect can count the notes of appointments outside the period's
//     scan (dialect.notesOutside), every note with an appointment is either read by
//     the period's scan or belongs to an appointment outside it, so the notes that
//     point at nothing number count(notes) − (period's notes + notes outside): one
//     cheap count. Only when that is not 0 does the anti-join run, for the count and
//     the ids it has always given.

import (
	"database/sql"
	"fmt"
	"sort"
	"time"

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
var danglingQueries = [2]struct {
	code measure.Code
	rel  string
	sql  string
}{
	{measure.DanglingNote, "clinical_notes",
		`SELECT n.id FROM clinical_notes n WHERE NOT EXISTS (SELECT 1 FROM appointments a WHERE a.id = n.appointment_id) ORDER BY n.id`},
	{measure.DanglingInvitation, "portal_invitations",
		`SELECT i.id FROM portal_invitations i WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = i.patient_id) ORDER BY i.id`},
}

const (
	danglingNote = iota
	danglingInvitation
)

// danglingRows is one finding: how many rows point at nothing and the lowest ids.
type danglingRows struct {
	count    int
	examples []int64
}

// add counts one row; its id, when it has one, may be among the lowest.
func (d *danglingRows) add(id *colInt) {
	d.count++
	if id.null || id.bad != "" {
		return
	}
	i := sort.Search(len(d.examples), func(i int) bool { return d.examples[i] > id.v })
	if i >= danglingExamples {
		return
	}
	if len(d.examples) < danglingExamples {
		d.examples = append(d.examples, 0)
	}
	copy(d.examples[i+1:], d.examples[i:len(d.examples)-1])
	d.examples[i] = id.v
}

// danglingPlan decides how each finding is found (see the top of the file) and runs
// the anti-joins that are still needed. The rest is found during the period's scans.
func (r *reader) danglingPlan() error {
	r.notesByCount = r.cat.unique["appointments"] && r.d.notesOutside(r.cat) != ""
	r.invByMerge = r.cat.integer["patients.id"] && r.cat.integer["portal_invitations.id"] &&
		r.cat.integer["portal_invitations.patient_id"]
	for k := range danglingQueries {
		if k == danglingNote && r.notesByCount || k == danglingInvitation && r.invByMerge {
			continue
		}
		if err := r.danglingQuery(k); err != nil {
			return err
		}
	}
	return nil
}

func (r *reader) danglingQuery(k int) error {
	q := danglingQueries[k]
	count, examples, err := r.danglingIDs(q.sql)
	if err != nil {
		return r.fail(q.rel, fmt.Errorf("find rows that point at nothing: %w", err))
	}
	r.dangling[k] = danglingRows{count, examples}
	return nil
}

// danglingNotesByCount finds the notes that point at nothing from periodNotes, the
// notes the period's scan read (see the top of the file). It runs at the end of
// the period's scans, in the same transaction.
func (r *reader) danglingNotesByCount(periodNotes int64, lo, hi time.Time) error {
	var all, outside int64
	// The complement of the period scan's WHERE: the appointments it did not read.
	err := r.tx.QueryRowContext(r.ctx, `SELECT (SELECT count(*) FROM clinical_notes), (`+r.d.notesOutside(r.cat)+`)`,
		r.d.instant(lo), r.d.instant(hi)).Scan(&all, &outside)
	if err != nil {
		return r.fail(danglingQueries[danglingNote].rel, fmt.Errorf("find rows that point at nothing: %w", err))
	}
	if all == periodNotes+outside {
		r.dangling[danglingNote] = danglingRows{}
		return nil
	}
	return r.danglingQuery(danglingNote)
}

// sendDangling hands the findings to sink, when it is a DanglingSink.
func (r *reader) sendDangling(sink Sink) error {
	ds, ok := sink.(DanglingSink)
	if !ok {
		return nil
	}
	for k, q := range danglingQueries {
		d := r.dangling[k]
		if err := ds.Dangling(q.code, d.count, d.examples); err != nil {
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
