package combine

// Reading a report in bounded memory, and reading it as other tools do (SPEC §7: a
// report that cannot be added is refused with the reason).
//
// encoding/json's Decoder holds each token it is reading whole, and the white space
// before it: 1 GiB of spaces or one 300 MB string inside a report became gigabytes of
// memory. A guard stands between the file and the Decoder and passes the bytes through
// unchanged while it watches the shape of the document; it ends the read with a clear
// reason, naming the byte, as soon as a limit no report mipspi writes comes near is
// passed: a string longer than maxString, a number longer than maxScalar, more than
// maxSpace of white space in a row, nesting deeper than maxDepth, an array element of a
// top-level field (an entity, an issue, a patient row) larger than maxElement, an object
// with more than maxKeys keys. With these, the Decoder never holds more than about
// maxElement, however large the report (a large practice's report is gigabytes of issue
// rows, read element by element).
//
// Keys: jq and Python read JSON keys case-sensitively and keep the last of two equal
// keys; Go's decoder matches struct fields ignoring case. mipspi never writes a key
// twice, nor in another case, so rather than pick a reading it refuses both clearly: two
// equal keys in one object (after unescaping), and a key that differs only in case from
// a field mipspi reads (Go would take "Numerator" for "numerator"; jq would not). Inside
// the fields decode reads past (the issue rows, anything unknown) keys are not compared:
// nothing reads them, and they are most of a large report's bytes.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"reflect"
	"strings"
	"sync"

	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

const (
	maxString  = 64 << 10 // a practice name, a finding's sentence: a few hundred bytes
	maxScalar  = 100      // numbers, true/false/null
	maxSpace   = 64 << 10 // pretty-printing indents by a few dozen spaces at most
	maxDepth   = 32       // a report nests 4 or 5 levels
	maxElement = 1 << 20  // an entity row with its PI category estimate: a few KB
	maxKeys    = 4096     // a report's top level has about 40 keys
	maxKey     = 4 << 10  // the longest key mipspi writes is under 40 bytes
)

// LimitError is a report refused by the guard: where, and why.
type LimitError struct {
	Offset int64
	Why    string
}

func (e *LimitError) Error() string { return fmt.Sprintf("%s (at byte %d)", e.Why, e.Offset) }

// frame is one open object or array. An object's keys are kept as hashes: the first
// ones in a small array (a report's rows have about 15 keys), more in a map.
type frame struct {
	obj       bool
	expectKey bool
	n         int
	small     [24]uint64
	keys      map[uint64]struct{}
}

// addKey records h, reporting false when the object already has it.
func (f *frame) addKey(h uint64) bool {
	for _, k := range f.small[:min(f.n, len(f.small))] {
		if k == h {
			return false
		}
	}
	if f.keys != nil {
		if _, dup := f.keys[h]; dup {
			return false
		}
	}
	if f.n < len(f.small) {
		f.small[f.n] = h
	} else {
		if f.keys == nil {
			f.keys = map[uint64]struct{}{}
		}
		f.keys[h] = struct{}{}
	}
	f.n++
	return true
}

// guard passes src through, watching the limits above.
type guard struct {
	src io.Reader
	off int64 // offset of the next byte read
	err error

	stack []frame
	// the current token
	inString, escape bool
	strLen           int
	isKey            bool
	key              []byte // the raw key being read (≤ maxKey)
	keyEscaped       bool
	scalar           int   // length of the number or literal being read
	space            int   // white space in a row
	elemStart        int64 // where the current element of a top-level field's value began
	topKey           string
	// skipped: the current top-level field is one decode reads past (issues, anything
	// unknown); keys inside it are not compared, since no reader of mipspi's uses them.
	skipped bool
	seed    maphash.Seed
}

// Counts of the arrays decode keeps (SPEC §7: bounded memory): generous for any practice
// or APM Entity, small enough that one report's kept rows stay a few tens of MB.
const (
	maxEntities = 100_000 // clinicians and TINs of one report
	maxListed   = 10_000  // statuses, findings, zones, closures, seen statuses
)

