package registry

// data.go: the CMS PI measure list per performance year lives in package category
// (a pure package beside measure, which also estimates the category score); the
// registry files and their validation read it from there.

import "github.com/mipspi/mipspi/category"

// measuresFor returns the PI measures of a performance year, or nil when the year is
// not embedded.
func measuresFor(year int) *category.YearMeasures { return category.MeasuresFor(year) }

// Years returns the performance years whose CMS PI measure data is embedded, ascending.
func Years() []int { return category.Years() }
