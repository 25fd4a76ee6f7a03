package ehr

// The read of an OpenEMR database (SPEC §8). MariaDB reads one result set at a time on
// one connection, and a report is one consistent snapshot, so the queries run one after
// another inside one transaction, each consumed whole before the next starts:
//
//  1. the small tables: globals, the apptstat list, facilities, users;
//  2. the patients and their first credentials, in pid order (openemr_patients.go);
//  3. the period's encounters, tracker links, note forms and newpatient forms, then
//     every signature in one scan (a note's, or one that points at nothing), folded
//     into one compact row per encounter;
//  4. the recurring series;
//  5. last, the period's appointments ordered by patient, merged with the patients and
//     credentials and streamed patient by patient to the Sink (with visits: encounters,
//     the encounters already read).
//
// OpenEMR has no index on pc_pid and mipspi creates none: the appointments are sorted by
// the server.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// SourceFindingSink is a Sink that also takes the findings of an EHR source (SPEC §8:
// RECURRING_APPOINTMENT, AMBIGUOUS_ENCOUNTER, INVITATION_DATES_SUSPECT).
type SourceFindingSink interface {
	SourceFinding(measure.Finding) error
}

// noTime marks an instant that is absent in the compact rows (unix seconds).
const noTime = math.MinInt64

// oeEnc is one encounter of the period, compact: what links it to an appointment and
// the summary of its notes (R4).
type oeEnc struct {
	num      int64 // form_encounter.encounter, the visit number
	pid      int64
	linked   int64 // the appointment tracker rows link it to: 0 none, -1 several
	signed   int64 // earliest signature of its notes, unix seconds, or noTime
	locked   int64 // earliest lock
	provider int32 // form_encounter.provider_id is an INT
	facility int32
	billing  int32
	date     calendar.Date // local date of form_encounter.date
	sec      int32         // its second of the day
	count    int32         // notes: live note forms, and the encounter itself when signed at encounter level
	live     bool          // has a live newpatient form
	encSig   bool          // has encounter-level signatures: the encounter is a note too
	hasPID   bool
}

// oeLink is a tracker row: appointment eid on apptdate went through encounter enc.
type oeLink struct {
	eid  int64
	enc  int32 // among r.encs, -1 for an encounter outside the period's window
	date calendar.Date
}

// oeReader is one read of an OpenEMR database.
type oeReader struct {
	ctx      context.Context
	q        querier
	set      OpenEMRSettings
	from, to calendar.Date
	clock    oeClock
	seen     oeSeenSet
	st       *ReadStats

	globals   map[string][]oeGlobal
	zoneFrom  string
	offices   map[int64]bool
	users     map[int64]bool
	encs      []oeEnc  // by num
	noteForms []oeForm // the period's note forms, by id
	links     []oeLink
	fallback  []int32 // indexes of encs with a live newpatient form and a pid, by (pid, date, provider)
	ambiguous danglingRows
	findings  []measure.Finding
	dangling  [2]danglingRows
	inv       [1]measure.Invitation // the current patient's first credentials
	// apiRefused: see Store.readOpenEMR.
	apiRefused bool

	patients   oePatients
	creds      []oeCred // by pid
	credsTotal int      // every credentials row, of a patient or not

	// For db check: the period's appointments by how they found their encounter, the recurring series overlapping the period (all, seen), and the
	// credentials (all, the most sharing one instant, that instant).
	linkCount          [4]int
	series, seenSeries int
	credsShare         int
	credsAt            string
}

// ReadOpenEMR reads OpenEMR's own tables (SPEC §8) for the period [from, to] (local
// dates) and streams them to sink as the section 3 model: the Practice, then one
// PatientRecord per patient in pid order; a DanglingSink gets the rows that point at
// nothing, a SourceFindingSink the findings of the source. Everything is read on one
// connection in one read-only, repeatable-read snapshot. A setting a report cannot run
// with is a *SettingError; a row that breaks the rules a *DataError.
func (s *Store) ReadOpenEMR(ctx context.Context, from, to calendar.Date, set OpenEMRSettings, sink Sink) (ReadStats, error) {
	var st ReadStats
	_, err := s.readOpenEMR(ctx, from, to, set, sink, &st, false)
	return st, err
}

