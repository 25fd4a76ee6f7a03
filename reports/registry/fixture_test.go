package registry

import (
	"time"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// twoTIN is a hand-built result: two TINs, three clinicians, a group row per TIN, in
// the engine's order (by TIN, individuals by NPI, then the group).
func twoTIN() *measure.Result {
	ind := func(tin, npi, name string, num, den int) measure.EntityResult {
		return entity(measure.Individual, tin, npi, name, num, den)
	}
	return &measure.Result{
		MeasureID: measure.MeasureID,
		Config: measure.Config{
			Start: calendar.MustParseDate("2025-01-01"),
			End:   calendar.MustParseDate("2025-12-31"),
			AsOf:  time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC),
		},
		PerformanceYear: 2025,
		Entities: []measure.EntityResult{
			ind("123456789", "1234567893", "Philips, Trevor", 600, 800),
			ind("123456789", "2345678900", `O'Brien & <Sons>, "Ann"`, 7, 9),
			entity(measure.Group, "123456789", "", "", 605, 806),
			ind("987654321", "3456789015", "=Cmd, Eve", 1, 3),
			entity(measure.Group, "987654321", "", "", 1, 3),
		},
	}
}

func entity(level measure.Level, tin, npi, name string, num, den int) measure.EntityResult {
	e := measure.EntityResult{
		Entity:      measure.Entity{Level: level, TIN: tin, NPI: npi, Clinician: name},
		Numerator:   num,
		Denominator: den,
	}
	if den > 0 {
		exact := float64(num) / float64(den)
		e.Rate = float64(int(exact*10000+0.5)) / 10000
		e.Points = float64(int(exact*25*100+0.5)) / 100
	}
	return e
}

// fullConfig answers every PI measure a 2025 submission needs, practice-wide, so that
// the fixture's group files validate without a problem (withOwnCounts adds the
// clinicians' own counts the individual files need).
func fullConfig() Config {
	return Config{
		CEHRTID: "0015CAB12CD34EF",
		Measures: map[string]Answer{
			"PI_EP_1":     Ratio(118, 151),
			"PI_EP_2":     Attest(true),
			"PI_HIE_1":    Ratio(40, 52),
			"PI_HIE_4":    Ratio(0, 0),
			"PI_INFBLO_1": Attest(true),
			"PI_ONCDIR_1": Attest(true),
			"PI_PHCDRR_1": Attest(true),
			"PI_PHCDRR_3": Attest(true),
			"PI_PPHI_1":   Attest(true),
			"PI_PPHI_2":   Attest(false),
			"PI_ONCACB_1": Attest(true),
		},
	}
}

// withOwnCounts adds each clinician's own proportion answers of the twoTIN fixture to c
// (SPEC §4 registry.tins.TIN.npis), so that no individual file carries the practice's.
func withOwnCounts(c Config) Config {
	own := func(ep, hie1, hie4 [2]int) NPIConfig {
		return NPIConfig{Measures: map[string]Answer{
			"PI_EP_1":  Ratio(ep[0], ep[1]),
			"PI_HIE_1": Ratio(hie1[0], hie1[1]),
			"PI_HIE_4": Ratio(hie4[0], hie4[1]),
		}}
	}
	c.TINs = map[string]TINConfig{
		"123456789": {NPIs: map[string]NPIConfig{
			"1234567893": own([2]int{70, 90}, [2]int{20, 26}, [2]int{3, 4}),
			"2345678900": own([2]int{48, 61}, [2]int{20, 26}, [2]int{2, 5}),
		}},
		"987654321": {NPIs: map[string]NPIConfig{
			"3456789015": own([2]int{5, 7}, [2]int{1, 2}, [2]int{1, 1}),
		}},
	}
	return c
}
