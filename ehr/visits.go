package ehr

// The period's visits: one query for the whole period, the database aggregating notes
// per appointment and picking each patient's first invitation, rows streamed in patient
// order and grouped into PatientRecords.

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/mipspi/mipspi/measure"
)

var driverBadConn = driver.ErrBadConn

// sqliteInstantGlob is the shape of every accepted timestamp text (instant.go). In
// SQLite, julianday() alone would also take "now", bare dates or Julian day numbers.
const sqliteInstantGlob = `[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][Tt ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]*`

// visitsSQL: columns, in order: appointment (6), patient (6), notes summary (5),
// first invitation (4). ORDER BY patient, instant, id.
var visitsSQL = map[string]string{
	// PostgreSQL compares TIMESTAMPTZ natively. Rows with a NULL scheduled_at are kept so
	// that they are reported, not dropped by the window. The window is repeated rather
	// than put in a CTE: a materialised CTE hides the statistics, and the planner then
	// misestimated by 400x and JIT-compiled (measured: 1.15 s vs 0.59 s server time for
	// 200k appointments). Appointment ids are unique here (checkUnique runs first), so
	// the join of notes to appointments does not multiply them.
	Postgres: `
SELECT a.id, a.patient_id, a.office_id, a.clinician_id, a.scheduled_at, a.status,
  p.id, p.mrn, p.first_name, p.last_name, p.birth_date, p.email,
  coalesce(n.cnt, 0), n.first_signed, n.first_locked, NULL::bigint, NULL::bigint,
  i.id, i.sent_at, i.recipient, i.channel
FROM appointments a
LEFT JOIN patients p ON p.id = a.patient_id
LEFT JOIN (
  SELECT cn.appointment_id, count(*) AS cnt, min(cn.signed_at) AS first_signed, min(cn.locked_at) AS first_locked
  FROM clinical_notes cn
  JOIN appointments a2 ON a2.id = cn.appointment_id
  WHERE (a2.scheduled_at >= $1 AND a2.scheduled_at < $2) OR a2.scheduled_at IS NULL
  GROUP BY cn.appointment_id
) n ON n.appointment_id = a.id
LEFT JOIN (
  SELECT DISTINCT ON (pi.patient_id) pi.patient_id, pi.id, pi.sent_at, pi.recipient, pi.channel
  FROM portal_invitations pi
  WHERE pi.patient_id IN (SELECT a3.patient_id FROM appointments a3
                          WHERE (a3.scheduled_at >= $1 AND a3.scheduled_at < $2) OR a3.scheduled_at IS NULL)
  ORDER BY pi.patient_id, pi.sent_at NULLS FIRST, pi.id
) i ON i.patient_id = a.patient_id
WHERE (a.scheduled_at >= $1 AND a.scheduled_at < $2) OR a.scheduled_at IS NULL
ORDER BY a.patient_id, a.scheduled_at, a.id`,

	// SQLite keeps timestamps as TEXT in several spellings (instant.go): every
	// comparison, minimum and ordering goes through julianday(), which reads them all as
	// instants. Text it cannot read gives NULL: such appointments are kept (and then
	// reported), and notes with one are flagged (bad_signed/bad_locked), so nothing is
	// dropped silently. Minimum note times come back as Julian day numbers (REAL).
	// The first invitation (R5: the earliest sent_at, then the lowest id; NULL or
	// unreadable first, to be reported) is found by index per row — IS, so that a NULL
	// id is still read and reported rather than never matched: a window-function
	// subquery joined on patient_id was scanned once per row by SQLite 3.40 (the
	// sqlite3 shell of Debian 12: 150 s for 100k appointments, against 0.6 s this way).
	SQLite: `
WITH a AS (
  SELECT id, patient_id, office_id, clinician_id, scheduled_at, status, coalesce(julianday(scheduled_at), julianday(upper(scheduled_at))) AS jd
  FROM appointments
  WHERE (coalesce(julianday(scheduled_at), julianday(upper(scheduled_at))) >= julianday(?1) AND coalesce(julianday(scheduled_at), julianday(upper(scheduled_at))) < julianday(?2))
     OR coalesce(julianday(scheduled_at), julianday(upper(scheduled_at))) IS NULL
),
n AS (
  SELECT appointment_id, count(*) AS cnt,
    min(coalesce(julianday(signed_at), julianday(upper(signed_at)))) AS first_signed,
    min(coalesce(julianday(locked_at), julianday(upper(locked_at)))) AS first_locked,
    min(CASE WHEN signed_at IS NOT NULL AND (coalesce(julianday(signed_at), julianday(upper(signed_at))) IS NULL OR NOT ` + sqliteStrictInstant("signed_at") + `)
        THEN id END) AS bad_signed,
    min(CASE WHEN locked_at IS NOT NULL AND (coalesce(julianday(locked_at), julianday(upper(locked_at))) IS NULL OR NOT ` + sqliteStrictInstant("locked_at") + `)
        THEN id END) AS bad_locked
  FROM clinical_notes
  WHERE appointment_id IN (SELECT id FROM a)
  GROUP BY appointment_id
)
SELECT a.id, a.patient_id, a.office_id, a.clinician_id, CAST(a.scheduled_at AS TEXT), a.status,
  p.id, p.mrn, p.first_name, p.last_name, CAST(p.birth_date AS TEXT), p.email,
  coalesce(n.cnt, 0), n.first_signed, n.first_locked, n.bad_signed, n.bad_locked,
  i.id, CAST(i.sent_at AS TEXT), i.recipient, i.channel
FROM a
LEFT JOIN patients p ON p.id = a.patient_id
LEFT JOIN n ON n.appointment_id = a.id
LEFT JOIN portal_invitations i ON i.patient_id = a.patient_id AND i.id IS (
  SELECT pi.id FROM portal_invitations pi WHERE pi.patient_id = a.patient_id
  ORDER BY coalesce(julianday(pi.sent_at), julianday(upper(pi.sent_at))), pi.id LIMIT 1)
ORDER BY a.patient_id, a.jd, a.id`,
}

