package measure

import "time"

// release is R4: a visit's information is released at the earliest locked_at of its
// notes (or signed_at with release: sign), as known at the as-of instant (R9: an event
// stamped later has not happened yet). No note, or none locked → not released.
func release(v *Visit, how Release, asOf time.Time) (time.Time, bool) {
	if v.Notes.Count == 0 {
		return time.Time{}, false
	}
	t := v.Notes.FirstLocked
	if how == ReleaseSign {
		t = v.Notes.FirstSigned
	}
	if happened(t, asOf) {
		return t, true
	}
	return time.Time{}, false
}

// happened reports whether an event stamped t has happened as of asOf (R9).
func happened(t, asOf time.Time) bool { return !t.IsZero() && !t.After(asOf) }

// Add counts one clinical note of the appointment into its summary (R4): the visit's
// information is released at the earliest locked_at of its notes — a later addendum
// never moves it — or, with release: sign, at the earliest signed_at. A zero time is
// a note not signed, or not locked.
func (n *Notes) Add(signed, locked time.Time) {
	n.Count++
	n.FirstSigned = earlier(n.FirstSigned, signed)
	n.FirstLocked = earlier(n.FirstLocked, locked)
}

// earlier is the earlier of two note times, a zero time being no time at all.
func earlier(cur, t time.Time) time.Time {
	if t.IsZero() || !cur.IsZero() && !t.Before(cur) {
		return cur
	}
	return t
}
