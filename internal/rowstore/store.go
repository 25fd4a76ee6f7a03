// Package rowstore keeps the rows a report collects and cannot hold in memory at a
// health system's scale (millions of issue rows and drill-down outcomes): deciding and
// keeping are apart (STYLE 14), so measure publishes rows and a Store keeps them.
//
// A Store holds rows encoded by a Codec, compact and pointer-free, in memory up to a
// threshold; past it they move to a temporary File (mode 0600, nameless from the moment
// it exists). Every row is framed with its length and a checksum, so a damaged file is
// a clear error naming the rows, the row and the byte, never a panic or a wrong row.
// Rows are read back in the order they were appended (All, Scan) or one at a time by
// the position Scan gave (At).
//
// It owns temporary files, codecs and offsets, and knows nothing of the rules; the
// codecs of measure's issue rows and outcomes are here (issues.go, outcomes.go).
package rowstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"iter"
	"slices"
)

// Codec encodes rows of one type.
type Codec[T any] interface {
	// Append appends the encoding of *v to dst.
	Append(dst []byte, v *T) []byte
	// Decode decodes a row from exactly the bytes Append wrote for it.
	Decode(src []byte) (T, error)
}

// DefaultRows is the number of rows a Store holds in memory before they move to its
// file.
const DefaultRows = 1 << 18

// Options configure a Store.
type Options struct {
	What string // what the rows are, for errors: "issue rows"
	Dir  string // where the temporary file goes ("": os.TempDir)
	// Rows is how many rows are held in memory before they move to the file (≤ 0:
	// DefaultRows).
	Rows int
	// Memory keeps every row in memory (no file), whatever their number.
	Memory bool
}

// Store keeps rows of one type. It is not safe for concurrent use while rows are
// appended; once appending is done, any number of readers may read it at once.
type Store[T any] struct {
	codec Codec[T]
	opt   Options
	file  *File
	fsize int64 // bytes of rows in file
	// The rows not in the file, after them: blocks of blockSize bytes (a longer row has
	// a block of its own), filled in order, a row never across two, so a growing store
	// never copies its rows; mem[b] starts at byte memAt[b] of the rows in memory. After
	// a spill the blocks are emptied and filled again.
	mem   [][]byte
	memAt []int64
	used  int    // blocks of mem holding rows
	memB  int64  // bytes of rows in mem
	memN  int    // rows in mem
	n     int    // rows in all
	buf   []byte // one encoded row
	err   error  // a failed write: the store keeps refusing
}

// blockSize is the size of a block of rows in memory.
const blockSize = 64 << 10

// New returns an empty store.
func New[T any](c Codec[T], o Options) *Store[T] {
	if o.Rows <= 0 {
		o.Rows = DefaultRows
	}
	if o.What == "" {
		o.What = "rows"
	}
	return &Store[T]{codec: c, opt: o}
}

// maxRecord bounds one encoded row: a length beyond it is damage, not a row.
const maxRecord = 64 << 20

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Append adds a row after the others.
func (s *Store[T]) Append(v *T) error {
	if s.err != nil {
		return s.err
	}
	s.buf = s.codec.Append(s.buf[:0], v)
	if len(s.buf) > maxRecord {
		return fmt.Errorf("keep %s: a row of %d bytes is more than %d", s.opt.What, len(s.buf), maxRecord)
	}
	need := uvarintLen(uint64(len(s.buf))) + len(s.buf) + 4
	b := s.block(need)
	start := len(*b)
	*b = binary.AppendUvarint(*b, uint64(len(s.buf)))
	*b = append(*b, s.buf...)
	*b = binary.LittleEndian.AppendUint32(*b, crc32.Checksum(s.buf, crcTable))
	s.memB += int64(len(*b) - start)
	s.n++
	s.memN++
	if !s.opt.Memory && s.memN >= s.opt.Rows {
		return s.spill()
	}
	return nil
}

// spill moves the rows held in memory to the file.
func (s *Store[T]) spill() error {
	if s.file == nil {
		s.file = NewFile(s.opt.Dir)
	}
	for _, b := range s.mem[:s.used] {
		if _, err := s.file.Write(b); err != nil {
			s.err = fmt.Errorf("keep %s: %w", s.opt.What, err)
			return s.err
		}
	}
	s.fsize += s.memB
	for i := range s.mem[:s.used] {
		s.mem[i] = s.mem[i][:0]
	}
	s.used, s.memB, s.memN = 0, 0, 0
	return nil
}

// block returns the block the next row of need bytes goes in.
func (s *Store[T]) block(need int) *[]byte {
	if s.used > 0 {
		if b := &s.mem[s.used-1]; cap(*b)-len(*b) >= need {
			return b
		}
	}
	if s.used == len(s.mem) {
		s.mem = append(s.mem, nil)
		s.memAt = append(s.memAt, 0)
	}
	b := &s.mem[s.used]
	if cap(*b) < need {
		*b = make([]byte, 0, max(blockSize, need))
	}
	s.memAt[s.used] = s.memB
	s.used++
	return b
}

// Len is the number of rows appended.
func (s *Store[T]) Len() int { return s.n }

// Spilled is the number of bytes of rows in the file (0: every row is in memory).
func (s *Store[T]) Spilled() int64 { return s.fsize }

// Close removes the file. The rows cannot be read afterwards.
func (s *Store[T]) Close() error {
	s.mem, s.memAt, s.used, s.memB = nil, nil, 0, 0
	if s.file == nil {
		return nil
	}
	return s.file.Close()
}

