package combine

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mipspi/mipspi/measure"
)

// A practice name longer than 60 characters is cut to 57 and "…" between characters:
// a name of accented or non-Latin letters stays valid UTF-8.
func TestDefaultNameCutsBetweenCharacters(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{strings.Repeat("é", 70), strings.Repeat("é", 57) + "…"},
		{"Clínica " + strings.Repeat("María ", 10), "Clínica " + strings.Repeat("María ", 8) + "M…"},
		{strings.Repeat("診", 60), strings.Repeat("診", 60)},
		{"Main Street Clinic", "Main Street Clinic"},
	} {
		cb := &Combiner{names: map[string]string{"111111111": c.name}}
		got := cb.defaultName([]entityKey{{level: measure.Group, tin: "111111111"}})
		if got != c.want {
			t.Errorf("defaultName(%q) = %q, want %q", c.name, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("defaultName(%q) = %q: not valid UTF-8", c.name, got)
		}
	}
}
