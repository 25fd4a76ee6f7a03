package registry

// qpp.go writes a QPP Submissions API submission (the CMS JSON format; example and
// derived schema in ../shared/reference) carrying one PI measurement set.

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mipspi/mipspi/measure"
)

// qppSubmission is a submission in the field order of the QPP docs' example.
type qppSubmission struct {
	EntityType      string              `json:"entityType"`
	TIN             string              `json:"taxpayerIdentificationNumber"`
	NPI             string              `json:"nationalProviderIdentifier,omitempty"` // individual only
	PerformanceYear int                 `json:"performanceYear"`
	MeasurementSets []qppMeasurementSet `json:"measurementSets"`
}

type qppMeasurementSet struct {
	Category         string           `json:"category"`
	SubmissionMethod string           `json:"submissionMethod"`
	PerformanceStart string           `json:"performanceStart"`
	PerformanceEnd   string           `json:"performanceEnd"`
	CEHRTID          string           `json:"cehrtId"`
	Measurements     []qppMeasurement `json:"measurements"`
}

// qppMeasurement's Value is a bool for a boolean measure and a qppRatio for a
// proportion measure (derived schema, piMeasurement.value).
type qppMeasurement struct {
	MeasureID string `json:"measureId"`
	Value     any    `json:"value"`
}

type qppRatio struct {
	Numerator   int `json:"numerator"`
	Denominator int `json:"denominator"`
}

// measurements returns PI_PEA_1 with the entity's figures plus every configured answer,
// sorted by measure id (so PI_PEA_1 sits among the others in id order).
func measurements(e measure.EntityResult, cfg Config) ([]qppMeasurement, error) {
	out := []qppMeasurement{{MeasureID: measure.MeasureID, Value: qppRatio{e.Numerator, e.Denominator}}}
	for id, a := range cfg.Measures {
		if id == measure.MeasureID {
			continue // computed, never taken from the configuration (Validate says so)
		}
		switch {
		case a.IsBool():
			out = append(out, qppMeasurement{MeasureID: id, Value: *a.Bool})
		case a.IsRatio():
			out = append(out, qppMeasurement{MeasureID: id, Value: qppRatio{*a.Numerator, *a.Denominator}})
		default:
			return nil, fmt.Errorf("registry.measures.%s: want exactly one of true/false or {numerator, denominator}", id)
		}
	}
	slices.SortFunc(out, func(a, b qppMeasurement) int { return strings.Compare(a.MeasureID, b.MeasureID) })
	return out, nil
}

// WriteQPP writes e's QPP submission as JSON: 2-space indent, fixed key order,
// measurements sorted by id, trailing newline. The submission method is "registry"
// (non-QRDA data, per the QPP docs). The CEHRT ID and the answers are e's own
// (Config.For).
func WriteQPP(w io.Writer, r *measure.Result, e measure.EntityResult, cfg Config) error {
	cfg, _ = cfg.For(e)
	ms, err := measurements(e, cfg)
	if err != nil {
		return err
	}
	start, end, year := period(r)
	sub := qppSubmission{
		EntityType:      string(e.Level),
		TIN:             e.TIN,
		PerformanceYear: year,
		MeasurementSets: []qppMeasurementSet{{
			Category:         "pi",
			SubmissionMethod: "registry",
			PerformanceStart: start.String(),
			PerformanceEnd:   end.String(),
			CEHRTID:          cfg.CEHRTID,
			Measurements:     ms,
		}},
	}
	if e.Level == measure.Individual {
		sub.NPI = e.NPI
	}
	b, err := json.MarshalIndent(sub, "", "  ")
	if err != nil {
		return fmt.Errorf("encode QPP submission: %w", err)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write QPP submission: %w", err)
	}
	return nil
}
