package ehr

// The period's scans on MariaDB read as plain scans and put in order here (SPEC §8: one
// connection, one snapshot). appointments ⟕ clinical_notes in patient order costs
// MariaDB, per appointment, a primary-key lookup (walking appointments by patient) and
// an index dive into clinical_notes: at 1M appointments that join took more than twice
// as long as plain scans of the same rows (BENCHMARKS.md). So when the catalogue allows
// it — integer ids, scheduled_at an instant the server orders — the period's
// appointments are read with one plain scan into compact rows (mariadb_cells.go), one
// plain scan of clinical_notes by id attaches each note to its appointment (a note of
// no appointment of the period is dropped), and both are put into the join's order:
// patient_id, scheduled_at, id, then each appointment's notes by id. The invitations
// too are read with a plain scan and put in patient order; the patients, by id, stream
// from the server while the merge (period.go) reads the rest from memory, exactly the
// rows, in the order, the server would have sent.
//
// Memory: what is read whole is held to mariadbJoinBytes — 76 bytes an appointment or
// an invitation (56 for the row, 20 while it is put in order) and 44 a note — of which
// db generate's practice of 1M appointments takes four fifths (127 MiB). A period
// that needs more is joined by the server instead, a patient range at a time, and
// invitations that would not fit are read a range at a time (mariadb_scan.go): that
// memory does not grow with the practice.

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unsafe"
)

// joinedScan is the visit scan as two plain scans: the period's appointments (acols,
// alias a, restricted by where with args) and the notes (ncols, alias n), joined on
// n.appointment_id = a.id.
type joinedScan struct {
	acols, where string
	args         []any
	ncols        string
	// intInvitations: portal_invitations' patient_id and id are integer columns, which
	// sort here as the server sorts them.
	intInvitations bool
}

// mariadbJoinBytes is the most memory the rows read whole may take.
var mariadbJoinBytes = 160 << 20

// What a row read whole takes: its cells, and while it is put in order its key and its
// place (sortRows).
const (
	rowBytes  = int(unsafe.Sizeof(cellRow{}) + unsafe.Sizeof(rowKey{}) + 4)
	noteBytes = int(unsafe.Sizeof(noteCells{}) + 4)
)

// noteCells is a note: its cells in model order, and the next note of its appointment.
type noteCells struct {
	c     [4]int64
	flags uint16
	// next is, while the notes are read, the index of its appointment; then the
	// index of the appointment's next note (-1: none) until the notes are in order.
	next int32
}

// The columns the join orders and matches by, as positions in the models' column order.
var (
	apID      = colPos(relAppointments, "id")
	apPatient = colPos(relAppointments, "patient_id")
	apAt      = colPos(relAppointments, "scheduled_at")
	ntApp     = colPos(relNotes, "appointment_id")
)

func colPos(rel *relation, name string) int {
	if len(relAppointments.cols) > len(cellRow{}.c) || len(relInvitations.cols) > len(cellRow{}.c) ||
		len(relNotes.cols) != len(noteCells{}.c) {
		panic("ehr: a row in memory holds fewer cells than its relation has columns")
	}
	return slices.Index(rel.names(), name)
}

// joinedRows is the visit scan read and joined in memory: rows for the merge. An
// appointment's link is, while the notes are read, its first note (-1: none); once in
// order, how many notes follow the previous appointment's.
type joinedRows struct {
	cellStore
	appts blocks[cellRow]
	notes blocks[noteCells]
	// The merge's place: appointment i, and while it has notes, note k of the left
	// still to come.
	i, k, left int
}

// readLimited runs query (with LIMIT ? appended, the last of args) and hands each row,
// of columns of kinds, to add, each taking size bytes of *budget; ok is false when the
// rows would take more than the budget.
func readLimited(ctx context.Context, conn *sql.Conn, kinds []colKind, budget *int, size int, query string, args []any,
	add func([]driver.Value)) (ok bool, err error) {
	limit := max(*budget/size, 0)
	n, over := 0, false
	err = scanValues(ctx, conn, query+" LIMIT ?", append(slices.Clip(args), limit+1), len(kinds), func(vals []driver.Value) bool {
		if n == limit {
			over = true
			return false
		}
		add(vals)
		n++
		return true
	})
	*budget -= n * size
	return !over, err
}

// readJoined reads the visit scan j on conn: the appointments, then the notes, within
// budget bytes. It returns nil, nil when they take more, or when an id repeats or lies
// beyond int64 (the server's join would repeat, or match, its notes).
func readJoined(ctx context.Context, conn *sql.Conn, j *joinedScan, budget *int) (*joinedRows, error) {
	if fit, err := mayFit(ctx, conn, j, *budget/rowBytes); !fit || err != nil {
		return nil, err
	}
	v := &joinedRows{i: -1}
	kinds := kindsOf(relAppointments)
	ok, err := readLimited(ctx, conn, kinds, budget, rowBytes, "SELECT "+j.acols+" FROM appointments a WHERE "+j.where, j.args,
		func(vals []driver.Value) {
			a := cellRow{link: -1}
			a.flags = v.take(kinds, vals, a.c[:])
			v.appts.add(a)
		})
	if !ok || err != nil {
		return nil, err
	}
	keys, ok := v.byID()
	if !ok {
		return nil, nil
	}
	if len(keys) > 0 {
		if ok, err := v.readNotes(ctx, conn, j, keys, budget); !ok || err != nil {
			return nil, err
		}
	}
	v.inOrder(keys[:0])
	return v, nil
}

