package fhirapi

// The probe (SPEC §6): two unauthenticated GETs and the checks over what they returned.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mipspi/mipspi/internal/sanitize"
)

// Status of one check.
type Status string

const (
	Pass Status = "pass"
	Warn Status = "warn" // a deviation a patient's app reads past: the API stays live (SPEC §6)
	Fail Status = "fail" // what stops a patient's app from reaching the data
	Skip Status = "skip" // not applicable, or not checkable because a document is missing
)

// Check is one line of the probe's output.
type Check struct {
	Name   string // stable identifier, e.g. "smart.endpoints" (stored as evidence)
	Status Status
	Detail string // why, in plain words
}

// Result is one probe of a patient API.
type Result struct {
	At       time.Time // when the probe started (UTC)
	Base     string    // the FHIR base URL, without a trailing slash
	TIN      string    // the TIN the probe stands for ("" = every TIN)
	SMART    Document  // GET {base}/.well-known/smart-configuration
	Metadata Document  // GET {base}/metadata
	Checks   []Check
	// From the CapabilityStatement, when it could be read.
	Software        string
	SoftwareVersion string
	FHIRVersion     string
}

// OK reports whether the API is live: no check failed (warnings leave it live, SPEC §6).
func (r *Result) OK() bool {
	for _, c := range r.Checks {
		if c.Status == Fail {
			return false
		}
	}
	return len(r.Checks) > 0
}

// Failed returns the failing checks.
func (r *Result) Failed() []Check { return r.with(Fail) }

// Warned returns the checks that warn.
func (r *Result) Warned() []Check { return r.with(Warn) }

func (r *Result) with(st Status) []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == st {
			out = append(out, c)
		}
	}
	return out
}

// TLSVersion is the lowest TLS version negotiated by the two GETs ("" when neither
// reached a TLS server).
func (r *Result) TLSVersion() string {
	v := uint16(0)
	for _, d := range []Document{r.SMART, r.Metadata} {
		if d.TLSVersion != 0 && (v == 0 || d.TLSVersion < v) {
			v = d.TLSVersion
		}
	}
	return tlsName(v)
}

// Options configures a probe.
type Options struct {
	Base      string         // FHIR base URL (https://…); see ParseBase
	TIN       string         // recorded with the result; not sent anywhere
	Roots     *x509.CertPool // trusted roots; nil = the system's
	Timeout   time.Duration  // per GET; 0 = DefaultTimeout
	UserAgent string         // e.g. "mipspi/v1.2.3"
	Now       func() time.Time
}

// DefaultTimeout bounds each of the two GETs.
const DefaultTimeout = 10 * time.Second

