package measure

// nameIndex remembers, for R10's POSSIBLE_DUPLICATE_PATIENT, the lowest patient id met
// for each (name, birth date) key hash. Every patient with a birth date passes through
// it, so at a health system's scale it is the evaluation's largest random-access
// table, and it is kept to 8 bytes a key (BENCHMARKS.md):
//
//   - slots is an open-addressing table (linear probing, at most 3/4 full, a power of
//     two long): a slot holds the key's high 32 bits and its entry number + 1 (0:
//     empty); the key's low bits place it. One probe both finds and inserts a key.
//   - the entries, in fixed-size chunks appended in order, hold the full key, the
//     lowest id and its MRN; they are read only when the high bits of a key repeat,
//     and in order when the table grows.
type nameIndex struct {
	slots  []uint64
	chunks [][]dupEntry // entry n is chunks[n/dupChunk][n%dupChunk]
	n      int
}

type dupEntry struct {
	key uint64
	id  int64
	mrn string
}

// dupChunk is the number of entries in a chunk.
const dupChunk = 4096

// remember records (h, id, mrn), keeping the lowest id per key, and returns the entry
// that was there before, if any.
func (x *nameIndex) remember(h uint64, id int64, mrn string) (dupEntry, bool) {
	if 4*(x.n+1) > 3*len(x.slots) {
		x.grow()
	}
	mask := uint64(len(x.slots) - 1)
	tag := h >> 32 << 32
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			x.slots[i] = tag | uint64(x.n+1)
			x.add(dupEntry{key: h, id: id, mrn: mrn})
			return dupEntry{}, false
		}
		if s&^0xffffffff != tag {
			continue
		}
		e := x.entry(int(s&0xffffffff) - 1)
		if e.key != h {
			continue
		}
		prev := *e
		if id < prev.id {
			e.id, e.mrn = id, mrn
		}
		return prev, true
	}
}

func (x *nameIndex) entry(n int) *dupEntry { return &x.chunks[n/dupChunk][n%dupChunk] }

func (x *nameIndex) add(e dupEntry) {
	if x.n%dupChunk == 0 {
		x.chunks = append(x.chunks, make([]dupEntry, 0, dupChunk))
	}
	c := &x.chunks[len(x.chunks)-1]
	*c = append(*c, e)
	x.n++
}

// grow doubles the table (1,024 slots at first) and places every entry again, in
// entry order.
func (x *nameIndex) grow() {
	x.slots = make([]uint64, max(1024, 2*len(x.slots)))
	mask := uint64(len(x.slots) - 1)
	for n := range x.n {
		h := x.entry(n).key
		i := h & mask
		for x.slots[i] != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = h>>32<<32 | uint64(n+1)
	}
}
