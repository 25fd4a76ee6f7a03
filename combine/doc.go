// Package combine adds PI_PEA_1 results from several JSON reports into one (SPEC §7):
// a practice that changed EHR during the year, a group with several databases, an APM
// Entity with many participant TINs. Each site runs `mipspi report --format json` next to
// its own data; only the reports travel.
//
// Numerators and denominators are summed per clinician (TIN + NPI) and per TIN across
// reports, following CMS's guidance for several certified EHRs (unique patients need not
// be reconciled across systems, QPP FAQ 9060); an apm_entity row sums every TIN. With
// MatchPatients, reports whose per-patient drill-down was pseudonymised with one shared
// key are matched patient by patient, so the same person in two reports counts once.
//
// Reports that cannot be added are refused with the file and the reason: different
// measures, periods, policies, release rules or numerator-action bounds, the same source
// twice, figures that do not add up, a truncated or invalid file.
//
// The package is pure: it reads JSON from an io.Reader and returns a measure.Result plus
// the method it used; it opens no file, reads no clock and never imports ehr, reports or
// cmd (the report's wire types, reports/wire, are shared with the writer). Memory is flat in the number of reports: each report is decoded as a stream
// (issue rows are skipped one at a time, never held) and only per-entity sums are kept
// (with MatchPatients, one small entry per patient and entity).
package combine
