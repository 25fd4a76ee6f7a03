package reports

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/mipspi/mipspi/measure"
)

// allOutputs renders r in every format this package writes, XLSX as the text of all its
// cells.
func allOutputs(t *testing.T, r *measure.Result) map[string]string {
	t.Helper()
	out := map[string]string{}
	var b bytes.Buffer
	run := func(name string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b.String()
		b.Reset()
	}
	wl := worklist(r, "")
	run("table", Table(&b, r, testOptions))
	run("json", JSON(&b, r, testOptions))
	for _, table := range CSVTables {
		run("csv "+table, CSV(&b, r, table, testOptions))
	}
	run("notes table", WorklistTable(&b, r, wl, testOptions))
	run("notes csv", WorklistCSV(&b, r, wl, testOptions))
	run("notes json", WorklistJSON(&b, r, wl, testOptions))
	if err := XLSX(&b, r, testOptions); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cells strings.Builder
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			cells.WriteString(strings.Join(row, "\t") + "\n")
		}
	}
	out["xlsx"] = cells.String()
	return out
}

func TestDeidentify(t *testing.T) {
	r := testResult()
	// Everything that identifies a patient, gathered from the result itself.
	var secrets []string
	for _, o := range outcomesOf(r) {
		secrets = append(secrets, o.MRN, o.FirstName, o.LastName)
		if o.HasBirthDate {
			secrets = append(secrets, o.BirthDate.String())
		}
	}
	for is := range r.AllIssues() {
		if is.MRN != "" {
			secrets = append(secrets, is.MRN)
		}
	}
	secrets = append(secrets, "maria.garcia@@example", "1961-07-04")

	before := allOutputs(t, r)
	if !strings.Contains(before["csv patients"], "Kowalski") || !strings.Contains(before["xlsx"], "Kowalski") {
		t.Fatal("fixture names do not reach the outputs: the test below could not fail")
	}
	r = Deidentify(r, []byte("key one"))
	for format, text := range allOutputs(t, r) {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s still contains %q after Deidentify", format, s)
			}
		}
	}
	anon := regexp.MustCompile(`^anon-[0-9a-f]{16}$`)
	for _, o := range outcomesOf(r) {
		if !anon.MatchString(o.MRN) || !anon.MatchString(o.LastName) || o.HasBirthDate {
			t.Errorf("patient %d: MRN %q, last name %q, birth date kept %v", o.PatientID, o.MRN, o.LastName, o.HasBirthDate)
		}
	}
	// Patient ids stay.
	if got, want := outcomesOf(r)[0].PatientID, outcomesOf(testResult())[0].PatientID; got != want {
		t.Errorf("patient id %d, want %d", got, want)
	}
}

func TestDeidentifyKeys(t *testing.T) {
	a1, a2, b := testResult(), testResult(), testResult()
	a1 = Deidentify(a1, []byte("key one"))
	a2 = Deidentify(a2, []byte("key one"))
	b = Deidentify(b, []byte("key two"))
	o1, o2, ob := outcomesOf(a1), outcomesOf(a2), outcomesOf(b)
	for i := range o1 {
		if o1[i].MRN != o2[i].MRN || o1[i].LastName != o2[i].LastName {
			t.Errorf("outcome %d: same key gave different pseudonyms", i)
		}
		if o1[i].MRN == ob[i].MRN {
			t.Errorf("outcome %d: different keys gave the same MRN pseudonym %s", i, ob[i].MRN)
		}
	}
	// The same MRN in an issue row and in the drill-down gets the same pseudonym, so
	// rows still join.
	if is := issuesOf(a1); is[0].MRN != o1[0].MRN || is[0].PatientID != o1[0].PatientID {
		t.Errorf("issue MRN %q, outcome MRN %q: pseudonyms do not join", is[0].MRN, o1[0].MRN)
	}
	// Calling it twice changes nothing more.
	again := testResult()
	again = Deidentify(Deidentify(again, []byte("key one")), []byte("key one"))
	if outcomesOf(again)[0].MRN != o1[0].MRN {
		t.Errorf("second Deidentify changed %q to %q", o1[0].MRN, outcomesOf(again)[0].MRN)
	}
}
