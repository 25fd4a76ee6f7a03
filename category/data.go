package category

// data.go holds the CMS PI measure list per performance year, embedded so that the
// estimate and the registry validator work offline. data/pi-measures.json is derived
// from ../shared/reference/qpp-measures-pi-YEAR.json (CMSgov/qpp-measures-data, the
// commit is recorded per year in the file) by TestMeasureDataMatchesReference; rewrite
// it with `go test ./category -run TestMeasureData -update` when a new year is added.

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

//go:embed data/pi-measures.json
var piMeasuresJSON []byte

// Metric types of PI measures in the CMS measures data.
const (
	MetricBoolean    = "boolean"
	MetricProportion = "proportion"
)

// measureFile is the layout of data/pi-measures.json.
type measureFile struct {
	Comment string     `json:"comment"`
	Years   []yearData `json:"years"`
}

// yearData is one performance year's PI measures, sorted by id.
type yearData struct {
	PerformanceYear int       `json:"performanceYear"`
	Source          source    `json:"source"`
	Measures        []Measure `json:"measures"`
}

// source records where a year's list was extracted from.
type source struct {
	Repo   string `json:"repo"`
	Path   string `json:"path"`
	Commit string `json:"commit"`
}

// Measure is the subset of a CMS PI measure record mipspi uses. Field names are those
// of the CMS measures data (qpp-measures-schema: piMeasure).
type Measure struct {
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

// Required reports whether a missing answer for m costs the whole PI score.
func (m Measure) Required() bool { return m.IsRequired && m.ReportingCategory == "required" }

// YearMeasures is one performance year's measures indexed by id.
type YearMeasures struct {
	Year   int
	ByID   map[string]Measure
	Order  []string            // ids sorted
	Parent map[string][]string // PRE/PROD id → the measures listing it in preprod
}

var (
	loadOnce sync.Once
	years    map[int]*YearMeasures
	loadErr  error
)

func loadMeasures() (map[int]*YearMeasures, error) {
	loadOnce.Do(func() {
		var f measureFile
		if err := json.Unmarshal(piMeasuresJSON, &f); err != nil {
			loadErr = fmt.Errorf("read embedded PI measure data: %w", err)
			return
		}
		years = make(map[int]*YearMeasures, len(f.Years))
		for _, y := range f.Years {
			ym := &YearMeasures{Year: y.PerformanceYear, ByID: make(map[string]Measure), Parent: make(map[string][]string)}
			for _, m := range y.Measures {
				ym.ByID[m.ID] = m
				ym.Order = append(ym.Order, m.ID)
				for _, p := range m.Preprod {
					ym.Parent[p] = append(ym.Parent[p], m.ID)
				}
			}
			slices.Sort(ym.Order)
			years[y.PerformanceYear] = ym
		}
	})
	return years, loadErr
}

// MeasuresFor returns the PI measures of a performance year, or nil when the year is
// not embedded. The result is shared: callers must not change it.
func MeasuresFor(year int) *YearMeasures {
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

// Title returns the CMS title of a measure, or its id when unknown.
func (ym *YearMeasures) Title(id string) string {
	if ym != nil {
		if m, ok := ym.ByID[id]; ok && m.Title != "" {
			return m.Title
		}
	}
	return id
}
