package measure

// nameIndex remembers, for R10's POSSIBLE_DUPLICATE_PATIENT, the lowest patient id met
// for each (name, birth date) key hash. It is an open-addressing table of hashes (no
// pointers in its probe arrays, one probe sequence per patient), which keeps the
// per-patient cost of duplicate detection small when millions of patients stream by.
type nameIndex struct {
	keys    []uint64 // 0 = empty slot
	slots   []int32  // index into entries
	entries []dupEntry
}

type dupEntry struct {
	id  int64
	mrn string
}

// remember records (h, id, mrn), keeping the lowest id per key, and returns the entry
// that was there before, if any.
func (x *nameIndex) remember(h uint64, id int64, mrn string) (dupEntry, bool) {
	if h == 0 {
		h = 1 // 0 marks an empty slot
	}
	if 2*(len(x.entries)+1) > len(x.keys) {
		x.grow()
	}
	mask := uint64(len(x.keys) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch x.keys[i] {
		case 0:
			x.keys[i] = h
			x.slots[i] = int32(len(x.entries))
			x.entries = append(x.entries, dupEntry{id: id, mrn: mrn})
			return dupEntry{}, false
		case h:
			e := &x.entries[x.slots[i]]
			prev := *e
			if id < e.id {
				*e = dupEntry{id: id, mrn: mrn}
			}
			return prev, true
		}
	}
}

func (x *nameIndex) grow() {
	n := 2 * len(x.keys)
	if n < 1024 {
		n = 1024
	}
	keys, slots := x.keys, x.slots
	x.keys, x.slots = make([]uint64, n), make([]int32, n)
	mask := uint64(n - 1)
	for j, h := range keys {
		if h == 0 {
			continue
		}
		i := h & mask
		for x.keys[i] != 0 {
			i = (i + 1) & mask
		}
		x.keys[i], x.slots[i] = h, slots[j]
	}
}
