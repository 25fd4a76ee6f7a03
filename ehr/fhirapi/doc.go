// Package fhirapi is the EHR's other door: the practice's patient FHIR API, checked from
// outside the way ONC's certification tests and its endpoint monitor do (SPEC §6), and
// the evidence store that keeps each check as a dated row for an audit.
//
// A probe sends exactly two unauthenticated GET requests, {base}/.well-known/smart-configuration
// and {base}/metadata: never a credential, a cookie or patient data. Every answer is read
// with a size cap and a timeout, redirects to another host are refused, and TLS older
// than 1.2 fails the handshake, so a hostile or broken endpoint ends as a failed check
// with a reason, never a hang.
//
// Each document is read once, token by token (jsonwalk.go), keeping only the fields the
// checks read, so even a hostile 4 MiB answer is judged in a few MB. The checks judge
// as a patient's app would (SPEC §6): a check fails only for what stops an app from
// reaching the patient's data, and a deviation an app reads past warns and leaves the
// API live. Text the server sends is made storable (text.go) before anyone sees it.
//
// The evidence store (evidence.go) is an embedded SQLite file written through bun,
// append-only, mode 0600, never an EHR database, each row linked to the one before by a
// hash chain (chain.go) that report --evidence verifies. Storage shapes stay in this
// package: callers read probes as measure.Probe values and the check as
// measure.EvidenceChain.
//
// The package must not import reports/ or cmd/.
package fhirapi
