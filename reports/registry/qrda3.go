package registry

// qrda3.go writes a QRDA Category III document (HL7 CDA R2, CMS QRDA III implementation
// guide) holding one entity's Promoting Interoperability section, with the templates of
// the QPP conversion tool's sample (../shared/reference/qrda3-pi-sample-qpp-conversion-tool.xml).
// The document is built from Go structs by encoding/xml, which escapes every value.

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/measure"
)

// Template ids and OIDs (CMS QRDA III IG; the sample's values).
const (
	oidQRDA3Report      = "2.16.840.1.113883.10.20.27.1.1" // QRDA Category III Report (V5)
	extQRDA3Report      = "2017-06-01"
	oidQRDA3CMS         = "2.16.840.1.113883.10.20.27.1.2" // QRDA Category III Report - CMS
	extQRDA3CMS         = "2024-12-01"                     // CMS QRDA III IG for performance year 2025, as in the sample
	oidMeasureSection   = "2.16.840.1.113883.10.20.24.2.2" // Measure Section
	oidPISection        = "2.16.840.1.113883.10.20.27.2.5" // Promoting Interoperability Section (V2)
	extPISection        = "2020-12-01"
	oidMeasureReference = "2.16.840.1.113883.10.20.24.3.98" // Measure Reference
	oidPIRatio          = "2.16.840.1.113883.10.20.27.3.28" // PI Numerator Denominator Type Measure Reference and Results
	extPIRatio          = "2017-06-01"
	oidPIPerformed      = "2.16.840.1.113883.10.20.27.3.29" // PI Measure Performed Reference and Results
	oidMeasurePerformed = "2.16.840.1.113883.10.20.27.3.27" // Measure Performed
	oidPerformanceRate  = "2.16.840.1.113883.10.20.27.3.30" // Performance Rate
	oidPINumerator      = "2.16.840.1.113883.10.20.27.3.31" // PI Numerator Denominator Type Measure Numerator Data
	oidPIDenominator    = "2.16.840.1.113883.10.20.27.3.32" // ... Denominator Data
	ext20160901         = "2016-09-01"
	oidAggregateCount   = "2.16.840.1.113883.10.20.27.3.3" // Aggregate Count
	oidReportingParams  = "2.16.840.1.113883.10.20.17.3.8" // Reporting Parameters Act
	oidPIMeasureID      = "2.16.840.1.113883.3.7031"       // PI measure identifier root
	oidNPI              = "2.16.840.1.113883.4.6"          // National Provider Identifier
	oidTIN              = "2.16.840.1.113883.4.2"          // Taxpayer Identification Number
	oidCEHRT            = "2.16.840.1.113883.3.2074.1"     // CMS EHR Certification ID
	oidProgram          = "2.16.840.1.113883.3.249.7"      // CMS program name (intendedRecipient)
	oidCDA              = "2.16.840.1.113883.1.3"          // CDA R2 typeId
	oidLOINC            = "2.16.840.1.113883.6.1"
	oidSNOMED           = "2.16.840.1.113883.6.96"
	oidActCode          = "2.16.840.1.113883.5.4"
	oidObsMethod        = "2.16.840.1.113883.5.84"
	oidConfidentiality  = "2.16.840.1.113883.5.25"
	oidYesNo            = "2.16.840.1.113883.12.136" // HL7 Table 0136
)

// idNamespace roots the name-based UUIDs of document, set and entry ids, so that the
// same inputs always give the same document (golden tests, reproducible exports).
var idNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:mipspi:qrda3"))

