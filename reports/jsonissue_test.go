package reports

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/reports/wire"
)

func TestAppendIssueJSONMatchesEncodingJSON(t *testing.T) {
	id, appt, days, neg := int64(42), int64(9001), 3, -2
	yes, no := true, false
	visit, deadline := "2025-03-03", "2025-03-07"
	tests := []struct {
		name string
		j    wire.Issue
	}{
		{"empty row", wire.Issue{}},
		{"visit row", wire.Issue{Code: "NOTE_LOCKED_LATE", Severity: "error", TIN: "123456789", NPI: "1234567893",
			Clinician: "Dr. Ann O'Neil", PatientID: &id, MRN: "M-1", AppointmentID: &appt, VisitDate: &visit,
			Deadline: &deadline, Fixable: true, Detail: "note locked 2025-03-10, 1 business day late",
			EventDate: "2025-03-10", BusinessDays: &days, CountsIfLocked: true}},
		{"not invited with email flag", wire.Issue{Code: "NOT_INVITED", Severity: "error", PatientID: &id,
			AppointmentID: &appt, VisitDate: &visit, Deadline: &deadline, BusinessDays: &neg, HasEmail: &no}},
		{"invited late, recipient and channel", wire.Issue{Code: "INVITED_LATE", HasEmail: &yes,
			Recipient: "proxy", Channel: "sms"}},
		{"strings needing escapes", wire.Issue{Code: "INVALID_EMAIL", Detail: "quote \" backslash \\ tab \t nl \n",
			Text: "<script>&amp;</script>", MRN: "é ünïcode", Clinician: "bad \xff utf8", TIN: "\u2028sep\u2029",
			NPI: "ctl \x01\x1f del \x7f"}},
	}
	tests = append(tests, struct {
		name string
		j    wire.Issue
	}{"every field set (a field added to wire.Issue must be added to appendIssueJSON)", everyFieldSet(t)})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// What encoding/json writes for the row as an element of the report's issues array.
			doc := struct {
				Issues []wire.Issue `json:"issues"`
			}{[]wire.Issue{tc.j}}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(doc); err != nil {
				t.Fatal(err)
			}
			got := "{\n  \"issues\": [\n    " + string(appendIssueJSON(nil, &tc.j, "    ")) + "\n  ]\n}\n"
			if diff := cmp.Diff(want.String(), got); diff != "" {
				t.Errorf("appendIssueJSON differs from encoding/json (-want +got):\n%s", diff)
			}
		})
	}
}

// everyFieldSet returns a wire.Issue with every field non-zero, found by reflection.
func everyFieldSet(t *testing.T) wire.Issue {
	t.Helper()
	var j wire.Issue
	v := reflect.ValueOf(&j).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.String:
			f.SetString("v" + strconv.Itoa(i))
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(i))
		case reflect.Pointer:
			p := reflect.New(f.Type().Elem())
			switch p.Elem().Kind() {
			case reflect.String:
				p.Elem().SetString("p" + strconv.Itoa(i))
			case reflect.Bool:
				p.Elem().SetBool(true)
			case reflect.Int, reflect.Int64:
				p.Elem().SetInt(int64(100 + i))
			default:
				t.Fatalf("wire.Issue.%s: pointer to %s not handled by this test", v.Type().Field(i).Name, p.Elem().Kind())
			}
			f.Set(p)
		default:
			t.Fatalf("wire.Issue.%s: kind %s not handled by this test", v.Type().Field(i).Name, f.Kind())
		}
	}
	return j
}
