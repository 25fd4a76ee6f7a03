package combine

// Reading one JSON report of SPEC §4 as a stream: the header fields, the entity rows,
// the counts, statuses and findings, and (for MatchPatients) the drill-down. Issue rows
// and anything unknown are skipped element by element, so a report with millions of
// issue rows costs no more memory than one row.

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

// Report is what combining needs of one JSON report.
type Report struct {
	MeasureID       string
	PerformanceYear int
	Start, End      calendar.Date
	AsOf            time.Time // the latest instant the as-of stands for (R9)
	// AsOfDate is the as-of when the report was made as of a bare date (BareAsOf, R9).
	AsOfDate         calendar.Date
	BareAsOf         bool
	Zones            []string // the office zones of as_of_local (issue 17); nil in older reports
	Policy           measure.Policy
	Release          measure.Release
	NumeratorActions measure.NumeratorActions
	SeenStatuses     []string
	Holidays         string // "federal" or "none"
	Closures         []calendar.Date
	TINFilter        string
	NPIFilter        string
	Version          string
	Source           *measure.Fingerprint // nil in reports written before SPEC §7
	PseudonymKeyID   string               // "" when the report was not pseudonymised
	Entities         []measure.EntityResult
	Counts           measure.Counts
	Statuses         []measure.StatusCount
	Findings         []measure.Finding
	Patients         []Patient // only when read for MatchPatients
	Digest           [sha256.Size]byte
}

// Patient is one drill-down row: one patient's standing in one entity.
type Patient struct {
	Level       measure.Level
	TIN, NPI    string
	PatientID   int64
	Key         string // the shared pseudonym; "" when the patient could not be keyed
	InNumerator bool
	Pending     bool
}

// Read decodes one report from r. name is used in errors only. With patients, the
// drill-down is kept (MatchPatients needs it); otherwise it is skipped like the issues.
// Every error starts with name and says what is wrong.
func Read(name string, r io.Reader, patients bool) (*Report, error) {
	h := sha256.New()
	// The digest is of the bytes as they are; the guard (limits.go) watches them on the way.
	rep, err := decode(newGuard(io.TeeReader(r, h)), patients)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	h.Sum(rep.Digest[:0])
	if err := rep.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rep, nil
}

// absent marks a required count the report did not give (a JSON null or no key
// leaves it as it is); no report gives it, a negative count being refused anyway.
const absent = math.MinInt