// VisitsSQL returns the period query Read issues and its arguments, for the benchmark
// floor (psql \copy, the sqlite3 shell) and tools.
func (s *Store) VisitsSQL(from, to time.Time) (string, []any) {
	return visitsSQL[s.dialect], s.windowArgs(from, to, true)
}

func (s *Store) windowArgs(lo, hi time.Time, glob bool) []any {
	if s.dialect == Postgres {
		return []any{lo, hi}
	}
	args := []any{formatInstant(lo), formatInstant(hi)}
	if glob {
		args = append(args, sqliteInstantGlob)
	}
	return args
}

// visitRow is the scan target of one row of visitsSQL.
type visitRow struct {
	id, patientID, officeID, clinicianID colInt
	scheduledAt                          colTime
	status                               colText

	pID                   colInt
	mrn, first, last      colText
	birth                 colDate
	email                 colText
	noteCount             colInt
	firstSigned           colTime
	firstLocked           colTime
	badSigned, badLocked  colInt
	invID                 colInt
	invSent               colTime
	invRecipient, invChan colText
}

func (v *visitRow) dest() []any {
	return []any{&v.id, &v.patientID, &v.officeID, &v.clinicianID, &v.scheduledAt, &v.status,
		&v.pID, &v.mrn, &v.first, &v.last, &v.birth, &v.email,
		&v.noteCount, &v.firstSigned, &v.firstLocked, &v.badSigned, &v.badLocked,
		&v.invID, &v.invSent, &v.invRecipient, &v.invChan}
}

// appointment validates the appointment columns of the row (SPEC §3 NOT NULLs) and the
// ids it points at.
func (v *visitRow) appointment(offices, clinicians map[int64]bool) error {
	const rel = "appointments"
	if err := check(rel, "", "id", v.id.null, v.id.bad, true); err != nil {
		return err
	}
	id := rowID(&v.id)
	for _, c := range []struct {
		col string
		v   *colInt
	}{{"patient_id", &v.patientID}, {"office_id", &v.officeID}, {"clinician_id", &v.clinicianID}} {
		if err := check(rel, id, c.col, c.v.null, c.v.bad, true); err != nil {
			return err
		}
	}
	if err := check(rel, id, "scheduled_at", v.scheduledAt.null, v.scheduledAt.bad, true); err != nil {
		return err
	}
	if err := check(rel, id, "status", v.status.null, "", true); err != nil {
		return err
	}
	if v.pID.null {
		return &DataError{Relation: rel, ID: id, Column: "patient_id",
			Problem: fmt.Sprintf("patient %d not found in patients", v.patientID.v)}
	}
	if !offices[v.officeID.v] {
		return &DataError{Relation: rel, ID: id, Column: "office_id",
			Problem: fmt.Sprintf("office %d not found in offices", v.officeID.v)}
	}
	if !clinicians[v.clinicianID.v] {
		return &DataError{Relation: rel, ID: id, Column: "clinician_id",
			Problem: fmt.Sprintf("clinician %d not found in clinicians", v.clinicianID.v)}
	}
	return nil
}

