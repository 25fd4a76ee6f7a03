package registry

// csv.go writes the keying sheet: one row per entity with what a registry's web form
// asks for (the Healthmonix MIPSpro manual-entry workflow).

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/mipspi/mipspi/internal/sanitize"
	"github.com/mipspi/mipspi/measure"
)

// csvHeader names the columns of registry.csv.
var csvHeader = []string{"tin", "npi", "clinician", "level", "numerator", "denominator", "rate", "points"}

// WriteCSV writes the header and one row per entity that filter keeps, in Result
// order: rate as a fraction with 4 decimals, points with 2; NPI and clinician empty
// for a group.
func WriteCSV(w io.Writer, r *measure.Result, filter EntityFilter) error {
	ents, err := selected(r, filter)
	if err != nil {
		return fmt.Errorf("registry CSV: %w", err)
	}
	return writeCSV(w, ents)
}

func writeCSV(w io.Writer, ents []measure.EntityResult) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write registry CSV header: %w", err)
	}
	for _, e := range ents {
		npi, name := e.NPI, e.Clinician
		if e.Level == measure.Group {
			npi, name = "", ""
		}
		row := []string{
			sanitize.CSVCell(e.TIN), sanitize.CSVCell(npi), sanitize.CSVCell(name), string(e.Level),
			strconv.Itoa(e.Numerator), strconv.Itoa(e.Denominator),
			strconv.FormatFloat(e.Rate, 'f', 4, 64), strconv.FormatFloat(e.Points, 'f', 2, 64),
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