func newGuard(src io.Reader) *guard { return &guard{src: src, seed: maphash.MakeSeed()} }

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.src.Read(p)
	if serr := g.scan(p[:n]); serr != nil {
		g.err = serr
		return 0, serr
	}
	return n, err
}

func (g *guard) fail(at int, format string, args ...any) error {
	return &LimitError{Offset: g.off + int64(at), Why: fmt.Sprintf(format, args...)}
}

// scan follows b through the lexical states; g.off is b[0]'s offset on entry.
func (g *guard) scan(b []byte) error {
	defer func() { g.off += int64(len(b)) }()
	for i := 0; i < len(b); i++ {
		c := b[i]
		if g.inString {
			if !g.escape {
				// Run to the next quote or backslash (vectorised searches).
				j := len(b)
				if q := bytes.IndexByte(b[i:], '"'); q >= 0 {
					j = i + q
				}
				if k := bytes.IndexByte(b[i:j], '\\'); k >= 0 {
					j = i + k
				}
				if g.isKey {
					if len(g.key)+j-i > maxKey {
						return g.fail(i, "a key longer than %d KiB, which no mipspi report has", maxKey>>10)
					}
					g.key = append(g.key, b[i:j]...)
				}
				g.strLen += j - i
				if g.strLen > maxString {
					return g.fail(i, "a string longer than %d KiB, which no field of a mipspi report comes near", maxString>>10)
				}
				if j == len(b) {
					break
				}
				i, c = j, b[j]
			} else if g.isKey {
				if len(g.key) >= maxKey {
					return g.fail(i, "a key longer than %d KiB, which no mipspi report has", maxKey>>10)
				}
				g.key = append(g.key, c)
			}
			switch {
			case g.escape:
				g.escape = false
			case c == '\\':
				g.escape = true
				if g.isKey {
					g.keyEscaped = true
					g.key = append(g.key, c)
				}
			case c == '"':
				g.inString = false
				if g.isKey {
					if err := g.endKey(i); err != nil {
						return err
					}
				}
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			if g.space++; g.space > maxSpace {
				return g.fail(i, "more than %d KiB of white space in a row, which no mipspi report has", maxSpace>>10)
			}
			g.scalar = 0
			continue
		}
		g.space = 0
		switch c {
		case '"':
			g.scalar = 0
			g.inString, g.strLen = true, 0
			top := g.top()
			g.isKey = top != nil && top.obj && top.expectKey && !(g.skipped && len(g.stack) > 1)
			if g.isKey {
				g.key, g.keyEscaped = g.key[:0], false
			}
		case '{', '[':
			g.scalar = 0
			if len(g.stack) >= maxDepth {
				return g.fail(i, "nests deeper than %d levels, which no mipspi report does", maxDepth)
			}
			if err := g.checkElement(i); err != nil {
				return err
			}
			if len(g.stack) == 1 { // a top-level field's value starts: its elements are measured from here
				g.elemStart = g.off + int64(i)
			}
			g.stack = append(g.stack, frame{})
			top := &g.stack[len(g.stack)-1]
			top.obj, top.expectKey = c == '{', c == '{'
		case '}', ']':
			g.scalar = 0
			if err := g.checkElement(i); err != nil {
				return err
			}
			if len(g.stack) > 0 {
				g.stack = g.stack[:len(g.stack)-1]
			}
			if len(g.stack) == 2 {
				g.elemStart = g.off + int64(i)
			}
		case ',':
			g.scalar = 0
			if err := g.checkElement(i); err != nil {
				return err
			}
			top := g.top()
			if top != nil && top.obj {
				top.expectKey = true
			}
			if len(g.stack) == 2 { // the next element of a top-level field's value
				g.elemStart = g.off + int64(i)
			}
		case ':':
			g.scalar = 0
		default:
			if g.scalar++; g.scalar > maxScalar {
				return g.fail(i, "a number or literal longer than %d characters, which no mipspi report has", maxScalar)
			}
		}
	}
	return g.checkElement(len(b) - 1)
}

// checkElement fails when the element of a top-level field being read has passed
// maxElement at b[i] (checked at each structural byte and at the end of each read, so an
// element is refused within one read of passing the limit).
func (g *guard) checkElement(i int) error {
	if len(g.stack) >= 2 && g.off+int64(i)-g.elemStart > maxElement {
		return g.fail(i, "an element of %q is larger than %d MiB, which no row of a mipspi report comes near", g.topKey, maxElement>>20)
	}
	return nil
}

func (g *guard) top() *frame {
	if len(g.stack) == 0 {
		return nil
	}
	return &g.stack[len(g.stack)-1]
}

// endKey checks the key just read against the others of its object and the fields
// mipspi reads.
func (g *guard) endKey(at int) error {
	top := g.top()
	top.expectKey = false
	key := g.key
	if g.keyEscaped { // compare keys as the decoder sees them
		var s string
		if json.Unmarshal([]byte(`"`+string(key)+`"`), &s) == nil {
			key = []byte(s)
		}
	}
	if len(g.stack) == 1 {
		g.topKey = clipKey(string(key))
		g.skipped = !readTopLevel(key)
	}
	if top.n >= maxKeys {
		return g.fail(at, "an object with more than %d keys, which no mipspi report has", maxKeys)
	}
	if !top.addKey(maphash.Bytes(g.seed, key)) {
		return g.fail(at, "the key %q appears twice in one object: mipspi never writes a key twice, and readers disagree on which to keep (jq and Python keep the last), so the report is refused", clipKey(string(key)))
	}
	if f, ok := caseVariant(key); ok {
		return g.fail(at, "the key %q differs only in case from %q: mipspi writes keys in lower case and reads them exactly, as jq and Python do, so the report is refused rather than read one way or the other", clipKey(string(key)), f)
	}
	return nil
}

func clipKey(k string) string {
	if len(k) > 60 {
		return k[:60] + "…"
	}
	return k
}

// caseVariant reports whether key is not a field mipspi reads but equals one ignoring
// case (Unicode simple folding, as encoding/json matches), and which.
func caseVariant(key []byte) (string, bool) {
	plain := true
	for i := 0; i < len(key); i++ {
		if c := key[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			plain = false
			break
		}
	}
	if plain { // lower-case ASCII equals a lower-case field ignoring case only when identical
		return "", false
	}
	for _, f := range readFields() {
		if string(key) != f && strings.EqualFold(string(key), f) {
			return f, true
		}
	}
	return "", false
}

// readTopLevel reports whether decode reads the top-level field key (rather than
// skipping it: issues, holidays_applied, anything a later version adds).
func readTopLevel(key []byte) bool {
	for _, k := range topLevelKeys {
		if string(key) == k {
			return true
		}
	}
	return false
}

// topLevelKeys are the report's top-level fields decode reads.
var topLevelKeys = []string{"measure_id", "performance_year", "performance_start", "performance_end", "as_of",
	"as_of_local", "zone", "policy", "release", "numerator_actions", "seen_statuses", "holidays", "closures",
	"tin_filter", "npi_filter", "version", "source", "pseudonym_key_id", "combined", "counts", "entities",
	"statuses", "findings", "patients"}

// readFields are every key decode reads: the top-level ones and the JSON names of the
// fields of the wire types it decodes into (reports/wire), nested ones included — the
// keys Go's decoder would match ignoring case.
var readFields = sync.OnceValue(func() []string {
	set := map[string]bool{}
	for _, k := range topLevelKeys {
		set[k] = true
	}
	for _, v := range []any{wire.LocalAsOf{}, wire.Counts{}, wire.Entity{}, wire.Status{}, wire.Finding{},
		wire.Patient{}, measure.Fingerprint{}} {
		fieldNames(reflect.TypeOf(v), set)
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
})

// fieldNames adds the JSON names of t's fields, and of the structs they hold, to set.
func fieldNames(t reflect.Type, set map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			set[name] = true
		}
		fieldNames(t.Field(i).Type, set)
	}
}
