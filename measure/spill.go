package measure

// Spilling R10's rows (issue 12): at a health system's scale a report can carry
// millions of issue rows, and even compact they would be most of its memory. With a
// Spill set, the evaluator moves its stored rows out of memory whenever a threshold is
// reached (at a patient boundary), each row encoded with its patient and text inline,
// and reads them back in the same order when AllIssues is ranged over. measure does no
// I/O of its own: the caller supplies where the bytes go (cmd uses an unlinked temp
// file). Without a Spill nothing changes.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/mipspi/mipspi/calendar"
)

// Spill is where spilled issue rows go: bytes appended in order, read back whole.
type Spill interface {
	// Write appends p.
	Write(p []byte) (int, error)
	// ReadBack returns a reader over every byte written so far, from the first; each
	// call starts again at the first byte. Writes may not follow a ReadBack.
	ReadBack() (io.Reader, error)
}

// DefaultSpillRows is the number of stored rows kept in memory before they spill
// (about 14 MB of compact rows plus their patients and texts).
const DefaultSpillRows = 1 << 18

// SetSpill makes the evaluator move its issue rows to s whenever rows or more are
// held in memory (rows ≤ 0: DefaultSpillRows). Call it before the first Add.
func (e *Evaluator) SetSpill(s Spill, rows int) {
	if rows <= 0 {
		rows = DefaultSpillRows
	}
	e.issues.sp = &spillState{spill: s, at: rows}
}

// spillState is shared by copies of a Result (Mapped), so an error seen through one
// is seen through all.
type spillState struct {
	spill   Spill
	at      int           // rows held in memory before they spill
	w       *bufio.Writer // nil once finished
	spilled int           // rows written to spill
	bytes   int64         // bytes written to spill
	err     error
}

func (s *issueStore) err() error {
	if s.sp == nil {
		return nil
	}
	return s.sp.err
}

// spillRec is the fixed part of a spilled row; strings follow it (spillStrings).
const spillRec = 8 + 4*3 + 4*3 + 4 + 1 + 1 + 1

// flush writes the rows held in memory to the spill and empties the store's rows,
// patients and texts. Called between patients, so no patient index is live.
func (s *issueStore) flush() error {
	if s.sp.err != nil {
		return s.sp.err
	}
	if s.sp.w == nil {
		s.sp.w = bufio.NewWriterSize(s.sp.spill, 1<<16)
	}
	var buf []byte
	for i := range s.rows {
		r := &s.rows[i]
		buf = buf[:0]
		buf = binary.LittleEndian.AppendUint64(buf, uint64(r.appt))
		for _, v := range [...]int32{r.tin, r.npi, r.clin, int32(r.visit), int32(r.deadline), int32(r.event), r.bdays} {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(v))
		}
		var has uint8
		if r.patient >= 0 {
			has |= 1
		}
		if r.text >= 0 {
			has |= 2
		}
		buf = append(buf, r.code, r.flags, has)
		if r.patient >= 0 {
			p := &s.pats[r.patient]
			buf = binary.AppendVarint(buf, p.id)
			for _, str := range [...]string{p.mrn, p.recipient, p.channel} {
				buf = binary.AppendUvarint(buf, uint64(len(str)))
				buf = append(buf, str...)
			}
		}
		if r.text >= 0 {
			t := s.texts[r.text]
			buf = binary.AppendUvarint(buf, uint64(len(t)))
			buf = append(buf, t...)
		}
		if _, err := s.sp.w.Write(buf); err != nil {
			s.sp.err = fmt.Errorf("spill issue rows: %w", err)
			return s.sp.err
		}
		s.sp.bytes += int64(len(buf))
	}
	s.sp.spilled += len(s.rows)
	s.rows = s.rows[:0]
	clear(s.pats)
	s.pats = s.pats[:0]
	clear(s.texts)
	s.texts = s.texts[:0]
	return nil
}

