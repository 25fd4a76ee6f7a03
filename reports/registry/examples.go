package registry

// examples.go: the values mipspi's own documentation and demo show as examples
// (SPEC §4). A clerk who copies an example configuration must not send CMS its values:
// an example CEHRT ID is a validation error (the export is refused unless --force), an
// example count a warning. A test holds README.md, docs/ and the demo configuration to
// these lists.

import (
	"slices"
	"strings"
)

// ExampleCEHRTIDs are the CMS EHR Certification IDs mipspi's documentation, SPEC and
// demo configuration show.
var ExampleCEHRTIDs = []string{"0015C8BCD1234XY", "0015C8BCD9876ZZ"}

// exampleCounts are the numerator/denominator answers the documentation and the demo
// show, by measure id.
var exampleCounts = map[string][][2]int{
	"PI_EP_1":  {{120, 150}, {80, 95}, {30, 31}},
	"PI_HIE_1": {{40, 50}},
	"PI_HIE_4": {{30, 40}},
}

// IsExampleCEHRTID reports whether id is one of ExampleCEHRTIDs (case and surrounding
// spaces aside).
func IsExampleCEHRTID(id string) bool {
	id = strings.TrimSpace(id)
	return slices.ContainsFunc(ExampleCEHRTIDs, func(x string) bool { return strings.EqualFold(x, id) })
}

// IsExampleCount reports whether a is a numerator/denominator answer the documentation
// shows for measure id.
func IsExampleCount(id string, a Answer) bool {
	if !a.IsRatio() {
		return false
	}
	return slices.Contains(exampleCounts[id], [2]int{*a.Numerator, *a.Denominator})
}
