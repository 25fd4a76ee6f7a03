// Package registry writes the files a practice uploads to a MIPS registry or to the CMS
// QPP Submissions API for the Promoting Interoperability (PI) category (issue 5):
// QPP JSON and QRDA Category III XML, one document per entity, and a CSV with one row
// per entity for registries that are keyed by hand (the Healthmonix MIPSpro workflow).
//
// Validate checks what CMS checks before a file is accepted (identifiers, the CEHRT ID,
// the performance period, measure ids, types, exclusions and substitutes for the
// performance year) and lists every problem; Files renders the documents. Neither
// queries a database or reads the clock: the figures come in a measure.Result and the
// practice's other PI answers in a Config (the `registry:` block of SPEC §4).
//
// Which PI measures exist in a performance year, whether each is required, boolean or
// proportion, and which measures are its exclusions and substitutes come from CMS's
// measures data, embedded in package category (category/data/pi-measures.json, derived
// from ../shared/reference/qpp-measures-pi-YEAR.json; see that package).
//
// The package imports measure, calendar, category, the standard library, yaml.v3 and google/uuid
// (name-based QRDA ids); it must not import ehr or cmd.
package registry
