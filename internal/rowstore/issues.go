package rowstore

// The codec of R10's issue rows (measure.Issue). The strings rows share — code,
// severity, TIN, NPI, clinician, invitation recipient and channel — are stored once
// each; MRN and free text with the row.

import (
	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// Issues returns a store of issue rows.
func Issues(o Options) *Store[measure.Issue] {
	if o.What == "" {
		o.What = "issue rows"
	}
	return New[measure.Issue](&issueCodec{}, o)
}

type issueCodec struct{ strs table }

func (c *issueCodec) Append(b []byte, is *measure.Issue) []byte {
	t := &c.strs
	b = t.append(b, 0, string(is.Code))
	b = t.append(b, 1, string(is.Severity))
	b = t.append(b, 2, is.TIN)
	b = t.append(b, 3, is.NPI)
	b = t.append(b, 4, is.Clinician)
	b = t.append(b, 5, is.Recipient)
	b = t.append(b, 6, is.Channel)
	b = appendText(b, is.MRN)
	b = appendText(b, is.Text)
	for _, v := range [...]int64{is.PatientID, is.AppointmentID, int64(is.VisitDate), int64(is.Deadline),
		int64(is.FixBy), int64(is.EventDate), int64(is.BusinessDays), int64(is.Bound)} {
		b = appendVarint(b, v)
	}
	return appendFlags(b, is.HasEvent, is.Fixable, is.CountsIfLocked, is.HasEmail, is.CalendarYear)
}

func (c *issueCodec) Decode(src []byte) (measure.Issue, error) {
	t := &c.strs
	d := decoder{b: src}
	var is measure.Issue
	is.Code = measure.Code(d.string(t))
	is.Severity = measure.Severity(d.string(t))
	is.TIN = d.string(t)
	is.NPI = d.string(t)
	is.Clinician = d.string(t)
	is.Recipient = d.string(t)
	is.Channel = d.string(t)
	is.MRN = d.text()
	is.Text = d.text()
	is.PatientID = d.varint()
	is.AppointmentID = d.varint()
	is.VisitDate = calendar.Date(d.int32())
	is.Deadline = calendar.Date(d.int32())
	is.FixBy = calendar.Date(d.int32())
	is.EventDate = calendar.Date(d.int32())
	is.BusinessDays = int(d.varint())
	is.Bound = calendar.Date(d.int32())
	d.flags(&is.HasEvent, &is.Fixable, &is.CountsIfLocked, &is.HasEmail, &is.CalendarYear)
	return is, d.done()
}
