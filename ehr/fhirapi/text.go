package fhirapi

// Text the server sends (SPEC §6): every string of a Result that quotes the server —
// software name and version, fhirVersion, Content-Type, the reasons in the checks — is
// made storable before anyone sees it: NUL and every other control character, and bytes
// that are not UTF-8, become U+FFFD, so any answer can be recorded in the evidence store
// and printed on one line; and each is cut to a length a person reads.

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxDetail bounds one check's reason; maxField a software name or version.
const (
	maxDetail = 1000
	maxField  = 200
)

// storable replaces control characters and invalid UTF-8 with U+FFFD and cuts s to max
// runes (with "…").
func storable(s string, max int) string {
	clean := true
	for i, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			if r != utf8.RuneError || !validAt(s, i) {
				clean = false
				break
			}
		}
	}
	if clean && utf8.RuneCountInString(s) <= max {
		return s
	}
	var b strings.Builder
	n := 0
	for i, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || (r == utf8.RuneError && !validAt(s, i)) {
			r = utf8.RuneError
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// validAt reports whether the U+FFFD decoded at s[i] was really written as U+FFFD.
func validAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size == 3
}

// clip cuts s to max runes for showing it inside a reason.
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

// cleanResult makes every server-sent text of r storable (called once, at the end of Probe).
func cleanResult(r *Result) {
	r.Software = storable(r.Software, maxField)
	r.SoftwareVersion = storable(r.SoftwareVersion, maxField)
	r.FHIRVersion = storable(r.FHIRVersion, maxField)
	for i := range r.Checks {
		r.Checks[i].Detail = storable(r.Checks[i].Detail, maxDetail)
	}
	for _, d := range []*Document{&r.SMART, &r.Metadata} {
		d.ContentType = storable(d.ContentType, maxField)
		d.Err = storable(d.Err, maxDetail)
	}
}
