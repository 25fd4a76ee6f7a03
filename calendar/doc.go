// Package calendar owns business-day arithmetic for PI_PEA_1's timeliness rule (SPEC R3):
// civil dates, weekends, observed US federal holidays (from github.com/rickar/cal/v2's
// us package), practice closures, and the local date of an instant in an IANA zone.
//
// It must not import database, network or OS packages and never reads the clock or
// time.Local: zones are always passed in.
package calendar
