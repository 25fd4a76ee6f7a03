package measure

import "strings"

// knownNotSeen lists appointment statuses that are recognised as "not seen" (R1), so
// they are not reported as UNKNOWN_STATUS. Keys are lower case and trimmed.
var knownNotSeen = map[string]bool{
	"cancelled": true, "canceled": true,
	"no show": true, "no-show": true, "noshow": true,
	"scheduled": true, "confirmed": true, "rescheduled": true,
	"left without being seen": true, "pending": true, "booked": true,
}

// normStatus is the comparison form of a status (R1: trimmed, case-insensitive).
func normStatus(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// statusAcc counts one status (in its comparison form) across the run.
type statusAcc struct {
	first string // first spelling met
	count int
	seen  bool
	known bool
}

// maxRawStatuses bounds the exact-spelling cache; beyond it, lookups go through the
// normalising map (only hostile data has that many spellings).
const maxRawStatuses = 64

// statuses classifies statuses for R1. The hot loop compares the stored string with the
// few spellings already met (no map lookup, no allocation); a new spelling is
// normalised once.
type statuses struct {
	seenSet map[string]bool
	codes   map[string]StatusCode // the EHR's own status list (Practice.Statuses), by comparison form
	byNorm  map[string]int32
	accs    []statusAcc
	raw     []string
	rawIdx  []int32
}

// newStatuses classifies statuses against the seen set; codes is the EHR's own list of
// status codes, whose not-seen entries are recognised too (R1, SPEC §8).
func newStatuses(seen []string, codes []StatusCode) *statuses {
	s := &statuses{seenSet: map[string]bool{}, codes: map[string]StatusCode{}, byNorm: map[string]int32{}}
	for _, x := range seen {
		s.seenSet[normStatus(x)] = true
	}
	for _, c := range codes {
		s.codes[normStatus(c.Code)] = c
	}
	return s
}

// index returns the accumulator index of status st, creating it when new.
func (s *statuses) index(st string) int32 {
	for i, r := range s.raw {
		if r == st {
			return s.rawIdx[i]
		}
	}
	n := normStatus(st)
	idx, ok := s.byNorm[n]
	if !ok {
		idx = int32(len(s.accs))
		seen := s.seenSet[n]
		s.accs = append(s.accs, statusAcc{first: st, seen: seen, known: seen || knownNotSeen[n] || s.codes[n].NotSeen})
		s.byNorm[n] = idx
	}
	if len(s.raw) < maxRawStatuses {
		s.raw = append(s.raw, st)
		s.rawIdx = append(s.rawIdx, idx)
	}
	return idx
}

// title is status st's title in the EHR's list of status codes ("" when it has none).
func (s *statuses) title(st string) string { return s.codes[normStatus(st)].Title }
