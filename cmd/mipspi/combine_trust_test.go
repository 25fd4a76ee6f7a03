package main

// combine, trusted (SPEC §3, §7): a site's own counts stand under --match patients, a
// TIN is one TIN however a report writes it, each site's run warnings travel with the
// site, the APM Entity row has a sensible name, and counts never overflow.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type combinedJSON struct {
	Entities []struct {
		Level       string `json:"level"`
		TIN         string `json:"tin"`
		NPI         string `json:"npi"`
		Clinician   string `json:"clinician"`
		Denominator int    `json:"denominator"`
		Numerator   int    `json:"numerator"`
	} `json:"entities"`
	Findings []struct {
		Code    string `json:"code"`
		TIN     string `json:"tin"`
		Count   int    `json:"count"`
		Status  string `json:"status"`
		Message string `json:"message"`
	} `json:"findings"`
	Combined struct {
		Name   string `json:"name"`
		Method string `json:"method"`
	} `json:"combined"`
}

func readCombined(t *testing.T, s string) combinedJSON {
	t.Helper()
	var c combinedJSON
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return c
}

// figures maps "level tin npi" to "numerator/denominator".
func (c combinedJSON) figures() map[string]string {
	out := map[string]string{}
	for _, e := range c.Entities {
		out[e.Level+" "+e.TIN+" "+e.NPI] = itoa(e.Numerator) + "/" + itoa(e.Denominator)
	}
	return out
}

