// Package reports encodes a measure.Result for people and programs: the terminal table,
// the JSON report of SPEC §4, CSV tables, the Excel workbook, a self-contained HTML page
// (inline CSS and SVG charts, no network), and the clinicians' note worklist (table,
// CSV, JSON). Registry submission files are in the registry subpackage. It also owns the two privacy helpers every output path
// shares: WriteFile (atomic, mode 0600) and Deidentify (keyed hashes instead of patient
// names, MRNs and birth dates).
//
// Every encoder takes a Result and an io.Writer and renders one report model computed
// once (report.go: run facts, headline and category estimate, worklist, issue counts);
// none queries the database, reads the clock or time.Local (the generation time comes
// in Options), or logs. The same Result always gives byte-identical table, JSON, CSV and
// HTML output. The JSON report's wire types are in reports/wire, shared with combine.
//
// It imports measure, calendar, category, internal/sanitize (every data string that
// reaches a screen or a CSV cell) and internal/rowstore (the workbook's big parts wait
// in its temporary files), never ehr or cmd.
package reports
