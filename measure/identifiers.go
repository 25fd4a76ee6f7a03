package measure

import (
	"net/mail"
	"strings"
)

// ValidNPI reports whether npi is a 10-digit National Provider Identifier whose last
// digit is the Luhn check digit computed over "80840" followed by the first nine digits
// (the ISO 7812 card-issuer prefix for US health applications; R10 INVALID_NPI).
func ValidNPI(npi string) bool {
	if len(npi) != 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		if npi[i] < '0' || npi[i] > '9' {
			return false
		}
	}
	return npi[9] == NPICheckDigit(npi[:9])
}

// NPICheckDigit returns the check digit for a 9-digit NPI stem (digits only).
func NPICheckDigit(stem string) byte {
	// Luhn over "80840"+stem+check: double every second digit from the right,
	// starting with the rightmost digit of the stem (the check digit is position 1).
	full := "80840" + stem
	sum := 0
	double := true
	for i := len(full) - 1; i >= 0; i-- {
		d := int(full[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// NormalTIN is a TIN as its 9 digits (SPEC §3): "36-1234567", "36 1234567" and
// "361234567" are one TIN everywhere. A value that is not 9 digits once spaces and
// hyphens are dropped is returned trimmed, as written, for INVALID_TIN to name.
func NormalTIN(s string) string {
	if ValidTIN(s) {
		return s
	}
	return writtenDigits(s, 9)
}

// NormalNPI reads an NPI as people type it ("1234 567 893", "1234-567-893") for the --npi
// filter; anything that is not 10 digits once spaces and hyphens are dropped is returned
// trimmed. (NPIs in the data are read as stored: R10 INVALID_NPI names a malformed one.)
func NormalNPI(s string) string { return writtenDigits(s, 10) }

// writtenDigits is s without spaces and hyphens when that leaves exactly n digits, else
// s trimmed.
func writtenDigits(s string, n int) string {
	s = strings.TrimSpace(s)
	d := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, s)
	if len(d) == n && strings.Trim(d, "0123456789") == "" {
		return d
	}
	return s
}

// WithNormalTINs is p with every office's and API window's TIN in NormalTIN's form; the
// slices are copied only when a TIN changes.
func (p Practice) WithNormalTINs() Practice {
	for i, o := range p.Offices {
		if t := NormalTIN(o.TIN); t != o.TIN {
			p.Offices = append([]Office(nil), p.Offices...)
			for j := i; j < len(p.Offices); j++ {
				p.Offices[j].TIN = NormalTIN(p.Offices[j].TIN)
			}
			break
		}
	}
	for i, w := range p.APIWindows {
		if t := NormalTIN(w.TIN); t != w.TIN {
			p.APIWindows = append([]APIWindow(nil), p.APIWindows...)
			for j := i; j < len(p.APIWindows); j++ {
				p.APIWindows[j].TIN = NormalTIN(p.APIWindows[j].TIN)
			}
			break
		}
	}
	return p
}

// ValidTIN reports whether tin is 9 digits (R10 INVALID_TIN); NormalTIN reads the
// hyphenated and spaced forms first.
func ValidTIN(tin string) bool {
	if len(tin) != 9 {
		return false
	}
	for i := 0; i < 9; i++ {
		if tin[i] < '0' || tin[i] > '9' {
			return false
		}
	}
	return true
}

// UsableEmail reports whether s looks like a deliverable address: one bare
// addr-spec (no display name), a dot in the domain, no spaces or control characters
// (R10 INVALID_EMAIL; NOT_INVITED says whether the patient has one).
func UsableEmail(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 254 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}
