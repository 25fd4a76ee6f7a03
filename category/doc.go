// Package category estimates the whole Promoting Interoperability (PI) category score of
// an entity (SPEC §5): from the PI_PEA_1 figures that package measure computes and the
// practice's answers for the other PI measures (the `registry` block of the
// configuration), per performance year from the CMS measures data embedded here.
//
// Estimate lists the gates that zero the category (each with a code and a sentence a
// billing clerk understands), every measure's points with their basis (computed from
// the EHR, answered by the practice, excluded, or redistributed from an excluded
// measure), the bonus, the cap, the weighted score, the figures that rest on facts not
// verified against a CMS source, and how many PI_PEA_1 points are still within reach.
// The facts and their status are those of ../shared/reference/pi-scoring.md.
//
// The package is pure like measure: no I/O, no clock, no database; it imports only
// the standard library and measure (imports_test.go holds it to that). It also holds
// the embedded CMS PI measure list that reports/registry validates submissions against.
package category
