package rowstore

import (
	"reflect"
	"testing"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// Every field of an issue row and of an outcome reads back as written, at the edges of
// their ranges, and a row cut anywhere is an error, not a panic.
func TestCodecsRoundTrip(t *testing.T) {
	issues := []measure.Issue{
		{},
		{Code: measure.NoteLockedLate, Severity: measure.SeverityError, TIN: "123456789", NPI: "1234567893",
			Clinician: "Avery, Ann", PatientID: 17, MRN: "MRN-17", AppointmentID: 311,
			VisitDate: calendar.MustParseDate("2025-03-03"), Deadline: calendar.MustParseDate("2025-03-07"),
			FixBy: calendar.MustParseDate("2025-03-07"), EventDate: calendar.MustParseDate("2025-03-12"),
			HasEvent: true, BusinessDays: 3},
		{Code: measure.AccessAfterPeriod, PatientID: -1 << 63, AppointmentID: 1<<63 - 1, VisitDate: -1 << 31,
			Deadline: 1<<31 - 1, BusinessDays: -5, Fixable: true, CountsIfLocked: true, HasEmail: true,
			Bound: calendar.MustParseDate("2025-12-31"), CalendarYear: true, Recipient: "representative", Channel: "printed",
			Text: "\x00\u202e<&>\"'\xff", MRN: string(make([]byte, 70000))},
	}
	ic := &issueCodec{}
	for _, want := range issues {
		b := ic.Append(nil, &want)
		got, err := ic.Decode(b)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("issue %+v read back as %+v, %v", want, got, err)
		}
		for cut := 0; cut < len(b); cut++ {
			if _, err := ic.Decode(b[:cut]); err == nil {
				t.Fatalf("issue cut at %d of %d bytes decoded", cut, len(b))
			}
		}
		if _, err := ic.Decode(append(b, 0)); err == nil {
			t.Errorf("issue with a byte too many decoded")
		}
	}
	outcomes := []measure.Outcome{
		{},
		{Entity: 3, PatientID: 42, MRN: "M42", FirstName: "Zoë", LastName: "O'Neil", BirthDate: calendar.MustParseDate("1961-02-03"),
			HasBirthDate: true, InNumerator: true, SeenVisits: 4, TimelyVisits: 4,
			FirstVisit: calendar.MustParseDate("2025-01-02"), LastVisit: calendar.MustParseDate("2025-12-30"), PatientKey: "anon-0011223344556677"},
		{Entity: -1, PatientID: -7, Pending: true, Reason: measure.NotInvited, SeenVisits: 1 << 30},
	}
	oc := &outcomeCodec{}
	for _, want := range outcomes {
		b := oc.Append(nil, &want)
		got, err := oc.Decode(b)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("outcome %+v read back as %+v, %v", want, got, err)
		}
		for cut := 0; cut < len(b); cut++ {
			if _, err := oc.Decode(b[:cut]); err == nil {
				t.Fatalf("outcome cut at %d of %d bytes decoded", cut, len(b))
			}
		}
	}
}

// Arbitrary bytes given to the codecs are an error or a row, never a panic.
func FuzzDecode(f *testing.F) {
	ic, oc := &issueCodec{}, &outcomeCodec{}
	is := measure.Issue{Code: measure.NotInvited, TIN: "1", MRN: "m", VisitDate: 20000}
	o := measure.Outcome{Entity: 1, MRN: "m", Reason: measure.NoteMissing}
	f.Add(ic.Append(nil, &is))
	f.Add(oc.Append(nil, &o))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		ic.Decode(b)
		oc.Decode(b)
		memRecord(b)
	})
}
