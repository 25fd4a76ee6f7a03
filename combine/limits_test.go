package combine

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestReadLimits: shapes no mipspi report has, which made the reader's memory grow with
// the input, are refused at once with the reason and the byte.
func TestReadLimits(t *testing.T) {
	withIssues := func(issues string) string { return report(`, "issues": [`+issues+`]`, okRows) }
	for _, tc := range []struct{ name, in, want string }{
		{"white space", withIssues(strings.Repeat(" ", 70_000)),
			"r.json: more than 64 KiB of white space in a row, which no mipspi report has (at byte 65776)"},
		{"long string", withIssues(`{"detail": "` + strings.Repeat("a", 70_000) + `"}`),
			"r.json: a string longer than 64 KiB, which no field of a mipspi report comes near (at byte 65264)"},
		{"long number", withIssues(`{"n": 1` + strings.Repeat("0", 200) + `}`),
			"r.json: a number or literal longer than 100 characters, which no mipspi report has (at byte 346)"},
		{"deep", withIssues(strings.Repeat("[", 40) + strings.Repeat("]", 40)),
			"r.json: nests deeper than 32 levels, which no mipspi report does (at byte 270)"},
		{"large element", withIssues(`{"x": [` + strings.Repeat("1,", 600_000) + `1]}`),
			`r.json: an element of "issues" is larger than 1 MiB, which no row of a mipspi report comes near (at byte`},
		{"many keys", report(`, "counts": {`+manyKeys(5000)+`}`, okRows),
			"r.json: an object with more than 4096 keys, which no mipspi report has (at byte"},
		{"too many statuses", report(`, "statuses": [`+strings.Repeat(`{"status": "x", "count": 1},`, 10_000)+`{"status": "y"}]`, okRows),
			`r.json: field "statuses": has more than 10000 elements, which no mipspi report has`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read("r.json", strings.NewReader(tc.in), false)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to start with %s", err, tc.want)
			}
		})
	}
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + itoa(i) + `": 1`)
	}
	return b.String()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

// TestReadKeysLikeJqOrRefused: mipspi reads keys exactly as written, like jq and Python;
// where they would read a report differently from Go (a key twice, a key in another
// case that Go would take for a field) the report is refused, naming the key.
func TestReadKeysLikeJqOrRefused(t *testing.T) {
	group := func(fields string) string {
		return report("", `{"level": "group", "tin": "111111111", "denominator": 4, "numerator": 3, "rate": 0.75`+fields+`}`)
	}
	twice := `the key %q appears twice in one object: mipspi never writes a key twice, and readers disagree on which to keep (jq and Python keep the last), so the report is refused`
	cased := `the key %q differs only in case from %q: mipspi writes keys in lower case and reads them exactly, as jq and Python do, so the report is refused rather than read one way or the other`
	for _, tc := range []struct{ name, in, want string }{
		{"numerator twice", group(`, "numerator": 4`), sprintf(twice, "numerator")},
		{"numerator twice, escaped", group(`, "num\u0065rator": 4`), sprintf(twice, "numerator")},
		{"entities twice", report(`, "entities": []`, okRows), sprintf(twice, "entities")},
		{"measure_id twice", strings.Replace(report("", okRows), `{"measure_id": "PI_PEA_1"`, `{"measure_id": "PI_PEA_1", "measure_id": "PI_PEA_2"`, 1), sprintf(twice, "measure_id")},
		{"Numerator", group(`, "Numerator": 4`), sprintf(cased, "Numerator", "numerator")},
		{"DENOMINATOR alone", strings.Replace(group(""), `"denominator": 4`, `"DENOMINATOR": 4`, 1), sprintf(cased, "DENOMINATOR", "denominator")},
		{"Kelvin sign folds to k", report(`, "pseudonym_\u212aey_id": "x"`, okRows), sprintf(cased, "pseudonym_\u212aey_id", "pseudonym_key_id")},
		{"Policy at the top", report(`, "Policy": "any-visit"`, okRows), sprintf(cased, "Policy", "policy")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read("r.json", strings.NewReader(tc.in), false)
			var le *LimitError
			if err == nil || !errors.As(err, &le) || !strings.HasPrefix(err.Error(), "r.json: "+tc.want+" (at byte ") {
				t.Errorf("error = %v\nwant r.json: %s (at byte …)", err, tc.want)
			}
		})
	}
	// Keys no reader takes for a field are read past, as jq does; the same key in two
	// objects is not a duplicate.
	rep, err := Read("r.json", strings.NewReader(report(`, "Future_Field": {"Later": 1, "later": 2}, "issues": [{"code": "A"}, {"code": "B"}]`, okRows)), false)
	if err != nil || len(rep.Entities) != 2 {
		t.Errorf("%v %+v", err, rep)
	}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// FuzzRead: whatever the bytes, Read never panics; what it accepts is valid JSON, and
