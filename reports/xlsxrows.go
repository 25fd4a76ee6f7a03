package reports

// The workbook's big sheets (Issues, Patients, Worklist) written as sheet XML by mipspi
// itself (issue 17). excelize builds each sheet's frame — column widths, frozen header,
// page setup, the header row and the Excel table over the whole range — through its
// StreamWriter; the data rows are then written straight into the sheet's part as the
// archive is written (writeArchive), from the result, without excelize's per-cell work
// (cell structs, inline-string trimming, cell names) or its temporary files. At 1M
// appointments that per-cell work was most of the workbook's time (BENCHMARKS.md).
//
// A cell is written as excelize would write it: numbers as numbers, booleans as
// booleans, strings as inline strings (escaped for XML, cut at Excel's 32,767
// characters, "_xHHHH_" literals escaped as the format requires), an excelize.Cell as
// its value with its style.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// rowSource yields the data rows of one big table, in order, from the from-th on: a
// continuation sheet starts after the rows of the sheets before it.
type rowSource func(from int, yield func(values []any) bool) error

// sheetPart is the data rows one sheet part gets: rows [lo, hi) of src, the first at
// sheet row first.
type sheetPart struct {
	src    rowSource
	lo, hi int
	first  int
	cols   []string // column letters, A…
}

// bigTable is one big sheet's table over one or more sheets.
type bigTable struct {
	sheets      []string
	header      []string
	widths      []float64
	prelude     [][]any // rows above the first sheet's header
	headerStyle int
	count       int // data rows
	src         rowSource
}

// writeBig writes the frame of every sheet of t through excelize and registers the
// data rows to be written into each sheet's part by writeArchive.
func (wb *workbook) writeBig(t *bigTable) error {
	lo := 0
	for i, name := range t.sheets {
		var prelude [][]any
		if i == 0 {
			prelude = t.prelude
		}
		head := len(prelude) + 1
		hi := min(t.count, lo+sheetRowLimit-head)
		if err := printSetup(wb.f, name); err != nil {
			return err
		}
		if err := printTitles(wb.f, name, head, head); err != nil {
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
		for r, p := range prelude {
			if err := sw.SetRow(cellName(1, r+1), p); err != nil {
				return err
			}
		}
		if err := sw.SetRow(cellName(1, head), headerCells(t.header), excelize.RowOpts{StyleID: t.headerStyle}); err != nil {
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
		path, err := wb.sheetPath(name)
		if err != nil {
			return err
		}
		if wb.parts == nil {
			wb.parts = map[string]*sheetPart{}
		}
		wb.parts[path] = &sheetPart{src: t.src, lo: lo, hi: hi, first: head + 1, cols: cols}
		wb.bigRows += hi - lo
		lo = hi
	}
	if lo < t.count {
		return fmt.Errorf("more rows than the sheets planned for %s", t.sheets[0])
	}
	return nil
}

// sheetPath is the archive path of a sheet's XML part.
func (wb *workbook) sheetPath(name string) (string, error) {
	for id, n := range wb.f.GetSheetMap() {
		if n == name {
			return fmt.Sprintf("xl/worksheets/sheet%d.xml", id), nil
		}
	}
	return "", fmt.Errorf("no sheet %q", name)
}

// sheetDataEnd is where the data rows go in a sheet part excelize wrote.
var sheetDataEnd = []byte("</sheetData>")

// injectWriter passes a sheet part through and writes the data rows just before its
// </sheetData>.
type injectWriter struct {
	w      io.Writer
	rows   func(io.Writer) error
	carry  []byte // a tail that may be the start of </sheetData>
	done   bool
	failed error
}

func (iw *injectWriter) Write(p []byte) (int, error) {
	if iw.failed != nil {
		return 0, iw.failed
	}
	if iw.done {
		return iw.w.Write(p)
	}
	buf := append(iw.carry, p...)
	if i := bytes.Index(buf, sheetDataEnd); i >= 0 {
		if _, err := iw.w.Write(buf[:i]); err != nil {
			iw.failed = err
			return 0, err
		}
		if err := iw.rows(iw.w); err != nil {
			iw.failed = err
			return 0, err
		}
		iw.done, iw.carry = true, nil
		if _, err := iw.w.Write(buf[i:]); err != nil {
			iw.failed = err
			return 0, err
		}
		return len(p), nil
	}
	keep := min(len(buf), len(sheetDataEnd)-1)
	if _, err := iw.w.Write(buf[:len(buf)-keep]); err != nil {
		iw.failed = err
		return 0, err
	}
	iw.carry = append([]byte(nil), buf[len(buf)-keep:]...)
	return len(p), nil
}

// finish flushes a tail that never became </sheetData> (cannot happen for a part
// excelize wrote) and reports a part that never reached it.
func (iw *injectWriter) finish() error {
	if iw.failed != nil {
		return iw.failed
	}
	if !iw.done {
		return fmt.Errorf("sheet part without </sheetData>")
	}
	return nil
}

// progressEvery is how many rows pass between two progress reports.
const progressEvery = 20000

// writeRows writes the part's rows as <row> elements to w. progress, when not nil,
// is told the rows written so far (of every big sheet) every progressEvery rows. The
// rows are made into XML on the other cores while this goroutine writes (and the
// archive compresses) those already made, in order (ahead.go).
func (p *sheetPart) writeRows(w io.Writer, progress func(int), done *int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	type numbered struct {
		row    int
		values []any
	}
	rows := func(yield func(numbered, error) bool) {
		i := p.lo
		err := p.src(p.lo, func(values []any) bool {
			if i >= p.hi {
				return false
			}
			i++
			// The source reuses its slice; the row waits for a worker.
			return yield(numbered{row: p.first + i - 1 - p.lo, values: slices.Clone(values)}, nil)
		})
		if err != nil {
			yield(numbered{}, err)
		}
	}
	a := encodeAhead(rows, func(dst []byte, r *numbered) []byte { return appendRow(dst, r.row, p.cols, r.values) })
	defer a.stop()
	var buf []byte
	for i := p.lo; i < p.hi; i++ {
		var ok bool
		var err error
		if buf, ok, err = a.next(buf[:0]); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("rows ended at %d, %d planned", i, p.hi)
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		if progress != nil {
			*done++
			if *done%progressEvery == 0 {
				progress(*done)
			}
		}
	}
	return bw.Flush()
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
