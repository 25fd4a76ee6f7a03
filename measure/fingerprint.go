package measure

// Fingerprint names the database a report was read from without any secret (SPEC §7):
// the dialect, the host (for SQLite, the machine that read the file) and the database
// (for SQLite, the file's absolute path) as the DSN named them, and the database's
// identity, which survives renaming (PostgreSQL: the system identifier and database
// name; SQLite: a digest of the schema and of each relation's row count and highest
// id). Never a user or a password. Reports write it and combine reads it back to
// refuse the same database twice; the JSON names are part of the report's format.
type Fingerprint struct {
	Dialect  string `json:"dialect"`
	Host     string `json:"host,omitempty"`
	Port     string `json:"port,omitempty"`
	Database string `json:"database"`
	// Identity is "" in reports written before it existed.
	Identity string `json:"identity,omitempty"`
}

// String is the fingerprint on one line: "postgres://db.example.org:5432/ehr",
// "sqlite://clinic-a/var/ehr.db".
func (f Fingerprint) String() string {
	s := f.Dialect + "://" + f.Host
	if f.Port != "" {
		s += ":" + f.Port
	}
	if f.Database != "" && f.Database[0] != '/' {
		s += "/"
	}
	return s + f.Database
}

// SameDatabase reports whether f and o name one database (SPEC §7). When both carry an
// identity, the identities decide: a link, a copy or another host name for the same
// server is the same database, and two servers that one DSN spelling names on two
// machines (localhost:5432/ehr) are not; a SQLite file read at the same path on the
// same machine is the same database too, even when rows were added between the two
// reports (its identity digests the rows). A report written before identities is
// compared by the names its DSN gave.
func (f Fingerprint) SameDatabase(o Fingerprint) bool {
	if f.Identity == "" || o.Identity == "" {
		return f.String() == o.String()
	}
	return f.Identity == o.Identity || f.Dialect == "sqlite" && f.String() == o.String()
}
