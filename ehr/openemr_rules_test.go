package ehr

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mipspi/mipspi/measure"
)

// TestOpenEMRZone covers SPEC §8's zone: the configuration, else globals.gbl_time_zone
// (gl_index 0, else the lowest; ” is absent), else a usage error; an invalid IANA name
// is a usage error.
func TestOpenEMRZone(t *testing.T) {
	cases := []struct {
		name       string
		configured string
		globals    []oeGlobal
		want, from string
		err        string
	}{
		{"configuration wins", "America/Denver", []oeGlobal{{0, "America/Chicago"}}, "America/Denver", zoneFromConfig, ""},
		{"globals index 0", "", []oeGlobal{{3, "America/Denver"}, {0, "America/Chicago"}}, "America/Chicago", zoneFromGlobals, ""},
		{"globals lowest index", "", []oeGlobal{{5, "America/Denver"}, {2, "America/Phoenix"}}, "America/Phoenix", zoneFromGlobals, ""},
		{"'' is absent", "", []oeGlobal{{0, ""}}, "", "",
			"openemr.time_zone: OpenEMR's globals hold no gbl_time_zone, and the configuration names none; set the zone of the installation in the configuration, e.g. openemr: {time_zone: America/Chicago}, or in OpenEMR (Administration > Globals > Locale > Time Zone)"},
		{"no row", "", nil, "", "", "openemr.time_zone: OpenEMR's globals hold no gbl_time_zone"},
		{"invalid in the configuration", "Mars/Olympus", nil, "", "",
			`openemr.time_zone: unknown time zone "Mars/Olympus" (want an IANA name like America/Chicago); set openemr.time_zone in the configuration to the installation's IANA zone`},
		{"invalid in globals", "", []oeGlobal{{0, "Local"}}, "", "", `globals gbl_time_zone: unknown time zone "Local"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			loc, from, err := oeZone(c.configured, c.globals)
			if c.err != "" {
				var se *SettingError
				if err == nil || !strings.HasPrefix(err.Error(), c.err) || !errorsAs(err, &se) {
					t.Fatalf("err = %v, want a *SettingError starting %q", err, c.err)
				}
				return
			}
			if err != nil || loc.String() != c.want || from != c.from {
				t.Errorf("oeZone = %v, %q, %v; want %s from %s", loc, from, err, c.want, c.from)
			}
		})
	}
}

// TestOpenEMRAPIWindows covers SPEC §8's API windows: configured windows are used; with
// none, rest_fhir_api 1 is a usage error and off ('0', ”, absent) is no window.
func TestOpenEMRAPIWindows(t *testing.T) {
	w := []measure.APIWindow{{ID: 1, TIN: "123456789", Enabled: time.Date(2024, 1, 2, 14, 0, 0, 0, time.UTC)}}
	cases := []struct {
		name string
		conf []measure.APIWindow
		rest []oeGlobal
		want []measure.APIWindow
		err  bool
	}{
		{"configured, switch on", w, []oeGlobal{{0, "1"}}, w, false},
		{"configured, switch off", w, []oeGlobal{{0, "0"}}, w, false},
		{"none configured, switch on: refused", nil, []oeGlobal{{0, "1"}}, nil, true},
		{"none configured, switch off 0", nil, []oeGlobal{{0, "0"}}, nil, false},
		{"none configured, switch ''", nil, []oeGlobal{{0, ""}}, nil, false},
		{"none configured, no row", nil, nil, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := oeAPIWindows(c.conf, c.rest)
			if (err != nil) != c.err {
				t.Fatalf("err = %v, want error %v", err, c.err)
			}
			if c.err && !strings.Contains(err.Error(), "openemr.api_windows: OpenEMR's patient API (globals rest_fhir_api) is on") {
				t.Errorf("err = %v", err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestOpenEMRFacilitiesAndUsers covers SPEC §8's offices and clinicians: the TIN is
// federal_ein without dashes and spaces, a facility without a name is "facility ID";
// a user with an empty or Luhn-invalid NPI, or named in not_mips_eligible, is not
// eligible.
func TestOpenEMRFacilitiesAndUsers(t *testing.T) {
	loc := time.UTC
	offices := []struct {
		id        int64
		name, ein string
		want      measure.Office
	}{
		{10, "North", "36-1234567", measure.Office{ID: 10, TIN: "361234567", Name: "North", Zone: loc}},
		{11, "South", " 36 123 4567 ", measure.Office{ID: 11, TIN: "361234567", Name: "South", Zone: loc}},
		{12, "", "", measure.Office{ID: 12, TIN: "", Name: "facility 12", Zone: loc}},
		{13, "  ", "12-34A", measure.Office{ID: 13, TIN: "1234A", Name: "facility 13", Zone: loc}},
	}
	for _, c := range offices {
		if diff := cmp.Diff(c.want, oeOffice(c.id, c.name, c.ein, loc), cmp.Comparer(func(a, b *time.Location) bool { return a == b })); diff != "" {
			t.Errorf("facility %d (-want +got):\n%s", c.id, diff)
		}
	}
	good := "1000000012"
	if !measure.ValidNPI(good) {
		t.Fatalf("fixture NPI %s is not valid", good)
	}
	el := newOEEligibility([]string{"1000000020", "user:9"})
	users := []struct {
		id       int64
		npi      string
		eligible bool
		why      string
	}{
		{1, good, true, ""},
		{2, " " + good + " ", true, ""},
		{3, "", false, "no NPI"},
		{4, "1000000019", false, `NPI "1000000019" is not a valid NPI (Luhn check)`},
		{5, "1000000020", false, "NPI named in openemr.not_mips_eligible"},
		{9, good, false, "named as user:9 in openemr.not_mips_eligible"},
	}
	for _, c := range users {
		got := oeClinician(c.id, c.npi, "F", "L", el)
		if got.Eligible != c.eligible || el.why(c.id, strings.TrimSpace(c.npi)) != c.why {
			t.Errorf("user %d NPI %q: eligible %v (%q), want %v (%q)", c.id, c.npi, got.Eligible, el.why(c.id, strings.TrimSpace(c.npi)), c.eligible, c.why)
		}
	}
}

// TestOpenEMRPatientID covers pc_pid (SPEC §8): all digits and not 0, never a CAST; the
// SQL pattern keeps exactly what Go accepts.
func TestOpenEMRPatientID(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"12", 12, true}, {"007", 7, true}, {"0", 0, false}, {"00", 0, false}, {"", 0, false},
		{"12abc", 0, false}, {" 12", 0, false}, {"-3", 0, false}, {"1e3", 0, false}, {"99999999999", 99999999999, true},
	}
	for _, c := range cases {
		got, ok := oePatientID([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("oePatientID(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
		if m := regexp.MustCompile(oePatientRegexp).MatchString(c.in); m != c.ok {
			t.Errorf("pattern %s on %q = %v, want %v", oePatientRegexp, c.in, m, c.ok)
		}
	}
}

// TestOpenEMRStatusList covers SPEC §8's statuses: the stock not-seen ids are known even
// when the practice removed them from its list; every option keeps its title.
func TestOpenEMRStatusList(t *testing.T) {
	got := oeStatusCodes([]oeOption{{"@", "@ Arrived"}, {"x", "x Canceled"}, {"TH", "Telehealth"}})
	byCode := map[string]measure.StatusCode{}
	for _, c := range got {
		byCode[c.Code] = c
	}
	want := map[string]measure.StatusCode{
		"@": {Code: "@", Title: "@ Arrived"}, "x": {Code: "x", Title: "x Canceled", NotSeen: true},
		"TH": {Code: "TH", Title: "Telehealth"}, "!": {Code: "!", NotSeen: true}, "CALL": {Code: "CALL", NotSeen: true},
	}
	for k, w := range want {
		if byCode[k] != w {
			t.Errorf("%s = %+v, want %+v", k, byCode[k], w)
		}
	}
	if len(got) != 3+len(openEMRNotSeen)-1 {
		t.Errorf("%d codes, want %d", len(got), 3+len(openEMRNotSeen)-1)
	}
}

// TestOpenEMRInvitationsSuspect covers INVITATION_DATES_SUSPECT's threshold (SPEC §8):
// at least 50 rows and 20% or more of them sharing one second.
func TestOpenEMRInvitationsSuspect(t *testing.T) {
	cases := []struct {
		total, share int
		want         bool
	}{
		{49, 49, false}, {50, 10, true}, {50, 9, false}, {1000, 200, true}, {1000, 199, false}, {0, 0, false},
	}
	for _, c := range cases {
		if got := oeInvitationsSuspect(c.total, c.share); got != c.want {
			t.Errorf("suspect(%d, %d) = %v, want %v", c.total, c.share, got, c.want)
		}
	}
}

// TestOpenEMRNoteFormsSQL covers how note_forms become SQL: exact names in an IN list,
// prefixes as LIKE with % and _ escaped.
func TestOpenEMRNoteFormsSQL(t *testing.T) {
	cond, args := newNoteForms([]string{"soap", "LBF_*", "x%y*"}).sql("f.formdir")
	if want := `(f.formdir IN (?) OR f.formdir LIKE ? ESCAPE '\\' OR f.formdir LIKE ? ESCAPE '\\')`; cond != want {
		t.Errorf("cond = %s, want %s", cond, want)
	}
	if diff := cmp.Diff([]any{"soap", `LBF\_%`, `x\%y%`}, args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	n := newNoteForms([]string{"soap", "LBF*"})
	for dir, want := range map[string]bool{"soap": true, "soap2": false, "LBF": true, "LBFx": true, "lbfx": false, "vitals": false} {
		if n.match(dir) != want {
			t.Errorf("match(%q) = %v, want %v", dir, !want, want)
		}
	}
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
