package ehr

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// Relations are the seven relations of SPEC §3, in load order.
var Relations = []string{
	"offices", "clinicians", "patients", "appointments",
	"clinical_notes", "portal_invitations", "api_windows",
}

// The DDL is SPEC §3 verbatim, so that a reviewer can hold the two side by side. In
// SQLite ids are INTEGER PRIMARY KEY (the rowid: integers only, never NULL), timestamps
// and dates TEXT (see instant.go) and booleans INTEGER 0/1.
var ddl = map[string][]string{
	Postgres: {
		`CREATE TABLE IF NOT EXISTS offices (id BIGINT PRIMARY KEY, tin TEXT NOT NULL,
			name TEXT NOT NULL, timezone TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS clinicians (id BIGINT PRIMARY KEY, npi TEXT NOT NULL,
			first_name TEXT, last_name TEXT, mips_eligible BOOLEAN NOT NULL DEFAULT TRUE)`,
		`CREATE TABLE IF NOT EXISTS patients (id BIGINT PRIMARY KEY, mrn TEXT, first_name TEXT,
			last_name TEXT, birth_date DATE, email TEXT)`,
		`CREATE TABLE IF NOT EXISTS appointments (id BIGINT PRIMARY KEY, patient_id BIGINT NOT NULL,
			office_id BIGINT NOT NULL, clinician_id BIGINT NOT NULL,
			scheduled_at TIMESTAMPTZ NOT NULL, status TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS clinical_notes (id BIGINT PRIMARY KEY,
			appointment_id BIGINT NOT NULL, signed_at TIMESTAMPTZ, locked_at TIMESTAMPTZ)`,
		`CREATE TABLE IF NOT EXISTS portal_invitations (id BIGINT PRIMARY KEY,
			patient_id BIGINT NOT NULL, sent_at TIMESTAMPTZ NOT NULL,
			recipient TEXT NOT NULL DEFAULT 'patient', channel TEXT NOT NULL DEFAULT 'email')`,
		`CREATE TABLE IF NOT EXISTS api_windows (id BIGINT PRIMARY KEY, tin TEXT NOT NULL,
			enabled_at TIMESTAMPTZ NOT NULL, disabled_at TIMESTAMPTZ)`,
	},
	SQLite: {
		`CREATE TABLE IF NOT EXISTS offices (id INTEGER PRIMARY KEY, tin TEXT NOT NULL,
			name TEXT NOT NULL, timezone TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS clinicians (id INTEGER PRIMARY KEY, npi TEXT NOT NULL,
			first_name TEXT, last_name TEXT, mips_eligible INTEGER NOT NULL DEFAULT 1)`,
		`CREATE TABLE IF NOT EXISTS patients (id INTEGER PRIMARY KEY, mrn TEXT, first_name TEXT,
			last_name TEXT, birth_date TEXT, email TEXT)`,
		`CREATE TABLE IF NOT EXISTS appointments (id INTEGER PRIMARY KEY, patient_id INTEGER NOT NULL,
			office_id INTEGER NOT NULL, clinician_id INTEGER NOT NULL,
			scheduled_at TEXT NOT NULL, status TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS clinical_notes (id INTEGER PRIMARY KEY,
			appointment_id INTEGER NOT NULL, signed_at TEXT, locked_at TEXT)`,
		`CREATE TABLE IF NOT EXISTS portal_invitations (id INTEGER PRIMARY KEY,
			patient_id INTEGER NOT NULL, sent_at TEXT NOT NULL,
			recipient TEXT NOT NULL DEFAULT 'patient', channel TEXT NOT NULL DEFAULT 'email')`,
		`CREATE TABLE IF NOT EXISTS api_windows (id INTEGER PRIMARY KEY, tin TEXT NOT NULL,
			enabled_at TEXT NOT NULL, disabled_at TEXT)`,
	},
}

// indexes serve the read (Read): the period's appointments, notes by appointment,
// invitations by patient. Same text on both dialects.
var indexes = map[string]string{
	"appointments":       `CREATE INDEX IF NOT EXISTS appointments_scheduled_at ON appointments (scheduled_at)`,
	"clinical_notes":     `CREATE INDEX IF NOT EXISTS clinical_notes_appointment_id ON clinical_notes (appointment_id)`,
	"portal_invitations": `CREATE INDEX IF NOT EXISTS portal_invitations_patient_id ON portal_invitations (patient_id)`,
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
	for _, r := range Relations {
		spec[r] = true
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
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("init %s: %w", s, s.scrub(err))
	}
	defer tx.Rollback()
	for i, name := range Relations {
		if kind, ok := existing[name]; ok && kind != "table" {
			continue // a view (force): leave the mapping alone
		}
		if _, err := tx.ExecContext(ctx, ddl[s.dialect][i]); err != nil {
			return fmt.Errorf("init %s: create %s: %w", s, name, s.scrub(err))
		}
		if ix, ok := indexes[name]; ok {
			if _, err := tx.ExecContext(ctx, ix); err != nil {
				return fmt.Errorf("init %s: index %s: %w", s, name, s.scrub(err))
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("init %s: commit: %w", s, s.scrub(err))
	}
	return nil
}

// relations lists the user tables and views: name → "table" | "view". On PostgreSQL it
// looks at every schema but the system ones.
func (s *Store) relations(ctx context.Context) (map[string]string, error) {
	var q string
	if s.dialect == Postgres {
		q = `SELECT table_name, CASE WHEN table_type = 'BASE TABLE' THEN 'table' ELSE 'view' END
			FROM information_schema.tables
			WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
			  AND table_schema NOT LIKE 'pg\_%'`
	} else {
		q = `SELECT name, type FROM sqlite_schema
			WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	}
	rows, err := s.db.DB.QueryContext(ctx, q)
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
