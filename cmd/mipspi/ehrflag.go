package main

// --ehr (SPEC §4, §8): whose tables --db holds. The flag beats $MIPSPI_EHR, which beats
// `ehr:` in the configuration; the default is the section 3 relations. OpenEMR's own
// tables live in MariaDB or MySQL only.

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mipspi/mipspi/ehr"
	"github.com/mipspi/mipspi/measure"
)

const flagEHR = "ehr"

func ehrFlag() cli.Flag {
	return &cli.StringFlag{Name: flagEHR, EnvVars: []string{"MIPSPI_EHR"},
		Usage: "whose tables --db holds: mipspi (the relations of the database guide, default) or openemr (OpenEMR's own tables, MariaDB/MySQL)"}
}

// resolveEHR decides whose tables are read and checks that the database can hold them.
func resolveEHR(c *cli.Context, fc *fileConfig, dsn string) (string, error) {
	kind, from := strings.TrimSpace(c.String(flagEHR)), "--ehr"
	if kind == "" && fc != nil && fc.EHR != "" {
		kind, from = fc.EHR, "ehr in "+fc.Name
	}
	switch kind {
	case "":
		return ehrMipspi, nil
	case ehrMipspi:
		return kind, nil
	case ehrOpenEMR:
	default:
		return "", usagef("%s %s is not one of %s, %s", from, quoteIfOdd(kind), ehrMipspi, ehrOpenEMR)
	}
	if d, err := ehr.ParseDSN(dsn); err == nil && d.Dialect != ehr.MariaDB {
		return "", usagef("%s openemr reads OpenEMR's own tables, which live in MariaDB or MySQL; --db %s is a %s database (give mysql://USER@HOST:PORT/openemr)",
			from, d.Redacted, dialectName(d.Dialect))
	}
	return kind, nil
}

func dialectName(d string) string {
	switch d {
	case ehr.Postgres:
		return "PostgreSQL"
	case ehr.SQLite:
		return "SQLite"
	}
	return d
}

// openEMRSettings are the settings of an OpenEMR read: the configuration's openemr
// block, and the run's seen set (SPEC §8: OpenEMR's stock seen ids unless seen_statuses
// replaces them; with visits: encounters, every encounter read is seen).
func openEMRSettings(fc *fileConfig, cfg *measure.Config) ehr.OpenEMRSettings {
	var set ehr.OpenEMRSettings
	if fc != nil && fc.OpenEMR != nil {
		set = fc.OpenEMR.Settings
	}
	switch {
	case set.Visits == ehr.OpenEMREncounters:
		cfg.SeenStatuses = []string{ehr.OpenEMREncounterStatus}
	case fc == nil || fc.SeenStatuses == nil:
		cfg.SeenStatuses = ehr.OpenEMRSeenStatuses
	}
	set.SeenStatuses = cfg.SeenStatuses
	return set
}

// warnWindows prints the configured API windows whose TIN matches no facility.
func warnWindows(w io.Writer, fc *fileConfig, p measure.Practice) {
	for _, msg := range fc.apiWindowTINWarnings(p) {
		fmt.Fprintf(w, "mipspi: warning: %s\n", oneLine(msg))
	}
}
