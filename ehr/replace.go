package ehr

// Emptying the SPEC tables, for the commands that fill a demo or test database
// (db generate, db import-synthea): a second run must replace the rows, never pile
// onto them, and must never empty a mapped EHR (SPEC relations that are views).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Populated returns the SPEC tables that hold at least one row, in Relations order.
func (s *Store) Populated(ctx context.Context) ([]string, error) {
	existing, err := s.relations(ctx)
	if err != nil {
		return nil, fmt.Errorf("check %s for rows: %w", s, err)
	}
	var out []string
	for _, name := range Relations {
		if _, ok := existing[name]; !ok {
			continue
		}
		var one int
		err := s.db.DB.QueryRowContext(ctx, "SELECT 1 FROM "+name+" LIMIT 1").Scan(&one)
		switch {
		case err == nil:
			out = append(out, name)
		case errors.Is(err, sql.ErrNoRows):
		default:
			return nil, fmt.Errorf("check %s for rows: %s: %w", s, name, s.scrub(err))
		}
	}
	return out, nil
}

// Empty deletes every row of the seven SPEC tables in one transaction. It refuses when
// any of them is a view (a mapped EHR) and never touches other relations.
func (s *Store) Empty(ctx context.Context) error {
	existing, err := s.relations(ctx)
	if err != nil {
		return fmt.Errorf("empty %s: %w", s, err)
	}
	for _, name := range Relations {
		if kind, ok := existing[name]; ok && kind != "table" {
			return fmt.Errorf("empty %s: %s is a %s, not a table: refusing to empty what looks like a mapped EHR", s, name, kind)
		}
	}
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("empty %s: %w", s, s.scrub(err))
	}
	defer tx.Rollback()
	for _, name := range Relations {
		if _, ok := existing[name]; !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+name); err != nil {
			return fmt.Errorf("empty %s: %s: %w", s, name, s.scrub(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("empty %s: %w", s, s.scrub(err))
	}
	return nil
}
