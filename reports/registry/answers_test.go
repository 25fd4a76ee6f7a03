package registry

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

// fallbackConfig answers at every level of SPEC §4: the practice's answers, TIN
// 987654321's own CEHRT ID and answers, and two clinicians' own counts.
func fallbackConfig() Config {
	return Config{
		CEHRTID: "0015CPRACTICE01",
		Measures: map[string]Answer{
			"PI_EP_1": Ratio(118, 151), "PI_HIE_1": Ratio(40, 52), "PI_PPHI_2": Attest(false),
		},
		TINs: map[string]TINConfig{
			"123456789": {NPIs: map[string]NPIConfig{
				"1234567893": {Measures: map[string]Answer{"PI_EP_1": Ratio(70, 90)}},
			}},
			"987654321": {
				CEHRTID:  "0015CTIN9876543",
				Measures: map[string]Answer{"PI_EP_1": Ratio(61, 70), "PI_PPHI_2": Attest(true)},
				NPIs: map[string]NPIConfig{
					"3456789015": {Measures: map[string]Answer{"PI_HIE_1": Ratio(3, 3)}},
				},
			},
		},
	}
}

// carried is what one file says for one entity: its CEHRT ID and answers ("n/d",
// "true", "false"), and in the manifest where each came from.
type carried struct {
	CEHRTID string
	Answers map[string]string
	From    map[string]string // measure id (or "cehrt_id") → configuration key
}

