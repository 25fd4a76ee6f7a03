package ehr_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"testing"

	"github.com/mipspi/mipspi/calendar"
	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/internal/pgtest"
)

// identityRecorder is a recorder that also takes the database's identity.
type identityRecorder struct {
	recorder
	id    string
	given bool
}

func (r *identityRecorder) Identity(id string) error {
	r.id, r.given = id, true
	return nil
}

func readIdentity(t *testing.T, s *ehr.Store) string {
	t.Helper()
	var r identityRecorder
	if _, err := s.Read(context.Background(), calendar.MustParseDate("2025-01-01"), calendar.MustParseDate("2025-12-31"), &r); err != nil {
		t.Fatal(err)
	}
	if !r.given {
		t.Fatal("no identity handed to an IdentitySink")
	}
	return r.id
}

// TestIdentityOfPostgres: the system identifier and the database's name (SPEC §7); a
// login that may not call pg_control_system() still reads, without an identity.
func TestIdentityOfPostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	s := open(t, dsn)
	initLoad(t, s, "scenario.yaml")
	u, _ := url.Parse(dsn)
	db := u.Path[1:]
	id := readIdentity(t, s)
	if !regexp.MustCompile(`^postgres:[0-9]+/` + db + `$`).MatchString(id) {
		t.Fatalf("identity %q, want postgres:SYSTEM_ID/%s", id, db)
	}
	role := fmt.Sprintf("mipspi_noid_%d", os.Getpid())
	admin := open(t, pgtest.Admin(t))
	exec(t, admin, "CREATE ROLE "+role+" LOGIN")
	t.Cleanup(func() {
		exec(t, s, "REASSIGN OWNED BY "+role+" TO CURRENT_USER", "DROP OWNED BY "+role)
		exec(t, admin, "DROP ROLE "+role)
	})
	exec(t, s, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+role,
		"REVOKE EXECUTE ON FUNCTION pg_control_system() FROM PUBLIC")
	u.User = url.User(role)
	limited := open(t, u.String())
	if id := readIdentity(t, limited); id != "" {
		t.Errorf("identity %q without the right to read it", id)
	}
}
