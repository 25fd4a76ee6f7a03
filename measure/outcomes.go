package measure

// The drill-down (Config.KeepPatients) is one Outcome per patient and entity: at a
// health system's scale millions of them, with the patient's MRN and names, most of a
// workbook's memory (issue 17: the xlsx report must stay under 512 MB at 5M
// appointments). They are kept the way the issue rows are (spill.go): with a Spill set
// (SetOutcomeSpill), the evaluator moves them out of memory whenever a threshold is
// reached and AllOutcomes reads them back in the same order. Result.AllOutcomes is the
// one way to read them.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/mipspi/mipspi/calendar"
)

// outcomeStore holds a run's outcomes: the spilled ones first, then rows in memory.
type outcomeStore struct {
	rows []Outcome
	// remap turns a stored Entity (the evaluator's slot) into an index into
	// Result.Entities as rows are read; nil when Entity is already an index.
	remap []int
	sp    *spillState // nil: every outcome stays in memory
	// marks[i] is the byte offset in the spill of spilled outcome i*outcomeMark, so that
	// reading from a later outcome (a workbook's continuation sheet) need not decode
	// every one before it.
	marks []int64
}

// outcomeMark is how many spilled outcomes lie between two marks.
const outcomeMark = 1 << 14

// SetOutcomeSpill makes the evaluator move its drill-down outcomes to s whenever rows
// or more are held in memory (rows ≤ 0: DefaultSpillRows). Call it before the first
// Add. s must not be the Spill given to SetSpill.
func (e *Evaluator) SetOutcomeSpill(s Spill, rows int) {
	if rows <= 0 {
		rows = DefaultSpillRows
	}
	e.outcomes.sp = &spillState{spill: s, at: rows}
}

func (s *outcomeStore) count() int {
	n := len(s.rows)
	if s.sp != nil {
		n += s.sp.spilled
	}
	return n
}

func (s *outcomeStore) err() error {
	if s.sp == nil {
		return nil
	}
	return s.sp.err
}

// add stores o, spilling the rows held in memory once there are enough of them. A
// spill failure is kept for Result.Err; the outcomes stay in memory.
func (s *outcomeStore) add(o Outcome) {
	s.rows = append(s.rows, o)
	if s.sp != nil && s.sp.err == nil && len(s.rows) >= s.sp.at {
		s.flush()
	}
}

// outcomeRec is the fixed part of a spilled outcome; five strings follow it.
const outcomeRec = 4 + 8 + 4 + 1 + 4 + 4 + 4 + 4

const (
	outHasBirth uint8 = 1 << iota
	outIn
	outPending
)

func (s *outcomeStore) flush() {
	if s.sp.w == nil {
		s.sp.w = bufio.NewWriterSize(s.sp.spill, 1<<16)
	}
	var buf []byte
	for i := range s.rows {
		if (s.sp.spilled+i)%outcomeMark == 0 {
			s.marks = append(s.marks, s.sp.bytes)
		}
		o := &s.rows[i]
		buf = binary.LittleEndian.AppendUint32(buf[:0], uint32(int32(o.Entity)))
		buf = binary.LittleEndian.AppendUint64(buf, uint64(o.PatientID))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(int32(o.BirthDate)))
		var fl uint8
		if o.HasBirthDate {
			fl |= outHasBirth
		}
		if o.InNumerator {
			fl |= outIn
		}
		if o.Pending {
			fl |= outPending
		}
		buf = append(buf, fl)
		for _, v := range [...]int32{int32(o.SeenVisits), int32(o.TimelyVisits), int32(o.FirstVisit), int32(o.LastVisit)} {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
		}
		for _, str := range [...]string{o.MRN, o.FirstName, o.LastName, string(o.Reason), o.PatientKey} {
			buf = binary.AppendUvarint(buf, uint64(len(str)))
			buf = append(buf, str...)
		}
		if _, err := s.sp.w.Write(buf); err != nil {
			s.sp.err = fmt.Errorf("spill the patient drill-down: %w", err)
			return
		}
		s.sp.bytes += int64(len(buf))
	}
	s.sp.spilled += len(s.rows)
	clear(s.rows)
	s.rows = s.rows[:0]
}

// finish flushes the spill's buffer before the outcomes are read back.
func (s *outcomeStore) finish() {
	if s.sp == nil {
		return
	}
	if s.sp.w != nil && s.sp.err == nil {
		if err := s.sp.w.Flush(); err != nil {
			s.sp.err = fmt.Errorf("spill the patient drill-down: %w", err)
		}
	}
	s.sp.w = nil
}

