package registry

// csv.go writes the keying sheet: one row per entity with what a registry's web form
// asks for (the Healthmonix MIPSpro manual-entry workflow): the period, how final the
// figures are (SPEC §4), the CEHRT ID, PI_PEA_1's figures with the points CMS awards,
// and the entity's answers for the other measures.

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

// csvHeader names the fixed columns of registry.csv; the answer columns follow.
var csvHeader = []string{"tin", "npi", "clinician", "level", "status", "performance_start", "performance_end",
	"as_of", "cehrt_id", "numerator", "denominator", "rate", "pea_points", "pea_max_points"}

// WriteCSV writes the header and one row per entity that filter keeps, in Result
// order: rate as a fraction with 4 decimals, pea_points the whole points CMS awards
// (SPEC §5), NPI and clinician empty for a group, then one column per answered measure
// (PI_EP_1_numerator and PI_EP_1_denominator for a proportion, PI_PPHI_1 yes or no),
// each entity's own answers (Config.For), empty where it has none.
func WriteCSV(w io.Writer, r *measure.Result, cfg Config, filter EntityFilter) error {
	ents, err := selected(r, filter)
	if err != nil {
		return fmt.Errorf("registry CSV: %w", err)
	}
	return writeCSV(w, r, cfg, ents)
}

// answerColumn is one answer column of the keying sheet.
type answerColumn struct {
	id   string
	part string // "numerator", "denominator" or "" (yes/no)
}

func (c answerColumn) name() string {
	if c.part == "" {
		return c.id
	}
	return c.id + "_" + c.part
}

func (c answerColumn) cell(a Answer, ok bool) string {
	switch {
	case !ok:
		return ""
	case c.part == "" && a.IsBool():
		if *a.Bool {
			return "yes"
		}
		return "no"
	case c.part == "numerator" && a.IsRatio():
		return strconv.Itoa(*a.Numerator)
	case c.part == "denominator" && a.IsRatio():
		return strconv.Itoa(*a.Denominator)
	}
	return ""
}

func writeCSV(w io.Writer, r *measure.Result, cfg Config, ents []measure.EntityResult) error {
	own := make([]Config, len(ents))
	kinds := map[string][2]bool{} // measure id → has a proportion, has a yes/no
	for i, e := range ents {
		own[i], _ = cfg.For(e)
		for id, a := range own[i].Measures {
			if id == measure.MeasureID {
				continue // computed, never taken from the configuration (Validate says so)
			}
			k := kinds[id]
			k[0] = k[0] || a.IsRatio()
			k[1] = k[1] || a.IsBool()
			kinds[id] = k
		}
	}
	ids := make([]string, 0, len(kinds))
	for id := range kinds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var cols []answerColumn
	for _, id := range ids {
		if kinds[id][0] {
			cols = append(cols, answerColumn{id, "numerator"}, answerColumn{id, "denominator"})
		}
		if kinds[id][1] {
			cols = append(cols, answerColumn{id, ""})
		}
	}
	header := slices.Clone(csvHeader)
	for _, c := range cols {
		header = append(header, c.name())
	}

	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write registry CSV header: %w", err)
	}
	st := StatusOf(r)
	start, end, _ := period(r)
	asOf := r.Config.AsOfText() // as given (R9)
	est := estimates(r, cfg, ents)
	for i, e := range ents {
		npi, name := e.NPI, e.Clinician
		if e.Level == measure.Group {
			npi, name = "", ""
		}
		pea := est[i].PEA
		row := []string{
			sanitize.CSVCell(e.TIN), sanitize.CSVCell(npi), sanitize.CSVCell(name), string(e.Level),
			st.String(), start.String(), end.String(), asOf, sanitize.CSVCell(own[i].CEHRTID),
			strconv.Itoa(e.Numerator), strconv.Itoa(e.Denominator),
			strconv.FormatFloat(e.Rate, 'f', 4, 64), wire.Decimal(pea.Points, 2), wire.Decimal(pea.MaxPoints, 2),
		}
		for _, c := range cols {
			a, ok := own[i].Measures[c.id]
			row = append(row, c.cell(a, ok))
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write registry CSV row for %s: %w", entityLabel(e), err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write registry CSV: %w", err)
	}
	return nil
}