// patient fills rec's patient and first invitation from the row.
func (v *visitRow) patient(rec *measure.PatientRecord, inv *measure.Invitation, intern map[string]string) error {
	id := rowID(&v.pID)
	if err := check("patients", id, "birth_date", v.birth.null, v.birth.bad, false); err != nil {
		return err
	}
	rec.Patient = measure.Patient{ID: v.pID.v, MRN: v.mrn.String(), FirstName: v.first.String(),
		LastName: v.last.String(), BirthDate: v.birth.d, HasBirthDate: !v.birth.null, Email: v.email.String()}
	rec.FirstInvitation = nil
	if v.invID.null && v.invSent.null && v.invRecipient.null && v.invChan.null {
		return nil // never invited (or the invitation's id is NULL: checked below)
	}
	const rel = "portal_invitations"
	if err := check(rel, "", "id", v.invID.null, v.invID.bad, true); err != nil {
		return err
	}
	iid := rowID(&v.invID)
	if err := check(rel, iid, "sent_at", v.invSent.null, v.invSent.bad, true); err != nil {
		return err
	}
	if err := check(rel, iid, "recipient", v.invRecipient.null, "", true); err != nil {
		return err
	}
	if err := check(rel, iid, "channel", v.invChan.null, "", true); err != nil {
		return err
	}
	*inv = measure.Invitation{ID: v.invID.v, SentAt: v.invSent.t,
		Recipient: v.invRecipient.interned(intern), Channel: v.invChan.interned(intern)}
	rec.FirstInvitation = inv
	return nil
}

// patients runs the period query and streams PatientRecords to sink.
func (r *reader) patients(p measure.Practice, lo, hi time.Time, sink Sink) (err error) {
	offices := make(map[int64]bool, len(p.Offices))
	for _, o := range p.Offices {
		offices[o.ID] = true
	}
	clinicians := make(map[int64]bool, len(p.Clinicians))
	for _, c := range p.Clinicians {
		clinicians[c.ID] = true
	}
	rows, err := r.tx.QueryContext(r.ctx, visitsSQL[r.s.dialect], r.s.windowArgs(lo, hi, true)...)
	if err != nil {
		return r.fail("appointments", err)
	}
	defer func() {
		if err != nil {
			r.cancel() // stop the server before Close, which would drain the rest
		}
		rows.Close()
	}()

	var (
		v       = visitRow{firstSigned: colTime{julian: true}, firstLocked: colTime{julian: true}}
		dest    = v.dest()
		rec     measure.PatientRecord
		inv     measure.Invitation
		intern  = map[string]string{}
		have    bool
		lastApp int64
	)
	flush := func() error {
		if err := sink.Patient(&rec); err != nil {
			return fmt.Errorf("read %s: %w", r.s, err)
		}
		r.st.Patients++
		return nil
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return r.fail("appointments", err)
		}
		if err := v.appointment(offices, clinicians); err != nil {
			return err
		}
		if !have || v.patientID.v != rec.Patient.ID {
			if have {
				if v.patientID.v < rec.Patient.ID {
					return fmt.Errorf("read appointments from %s: rows not in patient order (patient %d after %d)",
						r.s, v.patientID.v, rec.Patient.ID)
				}
				if err := flush(); err != nil {
					return err
				}
			}
			if err := v.patient(&rec, &inv, intern); err != nil {
				return err
			}
			if rec.FirstInvitation != nil {
				r.st.Invitations++
			}
			rec.Visits = rec.Visits[:0]
			have = true
		} else if v.id.v == lastApp {
			return &DataError{Relation: "appointments", ID: rowID(&v.id), Column: "id",
				Problem: "read twice: duplicate id in appointments, or its patient_id matches several patients"}
		}
		lastApp = v.id.v
		if err := v.notes(r); err != nil {
			return err
		}
		rec.Visits = append(rec.Visits, measure.Visit{
			ID: v.id.v, OfficeID: v.officeID.v, ClinicianID: v.clinicianID.v,
			ScheduledAt: v.scheduledAt.t, Status: v.status.interned(intern),
			Notes: measure.Notes{Count: int(v.noteCount.v), FirstSigned: v.firstSigned.t, FirstLocked: v.firstLocked.t},
		})
		r.st.Appointments++
		r.st.Notes += int(v.noteCount.v)
	}
	if err := rows.Err(); err != nil {
		return r.fail("appointments", err)
	}
	if have {
		return flush()
	}
	return nil
}

