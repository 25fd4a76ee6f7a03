package registry

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

const sampleFile = "qrda3-pi-sample-qpp-conversion-tool.xml"

// TestSampleCopyMatchesReference keeps testdata's copy of the conversion tool's QRDA III
// sample equal to ../shared/reference (skipped where absent; -update recopies).
func TestSampleCopyMatchesReference(t *testing.T) {
	ref, err := os.ReadFile(filepath.Join(referenceDir, sampleFile))
	if err != nil {
		t.Skipf("reference sample not present: %v", err)
	}
	if *update {
		if err := os.WriteFile(filepath.Join("testdata", sampleFile), ref, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(filepath.Join("testdata", sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ref) {
		t.Errorf("testdata/%s differs from %s: run go test ./reports/registry -update", sampleFile, referenceDir)
	}
}

// templateIDs lists every templateId (root:extension) in an XML document, in order,
// failing the test when the document is not well-formed XML.
func templateIDs(t *testing.T, doc []byte) []string {
	t.Helper()
	var ids []string
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return ids
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "templateId" {
			continue
		}
		var root, ext string
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "root":
				root = a.Value
			case "extension":
				ext = a.Value
			}
		}
		if ext != "" {
			root += ":" + ext
		}
		ids = append(ids, root)
	}
}

func uniq(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// TestQRDA3TemplateIDs: the documents carry the sample's templates — the sample's own
// list, checked against the copy in testdata — plus the Measure Performed pair for
// attestations.
func TestQRDA3TemplateIDs(t *testing.T) {
	sample, err := os.ReadFile(filepath.Join("testdata", sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	sampleIDs := []string{
		"2.16.840.1.113883.10.20.17.3.8",            // Reporting Parameters Act
		"2.16.840.1.113883.10.20.24.2.2",            // Measure Section
		"2.16.840.1.113883.10.20.24.3.98",           // Measure Reference
		"2.16.840.1.113883.10.20.27.1.1:2017-06-01", // QRDA Category III Report
		"2.16.840.1.113883.10.20.27.1.2:2024-12-01", // QRDA Category III Report - CMS
		"2.16.840.1.113883.10.20.27.2.5:2020-12-01", // Promoting Interoperability Section
		"2.16.840.1.113883.10.20.27.3.28:2017-06-01",
		"2.16.840.1.113883.10.20.27.3.3", // Aggregate Count
		"2.16.840.1.113883.10.20.27.3.30:2016-09-01",
		"2.16.840.1.113883.10.20.27.3.31:2016-09-01",
		"2.16.840.1.113883.10.20.27.3.32:2016-09-01",
	}
	if diff := cmp.Diff(sampleIDs, uniq(templateIDs(t, sample))); diff != "" {
		t.Fatalf("the sample's template ids changed (-listed +sample):\n%s", diff)
	}
	performed := []string{
		"2.16.840.1.113883.10.20.27.3.27:2016-09-01", // Measure Performed
		"2.16.840.1.113883.10.20.27.3.29:2016-09-01", // PI Measure Performed Reference and Results
	}
	files, err := Files(twoTIN(), fullConfig(), QRDA3, All)
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range files {
		if diff := cmp.Diff(uniq(slices.Concat(sampleIDs, performed)), uniq(templateIDs(t, doc))); diff != "" {
			t.Errorf("%s template ids (-want +got):\n%s", name, diff)
		}
	}

	// PI_PEA_1 alone (no other answers) uses exactly the sample's templates.
	only := Config{CEHRTID: "0015C8BCD1234XY"}
	var b bytes.Buffer
	r := twoTIN()
	if err := WriteQRDA3(&b, r, r.Entities[0], only); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sampleIDs, uniq(templateIDs(t, b.Bytes()))); diff != "" {
		t.Errorf("PI_PEA_1-only document template ids (-want +got):\n%s", diff)
	}
}

// qrdaRead is what a reader of a QRDA III document takes from it.
type qrdaRead struct {
	Program  string
	TIN, NPI string
	NPINull  string
	CEHRTID  string
	Low      string
	High     string
	Measures map[string]string // measure id → "num/den" or "Y"/"N"
	Rates    map[string]string
}

// readQRDA3 decodes a document with its own structs (independent of the writer's).
func readQRDA3(t *testing.T, doc []byte) qrdaRead {
	t.Helper()
	type id struct {
		Root       string `xml:"root,attr"`
		Extension  string `xml:"extension,attr"`
		NullFlavor string `xml:"nullFlavor,attr"`
	}
	type value struct {
		Code  string `xml:"code,attr"`
		Value string `xml:"value,attr"`
	}
	type obs struct {
		TemplateID []id  `xml:"templateId"`
		Value      value `xml:"value"`
		Count      value `xml:"entryRelationship>observation>value"`
	}
	var d struct {
		Recipient   id `xml:"informationRecipient>intendedRecipient>id"`
		Participant []struct {
			IDs []id `xml:"associatedEntity>id"`
		} `xml:"participant"`
		Performer struct {
			NPI id `xml:"assignedEntity>id"`
			TIN id `xml:"assignedEntity>representedOrganization>id"`
		} `xml:"documentationOf>serviceEvent>performer"`
		Entries []struct {
			Organizer struct {
				MeasureID  id    `xml:"reference>externalDocument>id"`
				Components []obs `xml:"component>observation"`
			} `xml:"organizer"`
			Act struct {
				Low  value `xml:"effectiveTime>low"`
				High value `xml:"effectiveTime>high"`
			} `xml:"act"`
		} `xml:"component>structuredBody>component>section>entry"`
	}
	if err := xml.Unmarshal(doc, &d); err != nil {
		t.Fatalf("parse QRDA III: %v", err)
	}
	out := qrdaRead{
		Program: d.Recipient.Extension,
		TIN:     d.Performer.TIN.Extension, NPI: d.Performer.NPI.Extension, NPINull: d.Performer.NPI.NullFlavor,
		Measures: map[string]string{}, Rates: map[string]string{},
	}
	for _, p := range d.Participant {
		for _, i := range p.IDs {
			if i.Root == oidCEHRT {
				out.CEHRTID = i.Extension
			}
		}
	}
	for _, e := range d.Entries {
		if e.Act.Low.Value != "" {
			out.Low, out.High = e.Act.Low.Value, e.Act.High.Value
			continue
		}
		mid := e.Organizer.MeasureID.Extension
		var num, den string
		for _, c := range e.Organizer.Components {
			switch c.TemplateID[0].Root {
			case oidPINumerator:
				num = c.Count.Value
			case oidPIDenominator:
				den = c.Count.Value
			case oidPerformanceRate:
				out.Rates[mid] = c.Value.Value
			case oidMeasurePerformed:
				out.Measures[mid] = c.Value.Code
			}
		}
		if num != "" || den != "" {
			out.Measures[mid] = num + "/" + den
		}
	}
	return out
}

// TestQRDA3ReadBack re-reads every document with encoding/xml and compares what a
// registry would take from it with the entity and configuration it came from.
func TestQRDA3ReadBack(t *testing.T) {
	r, cfg := twoTIN(), fullConfig()
	files, err := Files(r, cfg, QRDA3, All)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(r.Entities) {
		t.Fatalf("%d files for %d entities", len(files), len(r.Entities))
	}
	for _, e := range r.Entities {
		name := FileName(QRDA3, e)
		t.Run(name, func(t *testing.T) {
			doc, ok := files[name]
			if !ok {
				t.Fatalf("no file %s", name)
			}
			want := qrdaRead{
				Program: "MIPS_INDIV", TIN: e.TIN, NPI: e.NPI, CEHRTID: cfg.CEHRTID,
				Low: "20250101", High: "20251231",
				Measures: map[string]string{
					"PI_PEA_1": strconv.Itoa(e.Numerator) + "/" + strconv.Itoa(e.Denominator),
					"PI_EP_1":  "118/151", "PI_HIE_1": "40/52", "PI_HIE_4": "0/0",
					"PI_EP_2": "Y", "PI_INFBLO_1": "Y", "PI_ONCDIR_1": "Y", "PI_ONCACB_1": "Y",
					"PI_PHCDRR_1": "Y", "PI_PHCDRR_3": "Y", "PI_PPHI_1": "Y", "PI_PPHI_2": "N",
				},
				Rates: map[string]string{
					"PI_PEA_1": strconv.FormatFloat(e.Rate, 'f', -1, 64),
					"PI_EP_1":  "0.7815", "PI_HIE_1": "0.7692",
				},
			}
			if e.Level == measure.Group {
				want.Program, want.NPI, want.NPINull = "MIPS_GROUP", "", "NA"
			}
			if diff := cmp.Diff(want, readQRDA3(t, doc)); diff != "" {
				t.Errorf("read back (-want +got):\n%s", diff)
			}
			golden(t, filepath.Join("qrda3", name), doc)
		})
	}
}

// TestQRDA3Deterministic: the same inputs give the same bytes (ids are name-based).
func TestQRDA3Deterministic(t *testing.T) {
	a, err := Files(twoTIN(), fullConfig(), QRDA3, All)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Files(twoTIN(), fullConfig(), QRDA3, All)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two renderings differ:\n%s", diff)
	}
}