// TestAnswerFallback (SPEC §4): a group file carries its TIN's answers, an individual
// file its clinician's, each answer falling back to the TIN's and then the practice's;
// a clinician's answers never reach the group file. Each file's answers are read back
// from the written QPP JSON, QRDA III and keying CSV, and the manifest entries say where
// each came from.
func TestAnswerFallback(t *testing.T) {
	const (
		practice = "registry.measures"
		tin2     = "registry.tins.987654321.measures"
	)
	want := map[string]carried{
		"123456789/1234567893": {CEHRTID: "0015CPRACTICE01",
			Answers: map[string]string{"PI_EP_1": "70/90", "PI_HIE_1": "40/52", "PI_PPHI_2": "false"},
			From: map[string]string{"cehrt_id": "registry.cehrt_id", "PI_EP_1": "registry.tins.123456789.npis.1234567893.measures",
				"PI_HIE_1": practice, "PI_PPHI_2": practice}},
		"123456789/2345678900": {CEHRTID: "0015CPRACTICE01",
			Answers: map[string]string{"PI_EP_1": "118/151", "PI_HIE_1": "40/52", "PI_PPHI_2": "false"},
			From:    map[string]string{"cehrt_id": "registry.cehrt_id", "PI_EP_1": practice, "PI_HIE_1": practice, "PI_PPHI_2": practice}},
		"123456789/group": {CEHRTID: "0015CPRACTICE01",
			Answers: map[string]string{"PI_EP_1": "118/151", "PI_HIE_1": "40/52", "PI_PPHI_2": "false"},
			From:    map[string]string{"cehrt_id": "registry.cehrt_id", "PI_EP_1": practice, "PI_HIE_1": practice, "PI_PPHI_2": practice}},
		"987654321/3456789015": {CEHRTID: "0015CTIN9876543",
			Answers: map[string]string{"PI_EP_1": "61/70", "PI_HIE_1": "3/3", "PI_PPHI_2": "true"},
			From: map[string]string{"cehrt_id": "registry.tins.987654321.cehrt_id", "PI_EP_1": tin2,
				"PI_HIE_1": "registry.tins.987654321.npis.3456789015.measures", "PI_PPHI_2": tin2}},
		"987654321/group": {CEHRTID: "0015CTIN9876543",
			Answers: map[string]string{"PI_EP_1": "61/70", "PI_HIE_1": "40/52", "PI_PPHI_2": "true"},
			From:    map[string]string{"cehrt_id": "registry.tins.987654321.cehrt_id", "PI_EP_1": tin2, "PI_HIE_1": practice, "PI_PPHI_2": tin2}},
	}
	key := func(e measure.EntityResult) string {
		if e.Level == measure.Group {
			return e.TIN + "/group"
		}
		return e.TIN + "/" + e.NPI
	}
	r, cfg := twoTIN(), fallbackConfig()
	noFrom := func(c carried) carried { c.From = nil; return c }

	t.Run("qpp", func(t *testing.T) {
		files, err := Files(r, cfg, QPP, All)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range r.Entities {
			var doc struct {
				Sets []struct {
					CEHRTID      string `json:"cehrtId"`
					Measurements []struct {
						ID    string          `json:"measureId"`
						Value json.RawMessage `json:"value"`
					} `json:"measurements"`
				} `json:"measurementSets"`
			}
			if err := json.Unmarshal(files[FileName(QPP, e)], &doc); err != nil {
				t.Fatalf("%s: %v", FileName(QPP, e), err)
			}
			got := carried{CEHRTID: doc.Sets[0].CEHRTID, Answers: map[string]string{}}
			for _, m := range doc.Sets[0].Measurements {
				if m.ID == measure.MeasureID {
					continue
				}
				var ratio qppRatio
				if json.Unmarshal(m.Value, &ratio) == nil {
					got.Answers[m.ID] = fmt.Sprintf("%d/%d", ratio.Numerator, ratio.Denominator)
				} else {
					got.Answers[m.ID] = string(m.Value)
				}
			}
			if diff := cmp.Diff(noFrom(want[key(e)]), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", FileName(QPP, e), diff)
			}
		}
	})

	t.Run("qrda3", func(t *testing.T) {
		files, err := Files(r, cfg, QRDA3, All)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range r.Entities {
			doc := readQRDA3(t, files[FileName(QRDA3, e)])
			got := carried{CEHRTID: doc.CEHRTID, Answers: map[string]string{}}
			for id, v := range doc.Measures {
				switch v {
				case "Y":
					v = "true"
				case "N":
					v = "false"
				}
				if id != measure.MeasureID {
					got.Answers[id] = v
				}
			}
			if diff := cmp.Diff(noFrom(want[key(e)]), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", FileName(QRDA3, e), diff)
			}
		}
	})

	t.Run("keying csv", func(t *testing.T) {
		files, err := Files(r, cfg, CSV, All)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(files[CSVName])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for i, e := range r.Entities {
			row := rows[i+1]
			got := carried{CEHRTID: row[col["cehrt_id"]], Answers: map[string]string{}}
			for _, id := range []string{"PI_EP_1", "PI_HIE_1"} {
				got.Answers[id] = row[col[id+"_numerator"]] + "/" + row[col[id+"_denominator"]]
			}
			got.Answers["PI_PPHI_2"] = strconv.FormatBool(row[col["PI_PPHI_2"]] == "yes")
			if row[col["numerator"]] != strconv.Itoa(e.Numerator) || row[col["denominator"]] != strconv.Itoa(e.Denominator) {
				t.Errorf("row %d: PI_PEA_1 %s/%s, want %d/%d", i+1, row[col["numerator"]], row[col["denominator"]], e.Numerator, e.Denominator)
			}
			if diff := cmp.Diff(noFrom(want[key(e)]), got); diff != "" {
				t.Errorf("row %d, %s (-want +got):\n%s", i+1, key(e), diff)
			}
		}
	})

	t.Run("manifest entries", func(t *testing.T) {
		ents, err := Entries(r, cfg, QPP, All)
		if err != nil {
			t.Fatal(err)
		}
		for i, en := range ents {
			e := r.Entities[i]
			if en.File != FileName(QPP, e) {
				t.Errorf("entry %d names %s, want %s", i, en.File, FileName(QPP, e))
			}
			got := carried{CEHRTID: en.CEHRTID, Answers: map[string]string{}, From: map[string]string{"cehrt_id": en.CEHRTIDFrom}}
			for _, a := range en.Answers {
				b, _ := json.Marshal(a.Value)
				var ratio qppRatio
				if json.Unmarshal(b, &ratio) == nil {
					got.Answers[a.MeasureID] = fmt.Sprintf("%d/%d", ratio.Numerator, ratio.Denominator)
				} else {
					got.Answers[a.MeasureID] = string(b)
				}
				got.From[a.MeasureID] = a.From
			}
			if diff := cmp.Diff(want[key(e)], got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", key(e), diff)
			}
		}
	})
}