// readOpenEMR is ReadOpenEMR, returning the reader for db check's counts.
// apiRefused (db check, which has listed the API switch's refusal) reads on without
// windows, to show the rest.
func (s *Store) readOpenEMR(ctx context.Context, from, to calendar.Date, set OpenEMRSettings, sink Sink, st *ReadStats, apiRefused bool) (*oeReader, error) {
	if s.Dialect() != MariaDB {
		return nil, fmt.Errorf("read %s: OpenEMR's own tables are read on MariaDB or MySQL (SPEC §8)", s)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // an early stop stops the server sending
	snap, err := s.d.begin(ctx, s.db)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s, s.scrub(lostConnection(s.d, err)))
	}
	defer snap.close()
	if to < from {
		return nil, fmt.Errorf("read %s: period %s..%s ends before it starts", s, from, to)
	}
	r := &oeReader{ctx: ctx, q: snap.tx(), set: set, from: from, to: to, st: st, seen: newOESeenSet(set.seenStatuses()), apiRefused: apiRefused}
	err = r.read(sink)
	if err == nil {
		if is, ok := sink.(IdentitySink); ok { // SPEC §7: the database's own name
			var id string
			if id, err = s.d.identity(ctx, snap.tx()); err == nil {
				err = is.Identity(id)
			}
		}
	}
	if err != nil {
		err = lostConnection(s.d, err)
		var de *DataError
		var se *SettingError
		if !errors.As(err, &de) && !errors.As(err, &se) {
			err = fmt.Errorf("read %s: %w", s, s.scrub(err))
		}
	}
	return r, err
}

// read runs the queries in the order of the top of the file.
func (r *oeReader) read(sink Sink) error {
	p, err := r.practice()
	if err != nil {
		return err
	}
	if err := sink.Practice(p); err != nil {
		return err
	}
	if err := r.readPatients(); err != nil {
		return err
	}
	if err := r.readCredentials(); err != nil {
		return err
	}
	if err := r.period(); err != nil {
		return err
	}
	if _, ok := sink.(SourceFindingSink); ok {
		if err := r.sourceFindings(); err != nil {
			return err
		}
	}
	if r.set.Visits == OpenEMREncounters {
		err = r.encounterVisits(sink)
	} else {
		err = r.appointments(sink)
	}
	if err != nil {
		return err
	}
	return r.finish(sink)
}

// practice reads the small tables and builds the Practice.
func (r *oeReader) practice() (measure.Practice, error) {
	var p measure.Practice
	if err := r.readGlobals(); err != nil {
		return p, err
	}
	loc, from, err := oeZone(r.set.TimeZone, r.globals["gbl_time_zone"])
	if err != nil {
		return p, err
	}
	r.clock, r.zoneFrom = oeClock{loc}, from
	if p.APIWindows, err = oeAPIWindows(r.set.APIWindows, r.globals["rest_fhir_api"]); err != nil && !r.apiRefused {
		return p, err
	}
	opts, err := r.statusOptions()
	if err != nil {
		return p, err
	}
	p.Statuses = oeStatusCodes(opts)
	if p.Offices, err = r.facilities(loc); err != nil {
		return p, err
	}
	if p.Clinicians, err = r.clinicians(); err != nil {
		return p, err
	}
	r.offices, r.users = map[int64]bool{}, map[int64]bool{}
	for _, o := range p.Offices {
		r.offices[o.ID] = true
	}
	for _, c := range p.Clinicians {
		r.users[c.ID] = true
	}
	// The placeholders of visits whose facility or user does not exist (noSuch).
	p.Offices = append(p.Offices, measure.Office{ID: noSuch, Name: "no such facility", Zone: loc})
	p.Clinicians = append(p.Clinicians, measure.Clinician{ID: noSuch, LastName: "no such user"})
	r.st.Offices, r.st.Clinicians, r.st.APIWindows = len(p.Offices)-1, len(p.Clinicians)-1, len(p.APIWindows)
	return p, nil
}

// fail names the table a query was reading.
func (r *oeReader) fail(table string, err error) error {
	var de *DataError
	var se *SettingError
	if errors.As(err, &de) || errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("read %s: %w", table, err)
}

