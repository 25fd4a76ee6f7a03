package measure

// Where a run's rows are kept. The evaluator publishes R10's issue rows and the patient
// drill-down but does not keep them itself (deciding and keeping are apart): a RowStore
// does — the caller's, such as package rowstore's, which moves rows to a temporary file
// past a threshold, or by default a slice in memory. A Result reads them back through
// Rows; a row that cannot be read back arrives as an error in its place.

import (
	"fmt"
	"iter"
)

// Rows are kept rows, read back in the order they were kept.
type Rows[T any] interface {
	// Len is the number of rows.
	Len() int
	// All yields every row. A row that cannot be read back is yielded as an error
	// naming it, and ends the rows.
	All() iter.Seq2[T, error]
	// Scan calls f with every row and its position (for At), in order; it stops at the
	// first error, f's or its own, and returns it.
	Scan(f func(pos int64, v *T) error) error
	// At reads the row at a position Scan gave.
	At(pos int64) (T, error)
}

// RowStore is where the evaluator keeps rows: Rows it appends to.
type RowStore[T any] interface {
	Rows[T]
	// Append adds a row after the others.
	Append(v *T) error
}

// RowsOf returns rows kept in memory, starting with rows (a result assembled by hand,
// or the evaluator's default store).
func RowsOf[T any](rows []T) RowStore[T] {
	s := sliceRows[T](rows)
	return &s
}

// sliceRows keeps rows in a slice; a row's position is its index.
type sliceRows[T any] []T

func (s *sliceRows[T]) Append(v *T) error {
	*s = append(*s, *v)
	return nil
}

func (s *sliceRows[T]) Len() int { return len(*s) }

func (s *sliceRows[T]) All() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range *s {
			if !yield(v, nil) {
				return
			}
		}
	}
}

func (s *sliceRows[T]) Scan(f func(int64, *T) error) error {
	for i := range *s {
		v := (*s)[i]
		if err := f(int64(i), &v); err != nil {
			return err
		}
	}
	return nil
}

func (s *sliceRows[T]) At(pos int64) (T, error) {
	if pos < 0 || pos >= int64(len(*s)) {
		var zero T
		return zero, errNoRow(pos, len(*s))
	}
	return (*s)[pos], nil
}

// noRows are the rows of a result that has none.
func noRows[T any]() Rows[T] { return RowsOf[T](nil) }

// orNone is rows, or no rows when nil (a result made by hand).
func orNone[T any](rows Rows[T]) Rows[T] {
	if rows == nil {
		return noRows[T]()
	}
	return rows
}

func errNoRow(pos int64, n int) error { return fmt.Errorf("no row at %d (%d rows)", pos, n) }
