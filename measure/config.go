package measure

import (
	"fmt"
	"time"

	"github.com/mipspi/mipspi/calendar"
)

// Policy is the numerator policy of R8.
type Policy string

const (
	// EveryVisit: a patient counts only when every seen visit attributed to the
	// entity in the period is timely (the ONC (g)(2) reading; the default).
	EveryVisit Policy = "every-visit"
	// AnyVisit: one timely visit suffices.
	AnyVisit Policy = "any-visit"
)

// Release chooses the event that makes a visit's information available (R4).
type Release string

const (
	ReleaseLock Release = "lock" // earliest locked_at (default)
	ReleaseSign Release = "sign" // earliest signed_at, for EHRs that do not lock
)

// NumeratorActions bounds when numerator actions may happen (R7).
type NumeratorActions string

const (
	ActionsPeriod       NumeratorActions = "period"        // local date of A ≤ performance end (default)
	ActionsCalendarYear NumeratorActions = "calendar-year" // local date of A ≤ Dec 31 of the period's year
)

// DefaultSeenStatuses is the seen set of R1 (compared case-insensitively, trimmed).
var DefaultSeenStatuses = []string{"Arrived", "Checked In", "Checked In Online", "In Room", "In Session", "Complete"}

// Config is one run's configuration.
type Config struct {
	Start, End calendar.Date // performance period, both inclusive (R1)
	// AsOf is the report's as-of instant (R9). With BareAsOf it is the latest instant the
	// bare date AsOfDate stands for (the end of that date in the westernmost office zone:
	// NewEvaluator sets it from the offices; before that, the end of the date in UTC).
	AsOf time.Time
	// AsOfDate, when BareAsOf, is an as-of given as a date alone (R9): the end of that
	// date in each office's own zone (AsOfIn).
	AsOfDate         calendar.Date
	BareAsOf         bool
	SeenStatuses     []string // nil → DefaultSeenStatuses; otherwise replaces it
	FederalHolidays  bool     // observed US federal holidays are non-business days (R3)
	Closures         []calendar.Date
	Policy           Policy           // "" → EveryVisit
	Release          Release          // "" → ReleaseLock
	NumeratorActions NumeratorActions // "" → ActionsPeriod
	// Filters restrict which entities are reported ("" = all). They do not change how
	// any entity is computed.
	TIN, NPI string
	// KeepPatients keeps per-patient, per-entity outcomes in the Result for drill-down.
	KeepPatients bool
}

// WithDefaults fills unset fields with the SPEC defaults.
func (c Config) WithDefaults() Config {
	if c.SeenStatuses == nil {
		c.SeenStatuses = DefaultSeenStatuses
	}
	if c.Policy == "" {
		c.Policy = EveryVisit
	}
	if c.Release == "" {
		c.Release = ReleaseLock
	}
	if c.NumeratorActions == "" {
		c.NumeratorActions = ActionsPeriod
	}
	return c
}

// Validate reports a configuration that cannot be evaluated (unknown policy, period
// end before start). Period length and cross-year periods are findings (R11), not errors,
// except that a period spanning two calendar years is an error: R11 requires one year.
func (c Config) Validate() error {
	switch c.Policy {
	case EveryVisit, AnyVisit:
	default:
		return fmt.Errorf("policy %q: want every-visit or any-visit", c.Policy)
	}
	switch c.Release {
	case ReleaseLock, ReleaseSign:
	default:
		return fmt.Errorf("release %q: want lock or sign", c.Release)
	}
	switch c.NumeratorActions {
	case ActionsPeriod, ActionsCalendarYear:
	default:
		return fmt.Errorf("numerator_actions %q: want period or calendar-year", c.NumeratorActions)
	}
	if c.End < c.Start {
		return fmt.Errorf("performance period: end %s is before start %s", c.End, c.Start)
	}
	if err := CheckPeriod(c.Start, c.End).Err(c.Start, c.End); err != nil {
		return err
	}
	if c.AsOf.IsZero() {
		return fmt.Errorf("as-of instant is not set")
	}
	return nil
}
