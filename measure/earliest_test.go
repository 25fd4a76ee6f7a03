package measure

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestNotesAdd: R4's "earliest" over every note of a visit, whatever order the notes
// come in: a later addendum never moves the first lock, a note without a time never
// counts as the earliest, every note is counted.
func TestNotesAdd(t *testing.T) {
	at := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		return mustTime(s)
	}
	type note [2]string // signed_at, locked_at; "" = none
	for _, c := range []struct {
		name  string
		notes []note
		want  Notes
	}{
		{"no note", nil, Notes{}},
		{"one unsigned note", []note{{"", ""}}, Notes{Count: 1}},
		{"signed, not locked", []note{{"2025-03-04T10:00:00Z", ""}}, Notes{Count: 1, FirstSigned: at("2025-03-04T10:00:00Z")}},
		{"an addendum locked later", []note{{"2025-03-04T10:00:00Z", "2025-03-05T10:00:00Z"}, {"2025-03-09T10:00:00Z", "2025-03-10T10:00:00Z"}},
			Notes{Count: 2, FirstSigned: at("2025-03-04T10:00:00Z"), FirstLocked: at("2025-03-05T10:00:00Z")}},
		{"the addendum first", []note{{"2025-03-09T10:00:00Z", "2025-03-10T10:00:00Z"}, {"2025-03-04T10:00:00Z", "2025-03-05T10:00:00Z"}},
			Notes{Count: 2, FirstSigned: at("2025-03-04T10:00:00Z"), FirstLocked: at("2025-03-05T10:00:00Z")}},
		{"an unlocked note after a locked one", []note{{"", "2025-03-05T10:00:00Z"}, {"2025-03-01T10:00:00Z", ""}},
			Notes{Count: 2, FirstSigned: at("2025-03-01T10:00:00Z"), FirstLocked: at("2025-03-05T10:00:00Z")}},
		{"a microsecond apart", []note{{"", "2025-03-05T10:00:00.000002Z"}, {"", "2025-03-05T10:00:00.000001Z"}},
			Notes{Count: 2, FirstLocked: at("2025-03-05T10:00:00.000001Z")}},
		{"the same lock twice", []note{{"", "2025-03-05T10:00:00Z"}, {"", "2025-03-05T10:00:00Z"}},
			Notes{Count: 2, FirstLocked: at("2025-03-05T10:00:00Z")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var n Notes
			for _, x := range c.notes {
				n.Add(at(x[0]), at(x[1]))
			}
			if d := cmp.Diff(c.want, n); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestEarliestInvitation: R5's first invitation among all of a patient's: the earliest
// sent_at, any recipient and channel; at the same instant the lowest id, in whatever
// order the invitations come.
func TestEarliestInvitation(t *testing.T) {
	inv := func(id int64, sent, recipient, channel string) Invitation {
		return Invitation{ID: id, SentAt: mustTime(sent), Recipient: recipient, Channel: channel}
	}
	for _, c := range []struct {
		name string
		invs []Invitation
		want int // index into invs; -1 for nil
	}{
		{"none", nil, -1},
		{"one", []Invitation{inv(7, "2025-01-01T00:00:00Z", "patient", "email")}, 0},
		{"earlier second", []Invitation{inv(1, "2025-06-10T12:00:00Z", "patient", "email"), inv(2, "2019-05-01T12:00:00Z", "representative", "printed")}, 1},
		{"same instant, lower id second", []Invitation{inv(9, "2025-02-01T00:00:00Z", "patient", "email"), inv(8, "2025-02-01T00:00:00Z", "patient", "sms")}, 1},
		{"same instant, lower id first", []Invitation{inv(8, "2025-02-01T00:00:00Z", "patient", "sms"), inv(9, "2025-02-01T00:00:00Z", "patient", "email")}, 0},
		{"a lower id later", []Invitation{inv(5, "2024-01-10T12:00:00Z", "patient", "email"), inv(4, "2024-01-10T12:00:01Z", "patient", "email")}, 0},
		{"a microsecond earlier", []Invitation{inv(1, "2025-02-01T00:00:00.000002Z", "patient", "email"), inv(2, "2025-02-01T00:00:00.000001Z", "patient", "email")}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := EarliestInvitation(c.invs)
			switch {
			case c.want < 0 && got != nil:
				t.Fatalf("got %+v, want nil", *got)
			case c.want >= 0 && got != &c.invs[c.want]:
				t.Fatalf("got %+v, want %+v", got, c.invs[c.want])
			}
		})
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}
