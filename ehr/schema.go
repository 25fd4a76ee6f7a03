package ehr

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/uptrace/bun"
)

// The DDL comes from the models (rows.go) through bun's CREATE TABLE: SPEC §3's types
// on PostgreSQL, the dialect's own elsewhere (dialect.adaptColumn).

// index is an index that serves the read (Read) and the benchmark floor: the period's
// appointments by time and by patient, notes by appointment, invitations by patient.
type index struct {
	name string
	rel  *relation
	cols []string
}

var indexes = []index{
	{"appointments_scheduled_at", relAppointments, []string{"scheduled_at"}},
	{"appointments_patient_id_scheduled_at", relAppointments, []string{"patient_id", "scheduled_at"}},
	{"clinical_notes_appointment_id", relNotes, []string{"appointment_id"}},
	{"portal_invitations_patient_id", relInvitations, []string{"patient_id"}},
}

// createTable creates rel (IF NOT EXISTS) and its indexes inside tx.
func (s *Store) createTable(ctx context.Context, tx bun.Tx, rel *relation) error {
	model := reflect.New(rel.typ).Interface()
	// The store's own copy of the model metadata: give it the dialect's types.
	for _, f := range s.db.Dialect().Tables().Get(rel.typ).Fields {
		s.d.adaptColumn(f)
	}
	if _, err := tx.NewCreateTable().Model(model).IfNotExists().Exec(ctx); err != nil {
		return fmt.Errorf("create %s: %w", rel.name, s.scrub(err))
	}
	for _, ix := range indexes {
		if ix.rel != rel {
			continue
		}
		for _, c := range ix.cols {
			rel.col(c) // a column the model has
		}
		if _, err := tx.NewCreateIndex().Model(model).Index(ix.name).Column(ix.cols...).IfNotExists().Exec(ctx); err != nil {
			return fmt.Errorf("index %s: %w", rel.name, s.scrub(err))
		}
	}
	return nil
}

// Init creates the seven SPEC §3 relations as tables, for demos and tests (never on a
// production EHR). It is idempotent: SPEC tables already there are kept as they are.
// It refuses a database that holds any other table or view — or SPEC relations that
// are views, i.e. a mapped EHR — unless force is set; with force it creates the
// missing SPEC tables beside them and leaves every existing relation alone.
func (s *Store) Init(ctx context.Context, force bool) error {
	existing, err := s.relations(ctx)
	if err != nil {
		return fmt.Errorf("init %s: %w", s, err)
	}
	spec := map[string]bool{}
	for _, r := range relations {
		spec[r.name] = true
	}
	var foreign []string
	for name, kind := range existing {
		if !spec[name] || kind != "table" {
			foreign = append(foreign, name)
		}
	}
	sort.Strings(foreign)
	if len(foreign) > 0 && !force {
		shown := foreign
		if len(shown) > 10 {
			shown = append(shown[:10:10], "…")
		}
		return fmt.Errorf("init %s: the database already holds %d other relation(s) (%s); "+
			"refusing to create the mipspi tables beside what looks like an EHR (force to override)",
			s, len(foreign), strings.Join(shown, ", "))
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("init %s: %w", s, s.scrub(err))
	}
	defer tx.Rollback()
	for _, rel := range relations {
		if kind, ok := existing[rel.name]; ok && kind != "table" {
			continue // a view (force): leave the mapping alone
		}
		if err := s.createTable(ctx, tx, rel); err != nil {
			return fmt.Errorf("init %s: %w", s, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("init %s: commit: %w", s, s.scrub(err))
	}
	return nil
}

// relations lists the user tables and views: name → "table" | "view" (on PostgreSQL in
// every schema but the system ones).
func (s *Store) relations(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.DB.QueryContext(ctx, s.d.relationsSQL())
	if err != nil {
		return nil, fmt.Errorf("list relations: %w", s.scrub(err))
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, kind sql.NullString
		if err := rows.Scan(&name, &kind); err != nil {
			return nil, fmt.Errorf("list relations: %w", err)
		}
		out[name.String] = kind.String
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list relations: %w", s.scrub(err))
	}
	return out, nil
}
