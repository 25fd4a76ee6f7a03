package reports

// The workbook's big sheets (Issues, Patients, Worklist) are parts mipspi writes itself.
// excelize builds each sheet's frame through its StreamWriter — column widths, frozen
// header, page setup, the header row, the Excel table over the whole range — with one
// marker row where the data rows go. Through excelize's ZipWriter hook, partZip writes
// excelize's other parts as they come, keeps the frames (a few hundred bytes each,
// recognised by their marker, not by excelize's part names), and once excelize is done
// writes each big sheet's whole part: the frame with the data rows in place of the
// marker, made from the result in one pass over its rows, table by table and sheet by
// sheet in order, without excelize's per-cell work or its temporary files.
//
// A part is deflated into a temporary file first, so that its uncompressed size is
// known when its header is written: a part over 4 GiB needs ZIP64, and Excel then wants
// version 4.5 in the part's local header, which a streamed zip cannot put there after
// the fact.
//
// A cell is written as excelize would write it: numbers as numbers, booleans as
// booleans, strings as inline strings (escaped for XML, cut at Excel's 32,767
// characters, "_xHHHH_" literals escaped as the format requires), an excelize.Cell as
// its value with its style.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/internal/rowstore"
)

// rowSource yields the data rows of one big table, in order; it may reuse values
// between rows. It returns a row that could not be read.
type rowSource func(yield func(values []any) bool) error

// bigTable is one big sheet's table over one or more sheets.
type bigTable struct {
	sheets      []string
	header      []string
	widths      []float64
	note        string // above the header of every sheet: what the list is, how to print it (xlsxprint.go)
	repeat      string // columns ("C:D") printed left of every page, or ""
	headerStyle int
	count       int // data rows
	rows        rowSource
	parts       []*sheetPart // one per sheet, filled by writeBig
}

// sheetPart is one sheet of a big table: rows [lo, hi) of the table, the first at
// sheet row first, and the frame excelize wrote around them.
type sheetPart struct {
	name       string // archive path, from excelize
	lo, hi     int
	first      int
	cols       []string // column letters, A…
	head, tail []byte   // the frame before and after the data rows
}

// rowsMarker is the text of the marker row of big part i.
func rowsMarker(i int) string { return fmt.Sprintf("mipspi-rows-%d", i) }

var markerRe = regexp.MustCompile(`mipspi-rows-(\d+)`)

// writeBig writes the frame of every sheet of t through excelize, a marker row in the
// place of its data rows, and keeps t for partZip.
func (wb *workbook) writeBig(t *bigTable) error {
	lo := 0
	scale := printScale(t.widths)
	for _, name := range t.sheets {
		const head = listNoteRows + 1
		hi := min(t.count, lo+sheetRowLimit-head)
		if err := printSetup(wb.f, name, scale); err != nil {
			return err
		}
		if err := printTitles(wb.f, name, head, head, t.repeat); err != nil {
			return err
		}
		// The list is not in the workbook's print: its print area is the note, wrapped
		// over the columns of one page.
		noteCols, noteChars := 0, 0.0
		for _, w := range t.widths {
			if noteCols > 0 && noteChars+w > pageChars(scale) {
				break
			}
			noteCols, noteChars = noteCols+1, noteChars+w
		}
		noteEnd := cellName(noteCols, listNoteRows)
		if err := printArea(wb.f, name, "A1", noteEnd); err != nil {
			return err
		}
		sw, err := wb.f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		for c, w := range t.widths {
			if err := sw.SetColWidth(c+1, c+1, w); err != nil {
				return err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: head, TopLeftCell: cellName(1, head+1), ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		noteHeight := float64(wrappedLines(t.note, int(noteChars*charPx/10))*lineHeight + 3)
		if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: wb.st.note, Value: t.note}}, excelize.RowOpts{Height: noteHeight}); err != nil {
			return err
		}
		if noteCols > 1 {
			if err := sw.MergeCell("A1", noteEnd); err != nil {
				return err
			}
		}
		if err := sw.SetRow(cellName(1, head), headerCells(t.header),
			excelize.RowOpts{StyleID: t.headerStyle, Height: headerHeight(t.header, t.widths)}); err != nil {
			return err
		}
		index := wb.partCount() + len(t.parts)
		if err := sw.SetRow(cellName(1, head+1), []any{rowsMarker(index)}); err != nil {
			return err
		}
		// An Excel table needs at least one data row, empty if need be.
		last := head + max(hi-lo, 1)
		if err := sw.AddTable(&excelize.Table{
			Range: cellName(1, head) + ":" + cellName(len(t.header), last),
			Name:  tableName(name), StyleName: "TableStyleLight9",
		}); err != nil {
			return fmt.Errorf("%s table: %w", name, err)
		}
		if err := sw.Flush(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		cols := make([]string, len(t.header))
		for c := range cols {
			cols[c], _ = excelize.ColumnNumberToName(c + 1)
		}
		t.parts = append(t.parts, &sheetPart{lo: lo, hi: hi, first: head + 1, cols: cols})
		wb.bigRows += hi - lo
		lo = hi
	}
	if lo < t.count {
		return fmt.Errorf("more rows than the sheets planned for %s", t.sheets[0])
	}
	wb.tables = append(wb.tables, t)
	return nil
}

