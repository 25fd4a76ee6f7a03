package category

// points.go: how many points each scored PI measure is worth per performance year
// (SPEC §5; ../shared/reference/pi-scoring.md). The CMS measures data says which
// measures exist and which replace each other, not their points: those come from this
// table, and the table's status travels with every figure that rests on it.

import "fmt"

// Measure ids the scoring treats by name.
const (
	PEA1    = "PI_PEA_1"    // Provide Patients Electronic Access (computed by measure)
	EP1     = "PI_EP_1"     // e-Prescribing
	EP2     = "PI_EP_2"     // Query of the PDMP
	HIE1    = "PI_HIE_1"    // referral loops: sending
	HIE4    = "PI_HIE_4"    // referral loops: receiving and reconciling
	HIE5    = "PI_HIE_5"    // HIE bi-directional exchange
	HIE6    = "PI_HIE_6"    // TEFCA
	PHImmun = "PI_PHCDRR_1" // immunization registry reporting
	PHCase  = "PI_PHCDRR_3" // electronic case reporting
	PHTEFCA = "PI_PHCDRR_6" // public health via TEFCA (bonus from 2026)
	SRA     = "PI_PPHI_1"   // security risk analysis
	SAFER   = "PI_PPHI_2"   // SAFER guides
	INFBLO  = "PI_INFBLO_1" // actions to limit or restrict compatibility of CEHRT
	ONCDIR  = "PI_ONCDIR_1" // ONC direct review
	lvpp    = "PI_LVPP_1"   // e-Prescribing exclusion
	maxCat  = 100.0         // the category cap
	bonusMx = 5.0           // the bonus never exceeds 5 points
	weight  = 0.25          // the MIPS weight of the PI category
	minPts  = 1.0           // mipsMinimumScore of a proportion measure with numerator ≥ 1
)

// Attestations are the required yes answers that carry no points (pi-scoring.md:
// verified). A missing or "no" answer zeroes the category.
var Attestations = []string{SRA, SAFER, INFBLO, ONCDIR}

// yearPoints is one performance year's points per scored measure.
type yearPoints struct {
	points map[string]float64 // full points of each scored measure
	bonus  float64            // points of one bonus measure answered yes
	// unverified, when set, is why the whole table is not a checked fact for the year.
	unverified string
}

// points2023 is the table of pi-scoring.md for 2023–2026 (secondary sources). Public
// health is 25 points for the two measures together, 12.5 each: CMS's published 12 + 12
// are truncated displays.
var points2023 = map[string]float64{
	EP1: 10, EP2: 10,
	HIE1: 15, HIE4: 15, HIE5: 30, HIE6: 30,
	PEA1:    25,
	PHImmun: 12.5, PHCase: 12.5,
}

// points2022: PI_PEA_1 is worth 40 up to 2022 (SPEC §2); the rest of the 2022 table is
// recalled (e-Prescribing 10, each referral-loop measure 20, bi-directional exchange
// 40, public health 10), not read in a CMS source.
var points2022 = map[string]float64{
	EP1:  10,
	HIE1: 20, HIE4: 20, HIE5: 40,
	PEA1:    40,
	PHImmun: 5, PHCase: 5,
}

// pointsFor returns the points table of a performance year.
func pointsFor(year int) yearPoints {
	switch {
	case year <= 2022:
		return yearPoints{points: points2022, bonus: 5,
			unverified: fmt.Sprintf("the %d measure points other than PI_PEA_1's 40 are recalled from the PI User Guide of that year, not read in a CMS source", year)}
	case year <= 2026:
		return yearPoints{points: points2023, bonus: 5}
	default:
		return yearPoints{points: points2023, bonus: 5,
			unverified: fmt.Sprintf("the %d measure points are assumed to be those of 2026: no CMS source for %d was read", year, year)}
	}
}

// PEAMaxPoints is PI_PEA_1's full points in a performance year before any
// redistribution: 40 up to 2022, 25 from 2023 (SPEC §2).
func PEAMaxPoints(year int) float64 { return pointsFor(year).points[PEA1] }