// each runs query and calls row after scanning each row into dest.
func (r *oeReader) each(table, query string, args []any, dest []any, row func() error) error {
	rows, err := r.q.QueryContext(r.ctx, query, args...)
	if err != nil {
		return r.fail(table, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return r.fail(table, err)
		}
		if err := row(); err != nil {
			return r.fail(table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return r.fail(table, err)
	}
	return nil
}

func (r *oeReader) readGlobals() error {
	r.globals = map[string][]oeGlobal{}
	var name, value sql.RawBytes
	var index sql.NullInt64
	return r.each("globals", "SELECT gl_name, gl_index, gl_value FROM globals WHERE gl_name IN ('gbl_time_zone', 'rest_fhir_api')",
		nil, []any{&name, &index, &value}, func() error {
			r.globals[string(name)] = append(r.globals[string(name)], oeGlobal{index: index.Int64, value: string(value)})
			return nil
		})
}

func (r *oeReader) statusOptions() ([]oeOption, error) {
	var out []oeOption
	var id, title sql.RawBytes
	err := r.each("list_options", "SELECT option_id, title FROM list_options WHERE list_id = 'apptstat' ORDER BY seq, option_id",
		nil, []any{&id, &title}, func() error {
			out = append(out, oeOption{id: string(id), title: string(title)})
			return nil
		})
	return out, err
}

func (r *oeReader) facilities(loc *time.Location) ([]measure.Office, error) {
	var out []measure.Office
	var id sql.NullInt64
	var name, ein sql.RawBytes
	err := r.each("facility", "SELECT id, name, federal_ein FROM facility ORDER BY id", nil, []any{&id, &name, &ein}, func() error {
		out = append(out, oeOffice(id.Int64, string(name), string(ein), loc))
		return nil
	})
	return out, err
}

func (r *oeReader) clinicians() ([]measure.Clinician, error) {
	var out []measure.Clinician
	var id sql.NullInt64
	var npi, fname, lname sql.RawBytes
	el := newOEEligibility(r.set.NotEligible)
	err := r.each("users", "SELECT id, npi, fname, lname FROM users ORDER BY id", nil, []any{&id, &npi, &fname, &lname}, func() error {
		out = append(out, oeClinician(id.Int64, string(npi), string(fname), string(lname), el))
		return nil
	})
	return out, err
}

// window is the local-date window of the period's rows: a day before the period (a
// 24:00 start time is the next day) through the day after it.
func (r *oeReader) window() (lo, hi string) {
	return r.from.AddDays(-1).String(), r.to.AddDays(1).String()
}

// period reads the encounters of the period and everything that links appointments to
// them: tracker rows, note forms with their signatures, encounter-level signatures.
func (r *oeReader) period() error {
	lo, hi := r.window()
	// Encounters, by number; counted first so that the one array holding them is
	// allocated once (at a million encounters, growing it left ~60 MB of garbage).
	var num, pid, provider, facility, billing sql.NullInt64
	var date sql.RawBytes
	err := r.each("form_encounter", "SELECT COUNT(*) FROM form_encounter fe WHERE fe.date >= ? AND fe.date < ?",
		[]any{lo + " 00:00:00", hi + " 00:00:00"}, []any{&num}, func() error {
			r.encs = make([]oeEnc, 0, num.Int64)
			return nil
		})
	if err != nil {
		return err
	}
	err = r.each("form_encounter", `SELECT fe.encounter, fe.pid, fe.date, fe.provider_id, fe.facility_id, fe.billing_facility
FROM form_encounter fe WHERE fe.date >= ? AND fe.date < ?`,
		[]any{lo + " 00:00:00", hi + " 00:00:00"},
		[]any{&num, &pid, &date, &provider, &facility, &billing}, func() error {
			if !num.Valid {
				return nil // no visit number: nothing can point at it
			}
			d, sec, null, err := oeDateTime(date)
			if err != nil || null {
				return nil // outside the window's test: the query's own range excludes both
			}
			r.encs = append(r.encs, oeEnc{num: num.Int64, pid: pid.Int64, hasPID: pid.Valid, provider: int32(provider.Int64),
				facility: int32(facility.Int64), billing: int32(billing.Int64), date: d, sec: int32(sec),
				signed: noTime, locked: noTime})
			return nil
		})
	if err != nil {
		return err
	}
	// By number (sorted here: the server's sort of the period's encounters spilled to
	// disk); a number two rows share is a data error.
	slices.SortFunc(r.encs, func(a, b oeEnc) int { return cmpInt(a.num, b.num) })
	for k := 1; k < len(r.encs); k++ {
		if r.encs[k].num == r.encs[k-1].num {
			return &DataError{Relation: "form_encounter", ID: "encounter " + strconv.FormatInt(r.encs[k].num, 10), Column: "encounter",
				Problem: "two form_encounter rows of the period have this encounter number"}
		}
	}
	// Tracker links of the period's appointments (SPEC §8: eid = pc_eid, apptdate =
	// pc_eventDate, encounter > 0; several: the highest id), and which appointments
	// each encounter is linked to.
	var id, eid, enc sql.NullInt64
	var apptdate sql.RawBytes
	type trackerRow struct {
		eid, id int64
		enc     int32 // among r.encs, -1 outside the period's window
		date    calendar.Date
	}
	var rows []trackerRow
	err = r.each("patient_tracker", `SELECT id, eid, apptdate, encounter FROM patient_tracker
WHERE encounter > 0 AND apptdate >= ? AND apptdate < ?`, []any{lo, hi},
		[]any{&id, &eid, &apptdate, &enc}, func() error {
			d, null, err := oeDate(apptdate)
			if err != nil || null {
				return nil
			}
			row := trackerRow{eid: eid.Int64, id: id.Int64, enc: -1, date: d}
			if i, ok := r.enc(enc.Int64); ok {
				row.enc = int32(i)
				e := &r.encs[i]
				switch e.linked {
				case 0:
					e.linked = eid.Int64
				case eid.Int64:
				default:
					e.linked = -1
				}
			}
			rows = append(rows, row)
			return nil
		})
	if err != nil {
		return err
	}
	slices.SortFunc(rows, func(a, b trackerRow) int {
		if a.eid != b.eid {
			return cmpInt(a.eid, b.eid)
		}
		if a.date != b.date {
			return cmpInt(a.date, b.date)
		}
		return cmpInt(b.id, a.id) // the highest id first
	})
	r.links = make([]oeLink, 0, len(rows))
	for k, row := range rows {
		if k > 0 && rows[k-1].eid == row.eid && rows[k-1].date == row.date {
			continue // a lower id of the same appointment and date
		}
		r.links = append(r.links, oeLink{eid: row.eid, enc: row.enc, date: row.date})
	}
	rows = nil
	// The period's note forms (each a note, R4) and live newpatient forms (the fallback
	// link and visits: encounters need them): one row per form.
	forms := newNoteForms(r.set.noteForms())
	// Compared as bytes, as db check and the settings compare them: OpenEMR's
	// collation would take SOAP for soap.
	cond, cargs := forms.sql("BINARY f.formdir")
	var formID sql.NullInt64
	var newpatient, isNote bool
	args := append(append(append([]any{}, cargs...), lo+" 00:00:00", hi+" 00:00:00"), cargs...)
	err = r.each("forms", `SELECT f.encounter, f.id, BINARY f.formdir = 'newpatient', `+cond+`
FROM form_encounter fe JOIN forms f ON f.pid = fe.pid AND f.encounter = fe.encounter
WHERE fe.date >= ? AND fe.date < ? AND f.deleted = 0 AND (BINARY f.formdir = 'newpatient' OR `+cond+`)`, args,
		[]any{&enc, &formID, &newpatient, &isNote}, func() error {
			i, ok := r.enc(enc.Int64)
			if !ok {
				return nil
			}
			if newpatient {
				r.encs[i].live = true
			}
			if isNote {
				r.encs[i].addNote()
				r.noteForms = append(r.noteForms, oeForm{id: formID.Int64, enc: int32(i)})
				r.st.Notes++
			}
			return nil
		})
	if err != nil {
		return err
	}
	slices.SortFunc(r.noteForms, func(a, b oeForm) int { return cmpInt(a.id, b.id) })
	// The fallback link's index: encounters with a live newpatient form, by (pid, local
	// date, provider).
	for i := range r.encs {
		if r.encs[i].live && r.encs[i].hasPID {
			r.fallback = append(r.fallback, int32(i))
		}
	}
	slices.SortFunc(r.fallback, func(a, b int32) int {
		return r.fallbackCmp(&r.encs[a], r.encs[b].pid, r.encs[b].date, int64(r.encs[b].provider))
	})
	return r.signatures()
}

// oeForm is a note form of the period and its encounter among r.encs.
type oeForm struct {
	id  int64
	enc int32
}

// addNote counts one more note of the encounter (R4: Notes.Add with no time yet; its
// signature rows come later).
func (e *oeEnc) addNote() {
	n := e.notes()
	n.Add(time.Time{}, time.Time{})
	e.count = int32(n.Count)
}

// fold adds one signature row of one of the encounter's notes at t (a lock too when
// lock). SPEC §8: every row is a signature, a row with is_lock 1 a lock too; a note's
// signed_at is its earliest row and locked_at its earliest locking row. The earliest
// across the visit's notes is R4's, measure's (Notes.Add): a row is handed over as
// its note, the count left as it was.
func (e *oeEnc) fold(t int64, lock bool) {
	n := e.notes()
	count := n.Count
	var locked time.Time
	if lock {
		locked = unixTime(t)
	}
	n.Add(unixTime(t), locked)
	e.count, e.signed, e.locked = int32(count), timeUnix(n.FirstSigned), timeUnix(n.FirstLocked)
}

// signatures reads every esign_signatures row once, in one scan (SPEC §8): a row of a
// note form of the period, or of an encounter of the period (the encounter is then a
// note too), is folded into its visit's notes; a row of no form or no encounter points
// at nothing (R10, DANGLING_NOTE). The forms and encounters that exist come from two
// index scans: the anti-join against forms' rows, one lookup per signature, cost the
// server more than the three scans.
func (r *oeReader) signatures() error {
	formIDs, err := r.idSet("forms", "SELECT id FROM forms")
	if err != nil {
		return err
	}
	encNums, err := r.idSet("form_encounter", "SELECT encounter FROM form_encounter WHERE encounter IS NOT NULL")
	if err != nil {
		return err
	}
	var id, tid sql.NullInt64
	var table, at sql.RawBytes
	var isLock sql.NullInt64
	err = r.each("esign_signatures", "SELECT s.id, s.tid, s.`table`, s.datetime, s.is_lock FROM esign_signatures s", nil,
		[]any{&id, &tid, &table, &at, &isLock}, func() error {
			var e *oeEnc
			switch string(table) {
			case "forms":
				if !formIDs.has(tid.Int64) {
					r.dangling[danglingNote].add(&colInt{v: id.Int64})
					return nil
				}
				k, ok := slices.BinarySearchFunc(r.noteForms, tid.Int64, func(f oeForm, id int64) int { return cmpInt(f.id, id) })
				if !ok {
					return nil // not a note form, deleted, or of another period
				}
				e = &r.encs[r.noteForms[k].enc]
			case "form_encounter":
				if !encNums.has(tid.Int64) {
					r.dangling[danglingNote].add(&colInt{v: id.Int64})
					return nil
				}
				i, ok := r.enc(tid.Int64)
				if !ok {
					return nil // an encounter of another period
				}
				e = &r.encs[i]
				if !e.encSig {
					e.encSig = true
					e.addNote()
					r.st.Notes++
				}
			default:
				return nil
			}
			d, sec, null, err := oeDateTime(at)
			if err != nil {
				return &DataError{Relation: "esign_signatures", ID: strconv.FormatInt(id.Int64, 10), Column: "datetime", Problem: err.Error()}
			}
			if null {
				return &DataError{Relation: "esign_signatures", ID: strconv.FormatInt(id.Int64, 10), Column: "datetime", Problem: "zero date: a signature without its time"}
			}
			e.fold(r.clock.instant(d, sec).Unix(), isLock.Int64 == 1)
			return nil
		})
	r.noteForms = nil // done with
	return err
}

// unixTime and timeUnix convert between the compact rows' seconds and instants.
func unixTime(t int64) time.Time {
	if t == noTime {
		return time.Time{}
	}
	return time.Unix(t, 0).UTC()
}

func timeUnix(t time.Time) int64 {
	if t.IsZero() {
		return noTime
	}
	return t.Unix()
}

func cmpInt[T ~int64 | ~int32](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// enc finds encounter number num among the period's encounters.
func (r *oeReader) enc(num int64) (int, bool) {
	i := sort.Search(len(r.encs), func(i int) bool { return r.encs[i].num >= num })
	return i, i < len(r.encs) && r.encs[i].num == num
}

func (r *oeReader) fallbackCmp(e *oeEnc, pid int64, d calendar.Date, provider int64) int {
	if c := cmpInt(e.pid, pid); c != 0 {
		return c
	}
	if c := cmpInt(e.date, d); c != 0 {
		return c
	}
	return cmpInt(int64(e.provider), provider)
}

// link finds the encounter of appointment eid of patient pid, on local date d with user
// aid (SPEC §8): the tracker row with eid and apptdate d (the highest id), else the one
// encounter of the same patient, date and provider with a live newpatient form that no
// tracker row links to another appointment. Several are no link (linkAmbiguous).
// How an appointment found its encounter (db check counts them).
const (
	linkNone = iota
	linkTracker
	linkFallback
	linkAmbiguous
)

func (r *oeReader) link(eid, pid int64, d calendar.Date, aid int64) (*oeEnc, int) {
	i := sort.Search(len(r.links), func(i int) bool {
		l := &r.links[i]
		return l.eid > eid || l.eid == eid && l.date >= d
	})
	if i < len(r.links) && r.links[i].eid == eid && r.links[i].date == d {
		if k := r.links[i].enc; k >= 0 {
			return &r.encs[k], linkTracker
		}
		return nil, linkNone // an encounter outside the period's window: no notes read
	}
	var enc *oeEnc
	j := sort.Search(len(r.fallback), func(j int) bool { return r.fallbackCmp(&r.encs[r.fallback[j]], pid, d, aid) >= 0 })
	for ; j < len(r.fallback); j++ {
		e := &r.encs[r.fallback[j]]
		if r.fallbackCmp(e, pid, d, aid) != 0 {
			break
		}
		if e.linked != 0 && e.linked != eid {
			continue // linked to another appointment
		}
		if enc != nil {
			return nil, linkAmbiguous
		}
		enc = e
	}
	if enc == nil {
		return nil, linkNone
	}
	return enc, linkFallback
}

// notes is the note summary of an encounter (nil: no encounter, NOTE_MISSING).
func (e *oeEnc) notes() measure.Notes {
	var n measure.Notes
	if e == nil {
		return n
	}
	n.Count, n.FirstSigned, n.FirstLocked = int(e.count), unixTime(e.signed), unixTime(e.locked)
	return n
}

// appointments streams the period's appointments (SPEC §8) patient by patient: the
// plain scan of the period's calendar rows in patient order, merged with the patients
// and credentials read before.
func (r *oeReader) appointments(sink Sink) error {
	var (
		eid, facility, billing                       sql.NullInt64
		pcPID, pcAID, eventDate, startTime, apptstat sql.RawBytes
		rec                                          measure.PatientRecord
		cur                                          int64 = -1
		known                                        bool  // cur is in patient_data
		intern                                       = map[string]string{}
	)
	lo := r.from.AddDays(-1).String()
	flush := func() error {
		if cur < 0 {
			return nil
		}
		return r.send(sink, &rec)
	}
	err := r.each("openemr_postcalendar_events", `SELECT e.pc_eid, e.pc_pid, e.pc_aid, e.pc_eventDate, e.pc_startTime, e.pc_apptstatus,
  e.pc_facility, e.pc_billing_location
FROM openemr_postcalendar_events e
WHERE e.pc_eventDate >= ? AND e.pc_eventDate <= ? AND e.pc_recurrtype = 0 AND e.pc_pid REGEXP ?
ORDER BY LPAD(e.pc_pid, 11, '0'), e.pc_eid`, []any{lo, r.to.String(), oePatientRegexp},
		[]any{&eid, &pcPID, &pcAID, &eventDate, &startTime, &apptstat, &facility, &billing}, func() error {
			id := strconv.FormatInt(eid.Int64, 10)
			pid, ok := oePatientID(pcPID)
			if !ok { // the query's REGEXP keeps only these; a server that disagrees is a bug
				return &DataError{Relation: "openemr_postcalendar_events", ID: id, Column: "pc_pid", Problem: "not a patient id: " + quote(string(pcPID))}
			}
			d, null, err := oeDate(eventDate)
			if err != nil || null {
				if err == nil {
					err = errors.New("zero date")
				}
				return &DataError{Relation: "openemr_postcalendar_events", ID: id, Column: "pc_eventDate", Problem: err.Error()}
			}
			sec, _, err := oeTime(startTime) // NULL is 00:00 (SPEC §8)
			if err != nil {
				return &DataError{Relation: "openemr_postcalendar_events", ID: id, Column: "pc_startTime", Problem: err.Error()}
			}
			at := r.clock.instant(d, sec)
			status := internBytes(intern, apptstat)
			if pid != cur {
				if pid < cur {
					return fmt.Errorf("appointments not in patient order (patient %d after %d)", pid, cur)
				}
				if err := flush(); err != nil {
					return err
				}
				cur = pid
				rec.Visits = rec.Visits[:0]
				known = r.record(&rec, pid)
			}
			// A visit's office is its billing facility, else its facility (SPEC §8).
			office := billing.Int64
			if !billing.Valid || office == 0 {
				office = facility.Int64
			}
			aid, aidOK := oeUserID(pcAID)
			inPeriod := r.inPeriod(at)
			// A seen visit of the period must be attributable (SPEC §8, R10): its facility,
			// user and patient must exist. Any other visit gets a placeholder.
			mustExist := inPeriod && r.seen.has(status)
			if !aidOK || !r.users[aid] {
				if mustExist {
					return &DataError{Relation: "openemr_postcalendar_events", ID: id, Column: "pc_aid",
						Problem: fmt.Sprintf("user %s not found in users (a seen visit in the period)", quote(string(pcAID)))}
				}
				aid = noSuch
			}
			if !r.offices[office] {
				if mustExist {
					return &DataError{Relation: "openemr_postcalendar_events", ID: id, Column: "pc_billing_location",
						Problem: fmt.Sprintf("neither the billing facility %d nor the facility %d is in facility (a seen visit in the period)", billing.Int64, facility.Int64)}
				}
				office = noSuch
			}
			if !known && mustExist {
				return &DataError{Relation: "openemr_postcalendar_events", ID: id, Column: "pc_pid",
					Problem: fmt.Sprintf("patient %d not found in patient_data (a seen visit in the period)", pid)}
			}
			enc, how := r.link(eid.Int64, pid, d, aid)
			if how == linkAmbiguous && mustExist {
				r.ambiguous.add(&colInt{v: eid.Int64})
			}
			if inPeriod {
				r.linkCount[how]++
			}
			rec.Visits = append(rec.Visits, measure.Visit{ID: eid.Int64, OfficeID: office, ClinicianID: aid, ScheduledAt: at,
				Status: status, Notes: enc.notes()})
			return nil
		})
	if err != nil {
		return err
	}
	return flush()
}

// send hands a patient's record to sink and counts it.
func (r *oeReader) send(sink Sink, rec *measure.PatientRecord) error {
	r.st.Patients++
	r.st.Appointments += len(rec.Visits)
	if rec.FirstInvitation != nil {
		r.st.Invitations++
	}
	return sink.Patient(rec)
}

// inPeriod is R1's period test on the installation's local date of t.
func (r *oeReader) inPeriod(t time.Time) bool {
	d := calendar.LocalDate(t, r.clock.loc)
	return d >= r.from && d <= r.to
}

// encounterVisits streams the period's encounters with a live newpatient form as visits
// (SPEC §8, openemr.visits: encounters), patient by patient: the encounters read before,
// in (pid, encounter) order.
func (r *oeReader) encounterVisits(sink Sink) error {
	order := make([]int32, 0, len(r.encs))
	for i := range r.encs {
		if r.encs[i].live {
			order = append(order, int32(i))
		}
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmpInt(r.encs[a].pid, r.encs[b].pid); c != 0 {
			return c
		}
		return cmpInt(r.encs[a].num, r.encs[b].num)
	})
	var rec measure.PatientRecord
	cur := int64(-1)
	for _, i := range order {
		e := &r.encs[i]
		id := "encounter " + strconv.FormatInt(e.num, 10)
		at := r.clock.instant(e.date, int(e.sec))
		inPeriod := r.inPeriod(at)
		known := e.hasPID && r.patients.has(e.pid)
		if !known {
			if inPeriod {
				return &DataError{Relation: "form_encounter", ID: id, Column: "pid",
					Problem: fmt.Sprintf("patient %d not found in patient_data", e.pid)}
			}
			continue
		}
		if e.pid != cur {
			if cur >= 0 {
				if err := r.send(sink, &rec); err != nil {
					return err
				}
			}
			cur = e.pid
			rec.Visits = rec.Visits[:0]
			r.record(&rec, e.pid)
		}
		office := int64(e.billing)
		if office == 0 {
			office = int64(e.facility)
		}
		aid := int64(e.provider)
		switch {
		case !r.users[aid]:
			if inPeriod {
				return &DataError{Relation: "form_encounter", ID: id, Column: "provider_id",
					Problem: fmt.Sprintf("user %d not found in users", aid)}
			}
			aid = noSuch
		case !r.offices[office]:
			if inPeriod {
				return &DataError{Relation: "form_encounter", ID: id, Column: "billing_facility",
					Problem: fmt.Sprintf("neither the billing facility %d nor the facility %d is in facility", e.billing, e.facility)}
			}
			office = noSuch
		}
		rec.Visits = append(rec.Visits, measure.Visit{ID: e.num, OfficeID: office, ClinicianID: aid, ScheduledAt: at,
			Status: OpenEMREncounterStatus, Notes: e.notes()})
	}
	if cur >= 0 {
		return r.send(sink, &rec)
	}
	return nil
}

// internBytes returns b as a string through a small table (statuses repeat).
func internBytes(t map[string]string, b []byte) string {
	if s, ok := t[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(t) < 256 {
		t[s] = s
	}
	return s
}

// sourceFindings runs the queries of RECURRING_APPOINTMENT and INVITATION_DATES_SUSPECT.
func (r *oeReader) sourceFindings() error {
	// A recurring series is one row for many dates and never a visit; one with a seen
	// status whose dates overlap the period is counted (SPEC §8).
	var eid sql.NullInt64
	var status, endDate sql.RawBytes
	var series danglingRows
	err := r.each("openemr_postcalendar_events", `SELECT pc_eid, pc_apptstatus, pc_endDate FROM openemr_postcalendar_events
WHERE pc_recurrtype <> 0 AND pc_eventDate <= ? AND pc_pid REGEXP ? ORDER BY pc_eid`,
		[]any{r.to.String(), oePatientRegexp}, []any{&eid, &status, &endDate}, func() error {
			end, null, err := oeDate(endDate)
			if err != nil {
				return &DataError{Relation: "openemr_postcalendar_events", ID: strconv.FormatInt(eid.Int64, 10), Column: "pc_endDate", Problem: err.Error()}
			}
			if null || end >= r.from {
				r.series++
				if r.seen.has(string(status)) {
					series.add(&colInt{v: eid.Int64})
					r.seenSeries++
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	if series.count > 0 {
		r.findings = append(r.findings, measure.Finding{Code: measure.RecurringAppointment, Count: series.count, Examples: series.examples,
			Message: fmt.Sprintf("%d recurring appointment series with a seen status overlap the period%s; a series is one calendar row for many dates and is never counted as a visit: in OpenEMR, edit each visit that took place so that it becomes an appointment of its own",
				series.count, exampleIDs("pc_eid", series))})
	}
	// Credentials sharing one creation second (SPEC §8), counted as they were read.
	if oeInvitationsSuspect(r.credsTotal, r.credsShare) {
		r.findings = append(r.findings, measure.Finding{Code: measure.InvitationDatesSuspect, Count: r.credsShare,
			Message: fmt.Sprintf("%d of %d portal credentials (patient_access_onsite) were created at the same instant, %s: OpenEMR 7.0.0's upgrade stamped the credentials it found with its own time, so those patients' first invitations may be earlier than mipspi reads",
				r.credsShare, r.credsTotal, quote(r.credsAt))})
	}
	return nil
}

// exampleIDs is " (pc_eid 4, 9, …)" for a finding's message.
func exampleIDs(what string, d danglingRows) string {
	if len(d.examples) == 0 {
		return ""
	}
	ids := make([]string, len(d.examples))
	for i, id := range d.examples {
		ids[i] = strconv.FormatInt(id, 10)
	}
	s := " (" + what + " " + strings.Join(ids, ", ")
	if d.count > len(d.examples) {
		s += ", …"
	}
	return s + ")"
}

// finish hands the findings over: the rows that point at nothing, then the source's.
func (r *oeReader) finish(sink Sink) error {
	if ds, ok := sink.(DanglingSink); ok {
		for k, code := range []measure.Code{measure.DanglingNote, measure.DanglingInvitation} {
			if err := ds.Dangling(code, r.dangling[k].count, r.dangling[k].examples); err != nil {
				return err
			}
		}
	}
	fs, ok := sink.(SourceFindingSink)
	if !ok {
		return nil
	}
	if r.ambiguous.count > 0 {
		// Before the others: it comes from the appointments' read.
		r.findings = append([]measure.Finding{{Code: measure.AmbiguousEncounter, Count: r.ambiguous.count, Examples: r.ambiguous.examples,
			Message: fmt.Sprintf("%d seen visits in the period have several encounters of the same patient, date and provider and no tracker link%s; none is taken, so they have no note: link each visit to its encounter in OpenEMR's flow board",
				r.ambiguous.count, exampleIDs("pc_eid", r.ambiguous))}}, r.findings...)
	}
	for _, f := range r.findings {
		if err := fs.SourceFinding(f); err != nil {
			return err
		}
	}
	return nil
}

// oeIDSet is a set of ids: a bitmap over [min, max] when that span is small (OpenEMR's
// ids count up from 1), a sorted list otherwise.
type oeIDSet struct {
	min    int64
	bits   []uint64
	sorted []int64
}

// oeBitmapSpan is the widest span of ids kept as a bitmap (8 MB).
const oeBitmapSpan = 1 << 26

func (s *oeIDSet) has(id int64) bool {
	if s.bits != nil {
		k := id - s.min
		return k >= 0 && k < int64(len(s.bits))*64 && s.bits[k/64]&(1<<(k%64)) != 0
	}
	_, ok := slices.BinarySearch(s.sorted, id)
	return ok
}

// idSet reads a query's one integer column into a set.
func (r *oeReader) idSet(table, query string) (*oeIDSet, error) {
	var ids []int64
	var id sql.NullInt64
	if err := r.each(table, query, nil, []any{&id}, func() error {
		if id.Valid {
			ids = append(ids, id.Int64)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	s := &oeIDSet{}
	if len(ids) == 0 {
		return s, nil
	}
	lo, hi := slices.Min(ids), slices.Max(ids)
	if hi-lo >= oeBitmapSpan {
		slices.Sort(ids)
		s.sorted = ids
		return s, nil
	}
	s.min, s.bits = lo, make([]uint64, (hi-lo)/64+1)
	for _, id := range ids {
		k := id - lo
		s.bits[k/64] |= 1 << (k % 64)
	}
	return s, nil
}