// CDA building blocks.
type (
	ii struct {
		Root                   string `xml:"root,attr,omitempty"`
		Extension              string `xml:"extension,attr,omitempty"`
		NullFlavor             string `xml:"nullFlavor,attr,omitempty"`
		AssigningAuthorityName string `xml:"assigningAuthorityName,attr,omitempty"`
	}
	cd struct {
		Code           string `xml:"code,attr,omitempty"`
		CodeSystem     string `xml:"codeSystem,attr,omitempty"`
		CodeSystemName string `xml:"codeSystemName,attr,omitempty"`
		DisplayName    string `xml:"displayName,attr,omitempty"`
	}
	ts struct {
		Value string `xml:"value,attr"`
	}
	ivlTS struct {
		Low  ts `xml:"low"`
		High ts `xml:"high"`
	}
	anyValue struct {
		Type           string `xml:"xsi:type,attr"`
		Value          string `xml:"value,attr,omitempty"`
		Code           string `xml:"code,attr,omitempty"`
		CodeSystem     string `xml:"codeSystem,attr,omitempty"`
		CodeSystemName string `xml:"codeSystemName,attr,omitempty"`
		DisplayName    string `xml:"displayName,attr,omitempty"`
	}
	organization struct {
		ID ii `xml:"id"`
	}
)

type clinicalDocument struct {
	XMLName              xml.Name           `xml:"ClinicalDocument"`
	Xmlns                string             `xml:"xmlns,attr"`
	XmlnsXsi             string             `xml:"xmlns:xsi,attr"`
	RealmCode            cd                 `xml:"realmCode"`
	TypeID               ii                 `xml:"typeId"`
	TemplateIDs          []ii               `xml:"templateId"`
	ID                   ii                 `xml:"id"`
	Code                 cd                 `xml:"code"`
	Title                string             `xml:"title"`
	EffectiveTime        ts                 `xml:"effectiveTime"`
	ConfidentialityCode  cd                 `xml:"confidentialityCode"`
	LanguageCode         cd                 `xml:"languageCode"`
	SetID                ii                 `xml:"setId"`
	VersionNumber        ts                 `xml:"versionNumber"`
	RecordTargetID       ii                 `xml:"recordTarget>patientRole>id"`
	Author               author             `xml:"author"`
	Custodian            organization       `xml:"custodian>assignedCustodian>representedCustodianOrganization"`
	InformationRecipient ii                 `xml:"informationRecipient>intendedRecipient>id"`
	LegalAuthenticator   legalAuthenticator `xml:"legalAuthenticator"`
	Participant          participant        `xml:"participant"`
	DocumentationOf      documentationOf    `xml:"documentationOf"`
	Section              section            `xml:"component>structuredBody>component>section"`
}

type author struct {
	Time         ts           `xml:"time"`
	ID           ii           `xml:"assignedAuthor>id"`
	SoftwareName string       `xml:"assignedAuthor>assignedAuthoringDevice>softwareName"`
	Organization organization `xml:"assignedAuthor>representedOrganization"`
}

type legalAuthenticator struct {
	Time          ts           `xml:"time"`
	SignatureCode cd           `xml:"signatureCode"`
	ID            ii           `xml:"assignedEntity>id"`
	Organization  organization `xml:"assignedEntity>representedOrganization"`
}

type participant struct {
	TypeCode string `xml:"typeCode,attr"`
	Entity   struct {
		ClassCode string `xml:"classCode,attr"`
		ID        ii     `xml:"id"`
		Code      cd     `xml:"code"`
	} `xml:"associatedEntity"`
}

type documentationOf struct {
	TypeCode     string `xml:"typeCode,attr"`
	ServiceEvent struct {
		ClassCode     string `xml:"classCode,attr"`
		EffectiveTime ivlTS  `xml:"effectiveTime"`
		Performer     struct {
			TypeCode     string       `xml:"typeCode,attr"`
			Time         ivlTS        `xml:"time"`
			ID           ii           `xml:"assignedEntity>id"`
			Organization organization `xml:"assignedEntity>representedOrganization"`
		} `xml:"performer"`
	} `xml:"serviceEvent"`
}

type section struct {
	TemplateIDs []ii      `xml:"templateId"`
	Code        cd        `xml:"code"`
	Title       string    `xml:"title"`
	Text        narrative `xml:"text"`
	Entries     []entry   `xml:"entry"`
}

