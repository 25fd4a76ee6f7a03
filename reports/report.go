package reports

// The report model: what every format renders of one run, computed once per report —
// the run facts (configuration with defaults, measure id, the as-of instant in the
// offices' zones, the business calendar applied, the seen set), the headline with the
// whole-category estimate of each entity (SPEC §5), and, for the formats that show
// them, the clinicians' worklist and the issue counts by code. Each encoder builds one
// model and renders it; none computes a figure another part of the model has.

import (
	"github.com/mipspi/mipspi/measure"
	"github.com/mipspi/mipspi/reports/wire"
)

type model struct {
	r *measure.Result
	o Options

	cfg       measure.Config   // the configuration with SPEC defaults filled (never an empty policy)
	id        string           // the measure's id (its own for results made by hand)
	asOf      string           // the as-of instant in the offices' zones, as people read it
	asOfZones []wire.LocalAsOf // the same per zone, as the JSON writes it
	cal       calendarInfo     // the business calendar applied (R3)
	seen      []string         // the effective seen set (R1)
	heads     []headline       // per entity, in Result order
	ordered   []headline       // the same, the APM Entity and the groups first

	wl    *measure.Worklist // worklist(), once asked for
	codes []codeCount       // codeCounts(), once asked for
	done  bool              // codes counted
}

func newModel(r *measure.Result, o Options) *model {
	m := &model{r: r, o: o, cfg: r.Config.WithDefaults(), id: r.MeasureID, cal: calendarOf(r), seen: seenStatuses(r)}
	if m.id == "" {
		m.id = measure.MeasureID
	}
	m.asOf = asOfLocal(r, m.cfg)
	m.asOfZones = jsonAsOfLocal(r, m.cfg)
	m.heads = headlines(r, o)
	m.ordered = headlineOrder(m.heads)
	return m
}

// worklist is the clinicians' worklist of every clinician (Result.Worklist).
func (m *model) worklist() (measure.Worklist, error) {
	if m.wl == nil {
		wl, err := m.r.Worklist("")
		if err != nil {
			return measure.Worklist{}, err
		}
		m.wl = &wl
	}
	return *m.wl, nil
}

// codeCounts are the issue rows counted by code (countByCode).
func (m *model) codeCounts() ([]codeCount, error) {
	if !m.done {
		codes, err := countByCode(m.r)
		if err != nil {
			return nil, err
		}
		m.codes, m.done = codes, true
	}
	return m.codes, nil
}