// All yields every row in the order appended. A row that cannot be read back is
// yielded as an error naming it, and ends the rows.
func (s *Store[T]) All() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		err := s.Scan(func(_ int64, v *T) error {
			if !yield(*v, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && err != errStop {
			var zero T
			yield(zero, err)
		}
	}
}

var errStop = errors.New("stop")

// Scan calls f with every row and its position (for At), in the order appended, and
// stops at f's first error, which it returns.
func (s *Store[T]) Scan(f func(pos int64, v *T) error) error {
	i := 0
	if s.fsize > 0 {
		br := bufio.NewReaderSize(io.NewSectionReader(s.file, 0, s.fsize), 1<<16)
		var rec []byte
		for pos := int64(0); pos < s.fsize; i++ {
			var err error
			var n int
			if rec, n, err = readRecord(br, rec, s.fsize-pos); err != nil {
				return s.damaged(i, pos, err)
			}
			if err := s.row(i, pos, rec, f); err != nil {
				return err
			}
			pos += int64(n)
		}
	}
	for k, b := range s.mem[:s.used] {
		for off := 0; off < len(b); i++ {
			pos := s.fsize + s.memAt[k] + int64(off)
			rec, n, err := memRecord(b[off:])
			if err != nil {
				return s.damaged(i, pos, err)
			}
			if err := s.row(i, pos, rec, f); err != nil {
				return err
			}
			off += n
		}
	}
	return nil
}

// row decodes rec, the i-th row, at pos, and hands it to f.
func (s *Store[T]) row(i int, pos int64, rec []byte, f func(pos int64, v *T) error) error {
	v, err := s.codec.Decode(rec)
	if err != nil {
		return s.damaged(i, pos, err)
	}
	return f(pos, &v)
}

// At reads the row at pos, a position Scan gave.
func (s *Store[T]) At(pos int64) (T, error) {
	var zero T
	var rec []byte
	var err error
	switch {
	case pos < 0 || pos >= s.fsize+s.memB:
		err = fmt.Errorf("no row starts there (%d bytes kept)", s.fsize+s.memB)
	case pos < s.fsize:
		rec, err = s.fileRecord(pos)
	default:
		at := pos - s.fsize
		k, found := slices.BinarySearch(s.memAt[:s.used], at)
		if !found {
			k--
		}
		rec, _, err = memRecord(s.mem[k][at-s.memAt[k]:])
	}
	if err != nil {
		return zero, fmt.Errorf("read back %s at byte %d: %w", s.opt.What, pos, err)
	}
	v, err := s.codec.Decode(rec)
	if err != nil {
		return zero, fmt.Errorf("read back %s at byte %d: %w", s.opt.What, pos, err)
	}
	return v, nil
}

// fileRecord reads the record at pos of the file: one read for a record of usual size.
func (s *Store[T]) fileRecord(pos int64) ([]byte, error) {
	var small [512]byte
	b := small[:min(int64(len(small)), s.fsize-pos)]
	if _, err := s.file.ReadAt(b, pos); err != nil {
		return nil, err
	}
	size, k := binary.Uvarint(b)
	if k <= 0 {
		if len(b) < binary.MaxVarintLen64 && k == 0 {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, errors.New("damaged row length")
	}
	if size > maxRecord || int64(size)+4 > s.fsize-pos-int64(k) {
		return nil, fmt.Errorf("damaged row length %d", size)
	}
	end := k + int(size) + 4
	if end > len(b) {
		b = make([]byte, end)
		if _, err := s.file.ReadAt(b, pos); err != nil {
			return nil, err
		}
	}
	return checked(b[k:k+int(size)], b[k+int(size):end])
}

// damaged words a row that cannot be read back.
func (s *Store[T]) damaged(i int, pos int64, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read back %s: row %d of %d at byte %d: %w", s.opt.What, i+1, s.n, pos, err)
}

// readRecord reads one record from br into buf; left is the bytes left in the file.
// It returns the payload and the record's whole length.
func readRecord(br *bufio.Reader, buf []byte, left int64) ([]byte, int, error) {
	size, err := binary.ReadUvarint(br)
	if err != nil {
		return nil, 0, err
	}
	k := uvarintLen(size)
	if size > maxRecord || int64(size)+4 > left-int64(k) {
		return nil, 0, fmt.Errorf("damaged row length %d", size)
	}
	need := int(size) + 4
	if cap(buf) < need {
		buf = make([]byte, need)
	}
	buf = buf[:need]
	if _, err := io.ReadFull(br, buf); err != nil {
		return nil, 0, err
	}
	rec, err := checked(buf[:size], buf[size:])
	return rec, k + need, err
}

// memRecord is the record at the start of b, and its whole length.
func memRecord(b []byte) ([]byte, int, error) {
	size, k := binary.Uvarint(b)
	if k <= 0 || size > maxRecord || uint64(len(b)-k) < size+4 {
		return nil, 0, errors.New("damaged row length")
	}
	end := k + int(size)
	rec, err := checked(b[k:end], b[end:end+4])
	return rec, end + 4, err
}

// checked returns rec when sum is its checksum.
func checked(rec, sum []byte) ([]byte, error) {
	if binary.LittleEndian.Uint32(sum) != crc32.Checksum(rec, crcTable) {
		return nil, errors.New("checksum mismatch: the temporary file was changed or damaged")
	}
	return rec, nil
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
