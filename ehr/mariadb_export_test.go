package ehr

import (
	"context"
	"time"
)

// MariaDBConfig is the driver configuration ParseDSN made of a MariaDB DSN.
type MariaDBConfig struct {
	Net, Addr, DBName, User, Passwd, TLS string
	Timeout                              time.Duration
	ParseTime, MultiStatements           bool
	AllowAllFiles                        bool
	Params                               map[string]string
}

func (d *DSN) MariaDBConfig() MariaDBConfig {
	c := d.mysql
	return MariaDBConfig{Net: c.Net, Addr: c.Addr, DBName: c.DBName, User: c.User, Passwd: c.Passwd,
		TLS: c.TLSConfig, Timeout: c.Timeout, ParseTime: c.ParseTime, MultiStatements: c.MultiStatements,
		AllowAllFiles: c.AllowAllFiles, Params: c.Params}
}

// MariaDBBegin opens the read's snapshot on s (a MariaDB store): its querier and close.
func MariaDBBegin(ctx context.Context, s *Store) (ReadTx, func(), error) {
	snap, err := mariadbDialect{}.begin(ctx, s.db)
	if err != nil {
		return nil, nil, err
	}
	return snap.tx(), snap.close, nil
}

// SetMariaDBRangePatients changes how many patients one range of MariaDB's period
// scans holds.
func SetMariaDBRangePatients(n int) (restore func()) {
	old := mariadbRangePatients
	mariadbRangePatients = n
	return func() { mariadbRangePatients = old }
}

// SetMariaDBJoinBytes changes how much memory MariaDB's period read may hold rows in
// (mariadb_join.go); 0 makes the server join, a patient range at a time.
func SetMariaDBJoinBytes(n int) (restore func()) {
	old := mariadbJoinBytes
	mariadbJoinBytes = n
	return func() { mariadbJoinBytes = old }
}

// MariaDBJoinBytes is what appointments, notes and invitations read whole take.
func MariaDBJoinBytes(appointments, notes, invitations int) int {
	return (appointments+invitations)*rowBytes + notes*noteBytes
}

// MariaDBScansHook makes MariaDB's period read tell f how it reads the scans: "in
// memory", "joined in memory, ranges" or "ranges".
func MariaDBScansHook(f func(mode string)) (restore func()) {
	old := mariadbScansHook
	mariadbScansHook = f
	return func() { mariadbScansHook = old }
}
