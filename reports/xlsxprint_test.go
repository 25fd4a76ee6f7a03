package reports

import (
	"testing"
)

func TestWrappedLines(t *testing.T) {
	for _, c := range []struct {
		s     string
		width int
		want  int
	}{
		{"", 10, 1},
		{"Rate", 10, 1},
		{"Best reachable rate", 10, 3},       // "Best" / "reachable" / "rate"
		{"Numerator if notes locked", 10, 3}, // "Numerator" / "if notes" / "locked"
		{"Numerator if notes locked", 9, 3},  // a word as long as the line fits it
		{"Appointment", 5, 3},                // a longer word breaks where it must
		{"a b c d", 3, 2},                    // "a b" / "c d"
		{"a  b", 3, 1},                       // runs of spaces are one break
		{"x", 0, 1},                          // no width: one character a line
	} {
		if got := wrappedLines(c.s, c.width); got != c.want {
			t.Errorf("wrappedLines(%q, %d) = %d, want %d", c.s, c.width, got, c.want)
		}
	}
}

func TestPrintScale(t *testing.T) {
	page := printWidthPx / charPx // characters of column width on a page at 100%
	for _, c := range []struct {
		name   string
		blocks [][]float64
		want   int
	}{
		{"nothing", nil, 100},
		{"narrow: 100%, never larger", [][]float64{{10, 10}}, 100},
		{"exactly a page: 99% (1% spare)", [][]float64{{page}}, 99},
		{"the widest block decides", [][]float64{{page / 2}, {page / 0.8}}, 79},
		{"too wide: 75%, the rest on the next page", [][]float64{{page * 3}}, minPrintScale},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := printScale(c.blocks...); got != c.want {
				t.Errorf("printScale = %d, want %d", got, c.want)
			}
		})
	}
	// 11-point text at the smallest scale prints at 8 points or more.
	if 11*float64(minPrintScale)/100 < 8 {
		t.Errorf("minPrintScale %d%% prints 11-point text below 8 points", minPrintScale)
	}
}

func TestHeaderHeight(t *testing.T) {
	// "Numerator if notes locked" in a 10.5 column (98 px, 9 bold characters a line):
	// three lines of 15 points and 3 spare.
	if got := headerHeight([]string{"Level", "Numerator if notes locked"}, []float64{10, 10.5}); got != 48 {
		t.Errorf("headerHeight = %v, want 48 (three lines)", got)
	}
	if got := headerHeight([]string{"Level", "TIN"}, []float64{10, 11}); got != 18 {
		t.Errorf("headerHeight = %v, want 18 (one line)", got)
	}
}
