package registry

// entries.go: what each exported file carries, entity by entity, for the export's
// manifest (SPEC §4): an auditor reads there which entity a file is for, its PI_PEA_1
// figures and the points CMS awards, and where in the configuration each answer came
// from.

import (
	"slices"

	"github.com/mipspi/mipspi/measure"
)

// Entry is one entity of an exported file.
type Entry struct {
	File         string  `json:"-"` // FileName of the entity in the export's format
	Level        string  `json:"level"`
	TIN          string  `json:"tin"`
	NPI          string  `json:"npi,omitempty"`
	Clinician    string  `json:"clinician,omitempty"`
	Numerator    int     `json:"numerator"`
	Denominator  int     `json:"denominator"`
	Rate         float64 `json:"rate"`
	PEAPoints    float64 `json:"pea_points"` // the whole points CMS awards (SPEC §5)
	PEAMaxPoints float64 `json:"pea_max_points"`
	CEHRTID      string  `json:"cehrt_id"`
	// CEHRTIDFrom is the configuration key the CEHRT ID was read from:
	// "registry.cehrt_id" or "registry.tins.TIN.cehrt_id".
	CEHRTIDFrom string        `json:"cehrt_id_from"`
	Answers     []EntryAnswer `json:"answers"` // by measure id
}

// EntryAnswer is one answer a file carries and the configuration key it was read from
// ("registry.measures", "registry.tins.TIN.measures" or
// "registry.tins.TIN.npis.NPI.measures").
type EntryAnswer struct {
	MeasureID string `json:"measure_id"`
	Value     any    `json:"value"` // true/false, or {"numerator": N, "denominator": D}
	From      string `json:"from"`
}

// Entries returns what the files of format f carry for the entities filter keeps, in
// Result order.
func Entries(r *measure.Result, cfg Config, f Format, filter EntityFilter) ([]Entry, error) {
	ents, err := selected(r, filter)
	if err != nil {
		return nil, err
	}
	est := estimates(r, cfg, ents)
	out := make([]Entry, 0, len(ents))
	for i, e := range ents {
		own, res := cfg.For(e)
		pea := est[i].PEA
		en := Entry{
			File: FileName(f, e), Level: string(e.Level), TIN: e.TIN, NPI: e.NPI, Clinician: e.Clinician,
			Numerator: e.Numerator, Denominator: e.Denominator, Rate: e.Rate,
			PEAPoints: pea.Points, PEAMaxPoints: pea.MaxPoints,
			CEHRTID: own.CEHRTID, CEHRTIDFrom: res.CEHRTIDFrom.Path() + ".cehrt_id",
			Answers: []EntryAnswer{},
		}
		if e.Level == measure.Group {
			en.NPI, en.Clinician = "", ""
		}
		ids := make([]string, 0, len(own.Measures))
		for id := range own.Measures {
			if id != measure.MeasureID {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			a := own.Measures[id]
			var v any
			switch {
			case a.IsBool():
				v = *a.Bool
			case a.IsRatio():
				v = qppRatio{*a.Numerator, *a.Denominator}
			}
			en.Answers = append(en.Answers, EntryAnswer{MeasureID: id, Value: v, From: res.From[id].Path() + ".measures"})
		}
		out = append(out, en)
	}
	return out, nil
}
