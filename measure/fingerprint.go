package measure

// Fingerprint names the database a report was read from without any secret (SPEC §7):
// the dialect, the host (for SQLite, the machine that read the file) and the database
// (for SQLite, the file's absolute path). Never a user or a password. Reports write it
// and combine reads it back to refuse the same source twice; the JSON names are part of
// the report's format.
type Fingerprint struct {
	Dialect  string `json:"dialect"`
	Host     string `json:"host,omitempty"`
	Port     string `json:"port,omitempty"`
	Database string `json:"database"`
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