// partCount is the number of big parts so far.
func (wb *workbook) partCount() int {
	n := 0
	for _, t := range wb.tables {
		n += len(t.parts)
	}
	return n
}

// part is big part i.
func (wb *workbook) part(i int) *sheetPart {
	for _, t := range wb.tables {
		if i < len(t.parts) {
			return t.parts[i]
		}
		i -= len(t.parts)
	}
	return nil
}

// partZip is the excelize.ZipWriter of the workbook: excelize's parts go to zw as they
// come, but the big sheets' frames are kept for Close, which writes those parts whole.
type partZip struct {
	wb   *workbook
	zw   *zip.Writer
	name string       // the part being written by excelize
	buf  bytes.Buffer // its bytes
	open bool
	done int // big-sheet rows written, for progress
}

func (z *partZip) Create(name string) (io.Writer, error) {
	if err := z.flush(); err != nil {
		return nil, err
	}
	z.name, z.open = name, true
	z.buf.Reset()
	return &z.buf, nil
}

// flush writes the part excelize has just written, or keeps it when it is a big
// sheet's frame.
func (z *partZip) flush() error {
	if !z.open {
		return nil
	}
	z.open = false
	b := z.buf.Bytes()
	if m := markerRe.FindSubmatchIndex(b); m != nil {
		i, _ := strconv.Atoi(string(b[m[2]:m[3]]))
		p := z.wb.part(i)
		start := bytes.LastIndex(b[:m[0]], []byte("<row "))
		end := bytes.Index(b[m[1]:], []byte("</row>"))
		if p == nil || p.name != "" || start < 0 || end < 0 {
			return fmt.Errorf("sheet part %s: a frame mipspi cannot read", z.name)
		}
		end += m[1] + len("</row>")
		p.name, p.head, p.tail = z.name, slices.Clone(b[:start]), slices.Clone(b[end:])
		return nil
	}
	w, err := z.zw.Create(z.name)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func (z *partZip) AddFS(fs.FS) error {
	return errors.New("write workbook: excelize added a file system")
}

// Close writes the big sheets' parts, then the archive's directory.
func (z *partZip) Close() error {
	if err := z.flush(); err != nil {
		return err
	}
	for _, t := range z.wb.tables {
		if err := z.writeTable(t); err != nil {
			return fmt.Errorf("%s sheet: %w", t.sheets[0], err)
		}
	}
	return z.zw.Close()
}

// progressEvery is how many rows pass between two progress reports.
const progressEvery = 20000

// writeTable writes the parts of t, its rows read once. The rows are made into XML on
// the other cores while this goroutine writes (and deflates) those already made, in
// order (ahead.go).
func (z *partZip) writeTable(t *bigTable) error {
	type numbered struct {
		part   *sheetPart
		k      int // the row's number in the table
		values []any
	}
	rows := func(yield func(numbered, error) bool) {
		k, p := 0, 0
		err := t.rows(func(values []any) bool {
			for p < len(t.parts) && k >= t.parts[p].hi {
				p++
			}
			if p == len(t.parts) {
				return false
			}
			k++
			// The source reuses its slice; the row waits for a worker.
			return yield(numbered{part: t.parts[p], k: k - 1, values: slices.Clone(values)}, nil)
		})
		if err != nil {
			yield(numbered{}, err)
		}
	}
	a := encodeAhead(rows, func(dst []byte, r *numbered) []byte {
		return appendRow(dst, r.part.first+r.k-r.part.lo, r.part.cols, r.values)
	})
	defer a.stop()
	for _, p := range t.parts {
		if p.name == "" {
			return errors.New("excelize wrote no frame for one of its sheets")
		}
		if err := z.writePart(p, a); err != nil {
			return err
		}
	}
	return nil
}

// writePart writes part p whole, its data rows taken from a.
func (z *partZip) writePart(p *sheetPart, a interface {
	next([]byte) ([]byte, bool, error)
}) error {
	tmp := rowstore.NewFile("") // rows of patients: 0600, nameless
	defer tmp.Close()
	cw := &crcWriter{crc: crc32.NewIEEE()}
	bw := bufio.NewWriterSize(tmp, 256<<10)
	fw, err := flate.NewWriter(bw, flate.BestSpeed)
	if err != nil {
		return err
	}
	cw.w = fw
	bufw := bufio.NewWriterSize(cw, 64<<10)
	if _, err := bufw.Write(p.head); err != nil {
		return err
	}
	var row []byte
	for k := p.lo; k < p.hi; k++ {
		var ok bool
		if row, ok, err = a.next(row[:0]); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("rows ended at %d, %d planned", k, p.hi)
		}
		if _, err := bufw.Write(row); err != nil {
			return err
		}
		if progress := z.wb.o.Progress; progress != nil {
			if z.done++; z.done%progressEvery == 0 {
				progress(z.done, z.wb.bigRows)
			}
		}
	}
	if _, err := bufw.Write(p.tail); err != nil {
		return err
	}
	if err := bufw.Flush(); err != nil {
		return err
	}
	if err := fw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	fh := &zip.FileHeader{Name: p.name, Method: zip.Deflate, Flags: 0x8, CreatorVersion: 20, ReaderVersion: 20,
		CRC32: cw.crc.Sum32(), CompressedSize64: uint64(tmp.Size()), UncompressedSize64: uint64(cw.n)}
	if cw.n > zip64Threshold || tmp.Size() > zip64Threshold {
		fh.CreatorVersion, fh.ReaderVersion = 45, 45 // ZIP64: Excel wants 4.5 in the local header
	}
	w, err := z.zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, io.NewSectionReader(tmp, 0, tmp.Size()))
	return err
}

