package fhirapi

// One pass over a discovery document (SPEC §6: any answer, even a hostile 4 MiB one, is
// judged in bounded memory). The documents are walked token by token: only the fields
// the checks read are kept, everything else is skipped as it streams past, and a field of
// an unexpected JSON type is noted (a deviation an app reads past) and skipped. Nesting
// deeper than maxDepth ends the walk: no discovery document nests that deep, and the
// decoder's own stack would otherwise grow with every "[".

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxDepth bounds nesting. A CapabilityStatement nests about 8 levels.
const maxDepth = 64

// maxKept bounds the values of one list kept for showing (a format, grant types...).
const maxKept = 20

// walker reads one JSON document token by token.
type walker struct {
	dec   *json.Decoder
	depth int
	// wrong notes fields of an unexpected JSON type: "path is a JSON object where R4
	// has a string", each distinct sentence once with how often it was seen (at most
	// maxKept sentences); wrongN counts them all.
	wrong    []deviation
	wrongN   int
	lastKind string // the JSON type of the last noted field
}

// deviation is one kind of field of an unexpected type, and how often it was seen.
type deviation struct {
	what  string
	times int
}

func (d deviation) String() string {
	if d.times > 1 {
		return fmt.Sprintf("%s (%d times)", d.what, d.times)
	}
	return d.what
}

func newWalker(body []byte) *walker {
	dec := json.NewDecoder(bytes.NewReader(jsonBody(body)))
	dec.UseNumber() // numbers are skipped as text, never parsed
	return &walker{dec: dec}
}

// jsonBody is body without the white space and byte order mark that may lead it (apps'
// JSON readers skip a BOM, Go's does not).
func jsonBody(body []byte) []byte {
	body = bytes.TrimLeft(body, " \t\r\n")
	return bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\ufeff")), " \t\r\n")
}

// errTooDeep ends a walk that nests deeper than maxDepth.
var errTooDeep = fmt.Errorf("nests deeper than %d levels, which no discovery document does", maxDepth)

// kindOf names the JSON type of a token.
func kindOf(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "object"
		}
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "value"
}

func (w *walker) token() (json.Token, error) {
	tok, err := w.dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); ok {
		switch d {
		case '{', '[':
			w.depth++
			if w.depth > maxDepth {
				return nil, errTooDeep
			}
		default:
			w.depth--
		}
	}
	return tok, nil
}

// skipRest consumes the rest of a value whose first token was tok.
func (w *walker) skipRest(tok json.Token) error {
	d, ok := tok.(json.Delim)
	if !ok || (d != '{' && d != '[') {
		return nil
	}
	for level := w.depth; w.depth >= level; {
		if _, err := w.token(); err != nil {
			return err
		}
	}
	return nil
}

// note records a field of an unexpected type.
func (w *walker) note(path, got, want string) {
	w.wrongN++
	w.lastKind = got
	what := fmt.Sprintf("%s is a JSON %s where FHIR R4 has %s", path, got, want)
	for i := range w.wrong {
		if w.wrong[i].what == what {
			w.wrong[i].times++
			return
		}
	}
	if len(w.wrong) < maxKept {
		w.wrong = append(w.wrong, deviation{what, 1})
	}
}

// object reads the object that comes next, calling field for each key; field must consume
// the value (with one of the walker's readers). A value of another type is noted under
// path and skipped; ok says whether it was an object.
func (w *walker) object(path, want string, field func(key string) error) (ok bool, err error) {
	tok, err := w.token()
	if err != nil {
		return false, err
	}
	if tok != json.Delim('{') {
		w.note(path, kindOf(tok), want)
		return false, w.skipRest(tok)
	}
	for w.dec.More() {
		kt, err := w.token()
		if err != nil {
			return true, err
		}
		key, _ := kt.(string)
		if err := field(key); err != nil {
			return true, err
		}
	}
	_, err = w.token() // '}'
	return true, err
}

// array reads the array that comes next, calling elem for each element (elem consumes it).
func (w *walker) array(path, want string, elem func(i int) error) (ok bool, err error) {
	tok, err := w.token()
	if err != nil {
		return false, err
	}
	if tok != json.Delim('[') {
		w.note(path, kindOf(tok), want)
		return false, w.skipRest(tok)
	}
	for i := 0; w.dec.More(); i++ {
		if err := elem(i); err != nil {
			return true, err
		}
	}
	_, err = w.token() // ']'
	return true, err
}

// str reads a string value; another type is noted under path and skipped (ok false).
func (w *walker) str(path, want string) (s string, ok bool, err error) {
	tok, err := w.token()
	if err != nil {
		return "", false, err
	}
	if s, isStr := tok.(string); isStr {
		return s, true, nil
	}
	w.note(path, kindOf(tok), want)
	return "", false, w.skipRest(tok)
}

// skip consumes the next value whatever it is.
func (w *walker) skip() error {
	tok, err := w.token()
	if err != nil {
		return err
	}
	return w.skipRest(tok)
}

// strings reads an array of strings into a stringSet; elements of another type are noted.
func (w *walker) strings(path, want string, into *stringSet) (ok bool, err error) {
	return w.array(path, "an array", func(int) error {
		s, isStr, err := w.str(path+"[]", want)
		if isStr {
			into.add(s)
		}
		return err
	})
}

// finish ends a walk that returned err: nil when the document was whole and nothing but
// white space follows it, else the reason in plain words.
func (w *walker) finish(err error) error {
	if err == nil {
		if _, err = w.dec.Token(); err == io.EOF {
			return nil
		} else if err == nil {
			err = errors.New("more data after the document's closing brace")
		}
	}
	return walkError(err)
}

// stringSet keeps what a check needs of a list of strings however long it is: whether
// it holds given values, how many it has, and the first few for showing.
type stringSet struct {
	n     int
	shown []string
	has   map[string]bool // only the values asked about
}

func newStringSet(watch ...string) *stringSet {
	s := &stringSet{has: map[string]bool{}}
	for _, v := range watch {
		s.has[v] = false
	}
	return s
}

func (s *stringSet) add(v string) {
	s.n++
	if len(s.shown) < maxKept {
		s.shown = append(s.shown, clip(v, 80))
	}
	if _, watched := s.has[v]; watched {
		s.has[v] = true
	}
}

func (s *stringSet) contains(v string) bool { return s.has[v] }

// list shows the values: "[a, b, c]", "[a, b … and 40 more]", "(absent)".
func (s *stringSet) list() string {
	if s == nil || s.n == 0 {
		return "(absent)"
	}
	out := "[" + joinComma(s.shown)
	if s.n > len(s.shown) {
		out += fmt.Sprintf(" … and %d more", s.n-len(s.shown))
	}
	return out + "]"
}

func joinComma(ss []string) string {
	var b bytes.Buffer
	for i, s := range ss {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	return b.String()
}

// walkError words a syntax error or early end of a document.
func walkError(err error) error {
	if errors.Is(err, errTooDeep) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: the document ends early")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	return fmt.Errorf("invalid JSON: %v", err)
}
