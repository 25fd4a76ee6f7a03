package reports

// CSV tables (RFC 4180 through encoding/csv): entities, issues or the patient drill-down.
// Dates are YYYY-MM-DD, rates decimals (0.7778), booleans true/false. A cell that comes
// from the data and starts with = + - @ tab or CR is prefixed with an apostrophe so a
// spreadsheet opening the file never runs it as a formula (CSV injection).

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

// CSVTables are the tables CSV can write, in the order `--table` documents them.
var CSVTables = []string{"entities", "issues", "patients", "evidence", "trend", "causes"}

var (
	entityColumns = []string{"level", "tin", "npi", "clinician", "denominator", "numerator", "rate",
		"pending", "numerator_if_notes_locked", "seen_visits", "timely_visits", "pending_visits",
		// the headline (SPEC §5): pea_points are the whole points CMS awards; the pi_
		// columns are empty without a registry block
		"pea_points", "pea_max_points", "best_reachable_rate", "best_reachable_points",
		"pi_estimated_score", "pi_weighted_score", "pi_zero_reasons",
		"practice_name"} // offices.name of the TIN (issue 17)
	issueColumns = []string{"code", "severity", "tin", "npi", "clinician", "patient_id", "mrn",
		"appointment_id", "visit_date", "deadline", "fix_by", "event_date", "business_days", "fixable",
		"counts_if_locked", "has_email", "recipient", "channel", "detail"}
	patientColumns = []string{"level", "tin", "npi", "clinician", "patient_id", "mrn", "last_name",
		"first_name", "birth_date", "in_numerator", "pending", "reason", "seen_visits",
		"timely_visits", "first_visit", "last_visit"}
)

// CSV writes one table of the report: "entities", "issues" or "patients".
func CSV(w io.Writer, r *measure.Result, table string, o Options) error {
	if r == nil {
		return fmt.Errorf("write CSV table %q: no result", table)
	}
	cw := csv.NewWriter(w)
	var err error
	switch table {
	case "entities":
		err = csvEntities(cw, r, o)
	case "issues":
		err = csvIssues(cw, r)
	case "patients":
		err = csvPatients(cw, r)
	case "evidence":
		err = csvEvidence(cw, o.Evidence)
	case "trend":
		err = csvTrend(cw, r) // trend.go
	case "causes":
		err = csvCauses(cw, r)
	default:
		return fmt.Errorf("write CSV: unknown table %q (want entities, issues, patients, evidence, trend or causes)", table)
	}
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil {
		return fmt.Errorf("write CSV table %s: %w", table, err)
	}
	return nil
}

var causeColumns = []string{"level", "tin", "npi", "clinician", "denominator", "numerator", "code", "cause",
	"patients", "pending", "share_of_denominator"}

// csvCauses writes one row per entity and cause: the patients the cause keeps out of the
// entity's numerator (measure.EntityResult.Causes), how many of them can still count,
// and their share of the denominator.
func csvCauses(cw *csv.Writer, r *measure.Result) error {
	if err := cw.Write(causeColumns); err != nil {
		return err
	}
	for _, e := range r.Entities {
		for _, c := range e.Causes {
			share := 0.0
			if e.Denominator > 0 {
				share = measure.Round(float64(c.Patients)/float64(e.Denominator), 4)
			}
			if err := cw.Write([]string{string(e.Level), sanitize.CSVCell(e.TIN), sanitize.CSVCell(e.NPI), sanitize.CSVCell(e.Clinician),
				itoa(e.Denominator), itoa(e.Numerator), string(c.Code), measure.CauseText(c.Code), itoa(c.Patients), itoa(c.Pending),
				wire.Decimal(share, 4)}); err != nil {
				return err
			}
		}
	}
	return nil
}

