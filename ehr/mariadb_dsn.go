package ehr

// The MariaDB/MySQL DSN (SPEC §4, §8):
//
//	mysql://USER:PASSWORD@HOST:PORT/DB                     (alias mariadb://; port 3306)
//	mysql://USER:PASSWORD@/DB?socket=/run/mysqld/mysqld.sock
//
// with two parameters only: tls (true|false|skip-verify|preferred) and timeout (the
// connect timeout, a duration such as 10s). Every other driver parameter is refused by
// name: parseTime and loc would change how instants are read, multiStatements would let
// one string run several statements, allowAllFiles would let the server read the
// machine's files, and the rest are not ours to pass through. The DSN is translated
// into the driver's own configuration here, never handed to it as text, so that no
// driver message can quote it.

import (
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// mariadbEscapeHint tells how to write a user name or password holding URL characters.
const mariadbEscapeHint = "percent-escape special characters in the user name and password " +
	"(@ as %40, : as %3A, / as %2F, ? as %3F, # as %23, % as %25, space as %20)"

// mariadbParams is what a MariaDB DSN may carry, for messages.
const mariadbParams = "tls (true, false, skip-verify or preferred) and timeout (e.g. 10s)"

// mariadbTLS are the accepted tls values (the driver's own words).
var mariadbTLS = map[string]bool{"true": true, "false": true, "skip-verify": true, "preferred": true}

// parseMariaDB reads a mysql:// or mariadb:// DSN. Like parsePostgres, a DSN that cannot
// be split unambiguously is refused by the kind of its problem, never by its text.
func parseMariaDB(dsn string) (*DSN, error) {
	const what = "invalid MariaDB/MySQL DSN"
	_, rest, _ := strings.Cut(dsn, "://")
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if strings.Contains(rest, "#") {
		return nil, fmt.Errorf("%s: it holds a '#' (in a URL it starts a fragment); %s", what, mariadbEscapeHint)
	}
	if at := strings.LastIndex(rest, "@"); at >= len(authority) {
		return nil, fmt.Errorf("%s: an '@' after the host (a user name or password with an unescaped /, ? or @?); %s", what, mariadbEscapeHint)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %s; %s", what, urlProblem(err), mariadbEscapeHint)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || n == 0 {
			return nil, fmt.Errorf("%s: the port is not a number from 1 to 65535; %s", what, mariadbEscapeHint)
		}
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%s: the parameters after '?' are not name=value pairs joined by '&'", what)
	}
	cfg := mysql.NewConfig()
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" || strings.Contains(cfg.DBName, "/") {
		return nil, fmt.Errorf("%s: name the database after the host: mysql://USER@HOST:PORT/DB", what)
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	redacted := "mysql://"
	if cfg.User != "" {
		redacted += cfg.User + "@"
	}
	for _, k := range slices.Sorted(maps.Keys(q)) {
		vs := q[k]
		if len(vs) > 1 {
			return nil, fmt.Errorf("%s: parameter %s given %d times", what, k, len(vs))
		}
		v := vs[0]
		switch k {
		case "socket":
			if u.Host != "" {
				return nil, fmt.Errorf("%s: give a host or a socket, not both (mysql://USER@/DB?socket=PATH)", what)
			}
			if !strings.HasPrefix(v, "/") {
				return nil, fmt.Errorf("%s: socket must be an absolute path, e.g. /run/mysqld/mysqld.sock", what)
			}
			cfg.Net, cfg.Addr = "unix", v
		case "tls":
			if !mariadbTLS[v] {
				// Values are never shown: a password pasted in the wrong place stays unseen.
				return nil, fmt.Errorf("%s: parameter tls: want true, false, skip-verify or preferred", what)
			}
			cfg.TLSConfig = v
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, fmt.Errorf("%s: parameter timeout: want a duration such as 10s", what)
			}
			cfg.Timeout = d
		default:
			// The name only: a value could be anything, a password pasted in the wrong place.
			return nil, fmt.Errorf("%s: parameter %s is refused: mipspi accepts only %s", what, quoteIfOdd(k), mariadbParams)
		}
	}
	switch {
	case cfg.Net == "unix":
		redacted += "/" + cfg.DBName + "?socket=" + cfg.Addr
	case u.Host == "":
		return nil, fmt.Errorf("%s: no host: mysql://USER@HOST:PORT/DB, or mysql://USER@/DB?socket=PATH", what)
	default:
		port := u.Port()
		if port == "" {
			port = "3306"
		}
		cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(u.Hostname(), port)
		redacted += cfg.Addr + "/" + cfg.DBName
	}
	mariadbSafe(cfg)
	d := &DSN{Dialect: MariaDB, raw: dsn, Redacted: redacted, mysql: cfg, Host: cfg.Addr, Database: cfg.DBName}
	if cfg.Net == "tcp" {
		d.Host, d.Port, _ = net.SplitHostPort(cfg.Addr)
	}
	typed := ""
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		_, typed, _ = strings.Cut(authority[:at], ":")
	}
	d.secret = newSecret(cfg.Passwd, typed)
	return d, nil
}

// mariadbSafe sets what every mipspi session needs whatever the DSN says (SPEC §8):
// instants read as the server's text in UTC (session time_zone '+00:00', no parseTime),
// one statement per query, no local files, arguments interpolated, and a driver that
// never writes to stderr itself (its errors come back to us and are scrubbed).
func mariadbSafe(cfg *mysql.Config) {
	cfg.ParseTime = false
	cfg.MultiStatements = false
	cfg.AllowAllFiles = false
	// Arguments are interpolated by the driver (the text protocol: no prepared
	// statement per query, and rows whose bytes the driver need not copy); it does so
	// only for connection character sets where that is safe, as utf8mb4 is.
	cfg.InterpolateParams = true
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	cfg.Logger = mysql.Logger(log.New(io.Discard, "", 0))
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
}

// quoteIfOdd shows a DSN part as is, or quoted when it holds odd characters.
func quoteIfOdd(s string) string {
	if len(s) > 60 || strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r == 0x7f || r == '"' }) {
		return quote(s)
	}
	return s
}
