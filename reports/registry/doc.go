// Package registry writes the files a practice uploads to a MIPS registry or to the CMS
// QPP Submissions API for the Promoting Interoperability (PI) category (issue 5):
// QPP JSON and QRDA Category III XML, one document per entity, and a CSV with one row
// per entity for registries that are keyed by hand (the Healthmonix MIPSpro workflow).
//
// Validate checks what CMS checks before a file is accepted (identifiers, the CEHRT ID,
// the performance period, measure ids, types, exclusions and substitutes for the
// performance year) and what a clerk must not send unawares (the documentation's
// example CEHRT IDs and counts, a clinician's file holding the TIN's counts, keys that
// match nothing), and lists every problem; Files renders the documents; Entries says
// what each carries and where each answer came from, for the export's manifest; StatusOf
// says whether the figures are final or still provisional. None queries a database or
// reads the clock: the figures come in a measure.Result and the answers in a Config
// (the `registry:` block of SPEC §4), each file taking its entity's own (Config.For).
//
// Which PI measures exist in a performance year, whether each is required, boolean or
// proportion, and which measures are its exclusions and substitutes come from CMS's
// measures data, embedded in package category (category/data/pi-measures.json, derived
// from ../shared/reference/qpp-measures-pi-YEAR.json; see that package).
//
// The package imports measure, calendar, category, internal/sanitize (the CSV cell
// guard), reports/wire (the form of a point figure), the standard library, yaml.v3 and
// google/uuid (name-based QRDA ids); it must not import ehr, reports or cmd.
package registry