func csvEntities(cw *csv.Writer, r *measure.Result, o Options) error {
	cols := entityColumns
	if o.Combined != nil {
		// SPEC §7: a combined report says on every row how its patients were counted.
		cols = append(cols[:len(cols):len(cols)], "method")
	}
	if err := cw.Write(cols); err != nil {
		return err
	}
	for _, h := range newModel(r, o).heads {
		e := h.Entity
		score, weighted, reasons := "", "", ""
		if h.Est != nil {
			score, weighted = wire.Decimal(h.Est.Score, 2), wire.Decimal(h.Est.Weighted, 2)
			reasons = strings.Join(reasonCodes(h.Est.ZeroReasons), ";")
		}
		row := []string{
			string(e.Level), sanitize.CSVCell(e.TIN), sanitize.CSVCell(e.NPI), sanitize.CSVCell(e.Clinician), itoa(e.Denominator),
			itoa(e.Numerator), wire.Decimal(e.Rate, 4), itoa(e.Pending),
			itoa(e.NumeratorIfNotesLocked), itoa(e.SeenVisits), itoa(e.TimelyVisits), itoa(e.PendingVisits),
			wire.Decimal(h.PEA.Points, 2), wire.Decimal(h.PEA.MaxPoints, 2), wire.Decimal(h.PEA.BestReachableRate, 4),
			wire.Decimal(h.PEA.BestReachablePoints, 2), score, weighted, reasons,
			sanitize.CSVCell(e.PracticeName),
		}
		if o.Combined != nil {
			row = append(row, o.Combined.Method)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	return nil
}

func csvIssues(cw *csv.Writer, r *measure.Result) error {
	if err := cw.Write(issueColumns); err != nil {
		return err
	}
	row := make([]string, len(issueColumns))
	for is, err := range r.AllIssues() {
		if err != nil {
			return err
		}
		row = row[:0]
		var appt, visit, deadline, fixBy, days, hasEmail string
		if aboutVisit(is) {
			appt = i64toa(is.AppointmentID)
			visit, deadline, days = is.VisitDate.String(), is.Deadline.String(), itoa(is.BusinessDays)
			fixBy = lockBy(is).String() // R9: what people read as "lock by"
		}
		if is.Code == measure.NotInvited {
			hasEmail = strconv.FormatBool(is.HasEmail)
		}
		row = append(row, sanitize.CSVCell(string(is.Code)), sanitize.CSVCell(string(is.Severity)), sanitize.CSVCell(is.TIN), sanitize.CSVCell(is.NPI),
			sanitize.CSVCell(is.Clinician), idOrEmpty(is.PatientID), sanitize.CSVCell(is.MRN), appt, visit, deadline, fixBy,
			optDate(is.EventDate, is.HasEvent), days, strconv.FormatBool(is.Fixable),
			strconv.FormatBool(is.CountsIfLocked), hasEmail, sanitize.CSVCell(is.Recipient), sanitize.CSVCell(is.Channel),
			sanitize.CSVCell(is.Detail()))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	return nil
}

func csvPatients(cw *csv.Writer, r *measure.Result) error {
	if err := cw.Write(patientColumns); err != nil {
		return err
	}
	for p, err := range outcomes(r) {
		if err != nil {
			return err
		}
		e := p.e
		if err := cw.Write([]string{
			string(e.Level), sanitize.CSVCell(e.TIN), sanitize.CSVCell(e.NPI), sanitize.CSVCell(e.Clinician), i64toa(p.PatientID),
			sanitize.CSVCell(p.MRN), sanitize.CSVCell(p.LastName), sanitize.CSVCell(p.FirstName), optDate(p.BirthDate, p.HasBirthDate),
			strconv.FormatBool(p.InNumerator), strconv.FormatBool(p.Pending), sanitize.CSVCell(string(p.Reason)),
			itoa(p.SeenVisits), itoa(p.TimelyVisits), p.FirstVisit.String(), p.LastVisit.String(),
		}); err != nil {
			return err
		}
	}
	return nil
}

func itoa(n int) string     { return strconv.Itoa(n) }
func i64toa(n int64) string { return strconv.FormatInt(n, 10) }
func idOrEmpty(n int64) string {
	if n == 0 {
		return ""
	}
	return i64toa(n)
}
