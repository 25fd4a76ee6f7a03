// Package measure implements the CMS MIPS Promoting Interoperability measure PI_PEA_1,
// "Provide Patients Electronic Access to Their Health Information", as pure functions
// over plain domain values (rules R1–R11 of SPEC §2).
//
// It owns the domain types (offices, clinicians, patients, visits, notes, invitations,
// API windows), the run configuration and the evaluation that turns a stream of
// patients into per-entity figures, per-patient outcomes, itemised issues and run-level
// findings.
//
// Where the rules live: one judgement per seen visit, judge in verdict.go, returns its
// Verdict (timely, pending or failed; access instant; deadline; fix-by date; every
// reason), and everything else reads it. Evaluator.Add judges each seen visit, folds
// the verdict into the patient's entities and publishes it to the observers, each in
// its own file: the issue rows (issuerows.go), the data-quality rows (quality.go), the
// drill-down (outcomes.go), the trend (trend.go) and the release-lag histogram
// (releaselag.go). Each rule is one named function:
//
//	R1  seenVisit, inPeriod, countedAsOf   seen.go, asof.go
//	R2  individualSlot, groupSlot          attribution.go
//	R3  deadlines (calendar.Deadline)      deadline.go
//	R4  release                            release.go
//	R5  firstInvitation                    access.go
//	R6  apiWindows.next                    apiwindow.go
//	R7  accessInstant, inTime, actionBound access.go
//	R8  standing                           policy.go
//	R9  fixBy, stillReachable, lateness    asof.go, deadline.go; BestReachableRate in reachable.go
//	R10 runRules.reasons, issueRows        issues.go, issuerows.go, quality.go
//	R11 CheckPeriod, MinPeriodDays         period.go
//
// The indexing machinery (index.go, zone.go, status.go, the slots in attribution.go)
// only makes those lookups fast.
//
// It must not import database, network, OS or ORM packages, must not read the clock
// (the as-of instant is an argument) and must not log. It imports only the standard
// library, mipspi's calendar package and internal/sanitize (the one rule of what text
// is unsafe to echo); a test enforces this. It keeps no rows itself: the RowStore it
// is given does (rows.go), so it imports no bufio, encoding/binary or io.
package measure
