package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
)

// jsonStream is an array field of a report written element by element: n elements,
// elem(i) giving the i-th as a value for encoding/json, or the error that stops the
// report.
type jsonStream struct {
	n    int
	elem func(i int) (any, error)
	// appendElem, when set, is used instead of elem: it appends element i already
	// encoded and indented for the given prefix.
	appendElem func(dst []byte, i int, prefix string) ([]byte, error)
}

// encodeIndented writes *rep (a pointer to a struct of JSON-tagged fields) exactly as
// json.NewEncoder(w) with SetIndent("", "  ") would — two-space indent, HTML escaped,
// trailing newline — except that the fields named in streams are taken from there and
// encoded one element at a time, so that memory does not grow with them. A streamed
// field tagged omitempty is left out when it has no elements, like an empty slice.
func encodeIndented(w io.Writer, rep any, streams map[string]jsonStream) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	var raw, ind bytes.Buffer
	var scratch []byte           // one encoded row
	enc := json.NewEncoder(&raw) // escapes HTML like json.Encoder on the whole report
	// value writes v indented as it would appear at the given depth.
	value := func(v any, prefix string) error {
		raw.Reset()
		ind.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		b := bytes.TrimSuffix(raw.Bytes(), []byte("\n"))
		out, ok := indentFlat(scratch[:0], b, prefix)
		scratch = out[:0] // reused by the next row
		if ok {
			_, err := bw.Write(out)
			return err
		}
		if err := json.Indent(&ind, b, prefix, "  "); err != nil {
			return err
		}
		_, err := bw.Write(ind.Bytes())
		return err
	}
	rv := reflect.ValueOf(rep).Elem()
	rt := rv.Type()
	bw.WriteString("{")
	first := true
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		omitempty := strings.Contains(","+opts+",", ",omitempty,")
		s, streamed := streams[name]
		fv := rv.Field(i)
		switch {
		case streamed && s.n == 0 && omitempty:
			continue
		case !streamed && omitempty && isEmptyJSON(fv):
			continue
		}
		if !first {
			bw.WriteString(",")
		}
		first = false
		key, _ := json.Marshal(name)
		bw.WriteString("\n  ")
		bw.Write(key)
		bw.WriteString(": ")
		if !streamed {
			if err := value(fv.Interface(), "  "); err != nil {
				return err
			}
			continue
		}
		if s.n == 0 {
			bw.WriteString("[]")
			continue
		}
		bw.WriteString("[")
		for j := 0; j < s.n; j++ {
			if j > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n    ")
			if s.appendElem != nil {
				out, err := s.appendElem(scratch[:0], j, "    ")
				if err != nil {
					return err
				}
				scratch = out[:0] // reused by the next row
				if _, err := bw.Write(out); err != nil {
					return err
				}
				continue
			}
			v, err := s.elem(j)
			if err != nil {
				return err
			}
			if err := value(v, "    "); err != nil {
				return err
			}
		}
		bw.WriteString("\n  ]")
	}
	if first {
		bw.WriteString("}\n")
	} else {
		bw.WriteString("\n}\n")
	}
	return bw.Flush()
}

// isEmptyJSON is encoding/json's omitempty test.
func isEmptyJSON(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// indentFlat is json.Indent(prefix, "  ") for the common case of a compact object whose
// values are all scalars (every issue and drill-down row): it appends to dst and reports
// false, leaving the general json.Indent to do the work, on anything else (an array, a
// nested or empty object). json.Indent's byte-by-byte scanner was the report's largest
// CPU cost at a million appointments.
func indentFlat(dst, src []byte, prefix string) ([]byte, bool) {
	if len(src) < 2 || src[0] != '{' || src[len(src)-1] != '}' || src[1] == '}' {
		return dst, false
	}
	dst = append(dst, "{\n"...)
	dst = append(dst, prefix...)
	dst = append(dst, "  "...)
	start := 1
	inString := false
	for i := 1; i < len(src)-1; i++ {
		c := src[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped byte cannot end the string
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case ':':
			dst = append(dst, src[start:i]...)
			dst = append(dst, ": "...)
			start = i + 1
		case ',':
			dst = append(dst, src[start:i]...)
			dst = append(dst, ",\n"...)
			dst = append(dst, prefix...)
			dst = append(dst, "  "...)
			start = i + 1
		case '{', '[':
			return dst, false
		}
	}
	if inString {
		return dst, false
	}
	dst = append(dst, src[start:len(src)-1]...)
	dst = append(dst, '\n')
	dst = append(dst, prefix...)
	return append(dst, '}'), true
}