// decode reads the top-level object key by key.
func decode(r io.Reader, patients bool) (*Report, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, notReport(err)
	}
	rep := &Report{}
	var start, end, asOf, policy, release, actions, holidays string
	var localEnd time.Time // the latest as_of_local time
	var closures []string
	seenKeys := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, notReport(err)
		}
		key, _ := tok.(string)
		seenKeys[key] = true
		switch key {
		case "measure_id":
			err = dec.Decode(&rep.MeasureID)
		case "performance_year":
			err = dec.Decode(&rep.PerformanceYear)
		case "performance_start":
			err = dec.Decode(&start)
		case "performance_end":
			err = dec.Decode(&end)
		case "as_of":
			err = dec.Decode(&asOf)
		case "as_of_local":
			rep.Zones = nil
			err = eachElemMax(dec, key, maxListed, func(int) error {
				var z wire.LocalAsOf
				err := dec.Decode(&z)
				rep.Zones = append(rep.Zones, z.Zone)
				if t, perr := time.Parse(time.RFC3339, z.Time); perr == nil && t.After(localEnd) {
					localEnd = t // the latest local end of a bare as-of date (R9)
				}
				return err
			})
		case "policy":
			err = dec.Decode(&policy)
		case "release":
			err = dec.Decode(&release)
		case "numerator_actions":
			err = dec.Decode(&actions)
		case "seen_statuses":
			err = decodeList(dec, key, &rep.SeenStatuses)
		case "holidays":
			err = dec.Decode(&holidays)
		case "closures":
			err = decodeList(dec, key, &closures)
		case "tin_filter":
			err = dec.Decode(&rep.TINFilter)
			rep.TINFilter = measure.NormalTIN(rep.TINFilter)
		case "npi_filter":
			err = dec.Decode(&rep.NPIFilter)
		case "version":
			err = dec.Decode(&rep.Version)
		case "source":
			rep.Source = &measure.Fingerprint{}
			err = dec.Decode(rep.Source)
		case "pseudonym_key_id":
			err = dec.Decode(&rep.PseudonymKeyID)
		case "combined":
			return nil, errors.New("is itself a combined report: combine the reports it was made from instead, so that no figure is counted twice")
		case "counts":
			var c wire.Counts
			err = dec.Decode(&c)
			rep.Counts = measure.Counts{Patients: c.Patients, Appointments: c.Appointments, OutsidePeriod: c.OutsidePeriod,
				NotSeen: c.NotSeen, NotEligible: c.NotEligible, AfterAsOf: c.AfterAsOf, SeenVisits: c.SeenVisits,
				TimelyVisits: c.TimelyVisits, PendingVisits: c.PendingVisits, PatientsInNumerator: c.PatientsInNumerator}
		case "entities":
			err = eachElemMax(dec, key, maxEntities, func(i int) error {
				e := wire.Entity{Denominator: absent, Numerator: absent, NumeratorIfNotesLocked: absent}
				if err := dec.Decode(&e); err != nil {
					return err
				}
				en, err := entity(&e, i)
				if err != nil {
					return err
				}
				rep.Entities = append(rep.Entities, en)
				return nil
			})
		case "statuses":
			err = eachElemMax(dec, key, maxListed, func(int) error {
				var s wire.Status
				if err := dec.Decode(&s); err != nil {
					return err
				}
				rep.Statuses = append(rep.Statuses, measure.StatusCount(s))
				return nil
			})
		case "findings":
			err = eachElemMax(dec, key, maxListed, func(int) error {
				var f wire.Finding
				if err := dec.Decode(&f); err != nil {
					return err
				}
				rep.Findings = append(rep.Findings, measure.Finding{
					Code: measure.Code(f.Code), Severity: measure.Severity(f.Severity), TIN: measure.NormalTIN(f.TIN), NPI: f.NPI,
					Status: f.Status, Count: f.Count, Message: f.Message,
				})
				return nil
			})
		case "patients":
			if !patients {
				err = skipValue(dec)
				break
			}
			err = eachElem(dec, key, func(i int) error {
				var p wire.Patient
				if err := dec.Decode(&p); err != nil {
					return err
				}
				lv := measure.Level(p.Level)
				if lv != measure.Individual && lv != measure.Group {
					return fmt.Errorf("patients[%d]: level %q is not individual or group", i, p.Level)
				}
				rep.Patients = append(rep.Patients, Patient{
					Level: lv, TIN: measure.NormalTIN(p.TIN), NPI: p.NPI, PatientID: p.PatientID, Key: p.PatientKey,
					InNumerator: p.InNumerator, Pending: p.Pending,
				})
				return nil
			})
		default: // issues, holidays_applied, anything a later version adds
			err = skipValue(dec)
		}
		if err != nil {
			return nil, fieldError(key, err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, notReport(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("more data after the report's closing brace")
		}
		return nil, notReport(err)
	}
	for _, k := range []string{"measure_id", "performance_start", "performance_end", "as_of", "policy", "entities"} {
		if !seenKeys[k] {
			return nil, fmt.Errorf("is not a mipspi JSON report: no %q field (write it with mipspi report --format json)", k)
		}
	}
	var err error
	if rep.Start, err = calendar.ParseDate(start); err != nil {
		return nil, fmt.Errorf("performance_start %q is not a date", start)
	}
	if rep.End, err = calendar.ParseDate(end); err != nil {
		return nil, fmt.Errorf("performance_end %q is not a date", end)
	}
	if d, derr := calendar.ParseDate(asOf); derr == nil {
		// R9: a bare date ends in each office's zone; the latest of those ends is the
		// report's as-of instant (the end of the date in UTC for a report naming none).
		rep.AsOfDate, rep.BareAsOf, rep.AsOf = d, true, d.End(time.UTC)
		if !localEnd.IsZero() {
			rep.AsOf = localEnd
		}
	} else if rep.AsOf, err = time.Parse(time.RFC3339, asOf); err != nil {
		return nil, fmt.Errorf("as_of %q is neither a date nor an RFC 3339 instant", asOf)
	}
	rep.AsOf = rep.AsOf.UTC()
	if rep.PerformanceYear == 0 {
		rep.PerformanceYear = rep.Start.Year()
	}
	// Reports always write release and numerator_actions; a report without them is
	// read with the defaults, as the configuration would have been.
	rep.Policy, rep.Release, rep.NumeratorActions = measure.Policy(policy), measure.Release(release), measure.NumeratorActions(actions)
	if release == "" {
		rep.Release = measure.ReleaseLock
	}
	if actions == "" {
		rep.NumeratorActions = measure.ActionsPeriod
	}
	rep.Holidays = holidays
	for _, s := range closures {
		d, err := calendar.ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("closures: %q is not a date", s)
		}
		rep.Closures = append(rep.Closures, d)
	}
	return rep, nil
}

