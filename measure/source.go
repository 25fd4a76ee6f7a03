package measure

// Findings of an EHR source (SPEC §8): what the reader of an EHR's own tables met that
// the section 3 relations cannot hold — a recurring series with a seen status, a visit
// with several candidate encounters, portal credentials stamped with one instant. They
// are warnings, change no figure, and come after the rows that point at nothing.

import (
	"fmt"
	"slices"
)

// sourceCodes are the codes SourceFinding accepts.
var sourceCodes = []Code{RecurringAppointment, AmbiguousEncounter, InvitationDatesSuspect}

// SourceFinding records a finding of the EHR source (SPEC §8: RECURRING_APPOINTMENT,
// AMBIGUOUS_ENCOUNTER, INVITATION_DATES_SUSPECT) with its count, a few example ids and
// the sentence the source wrote for people. Its severity is a warning whatever f says;
// a count of 0 records nothing.
func (e *Evaluator) SourceFinding(f Finding) error {
	if !slices.Contains(sourceCodes, f.Code) {
		return fmt.Errorf("record source finding: code %s is not a finding of an EHR source", f.Code)
	}
	if e.result != nil {
		return fmt.Errorf("record %s: the evaluation is already finished (Result was called)", f.Code)
	}
	if f.Count <= 0 {
		return nil
	}
	f.Severity = SeverityWarning
	f.Examples = slices.Clone(f.Examples)
	e.source = append(e.source, f)
	return nil
}
