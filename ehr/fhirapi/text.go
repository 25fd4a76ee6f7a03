package fhirapi

// Text the server sends (SPEC §6): every string of a Result that quotes the server —
// software name and version, fhirVersion, Content-Type, the reasons in the checks — is
// made storable before anyone sees it (sanitize.Store): NUL and every other control
// character, and bytes that are not UTF-8, become U+FFFD, so any answer can be recorded
// in the evidence store and printed on one line; and each is cut to a length a person
// reads.

import (
	"unicode/utf8"

	"github.com/mipspi/mipspi/internal/sanitize"
)

// maxDetail bounds one check's reason; maxField a software name or version.
const (
	maxDetail = 1000
	maxField  = 200
)

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
	r.Software = sanitize.Store(r.Software, maxField)
	r.SoftwareVersion = sanitize.Store(r.SoftwareVersion, maxField)
	r.FHIRVersion = sanitize.Store(r.FHIRVersion, maxField)
	for i := range r.Checks {
		r.Checks[i].Detail = sanitize.Store(r.Checks[i].Detail, maxDetail)
	}
	for _, d := range []*Document{&r.SMART, &r.Metadata} {
		d.ContentType = sanitize.Store(d.ContentType, maxField)
		d.Err = sanitize.Store(d.Err, maxDetail)
	}
}