// entity turns a wire entity row into a measure entity, refusing what cannot be one.
func entity(e *wire.Entity, i int) (measure.EntityResult, error) {
	where := fmt.Sprintf("entities[%d]", i)
	lv := measure.Level(e.Level)
	switch lv {
	case measure.Individual, measure.Group:
	case measure.APMEntity:
		return measure.EntityResult{}, errors.New("is itself a combined report (it has an apm_entity row): combine the reports it was made from instead")
	default:
		return measure.EntityResult{}, fmt.Errorf("%s: level %q is not individual or group", where, e.Level)
	}
	if e.TIN == "" {
		return measure.EntityResult{}, fmt.Errorf("%s: no tin", where)
	}
	if lv == measure.Individual && e.NPI == "" {
		return measure.EntityResult{}, fmt.Errorf("%s: individual row for TIN %s has no npi", where, e.TIN)
	}
	if e.Denominator == absent || e.Numerator == absent {
		return measure.EntityResult{}, fmt.Errorf("%s: no numerator or denominator", where)
	}
	en := measure.EntityResult{
		// SPEC §3: 36-1234567 in one report and 361234567 in another are one TIN.
		Entity:      measure.Entity{Level: lv, TIN: measure.NormalTIN(e.TIN), NPI: e.NPI, Clinician: e.Clinician, PracticeName: e.PracticeName},
		Denominator: e.Denominator, Numerator: e.Numerator, Pending: e.Pending, Rate: float64(e.Rate),
		NumeratorIfNotesLocked: e.NumeratorIfNotesLocked,
		SeenVisits:             e.SeenVisits, TimelyVisits: e.TimelyVisits, PendingVisits: e.PendingVisits,
	}
	if en.NumeratorIfNotesLocked == absent {
		en.NumeratorIfNotesLocked = e.Numerator
	}
	for j, c := range e.Causes {
		if c.Patients < 0 || c.Patients > e.Denominator || c.Pending < 0 || c.Pending > c.Patients {
			return measure.EntityResult{}, fmt.Errorf("%s: causes[%d]: %d patients (%d pending) is not within the denominator %d", where, j, c.Patients, c.Pending, e.Denominator)
		}
		en.Causes = append(en.Causes, measure.CauseCount{Code: measure.Code(c.Code), Patients: c.Patients, Pending: c.Pending})
	}
	return en, nil
}

// expectDelim reads one token and wants it to be d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("want %q, found %v", d, tok)
	}
	return nil
}

// eachElem calls f for each element of the array that comes next; f decodes it.
func eachElem(dec *json.Decoder, key string, f func(i int) error) error {
	return eachElemMax(dec, key, -1, f)
}

