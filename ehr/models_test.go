package ehr_test

import (
	"context"
	"testing"

	"github.com/mipspi/mipspi/ehr"
)

// db init builds the SPEC §3 tables from the bun models with SPEC's constraints and
// defaults on both dialects: NOT NULL where SPEC says so, the defaults of
// mips_eligible, recipient and channel, and in SQLite an id that is the rowid
// (integers only).
func TestInitFromModels(t *testing.T) {
	onBoth(t, func(t *testing.T, s *ehr.Store) {
		ctx := context.Background()
		if err := s.Init(ctx, false); err != nil {
			t.Fatal(err)
		}
		exec(t, s,
			`INSERT INTO clinicians (id, npi) VALUES (1, '1234567893')`,
			`INSERT INTO portal_invitations (id, patient_id, sent_at) VALUES (1, 1, '2025-01-01T00:00:00Z')`)
		var eligible bool
		var recipient, channel string
		db := s.DB().DB
		if err := db.QueryRowContext(ctx, `SELECT mips_eligible FROM clinicians WHERE id = 1`).Scan(&eligible); err != nil || !eligible {
			t.Errorf("mips_eligible default: %v, %v", eligible, err)
		}
		if err := db.QueryRowContext(ctx, `SELECT recipient, channel FROM portal_invitations WHERE id = 1`).Scan(&recipient, &channel); err != nil ||
			recipient != "patient" || channel != "email" {
			t.Errorf("invitation defaults: %q %q, %v", recipient, channel, err)
		}
		for _, q := range []string{
			`INSERT INTO offices (id, tin, name) VALUES (1, '123456789', 'X')`,                                    // timezone NOT NULL
			`INSERT INTO appointments (id, patient_id, office_id, clinician_id, status) VALUES (1, 1, 1, 1, 'x')`, // scheduled_at
			`INSERT INTO clinical_notes (id, signed_at) VALUES (1, NULL)`,                                         // appointment_id
			`INSERT INTO clinicians (id, npi) VALUES (1, '1234567893')`,                                           // duplicate id
		} {
			if _, err := db.ExecContext(ctx, q); err == nil {
				t.Errorf("%s: accepted", q)
			}
		}
		if s.Dialect() == ehr.Postgres {
			// (In SQLite a NULL id of the rowid takes the next number, as before.)
			if _, err := db.ExecContext(ctx, `INSERT INTO api_windows (id, tin, enabled_at) VALUES (NULL, '1', '2025-01-01T00:00:00Z')`); err == nil {
				t.Error("NULL id accepted")
			}
		}
		if s.Dialect() == ehr.SQLite {
			if _, err := db.ExecContext(ctx, `INSERT INTO patients (id) VALUES ('abc')`); err == nil {
				t.Error("SQLite patients.id took text: not the rowid")
			}
		}
	})
}
