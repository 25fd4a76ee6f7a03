package measure

// nameIndex remembers, for R10's POSSIBLE_DUPLICATE_PATIENT, the lowest patient id met
// for each (name, birth date) key hash. A built-in map: the hand-made open-addressing
// table it replaced measured within noise of it and used more memory (BENCHMARKS.md).
type nameIndex struct {
	m map[uint64]dupEntry
}

type dupEntry struct {
	id  int64
	mrn string
}

// remember records (h, id, mrn), keeping the lowest id per key, and returns the entry
// that was there before, if any.
func (x *nameIndex) remember(h uint64, id int64, mrn string) (dupEntry, bool) {
	if x.m == nil {
		x.m = map[uint64]dupEntry{}
	}
	prev, ok := x.m[h]
	if !ok || id < prev.id {
		x.m[h] = dupEntry{id: id, mrn: mrn}
	}
	return prev, ok
}