// eachElemMax is eachElem refusing more than max elements (max < 0: no limit), so that a
// kept list stays bounded however large the file (limits.go).
func eachElemMax(dec *json.Decoder, key string, max int, f func(i int) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil { // null: no elements
		return nil
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("is not an array")
	}
	for i := 0; dec.More(); i++ {
		if max >= 0 && i == max {
			return fmt.Errorf("has more than %d elements, which no mipspi report has", max)
		}
		if err := f(i); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// decodeList reads an array of strings, at most maxListed.
func decodeList(dec *json.Decoder, key string, into *[]string) error {
	*into = nil
	return eachElemMax(dec, key, maxListed, func(int) error {
		var s string
		err := dec.Decode(&s)
		*into = append(*into, s)
		return err
	})
}

// skipValue reads the next value without keeping it: arrays and objects element by
// element, so a huge issue array never sits in memory whole.
func skipValue(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar
	}
	for dec.More() {
		if d == '{' {
			if _, err := dec.Token(); err != nil { // the key
				return err
			}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// notReport words a JSON syntax error or early end as a truncated or invalid file.
func notReport(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return le
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated: the file ends before the report does")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("is not valid JSON at byte %d: %v", se.Offset, err)
	}
	return fmt.Errorf("is not a mipspi JSON report: %v", err)
}

func fieldError(key string, err error) error {
	var le *LimitError
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &le) {
		return notReport(err)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return notReport(err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %q: %s where %s was expected", key, te.Value, te.Type)
	}
	if key == "entities" || key == "patients" {
		return err // their row errors already say which row
	}
	return fmt.Errorf("field %q: %w", key, err)
}

// check refuses a report whose figures cannot be right (SPEC §7: a report whose figures
// do not add up): negative counts, a numerator above its denominator, pending patients
// that are not out, a rate that is not numerator/denominator, a TIN's group figures that
// its clinicians' figures rule out, a row twice.
func (rep *Report) check() error {
	if rep.MeasureID == "" {
		return errors.New("measure_id is empty")
	}
	switch rep.Policy {
	case measure.EveryVisit, measure.AnyVisit:
	default:
		return fmt.Errorf("policy %q is not every-visit or any-visit", rep.Policy)
	}
	switch rep.Release {
	case measure.ReleaseLock, measure.ReleaseSign:
	default:
		return fmt.Errorf("release %q is not lock or sign", rep.Release)
	}
	switch rep.NumeratorActions {
	case measure.ActionsPeriod, measure.ActionsCalendarYear:
	default:
		return fmt.Errorf("numerator_actions %q is not period or calendar-year", rep.NumeratorActions)
	}
	if rep.End < rep.Start {
		return fmt.Errorf("performance_end %s is before performance_start %s", rep.End, rep.Start)
	}
	if err := rep.checkCounts(); err != nil {
		return err
	}
	type key struct{ tin, npi string }
	seen := map[key]bool{}
	type tinSums struct {
		individuals, sumDen, sumNum, maxDen int
		group                               *measure.EntityResult
	}
	tins := map[string]*tinSums{}
	var order []string
	for i := range rep.Entities {
		e := &rep.Entities[i]
		who := "TIN " + e.TIN
		if e.Level == measure.Individual {
			who += " NPI " + e.NPI
		} else {
			who += " (group)"
		}
		k := key{e.TIN, e.NPI}
		if e.Level == measure.Group {
			k.npi = "\x00group"
		}
		if seen[k] {
			return fmt.Errorf("%s appears twice", who)
		}
		seen[k] = true
		for _, v := range []struct {
			name string
			n    int
		}{{"denominator", e.Denominator}, {"numerator", e.Numerator}, {"pending", e.Pending},
			{"numerator_if_notes_locked", e.NumeratorIfNotesLocked}, {"seen_visits", e.SeenVisits},
			{"timely_visits", e.TimelyVisits}, {"pending_visits", e.PendingVisits}} {
			if v.n < 0 {
				return fmt.Errorf("%s: %s %d is negative", who, v.name, v.n)
			}
			if v.n > maxCount {
				return overLimit(who, v.name, v.n)
			}
		}
		if e.Numerator > e.Denominator {
			return fmt.Errorf("%s: numerator %d is greater than denominator %d", who, e.Numerator, e.Denominator)
		}
		if e.Pending > e.Denominator-e.Numerator {
			return fmt.Errorf("%s: %d pending patients but only %d are out of the numerator", who, e.Pending, e.Denominator-e.Numerator)
		}
		if e.NumeratorIfNotesLocked > e.Denominator {
			return fmt.Errorf("%s: numerator_if_notes_locked %d is greater than denominator %d", who, e.NumeratorIfNotesLocked, e.Denominator)
		}
		want := 0.0
		if e.Denominator > 0 {
			want = measure.Round(float64(e.Numerator)/float64(e.Denominator), 4)
		}
		if math.Abs(e.Rate-want) > 0.00005 {
			return fmt.Errorf("%s: rate %v is not numerator/denominator %d/%d", who, e.Rate, e.Numerator, e.Denominator)
		}
		if e.TimelyVisits > e.SeenVisits || e.PendingVisits > e.SeenVisits {
			return fmt.Errorf("%s: more timely or pending visits than seen visits (%d, %d of %d)", who, e.TimelyVisits, e.PendingVisits, e.SeenVisits)
		}
		ts := tins[e.TIN]
		if ts == nil {
			ts = &tinSums{}
			tins[e.TIN] = ts
			order = append(order, e.TIN)
		}
		if e.Level == measure.Group {
			ts.group = e
			continue
		}
		ts.individuals++
		ts.sumDen += e.Denominator
		ts.sumNum += e.Numerator
		ts.maxDen = max(ts.maxDen, e.Denominator)
	}
	// A TIN's group row counts each of its patients once (R2): at least as many as
	// its busiest clinician has, at most all of its clinicians' patients together.
	for _, tin := range order {
		ts := tins[tin]
		if ts.group == nil {
			if ts.individuals > 0 && rep.NPIFilter == "" {
				return fmt.Errorf("TIN %s has clinician rows but no group row", tin)
			}
			continue
		}
		if ts.individuals == 0 {
			continue
		}
		g := ts.group
		if g.Denominator < ts.maxDen || g.Denominator > ts.sumDen || g.Numerator > ts.sumNum {
			return fmt.Errorf("TIN %s (group): %d/%d does not fit its clinicians' figures (at least %d and at most %d patients, at most %d in the numerator)",
				tin, g.Numerator, g.Denominator, ts.maxDen, ts.sumDen, ts.sumNum)
		}
	}
	return nil
}
