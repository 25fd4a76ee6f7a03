package measure

// nameIndex remembers, for R10's POSSIBLE_DUPLICATE_PATIENT, the lowest patient id met
// for each (name, birth date) key hash. Every patient with a birth date passes through
// it, so it is kept small: a built-in map from key to a number, pointer-free (the
// garbage collector does not scan it, growing it moves 16-byte slots), and the entries
// in fixed-size chunks appended in order, read only when a key repeats. Measured
// against a map of the entries themselves in BENCHMARKS.md.
type nameIndex struct {
	m      map[uint64]uint32 // key → entry number
	chunks [][]dupEntry      // entry n is chunks[n/dupChunk][n%dupChunk]
	n      uint32
}

type dupEntry struct {
	id  int64
	mrn string
}

// dupChunk is the number of entries in a chunk.
const dupChunk = 4096

// remember records (h, id, mrn), keeping the lowest id per key, and returns the entry
// that was there before, if any.
func (x *nameIndex) remember(h uint64, id int64, mrn string) (dupEntry, bool) {
	if x.m == nil {
		x.m = map[uint64]uint32{}
	}
	n, ok := x.m[h]
	if ok {
		e := &x.chunks[n/dupChunk][n%dupChunk]
		prev := *e
		if id < prev.id {
			*e = dupEntry{id: id, mrn: mrn}
		}
		return prev, true
	}
	if x.n%dupChunk == 0 {
		x.chunks = append(x.chunks, make([]dupEntry, 0, dupChunk))
	}
	c := &x.chunks[len(x.chunks)-1]
	*c = append(*c, dupEntry{id: id, mrn: mrn})
	x.m[h] = x.n
	x.n++
	return dupEntry{}, false
}
