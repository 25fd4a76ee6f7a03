package fhirapi

// One discovery GET and everything that can go wrong with it, turned into a reason a
// practice's IT person can act on (SPEC §6: redirects to another host, bodies over a few
// MB, slow servers and bad certificates are failures with a clear reason, never a hang).

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxBody caps every discovery document. Real SMART configurations are a few KB and real
// CapabilityStatements a few hundred KB; 4 MiB leaves room and stops a hostile endpoint.
const MaxBody = 4 << 20

// maxRedirects is how many same-host redirects a GET follows (e.g. /metadata → /metadata/).
const maxRedirects = 3

// Document is what one GET returned.
type Document struct {
	URL         string
	Status      int // HTTP status; 0 when no response arrived
	ContentType string
	Body        []byte // at most MaxBody bytes; nil on failure
	Latency     time.Duration
	SHA256      string // hex digest of Body, "" when no body was read
	TLSVersion  uint16 // negotiated TLS version, 0 without TLS
	Err         string // why the document could not be read ("" when it was)
}

// redirectError is returned by CheckRedirect and recognised in the reason.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

// newClient builds the probe's HTTP client: TLS 1.2 or newer, the given roots (nil =
// the system's), no cookie jar, no credentials, same-host redirects only.
func newClient(roots *x509.CertPool, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots},
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		DisableKeepAlives:     false,
		MaxIdleConns:          2,
		IdleConnTimeout:       5 * time.Second,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: checkRedirect,
	}
}

// checkRedirect follows a redirect only to the same host and scheme (SPEC §6: a redirect
// to another host or scheme fails). A Location carrying a user name or password is not
// followed either: Go's client would send it as Basic credentials, and the probe never
// sends a credential, so the check fails there and says why (without the password).
func checkRedirect(req *http.Request, via []*http.Request) error {
	first, to := via[0].URL, req.URL
	switch {
	case to.Scheme != "http" && to.Scheme != "https":
		return &redirectError{fmt.Sprintf("redirected to a %s: URL (%s): discovery documents must be served over https by the FHIR server itself",
			clip(to.Scheme, 20), clip(to.Redacted(), 200))}
	case to.User != nil:
		return &redirectError{fmt.Sprintf("redirected to a URL with a user name or password (%s): not followed, the probe never sends credentials and discovery documents must be public",
			clip(to.Redacted(), 200))}
	case !strings.EqualFold(to.Host, first.Host):
		return &redirectError{fmt.Sprintf("redirected to another host (%s): discovery documents must be served by the FHIR server itself", clip(to.Host, 200))}
	case first.Scheme == "https" && to.Scheme != "https":
		return &redirectError{"redirected from https to plain http"}
	case len(via) > maxRedirects:
		return &redirectError{fmt.Sprintf("more than %d redirects", maxRedirects)}
	}
	return nil
}

// get fetches u with one GET. The request carries an Accept header and mipspi's
// User-Agent, nothing else: no Authorization, no cookie.
func get(ctx context.Context, c *http.Client, u, accept, userAgent string, timeout time.Duration) Document {
	d := Document{URL: u}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		d.Err = fmt.Sprintf("bad URL: %v", err)
		return d
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", userAgent)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		d.Latency = time.Since(start)
		d.Err = reason(err, timeout)
		return d
	}
	defer resp.Body.Close()
	d.Status = resp.StatusCode
	d.ContentType = resp.Header.Get("Content-Type")
	if resp.TLS != nil {
		d.TLSVersion = resp.TLS.Version
	}
	if resp.ContentLength > MaxBody {
		d.Latency = time.Since(start)
		d.Err = fmt.Sprintf("body of %d bytes is over the %d MiB limit (not read)", resp.ContentLength, MaxBody>>20)
		return d
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	d.Latency = time.Since(start)
	if err != nil {
		d.Err = "reading the body: " + reason(err, timeout)
		return d
	}
	if len(body) > MaxBody {
		d.Err = fmt.Sprintf("body is over the %d MiB limit (stopped reading)", MaxBody>>20)
		return d
	}
	d.Body = body
	sum := sha256.Sum256(body)
	d.SHA256 = hex.EncodeToString(sum[:])
	return d
}

// reason turns a transport error into one plain sentence.
func reason(err error, timeout time.Duration) string {
	var re *redirectError
	if errors.As(err, &re) {
		return re.msg
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return "the server's certificate is not trusted (signed by an unknown authority, e.g. self-signed); give the issuing CA with --ca FILE if it is the practice's own"
	}
	var he x509.HostnameError
	if errors.As(err, &he) {
		return "the server's certificate is not valid for this host name: " + he.Error()
	}
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) {
		return "the server's certificate is invalid: " + ci.Error()
	}
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) {
		return "the server's certificate could not be verified: " + ve.Err.Error()
	}
	var alert tls.AlertError
	msg := err.Error()
	if errors.As(err, &alert) && alert == 70 || strings.Contains(msg, "protocol version") {
		return "TLS handshake failed: the server does not offer TLS 1.2 or newer"
	}
	if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return fmt.Sprintf("no answer within %s (--timeout)", timeout)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return "cannot connect: " + oe.Err.Error()
	}
	if strings.Contains(msg, "tls:") {
		return "TLS handshake failed: " + trimURLError(err)
	}
	return trimURLError(err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// trimURLError drops url.Error's `Get "https://…":` prefix (the check line names the URL).
func trimURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// tlsName is "TLS 1.3", or "" for no TLS.
func tlsName(v uint16) string {
	if v == 0 {
		return ""
	}
	return tls.VersionName(v)
}
