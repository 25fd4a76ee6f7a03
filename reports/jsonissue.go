package reports

import (
	"encoding/json"
	"strconv"

	"github.com/mipspi/mipspi/reports/wire"
)

// appendIssueJSON appends j as encoding/json would write it inside the report's
// "issues" array (prefix = the array element's indent): the same keys, order, omitempty
// and escaping, without reflection or a second indenting pass. Issue rows are most of a
// large report; TestAppendIssueJSONMatchesEncodingJSON holds it to encoding/json,
// field by field.
func appendIssueJSON(dst []byte, j *wire.Issue, prefix string) []byte {
	first := true
	key := func(k string) {
		if first {
			dst = append(dst, "{\n"...)
			first = false
		} else {
			dst = append(dst, ",\n"...)
		}
		dst = append(dst, prefix...)
		dst = append(dst, `  "`...)
		dst = append(dst, k...)
		dst = append(dst, `": `...)
	}
	str := func(k, v string) { key(k); dst = appendJSONString(dst, v) }
	optStr := func(k, v string) {
		if v != "" {
			str(k, v)
		}
	}
	boolean := func(k string, v bool) { key(k); dst = strconv.AppendBool(dst, v) }
	str("code", j.Code)
	str("severity", j.Severity)
	str("tin", j.TIN)
	str("npi", j.NPI)
	optStr("clinician", j.Clinician)
	key("patient_id")
	if j.PatientID == nil {
		dst = append(dst, "null"...)
	} else {
		dst = strconv.AppendInt(dst, *j.PatientID, 10)
	}
	optStr("mrn", j.MRN)
	key("appointment_id")
	if j.AppointmentID == nil {
		dst = append(dst, "null"...)
	} else {
		dst = strconv.AppendInt(dst, *j.AppointmentID, 10)
	}
	for _, f := range [...]struct {
		k string
		v *string
	}{{"visit_date", j.VisitDate}, {"deadline", j.Deadline}} {
		key(f.k)
		if f.v == nil {
			dst = append(dst, "null"...)
		} else {
			dst = appendJSONString(dst, *f.v)
		}
	}
	optStr("fix_by", j.FixBy)
	boolean("fixable", j.Fixable)
	str("detail", j.Detail)
	optStr("event_date", j.EventDate)
	if j.BusinessDays != nil {
		key("business_days")
		dst = strconv.AppendInt(dst, int64(*j.BusinessDays), 10)
	}
	boolean("counts_if_locked", j.CountsIfLocked)
	if j.HasEmail != nil {
		boolean("has_email", *j.HasEmail)
	}
	optStr("recipient", j.Recipient)
	optStr("channel", j.Channel)
	optStr("text", j.Text)
	dst = append(dst, '\n')
	dst = append(dst, prefix...)
	return append(dst, '}')
}

// appendJSONString appends s quoted as encoding/json does (HTML-escaped): plain
// printable ASCII is copied, anything else goes through encoding/json.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, err := json.Marshal(s)
			if err != nil { // cannot happen for a string
				return append(dst, `""`...)
			}
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
