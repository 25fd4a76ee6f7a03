package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOnePointsFigure (SPEC §5): every format people read gives an entity's PI_PEA_1
// points as the whole number CMS awards, the JSON's pea_points, with the points
// redistributed to PI_PEA_1 and without; the unrounded rate × maximum is in none of the
// table, the CSV or the HTML.
func TestOnePointsFigure(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{{"no registry block", testOptions}, {"PI_PEA_1 worth 50", func() Options { o := testOptions; o.Registry = registryAnswers(); return o }()}} {
		t.Run(tc.name, func(t *testing.T) {
			r := fullYear()
			var js bytes.Buffer
			if err := JSON(&js, r, tc.opts); err != nil {
				t.Fatal(err)
			}
			var rep struct {
				Entities []struct {
					PEAPoints    float64 `json:"pea_points"`
					PEAMaxPoints float64 `json:"pea_max_points"`
				} `json:"entities"`
			}
			if err := json.Unmarshal(js.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, e := range rep.Entities {
				if e.PEAPoints != float64(int(e.PEAPoints)) {
					t.Errorf("pea_points %g is not a whole number", e.PEAPoints)
				}
				want = append(want, points(e.PEAPoints)+" of "+points(e.PEAMaxPoints))
			}

			var tb bytes.Buffer
			if err := Table(&tb, r, tc.opts); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range regexp.MustCompile(`(?m)^  \S+ .*\d+/\d+ +\S+% +\d+ +(\d+ of \d+)$`).FindAllStringSubmatch(tb.String(), -1) {
				got = append(got, m[1])
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("table PEA POINTS (-json +table):\n%s\n%s", diff, tb.String())
			}

			var cb bytes.Buffer
			if err := CSV(&cb, r, "entities", tc.opts); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&cb).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(rows[0], "points") {
				t.Errorf("CSV header %v still has the unrounded points", rows[0])
			}
			col, maxCol := slices.Index(rows[0], "pea_points"), slices.Index(rows[0], "pea_max_points")
			got = nil
			for _, row := range rows[1:] {
				got = append(got, row[col]+" of "+row[maxCol])
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("CSV pea_points (-json +csv):\n%s", diff)
			}

			var hb bytes.Buffer
			if err := HTML(&hb, r, tc.opts); err != nil {
				t.Fatal(err)
			}
			got = nil
			for _, m := range regexp.MustCompile(`data-field="pea_points" data-value="([^"]*)">`).FindAllStringSubmatch(hb.String(), -1) {
				got = append(got, m[1])
			}
			var wantHTML []string
			for _, e := range rep.Entities {
				wantHTML = append(wantHTML, points(e.PEAPoints))
			}
			if diff := cmp.Diff(wantHTML, got); diff != "" {
				t.Errorf("HTML figures' pea_points (-json +html):\n%s", diff)
			}
			if regexp.MustCompile(`data-field="points"`).Match(hb.Bytes()) {
				t.Error(`HTML still has data-field="points"`)
			}
		})
	}
}
