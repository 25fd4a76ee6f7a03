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