type narrative struct {
	Table struct {
		Border string     `xml:"border,attr"`
		Head   []tableRow `xml:"thead>tr"`
		Body   []tableRow `xml:"tbody>tr"`
	} `xml:"table"`
}

type tableRow struct {
	TH []string `xml:"th"`
	TD []string `xml:"td"`
}

type entry struct {
	TypeCode  string     `xml:"typeCode,attr,omitempty"`
	Organizer *organizer `xml:"organizer,omitempty"`
	Act       *act       `xml:"act,omitempty"`
}

type organizer struct {
	ClassCode   string      `xml:"classCode,attr"`
	MoodCode    string      `xml:"moodCode,attr"`
	TemplateIDs []ii        `xml:"templateId"`
	ID          ii          `xml:"id"`
	StatusCode  cd          `xml:"statusCode"`
	Reference   reference   `xml:"reference"`
	Components  []component `xml:"component"`
}

type reference struct {
	TypeCode string `xml:"typeCode,attr"`
	Document struct {
		ClassCode string `xml:"classCode,attr"`
		MoodCode  string `xml:"moodCode,attr"`
		ID        ii     `xml:"id"`
		Text      string `xml:"text"`
	} `xml:"externalDocument"`
}

type component struct {
	Observation observation `xml:"observation"`
}

type observation struct {
	ClassCode         string             `xml:"classCode,attr"`
	MoodCode          string             `xml:"moodCode,attr"`
	TemplateIDs       []ii               `xml:"templateId"`
	Code              cd                 `xml:"code"`
	StatusCode        cd                 `xml:"statusCode"`
	Value             anyValue           `xml:"value"`
	MethodCode        *cd                `xml:"methodCode,omitempty"`
	EntryRelationship *entryRelationship `xml:"entryRelationship,omitempty"`
}

type entryRelationship struct {
	TypeCode     string      `xml:"typeCode,attr"`
	InversionInd string      `xml:"inversionInd,attr"`
	Observation  observation `xml:"observation"`
}

type act struct {
	ClassCode     string `xml:"classCode,attr"`
	MoodCode      string `xml:"moodCode,attr"`
	TemplateID    ii     `xml:"templateId"`
	ID            ii     `xml:"id"`
	Code          cd     `xml:"code"`
	EffectiveTime ivlTS  `xml:"effectiveTime"`
}

var completed = cd{Code: "completed"}

// cdaDate formats a civil date as a CDA TS (YYYYMMDD).
func cdaDate(d calendar.Date) string { return d.Time().Format("20060102") }

// cdaTime formats an instant as a CDA TS in UTC with its offset.
func cdaTime(t time.Time) string { return t.UTC().Format("20060102150405-0700") }

