package fhirapi

// The SMART App Launch discovery document, {base}/.well-known/smart-configuration
// (SPEC §6). It is plain JSON; only the fields the checks need are read.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// smartConfig is the part of the SMART configuration the checks read.
type smartConfig struct {
	Issuer                 string   `json:"issuer"`
	JWKSURI                string   `json:"jwks_uri"`
	AuthorizationEndpoint  string   `json:"authorization_endpoint"`
	TokenEndpoint          string   `json:"token_endpoint"`
	Capabilities           []string `json:"capabilities"`
	GrantTypesSupported    []string `json:"grant_types_supported"`
	CodeChallengeMethods   []string `json:"code_challenge_methods_supported"`
	capabilitiesWereAbsent bool
}

// patientAppCapabilities are the capabilities a standalone patient app needs (SPEC §6).
var patientAppCapabilities = []string{"launch-standalone", "context-standalone-patient", "permission-patient"}

// readSMART parses the SMART document; the error says why it is not usable.
func readSMART(d Document) (*smartConfig, error) {
	if why := jsonDocument(d); why != "" {
		return nil, fmt.Errorf("%s", why)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(d.Body, &raw); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	var s smartConfig
	if err := json.Unmarshal(d.Body, &s); err != nil {
		return nil, fmt.Errorf("a field has the wrong type: %v", err)
	}
	_, has := raw["capabilities"]
	s.capabilitiesWereAbsent = !has
	return &s, nil
}

// isV2 reports whether the document declares SMART App Launch 2 (permission-v2).
func (s *smartConfig) isV2() bool { return slices.Contains(s.Capabilities, "permission-v2") }

// smartChecks judges the SMART document. cs (may be nil) lets a missing document be
// explained: a server that only speaks SMART v1 lists its OAuth endpoints in the
// CapabilityStatement's oauth-uris extension instead.
func smartChecks(d Document, s *smartConfig, readErr error, cs *capability) []Check {
	fetch := Check{Name: "smart.configuration"}
	if readErr != nil {
		fetch.Status = Fail
		fetch.Detail = fmt.Sprintf("%s: %v", d.URL, readErr)
		if cs != nil && (cs.oauthAuthorize != "" || cs.oauthToken != "") {
			fetch.Detail += fmt.Sprintf("; the server speaks only SMART v1: the CapabilityStatement's oauth-uris extension names authorize %s and token %s, but SMART App Launch discovery needs .well-known/smart-configuration",
				orMissing(cs.oauthAuthorize), orMissing(cs.oauthToken))
		}
		out := []Check{fetch}
		for _, n := range []string{"smart.endpoints", "smart.capabilities", "smart.v2.grant_types", "smart.v2.pkce", "smart.v2.openid"} {
			out = append(out, Check{Name: n, Status: Skip, Detail: "not checked: no SMART configuration"})
		}
		return out
	}
	fetch.Status = Pass
	version := "SMART v1 (permission-v2 not listed)"
	if s.isV2() {
		version = "SMART v2"
	}
	fetch.Detail = fetchDetail(d) + ", " + version
	out := []Check{fetch}

	// Endpoints: both present and absolute https URLs.
	ep := Check{Name: "smart.endpoints", Status: Pass}
	var bad []string
	for _, e := range []struct{ name, v string }{{"authorization_endpoint", s.AuthorizationEndpoint}, {"token_endpoint", s.TokenEndpoint}} {
		if why := endpointProblem(e.v); why != "" {
			bad = append(bad, e.name+" "+why)
		}
	}
	if len(bad) > 0 {
		ep.Status, ep.Detail = Fail, strings.Join(bad, "; ")
	} else {
		ep.Detail = "authorize " + s.AuthorizationEndpoint + ", token " + s.TokenEndpoint
	}
	out = append(out, ep)

	// The patient-app capabilities.
	caps := Check{Name: "smart.capabilities", Status: Pass}
	if s.capabilitiesWereAbsent {
		caps.Status, caps.Detail = Fail, "no capabilities array"
	} else if missing := missingFrom(s.Capabilities, patientAppCapabilities); len(missing) > 0 {
		caps.Status, caps.Detail = Fail, "missing "+strings.Join(missing, ", ")+" (a patient's standalone app cannot launch)"
	} else {
		caps.Detail = strings.Join(patientAppCapabilities, ", ")
	}
	out = append(out, caps)

	// SMART v2 only.
	if !s.isV2() {
		for _, n := range []string{"smart.v2.grant_types", "smart.v2.pkce", "smart.v2.openid"} {
			out = append(out, Check{Name: n, Status: Skip, Detail: "not applicable: the document does not list permission-v2 (SMART v1)"})
		}
		return out
	}
	gt := Check{Name: "smart.v2.grant_types", Status: Pass, Detail: "authorization_code"}
	if !slices.Contains(s.GrantTypesSupported, "authorization_code") {
		gt.Status, gt.Detail = Fail, fmt.Sprintf("grant_types_supported %s lacks authorization_code", list(s.GrantTypesSupported))
	}
	out = append(out, gt)

	pk := Check{Name: "smart.v2.pkce", Status: Pass, Detail: "S256, no plain"}
	switch {
	case !slices.Contains(s.CodeChallengeMethods, "S256"):
		pk.Status, pk.Detail = Fail, fmt.Sprintf("code_challenge_methods_supported %s lacks S256", list(s.CodeChallengeMethods))
	case slices.Contains(s.CodeChallengeMethods, "plain"):
		pk.Status, pk.Detail = Fail, "code_challenge_methods_supported offers plain, which SMART v2 forbids"
	}
	out = append(out, pk)

	oi := Check{Name: "smart.v2.openid"}
	switch {
	case !slices.Contains(s.Capabilities, "sso-openid-connect"):
		oi.Status, oi.Detail = Skip, "not applicable: sso-openid-connect not listed"
	case s.Issuer == "" || s.JWKSURI == "":
		var miss []string
		if s.Issuer == "" {
			miss = append(miss, "issuer")
		}
		if s.JWKSURI == "" {
			miss = append(miss, "jwks_uri")
		}
		oi.Status, oi.Detail = Fail, "sso-openid-connect is listed but "+strings.Join(miss, " and ")+" missing"
	default:
		oi.Status, oi.Detail = Pass, "issuer "+s.Issuer+", jwks_uri "+s.JWKSURI
	}
	return append(out, oi)
}

// endpointProblem says what is wrong with an OAuth endpoint URL ("" when nothing).
func endpointProblem(v string) string {
	if v == "" {
		return "missing"
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute URL", v)
	}
	if u.Scheme != "https" {
		return fmt.Sprintf("%q is not https", v)
	}
	return ""
}

func missingFrom(have, want []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

func list(ss []string) string {
	if len(ss) == 0 {
		return "(absent)"
	}
	return "[" + strings.Join(ss, ", ") + "]"
}

func orMissing(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
