package registry

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

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