// notes checks the row's note summary. On SQLite a note whose signed_at/locked_at is
// not a timestamp is flagged by the query; its text is fetched for the message.
func (v *visitRow) notes(r *reader) error {
	for _, c := range []struct {
		col string
		bad *colInt
		ts  *colTime
	}{{"signed_at", &v.badSigned, &v.firstSigned}, {"locked_at", &v.badLocked, &v.firstLocked}} {
		if !c.bad.null {
			id := rowID(c.bad)
			var raw colText
			err := r.tx.QueryRowContext(r.ctx, `SELECT CAST(`+c.col+` AS TEXT) FROM clinical_notes WHERE id = ?1`,
				c.bad.v).Scan(&raw)
			problem := "unparseable timestamp"
			if err == nil {
				problem += " " + quote(raw.String())
			}
			return &DataError{Relation: "clinical_notes", ID: id, Column: c.col, Problem: problem}
		}
		if c.ts.bad != "" { // cannot happen with the queries above; kept as a guard
			return &DataError{Relation: "clinical_notes", Column: c.col,
				Problem: c.ts.bad + " (note of appointment " + rowID(&v.id) + ")"}
		}
	}
	if v.noteCount.bad != "" {
		return &DataError{Relation: "clinical_notes", Column: "appointment_id", Problem: v.noteCount.bad}
	}
	return nil
}

// checkUnique proves that rel's ids are unique among the rows the read uses. A table
// whose id is its primary key (or has a unique index on id alone) needs no query; a
// view or a table without one gets one GROUP BY over the period.
func (r *reader) checkUnique(rel string, lo, hi time.Time) error {
	var unique bool
	var q string
	if r.s.dialect == Postgres {
		q = `SELECT EXISTS (SELECT 1 FROM pg_index i
			JOIN pg_attribute att ON att.attrelid = i.indrelid AND att.attnum = i.indkey[0]
			WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indnkeyatts = 1
			  AND i.indpred IS NULL AND i.indexprs IS NULL AND att.attname = 'id')`
	} else {
		q = `SELECT ((SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1
			  AND EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE pk = 1 AND name = 'id'))
			OR EXISTS (SELECT 1 FROM pragma_index_list(?1) l WHERE l."unique" = 1 AND l.partial = 0
			  AND (SELECT count(*) FROM pragma_index_info(l.name)) = 1
			  AND (SELECT name FROM pragma_index_info(l.name)) = 'id')`
	}
	if err := r.tx.QueryRowContext(r.ctx, q, rel).Scan(&unique); err != nil {
		return r.fail(rel, fmt.Errorf("check that ids are unique: %w", err))
	}
	if unique {
		return nil
	}
	window := `(scheduled_at >= $1 AND scheduled_at < $2)`
	if r.s.dialect == SQLite {
		window = `(coalesce(julianday(scheduled_at), julianday(upper(scheduled_at))) >= julianday(?1) AND coalesce(julianday(scheduled_at), julianday(upper(scheduled_at))) < julianday(?2))`
	}
	switch rel {
	case "appointments":
		q = `SELECT id, count(*) FROM appointments WHERE ` + window + ` AND id IS NOT NULL
			GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1`
	case "portal_invitations":
		// A view repeating an invitation would repeat its patient's visits in the
		// SQLite join and be blamed on appointments (issue 13): name it here.
		q = `SELECT id, count(*) FROM portal_invitations WHERE patient_id IN (SELECT patient_id FROM appointments WHERE ` + window + `)
			AND id IS NOT NULL GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1`
	default:
		q = `SELECT id, count(*) FROM patients WHERE id IN (SELECT patient_id FROM appointments WHERE ` + window + `)
			GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1`
	}
	var id colInt
	var n int64
	err := r.tx.QueryRowContext(r.ctx, q, r.s.windowArgs(lo, hi, false)...).Scan(&id, &n)
	switch {
	case err == nil:
		return &DataError{Relation: rel, ID: rowID(&id), Column: "id",
			Problem: "duplicate id: " + strconv.FormatInt(n, 10) + " rows"}
	case errors.Is(err, sql.ErrNoRows):
		return nil
	}
	return r.fail(rel, fmt.Errorf("check that ids are unique: %w", err))
}