func TestCombineSitesTrusted(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, s := range []string{"x", "y", "z"} {
		siteReport(t, siteDB(t, "site-"+s), s+".json")
	}
	// Site X counts its two Dana Diaz (one name and birth date, two patient ids) apart.
	x := readCombined(t, mustRun(t, "combine", "-f", "json", "x.json").stdout)
	site := readCombined(t, string(must(os.ReadFile("x.json"))))
	if got, want := x.figures()["group 361234567 "], site.figures()["group 361234567 "]; got != "2/2" || want != "2/2" {
		t.Fatalf("site X group %s, combined alone %s; want 2/2 both", want, got)
	}
	// --match patients must not change a single site's own figures.
	alone := readCombined(t, mustRun(t, "combine", "--match", "patients", "-f", "json", "x.json").stdout)
	for k, v := range site.figures() {
		if alone.figures()[k] != v {
			t.Errorf("--match patients on site X alone: %s = %s, the site says %s", k, alone.figures()[k], v)
		}
	}
	if !strings.HasSuffix(alone.Combined.Method, "; 0 patients matched across reports; 1 pseudonym held by two or more patients of one report not matched") {
		t.Errorf("method: %s", alone.Combined.Method)
	}

	// An older report that wrote the TIN with a hyphen is the same TIN (SPEC §3).
	old := strings.ReplaceAll(string(must(os.ReadFile("x.json"))), `"361234567"`, `"36-1234567"`)
	if err := os.WriteFile("x-old.json", []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	all := readCombined(t, mustRun(t, "combine", "--match", "patients", "-f", "json", "x-old.json", "y.json", "z.json").stdout)
	want := map[string]string{
		"individual 361234567 1234567893": "4/4", // site X's two Danas, site Y's Dana (not matched: which one?) and Eve
		"group 361234567 ":                "4/4",
		"individual 471234567 1245319599": "1/1",
		"group 471234567 ":                "1/1",
		"apm_entity  ":                    "4/4", // Eve, at sites Y and Z, counts once
	}
	if got := all.figures(); !equalMaps(got, want) {
		t.Errorf("matched figures:\n got %v\nwant %v", got, want)
	}
	if !strings.HasSuffix(all.Combined.Method, "; 1 patient matched across reports; 1 pseudonym held by two or more patients of one report not matched") {
		t.Errorf("method: %s", all.Combined.Method)
	}
	// The APM row without --name is named by its practices, not "APM Entity APM Entity".
	const name = "Hillside Family Practice / Hillside Family Practice (annex) + TIN 471234567"
	if all.Combined.Name != name || all.Entities[len(all.Entities)-1].Clinician != name {
		t.Errorf("name %q, row %q", all.Combined.Name, all.Entities[len(all.Entities)-1].Clinician)
	}
	// Site X's run warning travels with it.
	found := false
	for _, f := range all.Findings {
		if f.Code == "UNKNOWN_STATUS" {
			found = f.Status == "Seen By MA" && f.Count == 1 && strings.HasPrefix(f.Message, `x-old.json: appointment status "Seen By MA" (1 appointments) is not a known status`)
		}
	}
	if !found {
		t.Errorf("no UNKNOWN_STATUS from x-old.json: %+v", all.Findings)
	}
	table := mustRun(t, "combine", "x.json", "y.json").stdout
	for _, w := range []string{"\nRun warnings\n", `x.json: appointment status "Seen By MA"`, "\nAPM Entity Hillside Family Practice / Hillside Fami… (all TINs)\n"} {
		if !strings.Contains(table, w) {
			t.Errorf("table lacks %q:\n%s", w, table)
		}
	}
	if strings.Contains(table, "Run warnings: none") || strings.Contains(table, "APM Entity APM Entity") {
		t.Errorf("table:\n%s", table)
	}
}

// TestCombineOverflowRefused: the reproduction, two reports of 2^62 patients,
// refused with exit 1 and nothing written; a previous output stays as it was.
func TestCombineOverflowRefused(t *testing.T) {
	t.Chdir(t.TempDir())
	siteReport(t, siteDB(t, "site-z"), "z.json")
	z := string(must(os.ReadFile("z.json")))
	huge := strings.NewReplacer(`"denominator": 1,`, `"denominator": 4611686018427387904,`, `"numerator": 1,`, `"numerator": 4611686018427387904,`).Replace(z)
	if huge == z {
		t.Fatal("test edit did not apply")
	}
	os.WriteFile("big1.json", []byte(huge), 0o600)
	os.WriteFile("big2.json", []byte(strings.Replace(huge, `"database"`, `"database_x": "", "database"`, 1)), 0o600)
	os.WriteFile("out.csv", []byte(previousOutput), 0o600)
	o := mipspi(t, "combine", "-f", "csv", "-o", "out.csv", "big1.json", "big2.json")
	checkOutcome(t, "2^62 patients", o, exitFail,
		"mipspi: big1.json: TIN 471234567 NPI 1245319599: denominator 4611686018427387904 is above 1000000000, the most mipspi adds (SPEC §7); a report of a real practice never comes near it\n")
	if b, _ := os.ReadFile("out.csv"); string(b) != previousOutput {
		t.Errorf("the previous output changed: %q", b)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCombineRefusesWhatReadersReadDifferently: a report with a key twice (jq and Python
// keep the last, mipspi would have added both arrays) or a key in another case is refused,
// exit 1, naming the key and the byte; so is white space no report has. Nothing written.
func TestCombineRefusesWhatReadersReadDifferently(t *testing.T) {
	t.Chdir(t.TempDir())
	siteReport(t, siteDB(t, "site-z"), "z.json")
	z := string(must(os.ReadFile("z.json")))
	os.WriteFile("out.csv", []byte(previousOutput), 0o600)
	for _, c := range []struct{ name, edit, want string }{
		{"entities twice", strings.Replace(z, `"entities": [`, `"entities": [], "entities": [`, 1),
			`mipspi: bad.json: the key "entities" appears twice in one object: mipspi never writes a key twice, and readers disagree on which to keep (jq and Python keep the last), so the report is refused (at byte `},
		{"Numerator", strings.Replace(z, `"numerator": 1,`, `"numerator": 1, "Numerator": 0,`, 1),
			`mipspi: bad.json: the key "Numerator" differs only in case from "numerator": mipspi writes keys in lower case and reads them exactly, as jq and Python do, so the report is refused rather than read one way or the other (at byte `},
		{"white space", strings.Replace(z, `"entities": [`, `"entities": [`+strings.Repeat("\n", 70_000), 1),
			`mipspi: bad.json: more than 64 KiB of white space in a row, which no mipspi report has (at byte `},
	} {
		if c.edit == z {
			t.Fatalf("%s: test edit did not apply", c.name)
		}
		os.WriteFile("bad.json", []byte(c.edit), 0o600)
		o := mipspi(t, "combine", "-f", "csv", "-o", "out.csv", "z.json", "bad.json")
		if o.code != exitFail || !strings.HasPrefix(o.stderr, c.want) || strings.Count(o.stderr, "\n") != 1 || o.stdout != "" {
			t.Errorf("%s: exit %d\n%s\nwant exit 1 and %s…", c.name, o.code, o.stderr, c.want)
		}
		if b, _ := os.ReadFile("out.csv"); string(b) != previousOutput {
			t.Errorf("%s: the previous output changed", c.name)
		}
	}
}

// TestCombineBothSitesWarnings: when both sites carry the same run warning
// (UNKNOWN_STATUS "Seen By MA"), the combined report lists each, named by its site, in
// every format that shows warnings; never "Run warnings: none".
func TestCombineBothSitesWarnings(t *testing.T) {
	t.Chdir(t.TempDir())
	siteReport(t, siteDB(t, "site-x"), "x.json")
	y := string(must(os.ReadFile(filepath.Join(testdataDir, "combine", "site-y.yaml"))))
	y = strings.Replace(y, "clinical_notes:", `  - {id: 9203, patient_id: 9202, office_id: 9201, clinician_id: 9201, scheduled_at: "2025-06-10T15:00:00Z", status: Seen By MA}
clinical_notes:`, 1)
	if err := os.WriteFile("site-y2.yaml", []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "db", "init", "--db", "sqlite:y2.db")
	mustRun(t, "db", "load", "--db", "sqlite:y2.db", "site-y2.yaml")
	siteReport(t, "sqlite:y2.db", "y.json")

	c := readCombined(t, mustRun(t, "combine", "-f", "json", "x.json", "y.json").stdout)
	var got []string
	for _, f := range c.Findings {
		if f.Code == "UNKNOWN_STATUS" {
			got = append(got, f.Message)
		}
	}
	want := []string{
		`x.json: appointment status "Seen By MA" (1 appointments) is not a known status; it is not counted as seen unless added to seen_statuses`,
		`y.json: appointment status "Seen By MA" (1 appointments) is not a known status; it is not counted as seen unless added to seen_statuses`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("UNKNOWN_STATUS findings:\n got %q\nwant %q", got, want)
	}
	table := mustRun(t, "combine", "x.json", "y.json").stdout
	if strings.Contains(table, "Run warnings: none") {
		t.Errorf("table says none:\n%s", table)
	}
	for _, w := range want {
		if !strings.Contains(table, w) {
			t.Errorf("table lacks %q:\n%s", w, table)
		}
	}
	// --match patients says how many patients matched, in the table's Method line too.
	matched := mustRun(t, "combine", "--match", "patients", "x.json", "y.json").stdout
	if !strings.Contains(matched, "0 patients matched across reports; 1 pseudonym held by two or more patients of one report not matched") {
		t.Errorf("table's method line lacks the match counts:\n%s", matched)
	}
}
