package fhirapi

// The FHIR CapabilityStatement, {base}/metadata (SPEC §6): FHIR R4 (fhirVersion 4.0.1),
// JSON, Patient and at least one other US Core resource.
//
// It is read into the R4 types of github.com/samply/golang-fhir-models. The first
// library tried, github.com/google/fhir/go (protobuf R4 and its jsonformat), was
// measured on this project's 2-core build machine: a program that only unmarshals a
// CapabilityStatement through it is a 36 MB binary and took 65 s to build cold,
// against 3.3 MB and 7 s with samply's plain structs; the whole mipspi binary is 29 MB.
// Both read the same R4 JSON; the plain structs fit a tool a practice runs hourly.

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// oauthURIs is the SMART v1 extension on CapabilityStatement.rest.security that names
// the OAuth endpoints (before .well-known/smart-configuration existed).
const oauthURIs = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"

// usCoreResources are the resource types US Core (v3.1.1 to v7) profiles.
var usCoreResources = []string{
	"AllergyIntolerance", "CarePlan", "CareTeam", "Condition", "Coverage", "Device",
	"DiagnosticReport", "DocumentReference", "Encounter", "Goal", "Immunization", "Location",
	"Medication", "MedicationDispense", "MedicationRequest", "Observation", "Organization",
	"Patient", "Practitioner", "PractitionerRole", "Procedure", "Provenance",
	"QuestionnaireResponse", "RelatedPerson", "ServiceRequest", "Specimen",
}

// capability is what the checks read from a CapabilityStatement.
type capability struct {
	resourceType    string
	fhirVersion     string
	r4              *fhir.CapabilityStatement // nil when the document is not valid R4
	r4Err           error
	software        string
	softwareVersion string
	oauthAuthorize  string // SMART v1 oauth-uris, when present
	oauthToken      string
}

