package fhirapi

// The FHIR CapabilityStatement, {base}/metadata (SPEC §6): FHIR R4, JSON, Patient and at
// least one other US Core resource. It is read in one pass (jsonwalk.go) that keeps only
// what the checks read, so a hostile 4 MiB statement costs a few MB, never a tree of
// millions of structs; the fields read are held to their R4 JSON types, and a field in an
// older FHIR form or of another type (node-fhir-server-core writes rest.resource.profile
// as an STU3 Reference object) is a warning: an app reads past it.

import (
	"fmt"
	"strings"
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
	software        string
	softwareVersion string
	implementation  string     // implementation.description, the software's name when software is absent
	format          *stringSet // nil when absent
	jsonFormat      string     // the first format naming JSON
	resources       int        // resources of rest entries in server mode
	types           *stringSet // their types, watching the US Core ones
	oauthAuthorize  string     // SMART v1 oauth-uris, when present
	oauthToken      string
	wrong           []deviation // fields of another JSON type than R4's
	wrongN          int
}

// readCapability parses the metadata document once.
func readCapability(d Document) (*capability, error) {
	if why := jsonDocument(d); why != "" {
		return nil, fmt.Errorf("%s", why)
	}
	c := &capability{types: newStringSet(usCoreResources...)}
	w := newWalker(d.Body)
	_, err := w.object("the document", "an object", func(key string) error {
		var err error
		switch key {
		case "resourceType":
			c.resourceType, _, err = w.str(key, "a string")
		case "fhirVersion":
			c.fhirVersion, _, err = w.str(key, "a code (string)")
		case "software":
			_, err = w.object(key, "an object", func(k string) error {
				var err error
				switch k {
				case "name":
					c.software, _, err = w.str("software.name", "a string")
				case "version":
					c.softwareVersion, _, err = w.str("software.version", "a string")
				default:
					err = w.skip()
				}
				return err
			})
		case "implementation":
			_, err = w.object(key, "an object", func(k string) error {
				if k == "description" {
					var err error
					c.implementation, _, err = w.str("implementation.description", "a string")
					return err
				}
				return w.skip()
			})
		case "format":
			set := newStringSet()
			var ok bool
			ok, err = w.array(key, "an array", func(int) error {
				f, isStr, err := w.str("format[]", "a code (string)")
				if isStr {
					set.add(f)
					if c.jsonFormat == "" && strings.Contains(f, "json") {
						c.jsonFormat = clip(f, 80)
					}
				}
				return err
			})
			if ok {
				c.format = set
			}
		case "rest":
			_, err = w.array(key, "an array", func(int) error { return c.readRest(w) })
		default:
			err = w.skip()
		}
		return err
	})
	if err := w.finish(err); err != nil {
		return nil, err
	}
	if c.software == "" {
		c.software = c.implementation
	}
	c.wrong, c.wrongN = w.wrong, w.wrongN
	return c, nil
}

// readRest reads one rest entry: its mode, resources and security.
func (c *capability) readRest(w *walker) error {
	mode := ""
	types := map[string]bool{} // this entry's US Core types, kept once the mode is known
	n := 0
	var authorize, token string
	_, err := w.object("rest", "an object", func(key string) error {
		var err error
		switch key {
		case "mode":
			mode, _, err = w.str("rest.mode", "a code (string)")
		case "resource":
			_, err = w.array("rest.resource", "an array", func(int) error {
				n++
				_, err := w.object("rest.resource", "an object", func(k string) error {
					var err error
					switch k {
					case "type":
						var t string
						var ok bool
						if t, ok, err = w.str("rest.resource.type", "a code (string)"); ok {
							if _, us := c.types.has[t]; us {
								types[t] = true
							}
						}
					case "profile":
						_, _, err = w.str("rest.resource.profile", "a canonical (string)")
					case "supportedProfile":
						_, err = w.array("rest.resource.supportedProfile", "an array", func(int) error {
							_, _, err := w.str("rest.resource.supportedProfile[]", "a canonical (string)")
							return err
						})
					default:
						err = w.skip()
					}
					return err
				})
				return err
			})
		case "security":
			_, err = w.object("rest.security", "an object", func(k string) error {
				if k != "extension" {
					return w.skip()
				}
				_, err := w.array("rest.security.extension", "an array", func(int) error {
					a, t, err := readOAuthURIs(w)
					if a != "" {
						authorize = a
					}
					if t != "" {
						token = t
					}
					return err
				})
				return err
			})
		default:
			err = w.skip()
		}
		return err
	})
	if mode == "server" {
		c.resources += n
		for _, t := range usCoreResources {
			if types[t] {
				c.types.add(t)
			}
		}
	}
	if authorize != "" {
		c.oauthAuthorize = authorize
	}
	if token != "" {
		c.oauthToken = token
	}
	return err
}