// reads exactly as it does without the guard (the guard only watches).
func FuzzRead(f *testing.F) {
	f.Add(report("", okRows))
	f.Add(report(`, "issues": [{"code": "A", "nested": [1, {"b": null}]}], "statuses": [{"status": "Seen", "count": 2}]`, okRows))
	f.Add(`{"a": "\u0041", "A": 1}`)
	f.Fuzz(func(t *testing.T, in string) {
		rep, err := Read("r.json", strings.NewReader(in), true)
		if err != nil {
			return
		}
		if !json.Valid([]byte(in)) {
			t.Fatalf("accepted invalid JSON %q", in)
		}
		plain, err := decode(strings.NewReader(in), true)
		if err != nil {
			t.Fatalf("the guard accepted what decode refuses: %v", err)
		}
		plain.Digest = rep.Digest
		if !reflect.DeepEqual(plain, rep) {
			t.Fatalf("read differently through the guard:\n%+v\n%+v", rep, plain)
		}
	})
}

// TestOverflowRefused: a figure above 10^9, or a sum that would pass it, is refused with
// the entity and the figure (SPEC §7); two reports of 2^62 patients no longer sum to a
// negative number.
func TestOverflowRefused(t *testing.T) {
	group := func(den int64, src string) *Report {
		in := report(`, "source": {"dialect": "sqlite", "database": "`+src+`"}`,
			`{"level": "group", "tin": "111111111", "denominator": `+fmt.Sprint(den)+`, "numerator": 0, "rate": 0}`)
		rep, err := Read(src+".json", strings.NewReader(in), false)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		return rep
	}
	_, err := Read("a.json", strings.NewReader(report("", `{"level": "group", "tin": "111111111", "denominator": 4611686018427387904, "numerator": 0, "rate": 0}`)), false)
	if err == nil || err.Error() != "a.json: TIN 111111111 (group): denominator 4611686018427387904 is above 1000000000, the most mipspi adds (SPEC §7); a report of a real practice never comes near it" {
		t.Errorf("2^62: %v", err)
	}
	_, err = Read("a.json", strings.NewReader(report(`, "counts": {"appointments": 1000000001}`, okRows)), false)
	if err == nil || err.Error() != "a.json: counts: appointments 1000000001 is above 1000000000, the most mipspi adds (SPEC §7); a report of a real practice never comes near it" {
		t.Errorf("counts: %v", err)
	}
	c := New(Options{})
	if err := c.Add("a.json", group(600_000_000, "a")); err != nil {
		t.Fatal(err)
	}
	err = c.Add("b.json", group(600_000_000, "b"))
	if err == nil || err.Error() != "b.json: adding it would make TIN 111111111 (group)'s denominator 1200000000, above 1000000000, the most mipspi adds (SPEC §7)" {
		t.Errorf("sum: %v", err)
	}
	res, err := c.Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Result.Entities {
		if e.Denominator != 600_000_000 {
			t.Errorf("%s: denominator %d after the refusal, want a.json's alone", e.Level, e.Denominator)
		}
	}
	// Two TINs each under the limit, together over it: the APM Entity's sum is refused.
	c = New(Options{})
	c.Add("a.json", group(600_000_000, "a"))
	other := report(`, "source": {"dialect": "sqlite", "database": "b"}`, `{"level": "group", "tin": "222222222", "denominator": 600000000, "numerator": 0, "rate": 0}`)
	rep, err := Read("b.json", strings.NewReader(other), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Add("b.json", rep); err == nil || err.Error() != "b.json: adding it would make the APM Entity's denominator 1200000000, above 1000000000, the most mipspi adds (SPEC §7)" {
		t.Errorf("APM sum: %v", err)
	}
}