// finish flushes the spill's buffer before the rows are read back.
func (s *issueStore) finish() {
	if s.sp == nil {
		return
	}
	if s.sp.w != nil && s.sp.err == nil {
		if err := s.sp.w.Flush(); err != nil {
			s.sp.err = fmt.Errorf("spill issue rows: %w", err)
		}
	}
	s.sp.w = nil
}

// spilledRows yields the spilled rows in the order they were written. A read error
// ends the rows early and is kept for Result.Err.
func (s *issueStore) spilledRows(yield func(Issue) bool) bool {
	return s.spilledRowsAt(nil, func(_ int64, is Issue) bool { return yield(is) })
}

// spilledRowsAt is spilledRows with each row's byte offset in the spill. src is the
// spill's ReadBack (nil: one is asked for).
func (s *issueStore) spilledRowsAt(src io.Reader, yield func(int64, Issue) bool) bool {
	if s.sp == nil || s.sp.spilled == 0 {
		return true
	}
	if s.sp.err != nil {
		return false
	}
	if src == nil {
		var err error
		if src, err = s.sp.spill.ReadBack(); err != nil {
			s.sp.err = fmt.Errorf("read back spilled issue rows: %w", err)
			return false
		}
	}
	cr := &countReader{r: src}
	br := bufio.NewReaderSize(cr, 1<<16)
	var fixed [spillRec]byte
	for n := 0; n < s.sp.spilled; n++ {
		off := cr.n - int64(br.Buffered())
		is, err := s.readRow(br, fixed[:])
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			s.sp.err = fmt.Errorf("read back spilled issue row %d of %d: %w", n+1, s.sp.spilled, err)
			return false
		}
		if !yield(off, is) {
			return false
		}
	}
	return true
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// atReader reads ra from off on.
type atReader struct {
	ra  io.ReaderAt
	off int64
}

func (a *atReader) Read(p []byte) (int, error) {
	n, err := a.ra.ReadAt(p, a.off)
	a.off += int64(n)
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

func (s *issueStore) readRow(br *bufio.Reader, fixed []byte) (Issue, error) {
	if _, err := io.ReadFull(br, fixed); err != nil {
		return Issue{}, err
	}
	var r rowRec
	r.appt = int64(binary.LittleEndian.Uint64(fixed))
	u := func(i int) int32 { return int32(binary.LittleEndian.Uint32(fixed[8+4*i:])) }
	r.tin, r.npi, r.clin = u(0), u(1), u(2)
	r.visit, r.deadline, r.event = calendar.Date(u(3)), calendar.Date(u(4)), calendar.Date(u(5))
	r.bdays = u(6)
	r.code, r.flags = fixed[36], fixed[37]
	if int(r.code) >= len(codeList) {
		return Issue{}, fmt.Errorf("unknown code %d", r.code)
	}
	has := fixed[38]
	var p rowPatient
	var text string
	var err error
	if has&1 != 0 {
		if p.id, err = binary.ReadVarint(br); err != nil {
			return Issue{}, err
		}
		for _, dst := range [...]*string{&p.mrn, &p.recipient, &p.channel} {
			if *dst, err = readStr(br); err != nil {
				return Issue{}, err
			}
		}
	}
	if has&2 != 0 {
		if text, err = readStr(br); err != nil {
			return Issue{}, err
		}
	}
	return s.expandWith(&r, has&1 != 0, &p, has&2 != 0, text), nil
}

func readStr(br *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return "", err
	}
	if n > 1<<24 {
		return "", fmt.Errorf("string of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(br, b); err != nil {
		return "", err
	}
	return string(b), nil
}

// Err reports a failure to spill or read back the issue rows or the drill-down (nil
// without a Spill): after ranging over AllIssues or AllOutcomes, a non-nil Err means
// the rows read were incomplete.
func (r *Result) Err() error {
	if err := r.issues.err(); err != nil {
		return err
	}
	return r.outcomes.err()
}
