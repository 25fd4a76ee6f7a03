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

	"github.com/mipspi/mipspi/measure"
)

// CSVTables are the tables CSV can write, in the order `--table` documents them.
var CSVTables = []string{"entities", "issues", "patients", "evidence", "trend"}

var (
	entityColumns = []string{"level", "tin", "npi", "clinician", "denominator", "numerator", "rate",
		"pending", "numerator_if_notes_locked", "seen_visits", "timely_visits", "pending_visits",
		// the headline (SPEC §5): pea_points are the whole points CMS awards; the pi_
		// columns are empty without a registry block
		"pea_points", "pea_max_points", "best_reachable_rate", "best_reachable_points",
		"pi_estimated_score", "pi_weighted_score", "pi_zero_reasons",
		"practice_name"} // offices.name of the TIN (issue 17)
	issueColumns = []string{"code", "severity", "tin", "npi", "clinician", "patient_id", "mrn",
		"appointment_id", "visit_date", "deadline", "event_date", "business_days", "fixable",
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
	default:
		return fmt.Errorf("write CSV: unknown table %q (want entities, issues, patients, evidence or trend)", table)
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

func csvEntities(cw *csv.Writer, r *measure.Result, o Options) error {
	cols := entityColumns
	if o.Combined != nil {
		// SPEC §7: a combined report says on every row how its patients were counted.
		cols = append(cols[:len(cols):len(cols)], "method")
	}
	if err := cw.Write(cols); err != nil {
		return err
	}
	for _, h := range headlines(r, o) {
		e := h.Entity
		score, weighted, reasons := "", "", ""
		if h.Est != nil {
			score, weighted = decimal(h.Est.Score, 2), decimal(h.Est.Weighted, 2)
			reasons = strings.Join(reasonCodes(h.Est.ZeroReasons), ";")
		}
		row := []string{
			string(e.Level), safe(e.TIN), safe(e.NPI), safe(e.Clinician), itoa(e.Denominator),
			itoa(e.Numerator), decimal(e.Rate, 4), itoa(e.Pending),
			itoa(e.NumeratorIfNotesLocked), itoa(e.SeenVisits), itoa(e.TimelyVisits), itoa(e.PendingVisits),
			decimal(h.PEA.Points, 2), decimal(h.PEA.MaxPoints, 2), decimal(h.PEA.BestReachableRate, 4),
			decimal(h.PEA.BestReachablePoints, 2), score, weighted, reasons,
			safe(e.PracticeName),
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
	for is := range r.AllIssues() {
		row = row[:0]
		var appt, visit, deadline, days, hasEmail string
		if aboutVisit(is) {
			appt = i64toa(is.AppointmentID)
			visit, deadline, days = is.VisitDate.String(), is.Deadline.String(), itoa(is.BusinessDays)
		}
		if is.Code == measure.NotInvited {
			hasEmail = strconv.FormatBool(is.HasEmail)
		}
		row = append(row, safe(string(is.Code)), safe(string(is.Severity)), safe(is.TIN), safe(is.NPI),
			safe(is.Clinician), idOrEmpty(is.PatientID), safe(is.MRN), appt, visit, deadline,
			optDate(is.EventDate, is.HasEvent), days, strconv.FormatBool(is.Fixable),
			strconv.FormatBool(is.CountsIfLocked), hasEmail, safe(is.Recipient), safe(is.Channel),
			safe(is.Detail()))
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
	for p := range r.AllOutcomes() {
		e, err := outcomeEntity(r, p)
		if err != nil {
			return err
		}
		if err := cw.Write([]string{
			string(e.Level), safe(e.TIN), safe(e.NPI), safe(e.Clinician), i64toa(p.PatientID),
			safe(p.MRN), safe(p.LastName), safe(p.FirstName), optDate(p.BirthDate, p.HasBirthDate),
			strconv.FormatBool(p.InNumerator), strconv.FormatBool(p.Pending), safe(string(p.Reason)),
			itoa(p.SeenVisits), itoa(p.TimelyVisits), p.FirstVisit.String(), p.LastVisit.String(),
		}); err != nil {
			return err
		}
	}
	return nil
}

// CSVCell defuses CSV/formula injection (OWASP): a data cell starting with = + - @ tab
// or CR gets a leading apostrophe, which spreadsheets show as text and never evaluate.
// It is the one guard of every CSV mipspi writes (the report's and the registry's).
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// safe is CSVCell under its old local name.
var safe = CSVCell

func itoa(n int) string     { return strconv.Itoa(n) }
func i64toa(n int64) string { return strconv.FormatInt(n, 10) }
func idOrEmpty(n int64) string {
	if n == 0 {
		return ""
	}
	return i64toa(n)
}