// mayFit says whether the period's appointments may be no more than limit, before
// they are read: when the table holds no more by the server's estimate, or counting
// them (up to one more) finds no more. A period that cannot fit is then not read twice.
func mayFit(ctx context.Context, conn *sql.Conn, j *joinedScan, limit int) (bool, error) {
	var rows sql.NullInt64
	err := conn.QueryRowContext(ctx, `SELECT table_rows FROM information_schema.tables
		WHERE table_schema = DATABASE() AND table_name = 'appointments'`).Scan(&rows)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	if rows.Valid && rows.Int64 <= int64(limit) {
		return true, nil
	}
	var n int
	err = conn.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM appointments a WHERE "+j.where+" LIMIT ?) x",
		append(slices.Clip(j.args), limit+1)...).Scan(&n)
	return n <= limit, err
}

// byID is the appointments with an id, by id; ok is false when an id repeats or lies
// beyond int64 (a BIGINT UNSIGNED the server would match).
func (v *joinedRows) byID() (keys []rowKey, ok bool) {
	keys = make([]rowKey, 0, v.appts.n)
	for i := range v.appts.n {
		switch a := v.appts.at(i); flagOf(a.flags, apID) {
		case cellValue:
			keys = append(keys, rowKey{k: a.c[apID], i: int32(i)})
		case cellRaw:
			return nil, false
		}
	}
	if !slices.IsSortedFunc(keys, keyOrder) { // a plain scan mostly comes by id
		slices.SortFunc(keys, keyOrder)
	}
	for i := 1; i < len(keys); i++ {
		if keys[i].k == keys[i-1].k {
			return nil, false
		}
	}
	return keys, true
}

// readNotes reads the notes of the appointments in keys (by id) in id order and
// attaches each to its appointment, in that order; ok is false when they take more than
// budget bytes.
func (v *joinedRows) readNotes(ctx context.Context, conn *sql.Conn, j *joinedScan, keys []rowKey, budget *int) (ok bool, err error) {
	kinds := kindsOf(relNotes)
	err = scanValues(ctx, conn, "SELECT "+j.ncols+" FROM clinical_notes n"+
		" WHERE n.appointment_id >= ? AND n.appointment_id <= ? ORDER BY n.id", []any{keys[0].k, keys[len(keys)-1].k},
		len(kinds), func(vals []driver.Value) bool {
			var aid int64
			switch x := vals[ntApp].(type) {
			case int64:
				aid = x
			case uint64: // BIGINT UNSIGNED; beyond int64 it matches no appointment (byID)
				if x > math.MaxInt64 {
					return true
				}
				aid = int64(x)
			default: // NULL
				return true
			}
			k, found := slices.BinarySearchFunc(keys, aid, func(r rowKey, id int64) int { return cmp.Compare(r.k, id) })
			if found {
				if *budget -= noteBytes; *budget < 0 {
					return false
				}
				n := noteCells{next: keys[k].i}
				n.flags = v.take(kinds, vals, n.c[:])
				v.notes.add(n)
			}
			return true
		})
	if err != nil || *budget < 0 {
		return false, err
	}
	// Each appointment's notes as a list in the order read: built from the last note.
	for k := v.notes.n - 1; k >= 0; k-- {
		n := v.notes.at(k)
		a := v.appts.at(int(n.next))
		n.next, a.link = a.link, int32(k)
	}
	return true, nil
}

// inOrder puts the appointments in the join's order (order), each one's notes after
// the previous one's in the order read, in keys' memory.
func (v *joinedRows) inOrder(keys []rowKey) {
	for i := range v.appts.n {
		a := v.appts.at(i)
		keys = append(keys, keyOf(flagOf(a.flags, apPatient), a.c[apPatient], i))
	}
	sortRows(&v.appts, keys, v.order)
	// The notes in the appointments' order: perm[k] is the note that goes to k.
	perm := make([]int32, 0, v.notes.n)
	for i := range v.appts.n {
		a := v.appts.at(i)
		count := int32(0)
		for k := a.link; k >= 0; k = v.notes.at(int(k)).next {
			perm = append(perm, k)
			count++
		}
		a.link = count
	}
	v.notes.permute(perm)
}

