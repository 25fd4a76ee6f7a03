package measure

// Indexing machinery: database ids to dense indices.

import "fmt"

// idIndex maps database ids to dense indices: a slice when the ids are small and
// dense enough, a map otherwise.
type idIndex struct {
	dense  []int32 // id → index+1
	sparse map[int64]int32
}

func newIDIndex(ids []int64) (idIndex, error) {
	var max int64 = -1
	dense := true
	for _, id := range ids {
		if id < 0 {
			dense = false
		}
		if id > max {
			max = id
		}
	}
	if max > int64(4*len(ids)+4096) {
		dense = false
	}
	var x idIndex
	if dense {
		x.dense = make([]int32, max+1)
	} else {
		x.sparse = make(map[int64]int32, len(ids))
	}
	for i, id := range ids {
		if _, ok := x.get(id); ok {
			return x, fmt.Errorf("duplicate id %d", id)
		}
		if dense {
			x.dense[id] = int32(i) + 1
		} else {
			x.sparse[id] = int32(i) + 1
		}
	}
	return x, nil
}

func (x *idIndex) get(id int64) (int32, bool) {
	if x.sparse != nil {
		i, ok := x.sparse[id]
		return i - 1, ok
	}
	if id < 0 || id >= int64(len(x.dense)) || x.dense[id] == 0 {
		return -1, false
	}
	return x.dense[id] - 1, true
}