// readOAuthURIs reads one security extension; for the SMART v1 oauth-uris extension it
// returns the authorize and token URIs, leniently (whatever else the document gets wrong).
func readOAuthURIs(w *walker) (authorize, token string, err error) {
	url := ""
	var sub [][2]string
	_, err = w.object("rest.security.extension", "an object", func(k string) error {
		var err error
		switch k {
		case "url":
			url, _, err = w.str("rest.security.extension.url", "a uri (string)")
		case "extension":
			_, err = w.array("rest.security.extension.extension", "an array", func(int) error {
				var u, v string
				_, err := w.object("rest.security.extension.extension", "an object", func(k string) error {
					var err error
					switch k {
					case "url":
						u, _, err = w.str("rest.security.extension.extension.url", "a uri (string)")
					case "valueUri":
						v, _, err = w.str("rest.security.extension.extension.valueUri", "a uri (string)")
					default:
						err = w.skip()
					}
					return err
				})
				if (u == "authorize" || u == "token") && len(sub) < 8 {
					sub = append(sub, [2]string{u, v})
				}
				return err
			})
		default:
			err = w.skip()
		}
		return err
	})
	if url != oauthURIs {
		return "", "", err
	}
	for _, s := range sub {
		if s[0] == "authorize" {
			authorize = s[1]
		} else {
			token = s[1]
		}
	}
	return clip(authorize, 200), clip(token, 200), err
}

// capabilityChecks judges the CapabilityStatement (SPEC §6's table): not a
// CapabilityStatement, not FHIR 4.0.x or no Patient fail; fhirVersion 4.0.0, no JSON
// format, no other US Core resource and fields in another form warn.
func capabilityChecks(d Document, c *capability, readErr error) []Check {
	rest := []string{"metadata.fhir_version", "metadata.format", "metadata.resources", "metadata.r4_fields"}
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
		doc.Status, doc.Detail = Fail, fmt.Sprintf("%s: resourceType %q, want CapabilityStatement", d.URL, clip(c.resourceType, 80))
		return append([]Check{doc}, skipRest("no CapabilityStatement")...)
	}
	soft := ""
	if c.software != "" {
		soft = clip(strings.TrimSpace(c.software+" "+c.softwareVersion), 200)
	}
	doc.Status, doc.Detail = documentStatus(d, soft)

	ver := Check{Name: "metadata.fhir_version", Status: Pass, Detail: "4.0.1 (FHIR R4)"}
	switch {
	case c.fhirVersion == "4.0.1":
	case c.fhirVersion == "4.0.0":
		ver.Status, ver.Detail = Warn, "fhirVersion 4.0.0 (the FHIR R4 ballot; apps read it as R4), want 4.0.1"
	case strings.HasPrefix(c.fhirVersion, "4.0."):
		ver.Status, ver.Detail = Warn, fmt.Sprintf("fhirVersion %s (FHIR R4), want 4.0.1", clip(c.fhirVersion, 40))
	default:
		ver.Status, ver.Detail = Fail, fmt.Sprintf("fhirVersion %s%s, want 4.0.1 (FHIR R4)", orMissing(clip(c.fhirVersion, 40)), release(c.fhirVersion))
	}

	fm := Check{Name: "metadata.format", Status: Warn, Detail: fmt.Sprintf("format %s lists no JSON (apps ask for JSON anyway)", c.format.list())}
	if c.jsonFormat != "" {
		fm.Status, fm.Detail = Pass, "JSON ("+c.jsonFormat+")"
	}

	res := Check{Name: "metadata.resources"}
	var usCore []string
	for _, t := range usCoreResources {
		if t != "Patient" && c.types.contains(t) {
			usCore = append(usCore, t)
		}
	}
	switch {
	case !c.types.contains("Patient"):
		res.Status, res.Detail = Fail, fmt.Sprintf("no Patient resource among the server's %d resources", c.resources)
	case len(usCore) == 0:
		res.Status, res.Detail = Warn, "Patient only; no other US Core resource (Condition, Observation, AllergyIntolerance…)"
	default:
		res.Status = Pass
		shown := usCore
		more := ""
		if len(shown) > 5 {
			shown, more = shown[:5], fmt.Sprintf(" and %d more", len(usCore)-5)
		}
		res.Detail = "Patient, " + strings.Join(shown, ", ") + more
	}

	shape := Check{Name: "metadata.r4_fields", Status: Pass, Detail: "every field read has its FHIR R4 form"}
	if c.wrongN > 0 {
		var shown []string
		n := 0
		for _, d := range c.wrong[:min(len(c.wrong), 3)] {
			shown = append(shown, d.String())
			n += d.times
		}
		shape.Status, shape.Detail = Warn, strings.Join(shown, "; ")
		if c.wrongN > n {
			shape.Detail += fmt.Sprintf("; and %d more", c.wrongN-n)
		}
		shape.Detail += " (an older FHIR form or another type; apps read past it)"
	}
	return []Check{doc, ver, fm, res, shape}
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