// readCapability parses the metadata document. A first, lenient read takes resourceType
// and fhirVersion so that an STU3 server is told its version rather than a parse error;
// the strict R4 read follows.
func readCapability(d Document) (*capability, error) {
	if why := jsonDocument(d); why != "" {
		return nil, fmt.Errorf("%s", why)
	}
	if !json.Valid(d.Body) {
		var v any
		err := json.Unmarshal(d.Body, &v)
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	// Each lenient read takes one part, so that a wrong shape elsewhere does not hide it.
	var head struct {
		ResourceType string `json:"resourceType"`
		FHIRVersion  string `json:"fhirVersion"`
	}
	_ = json.Unmarshal(d.Body, &head)
	var software struct {
		Software struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"software"`
	}
	_ = json.Unmarshal(d.Body, &software)
	c := &capability{resourceType: head.ResourceType, fhirVersion: head.FHIRVersion,
		software: software.Software.Name, softwareVersion: software.Software.Version}
	if head.ResourceType != "CapabilityStatement" {
		return c, nil
	}
	c.oauthAuthorize, c.oauthToken = smartV1URIs(d.Body)
	cs, err := fhir.UnmarshalCapabilityStatement(d.Body)
	if err != nil {
		c.r4Err = r4Problem(err)
		return c, nil
	}
	c.r4 = &cs
	if cs.Software == nil && cs.Implementation != nil {
		c.software = cs.Implementation.Description
	}
	return c, nil
}

// smartV1URIs reads the authorize and token URIs of the SMART v1 oauth-uris extension on
// rest.security, leniently (whatever else the document gets wrong).
func smartV1URIs(body []byte) (authorize, token string) {
	type ext struct {
		URL       string `json:"url"`
		ValueURI  string `json:"valueUri"`
		Extension []struct {
			URL      string `json:"url"`
			ValueURI string `json:"valueUri"`
		} `json:"extension"`
	}
	var doc struct {
		Rest []struct {
			Security struct {
				Extension []ext `json:"extension"`
			} `json:"security"`
		} `json:"rest"`
	}
	_ = json.Unmarshal(body, &doc)
	for _, r := range doc.Rest {
		for _, e := range r.Security.Extension {
			if e.URL != oauthURIs {
				continue
			}
			for _, sub := range e.Extension {
				switch sub.URL {
				case "authorize":
					authorize = sub.ValueURI
				case "token":
					token = sub.ValueURI
				}
			}
		}
	}
	return authorize, token
}

// r4Problem says in FHIR terms why the R4 types refused the document.
func r4Problem(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("%s is a JSON %s where FHIR R4 has a %s", te.Field, te.Value, te.Type)
	}
	return err
}

// capabilityChecks judges the CapabilityStatement.
func capabilityChecks(d Document, c *capability, readErr error) []Check {
	rest := []string{"metadata.fhir_version", "metadata.format", "metadata.resources"}
	skipRest := func(why string) []Check {
		var out []Check
		for _, n := range rest {
			out = append(out, Check{Name: n, Status: Skip, Detail: "not checked: " + why})
		}
		return out
	}
	doc := Check{Name: "metadata.capability_statement"}
	if readErr != nil {
		doc.Status, doc.Detail = Fail, fmt.Sprintf("%s: %v", d.URL, readErr)
		return append([]Check{doc}, skipRest("no CapabilityStatement")...)
	}
	if c.resourceType != "CapabilityStatement" {
		doc.Status, doc.Detail = Fail, fmt.Sprintf("%s: resourceType %q, want CapabilityStatement", d.URL, c.resourceType)
		return append([]Check{doc}, skipRest("no CapabilityStatement")...)
	}
	ver := Check{Name: "metadata.fhir_version", Status: Pass, Detail: "4.0.1 (FHIR R4)"}
	if c.fhirVersion != "4.0.1" {
		ver.Status, ver.Detail = Fail, fmt.Sprintf("fhirVersion %s%s, want 4.0.1 (FHIR R4)", orMissing(c.fhirVersion), release(c.fhirVersion))
	}
	if c.r4 == nil {
		doc.Status, doc.Detail = Fail, fmt.Sprintf("%s: not a valid FHIR R4 CapabilityStatement: %v", d.URL, c.r4Err)
		out := []Check{doc, ver}
		for _, n := range rest[1:] {
			out = append(out, Check{Name: n, Status: Skip, Detail: "not checked: not a valid R4 CapabilityStatement"})
		}
		return out
	}
	doc.Status = Pass
	doc.Detail = fetchDetail(d)
	if c.software != "" {
		doc.Detail += ", " + strings.TrimSpace(c.software+" "+c.softwareVersion)
	}

	fm := Check{Name: "metadata.format", Status: Fail, Detail: fmt.Sprintf("format %s lists no JSON", list(c.r4.Format))}
	for _, f := range c.r4.Format {
		if f == "json" || strings.Contains(f, "json") {
			fm.Status, fm.Detail = Pass, "JSON ("+f+")"
			break
		}
	}

	res := Check{Name: "metadata.resources"}
	var types []string
	for _, r := range c.r4.Rest {
		if r.Mode != fhir.RestfulCapabilityModeServer {
			continue
		}
		for _, rr := range r.Resource {
			types = append(types, rr.Type.Code())
		}
	}
	var usCore []string
	for _, t := range usCoreResources {
		if t != "Patient" && slices.Contains(types, t) {
			usCore = append(usCore, t)
		}
	}
	switch {
	case !slices.Contains(types, "Patient"):
		res.Status, res.Detail = Fail, fmt.Sprintf("no Patient resource among the server's %d resources", len(types))
	case len(usCore) == 0:
		res.Status, res.Detail = Fail, "Patient only; no other US Core resource (Condition, Observation, AllergyIntolerance…)"
	default:
		res.Status = Pass
		shown := usCore
		more := ""
		if len(shown) > 5 {
			shown, more = shown[:5], fmt.Sprintf(" and %d more", len(usCore)-5)
		}
		res.Detail = "Patient, " + strings.Join(shown, ", ") + more
	}
	return []Check{doc, ver, fm, res}
}

// release names the FHIR release of a few well-known versions.
func release(v string) string {
	switch {
	case strings.HasPrefix(v, "3.0."):
		return " (FHIR STU3)"
	case strings.HasPrefix(v, "1.0."):
		return " (FHIR DSTU2)"
	case strings.HasPrefix(v, "4.3."):
		return " (FHIR R4B)"
	case strings.HasPrefix(v, "5.0."):
		return " (FHIR R5)"
	}
	return ""
}
