// Package combine adds PI_PEA_1 results from several JSON reports into one (SPEC §7):
// a practice that changed EHR during the year, a group with several databases, an APM
// Entity with many participant TINs. Each site runs `mipspi report --format json` next to
// its own data; only the reports travel.
//
// Numerators and denominators are summed per clinician (TIN + NPI) and per TIN across
// reports, following CMS's guidance for several certified EHRs (unique patients need not
// be reconciled across systems, QPP FAQ 9060); an apm_entity row sums every TIN. With
// MatchPatients, reports whose per-patient drill-down was pseudonymised with one shared
// key are matched patient by patient, so the same person in two reports counts once,
// while each report's own counts stand (match.go); the method sentence says how many
// patients were matched. Each report's run warnings travel with it (sites.go).
//
// Reports that cannot be added are refused with the file and the reason: different
// measures, periods, policies, release rules or numerator-action bounds, the same source
// twice, figures that do not add up or that would pass 10^9 (overflow.go), a truncated or
// invalid file, a shape no mipspi report has or keys other readers would read otherwise
// (limits.go).
//
// The package is pure: it reads JSON from an io.Reader and returns a measure.Result plus
// the method it used; it opens no file, reads no clock and never imports ehr, reports or
// cmd (the report's wire types, reports/wire, are shared with the writer). Memory is
// flat in the number of reports and bounded within one: each report is decoded as a
// stream whose tokens and rows are bounded (limits.go), issue rows are skipped one at a
// time, never held, and only per-entity sums are kept (with MatchPatients, one small
// entry per patient and entity, which grows with the patients).
package combine
