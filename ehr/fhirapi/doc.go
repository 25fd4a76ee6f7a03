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
// The CapabilityStatement is read into the FHIR R4 types of
// github.com/samply/golang-fhir-models (plain Go structs generated from the R4 4.0.1
// definitions); the SMART configuration is plain JSON.
//
// The evidence store (evidence.go) is an embedded SQLite file written through bun,
// append-only, mode 0600, never an EHR database. Storage shapes stay in this package:
// callers read probes as measure.Probe values.
//
// The package must not import reports/ or cmd/.
package fhirapi
