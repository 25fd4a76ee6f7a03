package fhirapi

// The SMART App Launch discovery document, {base}/.well-known/smart-configuration
// (SPEC §6), read in one pass (jsonwalk.go); only the fields the checks need are kept.
// The checks judge as a patient's standalone app would: no endpoints, no
// launch-standalone or permission-patient, or no S256 under SMART v2 stop the app and
// fail; the rest of SPEC §6's table warns.

import (
	"fmt"
	"net/url"
	"strings"
)

// smartConfig is the part of the SMART configuration the checks read.
type smartConfig struct {
	Issuer, JWKSURI                      string
	AuthorizationEndpoint, TokenEndpoint string
	capabilities                         *stringSet // nil: no capabilities array
	capabilitiesKind                     string     // the JSON type found instead of an array
	grantTypes                           *stringSet // nil when absent
	challengeMethods                     *stringSet // nil when absent
}

// patientAppCapabilities are the capabilities a standalone patient app reads (SPEC §6).
var patientAppCapabilities = []string{"launch-standalone", "context-standalone-patient", "permission-patient"}

// readSMART parses the SMART document once; the error says why it is not usable.
func readSMART(d Document) (*smartConfig, error) {
	if why := jsonDocument(d); why != "" {
		return nil, fmt.Errorf("%s", why)
	}
	s := &smartConfig{}
	w := newWalker(d.Body)
	_, err := w.object("the document", "an object", func(key string) error {
		var err error
		switch key {
		case "issuer":
			s.Issuer, _, err = w.str(key, "a URL")
		case "jwks_uri":
			s.JWKSURI, _, err = w.str(key, "a URL")
		case "authorization_endpoint":
			s.AuthorizationEndpoint, _, err = w.str(key, "a URL")
		case "token_endpoint":
			s.TokenEndpoint, _, err = w.str(key, "a URL")
		case "capabilities":
			set := newStringSet(append(patientAppCapabilities, "permission-v2", "sso-openid-connect")...)
			var ok bool
			if ok, err = w.strings(key, "a string", set); ok {
				s.capabilities = set
			} else {
				s.capabilitiesKind = w.lastKind
			}
		case "grant_types_supported":
			set := newStringSet("authorization_code")
			if ok, e := w.strings(key, "a string", set); ok {
				s.grantTypes = set
			} else {
				err = e
			}
		case "code_challenge_methods_supported":
			set := newStringSet("S256", "plain")
			if ok, e := w.strings(key, "a string", set); ok {
				s.challengeMethods = set
			} else {
				err = e
			}
		default:
			err = w.skip()
		}
		return err
	})
	if err := w.finish(err); err != nil {
		return nil, err
	}
	return s, nil
}

// isV2 reports whether the document declares SMART App Launch 2 (permission-v2).
func (s *smartConfig) isV2() bool {
	return s.capabilities != nil && s.capabilities.contains("permission-v2")
}

func (s *smartConfig) hasCapability(c string) bool {
	return s.capabilities != nil && s.capabilities.contains(c)
}

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
	version := "SMART v1 (permission-v2 not listed)"
	if s.isV2() {
		version = "SMART v2"
	}
	fetch.Status, fetch.Detail = documentStatus(d, version)
	out := []Check{fetch}

	// Endpoints: both present, absolute https URLs (an app sends the patient's login there).
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
		ep.Detail = "authorize " + clip(s.AuthorizationEndpoint, 200) + ", token " + clip(s.TokenEndpoint, 200)
	}
	out = append(out, ep)

	// The patient-app capabilities: launch-standalone and permission-patient are what a
	// standalone patient app needs; context-standalone-patient it can do without.
	caps := Check{Name: "smart.capabilities", Status: Pass}
	switch {
	case s.capabilities == nil && s.capabilitiesKind != "":
		caps.Status, caps.Detail = Fail, "capabilities is a JSON "+s.capabilitiesKind+", not an array: a patient's app finds no launch-standalone or permission-patient"
	case s.capabilities == nil:
		caps.Status, caps.Detail = Fail, "no capabilities array: a patient's app finds no launch-standalone or permission-patient"
	default:
		var stop, warn []string
		for _, c := range patientAppCapabilities {
			switch {
			case s.hasCapability(c):
			case c == "context-standalone-patient":
				warn = append(warn, c)
			default:
				stop = append(stop, c)
			}
		}
		switch {
		case len(stop) > 0:
			caps.Status, caps.Detail = Fail, "missing "+strings.Join(stop, ", ")+" (a patient's standalone app cannot launch)"
			if len(warn) > 0 {
				caps.Detail += "; also missing " + strings.Join(warn, ", ")
			}
		case len(warn) > 0:
			caps.Status, caps.Detail = Warn, "launch-standalone, permission-patient; missing "+strings.Join(warn, ", ")+" (the app asks the patient to pick their record)"
		default:
			caps.Detail = strings.Join(patientAppCapabilities, ", ")
		}
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
	if s.grantTypes == nil || !s.grantTypes.contains("authorization_code") {
		gt.Status, gt.Detail = Warn, fmt.Sprintf("grant_types_supported %s lacks authorization_code (apps use it anyway)", s.grantTypes.list())
	}
	out = append(out, gt)

	pk := Check{Name: "smart.v2.pkce", Status: Pass, Detail: "S256, no plain"}
	switch {
	case s.challengeMethods == nil || !s.challengeMethods.contains("S256"):
		pk.Status, pk.Detail = Fail, fmt.Sprintf("code_challenge_methods_supported %s lacks S256 (a SMART v2 app requires it)", s.challengeMethods.list())
	case s.challengeMethods.contains("plain"):
		pk.Status, pk.Detail = Warn, "code_challenge_methods_supported offers plain beside S256 (SMART v2 forbids plain; apps use S256)"
	}
	out = append(out, pk)

	oi := Check{Name: "smart.v2.openid"}
	switch {
	case !s.hasCapability("sso-openid-connect"):
		oi.Status, oi.Detail = Skip, "not applicable: sso-openid-connect not listed"
	case s.Issuer == "" || s.JWKSURI == "":
		var miss []string
		if s.Issuer == "" {
			miss = append(miss, "issuer")
		}
		if s.JWKSURI == "" {
			miss = append(miss, "jwks_uri")
		}
		oi.Status, oi.Detail = Warn, "sso-openid-connect is listed but "+strings.Join(miss, " and ")+" missing (an app can still reach the patient's data)"
	default:
		oi.Status, oi.Detail = Pass, "issuer "+clip(s.Issuer, 200)+", jwks_uri "+clip(s.JWKSURI, 200)
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
		return fmt.Sprintf("%q is not an absolute URL", clip(v, 200))
	}
	if u.Scheme != "https" {
		// The patient's login would cross the network without TLS (SPEC §6: TLS 1.2).
		return fmt.Sprintf("%q is not https", clip(v, 200))
	}
	return ""
}

func orMissing(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
