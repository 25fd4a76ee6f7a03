package rowstore

// The codec of the patient drill-down (measure.Outcome): one row per patient and
// entity. The patient's MRN, names and pseudonym are stored with the row; the reason
// code once in a table.

import (
	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// Outcomes returns a store of drill-down rows.
func Outcomes(o Options) *Store[measure.Outcome] {
	if o.What == "" {
		o.What = "patient drill-down rows"
	}
	return New[measure.Outcome](&outcomeCodec{}, o)
}

type outcomeCodec struct{ strs table }

func (c *outcomeCodec) Append(b []byte, o *measure.Outcome) []byte {
	b = c.strs.append(b, 0, string(o.Reason))
	b = appendText(b, o.MRN)
	b = appendText(b, o.FirstName)
	b = appendText(b, o.LastName)
	b = appendText(b, o.PatientKey)
	for _, v := range [...]int64{int64(o.Entity), o.PatientID, int64(o.BirthDate), int64(o.SeenVisits),
		int64(o.TimelyVisits), int64(o.FirstVisit), int64(o.LastVisit)} {
		b = appendVarint(b, v)
	}
	return appendFlags(b, o.HasBirthDate, o.InNumerator, o.Pending)
}

func (c *outcomeCodec) Decode(src []byte) (measure.Outcome, error) {
	d := decoder{b: src}
	var o measure.Outcome
	o.Reason = measure.Code(d.string(&c.strs))
	o.MRN = d.text()
	o.FirstName = d.text()
	o.LastName = d.text()
	o.PatientKey = d.text()
	o.Entity = int(d.int32())
	o.PatientID = d.varint()
	o.BirthDate = calendar.Date(d.int32())
	o.SeenVisits = int(d.varint())
	o.TimelyVisits = int(d.varint())
	o.FirstVisit = calendar.Date(d.int32())
	o.LastVisit = calendar.Date(d.int32())
	d.flags(&o.HasBirthDate, &o.InNumerator, &o.Pending)
	return o, d.done()
}