// order is the server join's order: patient_id, scheduled_at, id, NULL first (MariaDB's
// ORDER BY, walking the index on (patient_id, scheduled_at), whose entries end in id).
func (v *joinedRows) order(a, b *cellRow) int {
	if c := v.cmpInt(flagOf(a.flags, apPatient), flagOf(b.flags, apPatient), a.c[apPatient], b.c[apPatient]); c != 0 {
		return c
	}
	if c := v.cmpTime(flagOf(a.flags, apAt), flagOf(b.flags, apAt), a.c[apAt], b.c[apAt]); c != 0 {
		return c
	}
	return v.cmpInt(flagOf(a.flags, apID), flagOf(b.flags, apID), a.c[apID], b.c[apID])
}

func (v *joinedRows) Next() bool {
	if v.left > 1 {
		v.k++
		v.left--
		return true
	}
	if v.left == 1 {
		v.k++
	}
	v.i++
	if v.i >= v.appts.n {
		v.Close()
		return false
	}
	if v.i%blockRows == 0 {
		v.appts.release(v.i)
		v.notes.release(v.k)
	}
	v.left = int(v.appts.at(v.i).link)
	return true
}

// Scan hands the current row to dest: the appointment's columns, the note's (NULL when
// the appointment has none), and the count of notes the row stands for (0 or 1).
func (v *joinedRows) Scan(dest ...any) error {
	na, nn := len(relAppointments.cols), len(relNotes.cols)
	if len(dest) != na+nn+1 {
		return fmt.Errorf("mariadb: %d scan targets for %d joined columns", len(dest), na+nn+1)
	}
	a := v.appts.at(v.i)
	if err := v.putRow(dest[:na], a.c[:], a.flags); err != nil {
		return err
	}
	if v.left == 0 {
		for _, d := range dest[na : na+nn] {
			if err := v.put(d, cellNull, 0); err != nil {
				return err
			}
		}
		return v.put(dest[na+nn], cellValue, 0)
	}
	n := v.notes.at(v.k)
	if err := v.putRow(dest[na:na+nn], n.c[:], n.flags); err != nil {
		return err
	}
	return v.put(dest[na+nn], cellValue, 1)
}

func (v *joinedRows) Err() error { return nil }

func (v *joinedRows) Close() error {
	v.appts, v.notes, v.raw = blocks[cellRow]{}, blocks[noteCells]{}, nil
	v.i, v.left = -1, 0
	return nil
}

// sortedRows is a scan read whole with a plain scan and put in its order in memory:
// by its patient column, then by id (the order of the index on the patient column,
// whose entries end in the primary key).
type sortedRows struct {
	cellStore
	rows        blocks[cellRow]
	ncol        int
	patient, id int // the columns' positions
	i           int
}

// readSorted reads q whole into memory in its order; nil, nil when q is not all the
// columns of one relation ordered by one of them, or its rows take more than budget
// bytes.
func readSorted(ctx context.Context, conn *sql.Conn, q scanQuery, budget *int) (*sortedRows, error) {
	rel := relationByName(q.from)
	if rel == nil || q.cols != strings.Join(rel.names(), ", ") || q.order != q.patient || len(rel.cols) > len(cellRow{}.c) {
		return nil, nil
	}
	s := &sortedRows{ncol: len(rel.cols), patient: slices.Index(rel.names(), q.patient), id: slices.Index(rel.names(), "id"), i: -1}
	if s.patient < 0 || s.id < 0 {
		return nil, nil
	}
	kinds := kindsOf(rel)
	query := "SELECT " + q.cols + " FROM " + q.from
	if q.where != "" {
		query += " WHERE " + q.where
	}
	ok, err := readLimited(ctx, conn, kinds, budget, rowBytes, query, q.args, func(vals []driver.Value) {
		r := cellRow{link: int32(s.rows.n)}
		r.flags = s.take(kinds, vals, r.c[:])
		s.rows.add(r)
	})
	if !ok || err != nil {
		return nil, err
	}
	keys := make([]rowKey, 0, s.rows.n)
	for i := range s.rows.n {
		r := s.rows.at(i)
		keys = append(keys, keyOf(flagOf(r.flags, s.patient), r.c[s.patient], i))
	}
	sortRows(&s.rows, keys, s.order)
	return s, nil
}

// order: by id, then as read (link).
func (s *sortedRows) order(a, b *cellRow) int {
	if c := s.cmpInt(flagOf(a.flags, s.id), flagOf(b.flags, s.id), a.c[s.id], b.c[s.id]); c != 0 {
		return c
	}
	return cmp.Compare(a.link, b.link)
}

func (s *sortedRows) Next() bool {
	s.i++
	if s.i >= s.rows.n {
		s.Close()
		return false
	}
	if s.i%blockRows == 0 {
		s.rows.release(s.i)
	}
	return true
}

func (s *sortedRows) Scan(dest ...any) error {
	if len(dest) != s.ncol {
		return fmt.Errorf("mariadb: %d scan targets for %d columns", len(dest), s.ncol)
	}
	r := s.rows.at(s.i)
	return s.putRow(dest, r.c[:], r.flags)
}

func (s *sortedRows) Err() error { return nil }

func (s *sortedRows) Close() error {
	s.rows, s.raw, s.i = blocks[cellRow]{}, nil, -1
	return nil
}
