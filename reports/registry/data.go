package registry

// data.go holds the CMS PI measure list per performance year, embedded so that the
// binary validates offline. See the package doc for provenance and how to regenerate.

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

//go:embed data/pi-measures.json
var piMeasuresJSON []byte

// metric types of PI measures in the CMS measures data.
const (
	metricBoolean    = "boolean"
	metricProportion = "proportion"
)

// measureFile is the layout of data/pi-measures.json.
type measureFile struct {
	Comment string     `json:"comment"`
	Years   []yearData `json:"years"`
}

// yearData is one performance year's PI measures, sorted by id.
type yearData struct {
	PerformanceYear int         `json:"performanceYear"`
	Source          source      `json:"source"`
	Measures        []piMeasure `json:"measures"`
}

// source records where a year's list was extracted from.
type source struct {
	Repo   string `json:"repo"`
	Path   string `json:"path"`
	Commit string `json:"commit"`
}

// measure is the subset of a CMS PI measure record this package uses. Field names are
// those of the CMS measures data (qpp-measures-schema: piMeasure).
type piMeasure struct {
	ID         string `json:"measureId"`
	Title      string `json:"title"`
	MetricType string `json:"metricType"` // boolean | proportion
	// IsRequired: "attesting to the measure is required in order to receive a non-zero
	// PI score" — together with ReportingCategory "required" (bonus PRE/PROD measures
	// carry isRequired too, but only gate their own bonus).
	IsRequired        bool   `json:"isRequired"`
	IsBonus           bool   `json:"isBonus"`
	ReportingCategory string `json:"reportingCategory,omitempty"` // required | bonus | exclusion | ""
	// Exclusion: measures that may be sent instead of this one; never both.
	Exclusion []string `json:"exclusion,omitempty"`
	// Substitutes: measures that can be used instead of this one; never both.
	Substitutes []string `json:"substitutes,omitempty"`
	// Preprod: the PRE (pre-production) and PROD stage measures of a registry measure.
	Preprod []string `json:"preprod,omitempty"`
}

// required reports whether a missing answer for m costs the whole PI score.
func (m piMeasure) required() bool { return m.IsRequired && m.ReportingCategory == "required" }

// yearMeasures is one year's measures indexed by id.
type yearMeasures struct {
	year   int
	byID   map[string]piMeasure
	order  []string            // ids sorted
	parent map[string][]string // PRE/PROD id → the measures listing it in preprod
}

var (
	loadOnce sync.Once
	years    map[int]*yearMeasures
	loadErr  error
)

func loadMeasures() (map[int]*yearMeasures, error) {
	loadOnce.Do(func() {
		var f measureFile
		if err := json.Unmarshal(piMeasuresJSON, &f); err != nil {
			loadErr = fmt.Errorf("read embedded PI measure data: %w", err)
			return
		}
		years = make(map[int]*yearMeasures, len(f.Years))
		for _, y := range f.Years {
			ym := &yearMeasures{year: y.PerformanceYear, byID: make(map[string]piMeasure), parent: make(map[string][]string)}
			for _, m := range y.Measures {
				ym.byID[m.ID] = m
				ym.order = append(ym.order, m.ID)
				for _, p := range m.Preprod {
					ym.parent[p] = append(ym.parent[p], m.ID)
				}
			}
			slices.Sort(ym.order)
			years[y.PerformanceYear] = ym
		}
	})
	return years, loadErr
}

// measuresFor returns the PI measures of a performance year, or nil when the year is
// not embedded.
func measuresFor(year int) *yearMeasures {
	ys, err := loadMeasures()
	if err != nil {
		return nil
	}
	return ys[year]
}

// Years returns the performance years whose CMS PI measure data is embedded, ascending.
func Years() []int {
	ys, _ := loadMeasures()
	out := make([]int, 0, len(ys))
	for y := range ys {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

// title returns the CMS title of a measure, or its id when unknown.
func (ym *yearMeasures) title(id string) string {
	if ym != nil {
		if m, ok := ym.byID[id]; ok && m.Title != "" {
			return m.Title
		}
	}
	return id
}