// from yields the outcomes from the k-th on.
func (s *outcomeStore) from(k int) iter.Seq[Outcome] {
	k = max(k, 0)
	return func(yield func(Outcome) bool) {
		spilled := 0
		if s.sp != nil {
			spilled = s.sp.spilled
		}
		if k < spilled && !s.spilledRows(k, yield) {
			return
		}
		for _, o := range s.rows[min(max(k-spilled, 0), len(s.rows)):] {
			if s.remap != nil {
				o.Entity = s.remap[o.Entity]
			}
			if !yield(o) {
				return
			}
		}
	}
}

// spilledRows yields the spilled outcomes in the order they were written. A read error
// ends them early and is kept for Result.Err.
func (s *outcomeStore) spilledRows(k int, yield func(Outcome) bool) bool {
	if s.sp == nil || s.sp.spilled == 0 {
		return true
	}
	if s.sp.err != nil {
		return false
	}
	src, err := s.sp.spill.ReadBack()
	if err != nil {
		s.sp.err = fmt.Errorf("read back the spilled patient drill-down: %w", err)
		return false
	}
	n := 0
	if ra, ok := src.(io.ReaderAt); ok && k >= outcomeMark && k/outcomeMark < len(s.marks) {
		n = k / outcomeMark * outcomeMark
		src = &atReader{ra: ra, off: s.marks[k/outcomeMark]}
	}
	br := bufio.NewReaderSize(src, 1<<16)
	var fixed [outcomeRec]byte
	for ; n < s.sp.spilled; n++ {
		o, err := s.readOutcome(br, fixed[:])
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			s.sp.err = fmt.Errorf("read back spilled patient row %d of %d: %w", n+1, s.sp.spilled, err)
			return false
		}
		if n < k {
			continue
		}
		if !yield(o) {
			return false
		}
	}
	return true
}

func (s *outcomeStore) readOutcome(br *bufio.Reader, fixed []byte) (Outcome, error) {
	if _, err := io.ReadFull(br, fixed); err != nil {
		return Outcome{}, err
	}
	le := binary.LittleEndian
	u := func(at int) int32 { return int32(le.Uint32(fixed[at:])) }
	o := Outcome{Entity: int(u(0)), PatientID: int64(le.Uint64(fixed[4:])), BirthDate: calendar.Date(u(12))}
	fl := fixed[16]
	o.HasBirthDate, o.InNumerator, o.Pending = fl&outHasBirth != 0, fl&outIn != 0, fl&outPending != 0
	o.SeenVisits, o.TimelyVisits = int(u(17)), int(u(21))
	o.FirstVisit, o.LastVisit = calendar.Date(u(25)), calendar.Date(u(29))
	var reason string
	for _, dst := range [...]*string{&o.MRN, &o.FirstName, &o.LastName, &reason, &o.PatientKey} {
		var err error
		if *dst, err = readStr(br); err != nil {
			return Outcome{}, err
		}
	}
	o.Reason = Code(reason)
	if s.remap != nil {
		if o.Entity < 0 || o.Entity >= len(s.remap) {
			return Outcome{}, fmt.Errorf("entity slot %d out of range", o.Entity)
		}
		o.Entity = s.remap[o.Entity]
	}
	return o, nil
}

// OutcomeCount is the number of drill-down rows AllOutcomes yields (0 unless
// Config.KeepPatients).
func (r *Result) OutcomeCount() int { return r.outcomes.count() }

// AllOutcomes yields the drill-down (Config.KeepPatients): one outcome per patient and
// entity, in stream order. It is the one way to read them; after ranging over it, a
// non-nil Err means the rows read were incomplete.
func (r *Result) AllOutcomes() iter.Seq[Outcome] { return r.OutcomesFrom(0) }

// OutcomesFrom is AllOutcomes without the first k (spilled rows before them are
// mostly not read).
func (r *Result) OutcomesFrom(k int) iter.Seq[Outcome] {
	return mapped(r.outcomes.from(k), r.outcomeMapping)
}

// MappedOutcomes returns a copy of r whose AllOutcomes applies f to each outcome as it
// is read (after any mapping r already has), e.g. to pseudonymise patients. r itself is
// unchanged; the copy shares r's stores.
func (r *Result) MappedOutcomes(f func(*Outcome)) *Result {
	c := *r
	c.outcomeMapping = then(r.outcomeMapping, f)
	return &c
}

// WithOutcomes returns a copy of r whose drill-down is exactly rows (Entity indexing
// r.Entities), for results assembled or altered by hand. r is unchanged.
func (r *Result) WithOutcomes(rows []Outcome) *Result {
	c := *r
	c.outcomes = outcomeStore{rows: rows}
	c.outcomeMapping = nil
	return &c
}