// WriteQRDA3 writes e's QRDA III document: header (TIN, NPI, CEHRT ID, performance
// period, program MIPS_INDIV or MIPS_GROUP), and a PI section with PI_PEA_1's numerator
// and denominator aggregate counts and performance rate plus every configured answer
// (proportions as numerator/denominator measures, attestations as Measure Performed
// Y/N), in measure id order, and the Reporting Parameters Act with the period. The
// document time is the Result's as-of instant; ids are name-based UUIDs of the inputs.
// The CEHRT ID and the answers are e's own (Config.For).
func WriteQRDA3(w io.Writer, r *measure.Result, e measure.EntityResult, cfg Config) error {
	cfg, _ = cfg.For(e)
	ms, err := measurements(e, cfg)
	if err != nil {
		return err
	}
	start, end, year := period(r)
	ym := measuresFor(year)
	npi, program, who := e.NPI, "MIPS_INDIV", "TIN "+e.TIN+" NPI "+e.NPI
	if e.Level == measure.Group {
		npi, program, who = "", "MIPS_GROUP", "TIN "+e.TIN+" (group)"
	}
	key := fmt.Sprintf("%s|%s|%s|%s|%s", e.Level, e.TIN, npi, start, end)
	id := func(purpose string) ii {
		return ii{Root: uuid.NewSHA1(idNamespace, []byte(purpose+"|"+key+"|"+cdaTime(r.Config.AsOf))).String()}
	}
	now := ts{Value: cdaTime(r.Config.AsOf)}
	tin := organization{ID: ii{Root: oidTIN, Extension: e.TIN}}
	span := ivlTS{Low: ts{cdaDate(start)}, High: ts{cdaDate(end)}}

	doc := clinicalDocument{
		Xmlns:     "urn:hl7-org:v3",
		XmlnsXsi:  "http://www.w3.org/2001/XMLSchema-instance",
		RealmCode: cd{Code: "US"},
		TypeID:    ii{Root: oidCDA, Extension: "POCD_HD000040"},
		TemplateIDs: []ii{
			{Root: oidQRDA3Report, Extension: extQRDA3Report},
			{Root: oidQRDA3CMS, Extension: extQRDA3CMS},
		},
		ID: id("document"),
		Code: cd{Code: "55184-6", CodeSystem: oidLOINC, CodeSystemName: "LOINC",
			DisplayName: "Quality Reporting Document Architecture Calculated Summary Report"},
		Title:                fmt.Sprintf("Promoting Interoperability %d, %s, %s to %s", year, who, start, end),
		EffectiveTime:        now,
		ConfidentialityCode:  cd{Code: "N", CodeSystem: oidConfidentiality},
		LanguageCode:         cd{Code: "en"},
		SetID:                ii{Root: uuid.NewSHA1(idNamespace, []byte("set|"+key)).String()},
		VersionNumber:        ts{Value: "1"},
		RecordTargetID:       ii{NullFlavor: "NA"},
		Author:               author{Time: now, ID: id("author"), SoftwareName: "mipspi", Organization: tin},
		Custodian:            tin,
		InformationRecipient: ii{Root: oidProgram, Extension: program},
		LegalAuthenticator: legalAuthenticator{
			Time: now, SignatureCode: cd{Code: "S"}, ID: id("legalAuthenticator"), Organization: tin,
		},
	}
	doc.Participant.TypeCode = "DEV"
	doc.Participant.Entity.ClassCode = "RGPR"
	doc.Participant.Entity.ID = ii{Root: oidCEHRT, Extension: cfg.CEHRTID}
	doc.Participant.Entity.Code = cd{Code: "129465004", CodeSystem: oidSNOMED, CodeSystemName: "SNOMED-CT", DisplayName: "medical record, device"}

	doc.DocumentationOf.TypeCode = "DOC"
	ev := &doc.DocumentationOf.ServiceEvent
	ev.ClassCode = "PCPR"
	ev.EffectiveTime = span
	ev.Performer.TypeCode = "PRF"
	ev.Performer.Time = span
	ev.Performer.ID = ii{Root: oidNPI, Extension: npi}
	if npi == "" {
		ev.Performer.ID = ii{Root: oidNPI, NullFlavor: "NA"} // a group has no NPI (CMS IG)
	}
	ev.Performer.Organization = tin

	sec := &doc.Section
	sec.TemplateIDs = []ii{{Root: oidMeasureSection}, {Root: oidPISection, Extension: extPISection}}
	sec.Code = cd{Code: "55186-1", CodeSystem: oidLOINC, DisplayName: "Measure Section"}
	sec.Title = "Measure Section"
	sec.Text.Table.Border = "1"
	sec.Text.Table.Head = []tableRow{{TH: []string{"Measure Identifier", "PI Measure Title", "Result"}}}
	for _, m := range ms {
		title := ym.Title(m.MeasureID)
		org := &organizer{ClassCode: "CLUSTER", MoodCode: "EVN", ID: id("measure|" + m.MeasureID), StatusCode: completed}
		org.Reference.TypeCode = "REFR"
		org.Reference.Document.ClassCode = "DOC"
		org.Reference.Document.MoodCode = "EVN"
		org.Reference.Document.ID = ii{Root: oidPIMeasureID, Extension: m.MeasureID}
		org.Reference.Document.Text = title
		var result string
		switch v := m.Value.(type) {
		case qppRatio:
			org.TemplateIDs = []ii{{Root: oidMeasureReference}, {Root: oidPIRatio, Extension: extPIRatio}}
			result = fmt.Sprintf("numerator %d, denominator %d", v.Numerator, v.Denominator)
			if v.Denominator > 0 {
				rate := rate4(v.Numerator, v.Denominator)
				result += ", performance rate " + rate
				org.Components = append(org.Components, component{observation{
					ClassCode: "OBS", MoodCode: "EVN",
					TemplateIDs: []ii{{Root: oidPerformanceRate, Extension: ext20160901}},
					Code:        cd{Code: "72510-1", CodeSystem: oidLOINC, CodeSystemName: "LOINC", DisplayName: "Performance Rate"},
					StatusCode:  completed,
					Value:       anyValue{Type: "REAL", Value: rate},
				}})
			}
			org.Components = append(org.Components,
				countComponent(oidPINumerator, "NUMER", v.Numerator),
				countComponent(oidPIDenominator, "DENOM", v.Denominator))
		case bool:
			org.TemplateIDs = []ii{{Root: oidMeasureReference}, {Root: oidPIPerformed, Extension: ext20160901}}
			code, display := "N", "No"
			if v {
				code, display = "Y", "Yes"
			}
			result = display
			org.Components = append(org.Components, component{observation{
				ClassCode: "OBS", MoodCode: "EVN",
				TemplateIDs: []ii{{Root: oidMeasurePerformed, Extension: ext20160901}},
				Code:        assertion,
				StatusCode:  completed,
				Value: anyValue{Type: "CD", Code: code, DisplayName: display, CodeSystem: oidYesNo,
					CodeSystemName: "Yes/no indicator (HL7 Table 0136)"},
			}})
		}
		sec.Text.Table.Body = append(sec.Text.Table.Body, tableRow{TD: []string{m.MeasureID, title, result}})
		sec.Entries = append(sec.Entries, entry{Organizer: org})
	}
	sec.Entries = append(sec.Entries, entry{TypeCode: "DRIV", Act: &act{
		ClassCode: "ACT", MoodCode: "EVN",
		TemplateID:    ii{Root: oidReportingParams},
		ID:            id("reportingParameters"),
		Code:          cd{Code: "252116004", CodeSystem: oidSNOMED, DisplayName: "Observation Parameters"},
		EffectiveTime: span,
	}})

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write QRDA III: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode QRDA III: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write QRDA III: %w", err)
	}
	return nil
}

