package measure

import "testing"

// TestSameDatabase: SPEC §7's "the same database", however it was named.
func TestSameDatabase(t *testing.T) {
	pg := func(host, id string) Fingerprint {
		return Fingerprint{Dialect: "postgres", Host: host, Port: "5432", Database: "ehr", Identity: id}
	}
	lite := func(host, path, id string) Fingerprint {
		return Fingerprint{Dialect: "sqlite", Host: host, Database: path, Identity: id}
	}
	for _, c := range []struct {
		name string
		a, b Fingerprint
		same bool
	}{
		{"one server, two host names", pg("127.0.0.1", "postgres:1/ehr"), pg("localhost", "postgres:1/ehr"), true},
		{"two servers, one spelling", pg("localhost", "postgres:1/ehr"), pg("localhost", "postgres:2/ehr"), false},
		{"old reports, one spelling", pg("localhost", ""), pg("localhost", ""), true},
		{"old and new, two spellings", pg("127.0.0.1", ""), pg("localhost", "postgres:1/ehr"), false},
		{"old and new, one spelling", pg("localhost", ""), pg("localhost", "postgres:1/ehr"), true},
		{"a copy elsewhere", lite("a", "/x/ehr.db", "sqlite:sha256:aa"), lite("b", "/y/copy.db", "sqlite:sha256:aa"), true},
		{"two files", lite("a", "/x/ehr.db", "sqlite:sha256:aa"), lite("a", "/x/other.db", "sqlite:sha256:bb"), false},
		{"one file, rows added between", lite("a", "/x/ehr.db", "sqlite:sha256:aa"), lite("a", "/x/ehr.db", "sqlite:sha256:bb"), true},
		{"one path on two machines", lite("a", "/x/ehr.db", "sqlite:sha256:aa"), lite("b", "/x/ehr.db", "sqlite:sha256:bb"), false},
	} {
		if got := c.a.SameDatabase(c.b); got != c.same {
			t.Errorf("%s: SameDatabase = %v, want %v", c.name, got, c.same)
		}
		if got := c.b.SameDatabase(c.a); got != c.same {
			t.Errorf("%s (reversed): SameDatabase = %v, want %v", c.name, got, c.same)
		}
	}
}