// ParseBase checks a FHIR base URL given by a person and returns it without a trailing
// slash: http or https, a host, no user or password, no query or fragment. Its errors
// never repeat what was given: a malformed URL may carry a password anywhere.
func ParseBase(s string) (string, error) {
	const example = " (e.g. https://ehr.example.com/fhir/r4)"
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", errors.New("not a URL that can be read" + example)
	}
	switch {
	case u.User != nil:
		return "", errors.New("the URL carries a user name or password; the probe never sends credentials, so leave them out")
	case u.Scheme == "":
		return "", errors.New("want an https:// URL" + example)
	case u.Scheme != "https" && u.Scheme != "http":
		return "", fmt.Errorf("want an https:// URL, not one of scheme %q%s", sanitize.Store(u.Scheme, 20), example)
	case u.Host == "":
		return "", errors.New("no host in the URL" + example)
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?"):
		return "", errors.New("the URL has a query or fragment; give the FHIR base only" + example)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Probe runs the two GETs against o.Base and judges them. It never returns an error:
// every failure is a failed check with its reason.
func Probe(ctx context.Context, o Options) *Result {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ua := o.UserAgent
	if ua == "" {
		ua = "mipspi"
	}
	r := &Result{At: now().UTC(), Base: strings.TrimRight(o.Base, "/"), TIN: o.TIN}
	c := newClient(o.Roots, timeout)
	defer c.CloseIdleConnections()
	r.SMART = get(ctx, c, r.Base+"/.well-known/smart-configuration", "application/json", ua, timeout)
	r.Metadata = get(ctx, c, r.Base+"/metadata", "application/fhir+json", ua, timeout)

	cs, csErr := readCapability(r.Metadata)
	smart, smartErr := readSMART(r.SMART)
	if cs != nil {
		r.FHIRVersion = cs.fhirVersion
		r.Software, r.SoftwareVersion = cs.software, cs.softwareVersion
	}
	r.Checks = append(r.Checks, smartChecks(r.SMART, smart, smartErr, cs)...)
	r.Checks = append(r.Checks, capabilityChecks(r.Metadata, cs, csErr)...)
	r.Checks = append(r.Checks, tlsCheck(r))
	cleanResult(r)
	return r
}

// tlsCheck: the API is served over TLS 1.2 or newer (SPEC §6). The client refuses
// anything older during the handshake, so an old server shows up as a handshake failure.
func tlsCheck(r *Result) Check {
	c := Check{Name: "tls"}
	if strings.HasPrefix(r.Base, "http://") {
		c.Status, c.Detail = Fail, "the base URL is plain http://; a patient API must be served over TLS 1.2 or newer"
		return c
	}
	v := uint16(0)
	for _, d := range []Document{r.SMART, r.Metadata} {
		if d.TLSVersion != 0 && (v == 0 || d.TLSVersion < v) {
			v = d.TLSVersion
		}
	}
	if v == 0 {
		for _, d := range []Document{r.SMART, r.Metadata} {
			if strings.Contains(d.Err, "TLS") || strings.Contains(d.Err, "certificate") {
				c.Status, c.Detail = Fail, d.Err
				return c
			}
		}
		c.Status, c.Detail = Skip, "no TLS connection was made: "+firstNonEmpty(r.Metadata.Err, r.SMART.Err)
		return c
	}
	if v < tls.VersionTLS12 {
		c.Status, c.Detail = Fail, tlsName(v)+" negotiated; TLS 1.2 or newer is required"
		return c
	}
	c.Status, c.Detail = Pass, tlsName(v)
	return c
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// jsonDocument checks that d is a 200 response whose body is a JSON object; it returns
// the reason when it is not ("" when it is). The body decides, not the Content-Type: a
// JSON body under another type is a warning (documentStatus), a login page a failure.
func jsonDocument(d Document) string {
	if d.Err != "" {
		return d.Err
	}
	body := jsonBody(d.Body)
	looksHTML := bytes.HasPrefix(body, []byte("<"))
	if d.Status != 200 {
		msg := fmt.Sprintf("HTTP %d", d.Status)
		switch {
		case d.Status == 401 || d.Status == 403:
			msg += ": the server asks for credentials; discovery documents must be public"
		case d.Status == 404:
			msg += ": not found"
		case d.Status >= 300 && d.Status < 400:
			msg += ": redirect without a usable Location"
		}
		return msg
	}
	if looksHTML {
		return fmt.Sprintf("HTTP 200 but the body is an HTML page, not JSON (Content-Type %q): a login page or a proxy's page?", d.ContentType)
	}
	if !bytes.HasPrefix(body, []byte("{")) {
		return fmt.Sprintf("HTTP 200 but the body is not a JSON object (Content-Type %q, %d bytes)", d.ContentType, len(d.Body))
	}
	return ""
}

// documentStatus judges a document that was read as JSON: pass, or warn when the
// Content-Type does not say JSON (SPEC §6: apps read the body anyway). extra follows the
// fetch details ("SMART v2", the server's software).
func documentStatus(d Document, extra string) (Status, string) {
	detail := fetchDetail(d)
	if extra != "" {
		detail += ", " + extra
	}
	if !jsonType(d.ContentType) {
		return Warn, detail + "; the body is JSON but the Content-Type is " + orNone(d.ContentType) + ", not application/json or application/fhir+json"
	}
	return Pass, detail
}

// jsonType reports whether a Content-Type names JSON (application/json, application/fhir+json,
// any +json type), whatever its parameters.
func jsonType(ct string) bool {
	mt, _, _ := strings.Cut(strings.ToLower(ct), ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json"
}

// fetchDetail describes a document that was read. The latency is not in it (it is
// recorded on its own): a steady server's checks then read the same every hour.
func fetchDetail(d Document) string {
	return fmt.Sprintf("HTTP %d, %s, %d bytes", d.Status, orNone(d.ContentType), len(d.Body))
}

func orNone(s string) string {
	if s == "" {
		return "no Content-Type"
	}
	return s
}