var assertion = cd{Code: "ASSERTION", CodeSystem: oidActCode, CodeSystemName: "ActCode", DisplayName: "Assertion"}

// countComponent is a PI numerator or denominator observation with its aggregate count.
func countComponent(template, population string, count int) component {
	return component{observation{
		ClassCode: "OBS", MoodCode: "EVN",
		TemplateIDs: []ii{{Root: template, Extension: ext20160901}},
		Code:        assertion,
		StatusCode:  completed,
		Value:       anyValue{Type: "CD", Code: population, CodeSystem: oidActCode, CodeSystemName: "ActCode"},
		EntryRelationship: &entryRelationship{TypeCode: "SUBJ", InversionInd: "true", Observation: observation{
			ClassCode: "OBS", MoodCode: "EVN",
			TemplateIDs: []ii{{Root: oidAggregateCount}},
			Code:        cd{Code: "MSRAGG", CodeSystem: oidActCode, CodeSystemName: "ActCode", DisplayName: "rate aggregation"},
			StatusCode:  completed,
			Value:       anyValue{Type: "INT", Value: strconv.Itoa(count)},
			MethodCode:  &cd{Code: "COUNT", CodeSystem: oidObsMethod, CodeSystemName: "ObservationMethod", DisplayName: "Count"},
		}},
	}}
}

// rate4 is numerator/denominator rounded to 4 decimals, shortest form ("0.75").
func rate4(num, den int) string {
	return strconv.FormatFloat(measure.Round(float64(num)/float64(den), 4), 'f', -1, 64)
}
