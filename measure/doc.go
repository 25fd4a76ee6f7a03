// Package measure implements the CMS MIPS Promoting Interoperability measure PI_PEA_1,
// "Provide Patients Electronic Access to Their Health Information", as pure functions
// over plain domain values (rules R1–R11 of SPEC §2).
//
// It owns the domain types (offices, clinicians, patients, visits, notes, invitations,
// API windows), the run configuration and the evaluation that turns a stream of
// patients into per-entity figures, per-patient outcomes, itemised issues and run-level
// findings.
//
// It must not import database, network, OS or ORM packages, must not read the clock
// (the as-of instant is an argument) and must not log. It imports only the standard
// library and mipspi's calendar package; a test enforces this.
package measure
