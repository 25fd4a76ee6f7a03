package measure

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPracticeNames(t *testing.T) {
	got := PracticeNames([]Office{
		{ID: 1, TIN: "111111111", Name: "Main"},
		{ID: 2, TIN: "111111111", Name: " Annex "},
		{ID: 3, TIN: "111111111", Name: "Main"}, // a second office of the same name
		{ID: 4, TIN: "222222222", Name: ""},     // unnamed
		{ID: 5, TIN: "333333333", Name: "Solo"},
	})
	want := map[string]string{"111111111": "Annex / Main", "222222222": "", "333333333": "Solo"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PracticeNames (-want +got):\n%s", diff)
	}
}
