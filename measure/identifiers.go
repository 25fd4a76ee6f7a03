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

// ValidTIN reports whether tin is 9 digits (R10 INVALID_TIN). Hyphens are not accepted:
// registries want the bare digits.
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

// NormalTIN reads a TIN the way clerks write it (SPEC §3: "36-1234567", "36 1234567"
// and "361234567" are one TIN): without hyphens and spaces when that leaves exactly 9
// digits, else s trimmed (it then matches no office, and ValidTIN says why).
func NormalTIN(s string) string { return digitsOnly(s, 9) }

// NormalNPI is NormalTIN for a 10-digit NPI ("1234 567 893").
func NormalNPI(s string) string { return digitsOnly(s, 10) }

// digitsOnly returns s without hyphens and spaces when that leaves exactly n digits,
// else s trimmed.
func digitsOnly(s string, n int) string {
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
