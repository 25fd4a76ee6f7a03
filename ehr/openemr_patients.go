package ehr

// OpenEMR's patients and their first credentials (SPEC §8), held compact in memory: the
// connection reads one result set at a time, so the period's appointments, read last in
// patient order, are merged here with the patients and credentials read before them —
// plain scans in pid order, as a calculator's floor reads them, rather than a join per
// appointment (the text pc_pid joined to the integer pid cost the server more than
// both scans together).

import (
	"database/sql"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// oePatients is patient_data's rows by pid: the texts in chunks of an arena, filled in
// turn (no chunk is ever copied to grow).
type oePatients struct {
	pids   []int64
	rows   []oePatientRow
	chunks [][]byte
	next   int // where the last find ended: appointments come in pid order
}

// oeChunk is the size of an arena chunk.
const oeChunk = 1 << 20

type oePatientRow struct {
	chunk, off              uint32
	mrn, fname, lname, mail uint16 // lengths in the chunk, in this order
	dob                     calendar.Date
	hasDOB                  bool
}

// oeCred is one patient's first credentials (patient_access_onsite has one row per pid).
type oeCred struct {
	pid, id int64
	at      int64 // unix seconds of date_created, or noTime for a zero date
}

func (r *oeReader) readPatients() error {
	var pid sql.NullInt64
	var mrn, fname, lname, dob, email sql.RawBytes
	ps := &r.patients
	if err := r.each("patient_data", "SELECT COUNT(*) FROM patient_data", nil, []any{&pid}, func() error {
		ps.pids, ps.rows = make([]int64, 0, pid.Int64), make([]oePatientRow, 0, pid.Int64)
		return nil
	}); err != nil {
		return err
	}
	return r.each("patient_data", "SELECT pid, pubpid, fname, lname, DOB, email FROM patient_data ORDER BY pid", nil,
		[]any{&pid, &mrn, &fname, &lname, &dob, &email}, func() error {
			d, null, err := oeDate(dob)
			if err != nil {
				return &DataError{Relation: "patient_data", ID: strconv.FormatInt(pid.Int64, 10), Column: "DOB", Problem: err.Error()}
			}
			if k := len(ps.pids); k > 0 && ps.pids[k-1] >= pid.Int64 {
				return &DataError{Relation: "patient_data", ID: strconv.FormatInt(pid.Int64, 10), Column: "pid", Problem: "duplicate pid"}
			}
			fields := [4][]byte{mrn, fname, lname, email}
			size := 0
			for i := range fields {
				if len(fields[i]) > 0xffff {
					fields[i] = fields[i][:0xffff]
				}
				size += len(fields[i])
			}
			k := len(ps.chunks) - 1
			if k < 0 || len(ps.chunks[k])+size > cap(ps.chunks[k]) {
				ps.chunks = append(ps.chunks, make([]byte, 0, max(oeChunk, size)))
				k++
			}
			row := oePatientRow{chunk: uint32(k), off: uint32(len(ps.chunks[k])), dob: d, hasDOB: !null,
				mrn: uint16(len(fields[0])), fname: uint16(len(fields[1])), lname: uint16(len(fields[2])), mail: uint16(len(fields[3]))}
			for _, f := range fields {
				ps.chunks[k] = append(ps.chunks[k], f...)
			}
			ps.pids = append(ps.pids, pid.Int64)
			ps.rows = append(ps.rows, row)
			return nil
		})
}

// find returns the patient of pid, false when patient_data has none.
func (ps *oePatients) find(pid int64) (*oePatientRow, bool) {
	i := ps.next
	if i >= len(ps.pids) || ps.pids[i] > pid || i > 0 && ps.pids[i-1] >= pid {
		i = sort.Search(len(ps.pids), func(i int) bool { return ps.pids[i] >= pid })
	}
	for i < len(ps.pids) && ps.pids[i] < pid {
		i++
	}
	ps.next = i
	if i < len(ps.pids) && ps.pids[i] == pid {
		ps.next = i + 1
		return &ps.rows[i], true
	}
	return nil, false
}

// has reports whether pid is a patient (no cursor moved).
func (ps *oePatients) has(pid int64) bool {
	_, ok := slices.BinarySearch(ps.pids, pid)
	return ok
}

// patient is the measure patient of a row ("" as NULL in every text, SPEC §8).
func (ps *oePatients) patient(pid int64, row *oePatientRow) measure.Patient {
	p := measure.Patient{ID: pid}
	if row == nil {
		return p
	}
	off, chunk := int(row.off), ps.chunks[row.chunk]
	take := func(n uint16) string {
		s := string(chunk[off : off+int(n)])
		off += int(n)
		return s
	}
	p.MRN, p.FirstName, p.LastName, p.Email = take(row.mrn), take(row.fname), take(row.lname), strings.TrimSpace(take(row.mail))
	p.BirthDate, p.HasBirthDate = row.dob, row.hasDOB
	return p
}

// readCredentials reads every patient's first credentials (SPEC §8), counts what
// INVITATION_DATES_SUSPECT needs and finds the credentials of no patient (R10).
func (r *oeReader) readCredentials() error {
	var id, pid sql.NullInt64
	var created sql.RawBytes
	var civil []int64 // date_created as local seconds: the instant they share
	err := r.each("patient_access_onsite", "SELECT id, pid, date_created FROM patient_access_onsite ORDER BY pid, id", nil,
		[]any{&id, &pid, &created}, func() error {
			d, sec, null, err := oeDateTime(created)
			if err != nil {
				return &DataError{Relation: "patient_access_onsite", ID: strconv.FormatInt(id.Int64, 10), Column: "date_created", Problem: err.Error()}
			}
			c := oeCred{pid: pid.Int64, id: id.Int64, at: noTime}
			local := int64(-1) // a zero date
			if !null {
				c.at = r.clock.instant(d, sec).Unix()
				local = int64(d)*86400 + int64(sec)
			}
			civil = append(civil, local)
			if !pid.Valid || !r.patients.has(pid.Int64) {
				r.dangling[danglingInvitation].add(&colInt{v: id.Int64, null: !id.Valid})
				return nil
			}
			r.creds = append(r.creds, c)
			return nil
		})
	if err != nil {
		return err
	}
	// The most credentials sharing one creation second (SPEC §8).
	slices.Sort(civil)
	r.credsTotal = len(civil)
	for i := 0; i < len(civil); {
		j := i
		for j < len(civil) && civil[j] == civil[i] {
			j++
		}
		if j-i > r.credsShare {
			r.credsShare = j - i
			if civil[i] < 0 {
				r.credsAt = "0000-00-00 00:00:00"
			} else {
				r.credsAt = time.Unix(civil[i], 0).UTC().Format(time.DateTime)
			}
		}
		i = j
	}
	return nil
}

// credential finds pid's first credentials (nil: never invited).
func (r *oeReader) credential(pid int64) *oeCred {
	i := sort.Search(len(r.creds), func(i int) bool { return r.creds[i].pid >= pid })
	if i < len(r.creds) && r.creds[i].pid == pid {
		return &r.creds[i]
	}
	return nil
}

// record sets rec's patient and first invitation (R5: the first credentials, SPEC §8;
// the choice among a patient's invitations is measure's).
func (r *oeReader) record(rec *measure.PatientRecord, pid int64) (found bool) {
	row, ok := r.patients.find(pid)
	rec.Patient = r.patients.patient(pid, row)
	rec.FirstInvitation = nil
	if c := r.credential(pid); c != nil && c.at != noTime {
		r.inv[0] = measure.Invitation{ID: c.id, SentAt: time.Unix(c.at, 0).UTC(), Recipient: "patient", Channel: "portal"}
		rec.FirstInvitation = measure.EarliestInvitation(r.inv[:])
	}
	return ok
}