// zip64Threshold is the size of a part above which it needs ZIP64. A variable so tests
// can exercise it without a 4 GiB sheet.
var zip64Threshold int64 = math.MaxUint32

// crcWriter counts and checksums what it passes on.
type crcWriter struct {
	w   io.Writer
	crc hash.Hash32
	n   int64
}

func (c *crcWriter) Write(p []byte) (int, error) {
	c.crc.Write(p)
	c.n += int64(len(p))
	return c.w.Write(p)
}

// appendRow appends one <row> element.
func appendRow(b []byte, row int, cols []string, values []any) []byte {
	b = append(b, `<row r="`...)
	b = strconv.AppendInt(b, int64(row), 10)
	b = append(b, `">`...)
	for c, v := range values {
		if c >= len(cols) {
			break
		}
		b = appendCell(b, cols[c], row, v)
	}
	return append(b, `</row>`...)
}

// appendCell appends one <c> element (nothing for a nil value).
func appendCell(b []byte, col string, row int, v any) []byte {
	style := 0
	if c, ok := v.(excelize.Cell); ok {
		v, style = c.Value, c.StyleID
	}
	if v == nil {
		return b
	}
	b = append(b, `<c r="`...)
	b = append(b, col...)
	b = strconv.AppendInt(b, int64(row), 10)
	b = append(b, '"')
	if style != 0 {
		b = append(b, ` s="`...)
		b = strconv.AppendInt(b, int64(style), 10)
		b = append(b, '"')
	}
	switch x := v.(type) {
	case int:
		return appendNum(b, strconv.AppendInt(nil, int64(x), 10))
	case int64:
		return appendNum(b, strconv.AppendInt(nil, x, 10))
	case int32:
		return appendNum(b, strconv.AppendInt(nil, int64(x), 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return appendStr(b, strconv.FormatFloat(x, 'g', -1, 64))
		}
		return appendNum(b, strconv.AppendFloat(nil, x, 'f', -1, 64))
	case bool:
		if x {
			return append(b, ` t="b"><v>1</v></c>`...)
		}
		return append(b, ` t="b"><v>0</v></c>`...)
	case string:
		return appendStr(b, x)
	default:
		return appendStr(b, fmt.Sprint(x))
	}
}

func appendNum(b, num []byte) []byte {
	b = append(b, `><v>`...)
	b = append(b, num...)
	return append(b, `</v></c>`...)
}

// maxCellChars is Excel's limit on the characters (UTF-16 units) of a cell.
const maxCellChars = 32767

var bstrLiteral = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

// appendStr appends an inline-string cell's type and value.
func appendStr(b []byte, s string) []byte {
	s = cutUTF16(s, maxCellChars)
	if bstrLiteral.MatchString(s) {
		// A literal "_x0041_" would read back as "A": escape its underscore (ECMA-376 ST_Xstring).
		s = bstrLiteral.ReplaceAllStringFunc(s, func(m string) string { return "_x005F" + m })
	}
	b = append(b, ` t="inlineStr"><is><t`...)
	if s != "" && (isSpace(s[0]) || isSpace(s[len(s)-1])) {
		b = append(b, ` xml:space="preserve"`...)
	}
	b = append(b, '>')
	b = appendEscaped(b, s)
	return append(b, `</t></is></c>`...)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// appendEscaped appends s escaped for XML character data; characters XML 1.0 cannot
// hold become U+FFFD (as encoding/xml's EscapeText does).
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				b = append(b, "&amp;"...)
			case c == '<':
				b = append(b, "&lt;"...)
			case c == '>':
				b = append(b, "&gt;"...)
			case c == '"':
				b = append(b, "&#34;"...)
			case c == '\'':
				b = append(b, "&#39;"...)
			case c == '\r':
				b = append(b, "&#xD;"...)
			case c < 0x20 && c != '\t' && c != '\n':
				b = append(b, "\uFFFD"...)
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || !xmlChar(r) {
			b = append(b, "\uFFFD"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

func xmlChar(r rune) bool {
	return r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// cutUTF16 cuts s to at most n UTF-16 code units.
func cutUTF16(s string, n int) string {
	if len(s) <= n {
		return s // every UTF-8 byte is at most one UTF-16 unit
	}
	units := 0
	for i, r := range s {
		u := 1
		if r >= 0x10000 {
			u = 2
		}
		if units+u > n {
			return s[:i]
		}
		units += u
	}
	return s
}
