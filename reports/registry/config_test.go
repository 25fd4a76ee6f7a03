package registry

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// TestConfigYAML decodes the `registry:` block as the CLI will, nested in its config.
func TestConfigYAML(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    Config
		wantErr string
	}{
		{
			name: "SPEC example",
			yaml: `
registry:
  cehrt_id: 0015C8BCD1234XY
  measures:
    PI_INFBLO_1: true
    PI_PPHI_2: false
    PI_EP_1: {numerator: 120, denominator: 150}
    PI_HIE_1:
      numerator: 0
      denominator: 0
`,
			want: Config{CEHRTID: "0015C8BCD1234XY", Measures: map[string]Answer{
				"PI_INFBLO_1": Attest(true), "PI_PPHI_2": Attest(false),
				"PI_EP_1": Ratio(120, 150), "PI_HIE_1": Ratio(0, 0),
			}},
		},
		{name: "no measures", yaml: "registry:\n  cehrt_id: 0015C8BCD1234XY\n", want: Config{CEHRTID: "0015C8BCD1234XY"}},
		{name: "empty measures", yaml: "registry:\n  measures:\n", want: Config{}},
		{name: "yes is not a boolean", yaml: "registry:\n  measures:\n    PI_PPHI_1: yes\n",
			wantErr: `registry.measures.PI_PPHI_1: line 3: got "yes": want true, false or {numerator: N, denominator: D}`},
		{name: "quoted true is a string", yaml: "registry:\n  measures:\n    PI_PPHI_1: \"true\"\n",
			wantErr: `registry.measures.PI_PPHI_1: line 3: got "true": want true, false or {numerator: N, denominator: D}`},
		{name: "number", yaml: "registry:\n  measures:\n    PI_PPHI_1: 1\n",
			wantErr: `registry.measures.PI_PPHI_1: line 3: got "1": want true, false or {numerator: N, denominator: D}`},
		{name: "empty answer", yaml: "registry:\n  measures:\n    PI_PPHI_1:\n",
			wantErr: `registry.measures.PI_PPHI_1: line 3: no answer: want true, false or {numerator: N, denominator: D}`},
		{name: "list", yaml: "registry:\n  measures:\n    PI_EP_1: [1, 2]\n",
			wantErr: `registry.measures.PI_EP_1: line 3: got a list: want true, false or {numerator: N, denominator: D}`},
		{name: "missing denominator", yaml: "registry:\n  measures:\n    PI_EP_1: {numerator: 1}\n",
			wantErr: `registry.measures.PI_EP_1: line 3: want both numerator and denominator`},
		{name: "fractional count", yaml: "registry:\n  measures:\n    PI_EP_1: {numerator: 1.5, denominator: 2}\n",
			wantErr: `registry.measures.PI_EP_1: line 3: numerator "1.5" is not a whole number`},
		{name: "unknown key in proportion", yaml: "registry:\n  measures:\n    PI_EP_1: {num: 1, denominator: 2}\n",
			wantErr: `registry.measures.PI_EP_1: line 3: unknown key "num": want numerator and denominator`},
		{name: "measure twice", yaml: "registry:\n  measures:\n    PI_EP_2: true\n    PI_EP_2: false\n",
			wantErr: `registry.measures.PI_EP_2: given twice (lines 3 and 4)`},
		{name: "misspelt key", yaml: "registry:\n  cehrtid: 0015C8BCD1234XY\n",
			wantErr: `registry: line 2: unknown key "cehrtid": want cehrt_id or measures`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc struct {
				Registry Config `yaml:"registry"`
			}
			err := yaml.Unmarshal([]byte(tt.yaml), &doc)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, doc.Registry); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAnswerYAML decodes answers on their own (no measure id to name).
func TestAnswerYAML(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Answer
		wantErr string
	}{
		{in: "true", want: Attest(true)},
		{in: "false", want: Attest(false)},
		{in: "{numerator: 3, denominator: 4}", want: Ratio(3, 4)},
		{in: "yes", wantErr: `line 1: got "yes": want true, false or {numerator: N, denominator: D}`},
	} {
		t.Run(tt.in, func(t *testing.T) {
			var got Answer
			err := yaml.Unmarshal([]byte(tt.in), &got)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnswerString(t *testing.T) {
	for _, tt := range []struct {
		a    Answer
		want string
	}{
		{Attest(false), "false"},
		{Ratio(3, 4), "{numerator: 3, denominator: 4}"},
		{Answer{}, "<no value>"},
	} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
