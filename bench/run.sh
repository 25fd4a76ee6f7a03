#!/usr/bin/env bash
# bench/run.sh — issues 6 and 12: mipspi report against the database's own floor and a
# peer that computes PI_PEA_1 in one SQL statement.
#
# One command, one machine, one run:
#   1. builds mipspi;
#   2. starts a throwaway PostgreSQL (or uses $MIPSPI_BENCH_PG, a superuser DSN of a
#      maintenance database such as postgres://postgres@127.0.0.1:5432/postgres), and
#      with --mariadb-size a throwaway MariaDB (mariadb-install-db + mariadbd, or
#      $MIPSPI_BENCH_MARIADB: mysql://USER:PASSWORD@HOST:PORT/ of a login that may
#      create databases);
#   3. generates the data sets with `mipspi db generate` (timed): PostgreSQL at each
#      size in --pg-sizes, SQLite at --sqlite-size; clinicians and patients scale with
#      the appointments (5M appointments ↔ 1,000 clinicians, 1.5M patients: about 3.7
#      visits a patient; --patients-ratio 0.47 gives 2.1, 470,000 patients at 1M); the
#      SQLite practice then gets the three timestamp spellings of
#      SPEC §3 (bench/respell.sql: ~40% …Z, 30% "… +00:00", 30% local offsets);
#   4. for each data set measures, --reps times (median reported):
#        (a) mipspi report --format json --quiet > /dev/null   wall time, peak RSS
#        (b) the floor (bench/floor-postgres.sql through psql \copy … to /dev/null,
#            bench/floor-sqlite.sql in the sqlite3 shell, bench/floor-mariadb.sql
#            through `mariadb --quick` to /dev/null): the least a calculator
#            must read                                        wall time, peak RSS
#        (c) PostgreSQL: the peer, bench/peer-postgres.sql through psql, whose
#            figures are first checked against mipspi's (the run stops if they differ)
#        (d) a/b and a/c
#      and, at the largest PostgreSQL size, mipspi report --format xlsx (--xlsx);
#   5. writes $OUT/results.md (markdown, with machine, versions and commands) and
#      $OUT/raw.tsv (every single measurement).
#
# OpenEMR (SPEC §8), with --openemr-size: a database holding OpenEMR's own schema
# (reference/openemr/database.sql beside the repository, or $MIPSPI_OPENEMR_SCHEMA),
# the practice written by `mipspi db generate --ehr openemr` (same shape, one zone), and
# mipspi report --config (the configuration db generate wrote) against
# bench/floor-openemr.sql through `mariadb --quick`.
#
# Usage: bench/run.sh [--quick] [--pg-sizes "N N …"] [--sqlite-size N]
#                     [--mariadb-size N] [--openemr-size N] [--reps N] [--patients-ratio R] [--out DIR] [--keep]
#   --quick        100,000 appointments on both databases, for iterating
#   --pg-sizes     PostgreSQL sizes (default "1000000 5000000"; "" skips)
#   --sqlite-size  SQLite size (default 1000000; 0 skips)
#   --mariadb-size MariaDB size, section 3 relations (default 0: skipped)
#   --openemr-size MariaDB size, OpenEMR's own tables (default 0: skipped)
#   --reps         measurements per command (default 3)
#   --patients-ratio  patients per appointment (default 0.3; 0.47 for 2.1 visits a patient)
#   --out          results directory (default bench/out)
#   --keep         keep the throwaway server and databases (printed DSNs) at exit
#   --xlsx         also measure the xlsx report at the largest PostgreSQL size
#   --reuse        reuse data sets already generated in --out / the server (skip generation
#                  when the database already holds the appointments)
#
# Needs: go, psql, sqlite3, GNU time (/usr/bin/time), and PostgreSQL server binaries in
# /usr/lib/postgresql/*/bin unless $MIPSPI_BENCH_PG is set; for --mariadb-size the
# mariadb client and, unless $MIPSPI_BENCH_MARIADB is set, the server. On Debian/Ubuntu:
#   apt-get install postgresql postgresql-client sqlite3 time mariadb-server mariadb-client
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

PG_SIZES="1000000 5000000"
SQLITE_SIZE=1000000
MARIADB_SIZE=0
OPENEMR_SIZE=0
REPS=3
OUT="$ROOT/bench/out"
KEEP=0
REUSE=0
QUICK=0
XLSX=0
YEAR=2025
SEED=1
RATIO=0.3
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1; PG_SIZES="100000"; SQLITE_SIZE=100000 ;;
	--pg-sizes) PG_SIZES="$2"; shift ;;
	--sqlite-size) SQLITE_SIZE="$2"; shift ;;
	--mariadb-size) MARIADB_SIZE="$2"; shift ;;
	--openemr-size) OPENEMR_SIZE="$2"; shift ;;
	--reps) REPS="$2"; shift ;;
	--out) OUT="$2"; shift ;;
	--keep) KEEP=1 ;;
	--reuse) REUSE=1 ;;
	--xlsx) XLSX=1 ;;
	--no-xlsx) XLSX=0 ;;
	--patients-ratio) RATIO="$2"; shift ;;
	-h|--help) sed -n '2,50p' "$0"; exit 0 ;;
	*) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

need() {
	if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$1" ]; then
		echo "bench/run.sh: $1 not found; install it: $2" >&2
		exit 2
	fi
}
need go "https://go.dev/dl/"
if [ -n "$PG_SIZES" ]; then need psql "apt-get install postgresql-client (or postgresql)"; fi
if [ "$MARIADB_SIZE" != 0 ] || [ "$OPENEMR_SIZE" != 0 ]; then need mariadb "apt-get install mariadb-client"; fi
need sqlite3 "apt-get install sqlite3"
need /usr/bin/time "apt-get install time (GNU time, for peak RSS)"
need jq "apt-get install jq (reads mipspi's JSON to check the peer)"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RAW="$OUT/raw.tsv"
LOG="$OUT/run.log"
: >"$LOG"
printf 'db\tappointments\twhat\trep\twall_s\tuser_s\tsys_s\tmaxrss_kb\tload1\n' >"$RAW"
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }

# --- build ------------------------------------------------------------------------
BIN="$OUT/bin"
mkdir -p "$BIN"
log "building mipspi"
go build -o "$BIN/mipspi" ./cmd/mipspi
MIPSPI="$BIN/mipspi"
# The UTC window Read uses: [from - 1 day, to + 2 days).
LO=$((YEAR - 1))-12-31
HI=$((YEAR + 1))-01-02
floor_sql() { # TEMPLATE OUT
	sed -e "s/@LO@/$LO/g" -e "s/@HI@/$HI/g" "$1" >"$2"
}

# --- PostgreSQL ---------------------------------------------------------------------
PGDIR=""
PGBIN=""
PG_ADMIN=""
MDBDIR=""
MDB_ADMIN=""
MDB_CLIENT=()
cleanup() {
	if [ -n "$MDBDIR" ] && [ "$KEEP" = 0 ]; then
		[ -f "$MDBDIR/mysqld.pid" ] && kill "$(cat "$MDBDIR/mysqld.pid")" 2>/dev/null
		for _ in $(seq 1 60); do [ -f "$MDBDIR/mysqld.pid" ] || break; sleep 0.5; done
		rm -rf "$MDBDIR"
	elif [ -n "$MDBDIR" ]; then
		log "kept MariaDB: $MDB_ADMIN (data in $MDBDIR; stop: kill \$(cat $MDBDIR/mysqld.pid))"
	fi
	if [ -n "$PGDIR" ] && [ "$KEEP" = 0 ]; then
		if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop; else "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop; fi >/dev/null 2>&1 || true
		rm -rf "$PGDIR"
	elif [ -n "$PGDIR" ]; then
		log "kept server: $PG_ADMIN (data in $PGDIR; stop: runuser -u postgres -- $PGBIN/pg_ctl -D $PGDIR/data stop)"
	fi
}
trap cleanup EXIT

start_pg() {
	if [ -n "${MIPSPI_BENCH_PG:-}" ]; then
		PG_ADMIN="$MIPSPI_BENCH_PG"
		log "using \$MIPSPI_BENCH_PG"
		return
	fi
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n | tail -1)
	if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
		echo "bench/run.sh: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin;" \
			"apt-get install postgresql, or set MIPSPI_BENCH_PG to a superuser DSN" >&2
		exit 2
	fi
	PGDIR=$(mktemp -d /tmp/mipspi-bench-pg-XXXXXX)
	local as=()
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$PGDIR"
		as=(runuser -u postgres --)
	fi
	"${as[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >>"$LOG" 2>&1
	local port
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 20000))
		# Durability is off (a throwaway server): it only speeds up generation; the
		# read path and the floor run against the same server and settings.
		if "${as[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB" \
			start >>"$LOG" 2>&1; then
			PG_ADMIN="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
			log "started PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $port ($PGDIR)"
			return
		fi
	done
	echo "bench/run.sh: could not start PostgreSQL; see $PGDIR/server.log" >&2
	exit 1
}

pg_dsn() { # database name → DSN
	echo "$PG_ADMIN" | sed -E "s#/[^/?]*(\?|$)#/$1\1#"
}

# --- measuring -----------------------------------------------------------------------
# measure DB N WHAT REP cmd… : runs cmd under GNU time, appends a raw row.
measure() {
	local db=$1 n=$2 what=$3 rep=$4
	shift 4
	local tf load
	tf=$(mktemp)
	load=$(cut -d' ' -f1 /proc/loadavg)
	if ! /usr/bin/time -v -o "$tf" "$@" >/dev/null 2>>"$LOG"; then
		echo "bench/run.sh: failed: $*" >&2
		cat "$tf" >&2
		exit 1
	fi
	awk -v db="$db" -v n="$n" -v what="$what" -v rep="$rep" -v load1="$load" -F': ' '
		/Elapsed \(wall clock\)/ { k = split($2, p, ":"); s = 0; for (i = 1; i <= k; i++) s = s * 60 + p[i]; wall = s }
		/User time/ { user = $2 }
		/System time/ { sys = $2 }
		/Maximum resident set size/ { rss = $2 }
		END { printf "%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%d\t%s\n", db, n, what, rep, wall, user, sys, rss, load1 }
	' "$tf" >>"$RAW"
	tail -1 "$RAW" | tee -a "$LOG" >&2
	rm -f "$tf"
}

GEN_TIMES="$OUT/gen.tsv"
: >"$GEN_TIMES"

scale() { # appointments → "clinicians patients"
	local n=$1
	local c=$((n / 5000)) p
	p=$(awk -v n="$n" -v r="$RATIO" 'BEGIN { printf "%d", n * r }')
	[ "$c" -lt 20 ] && c=20
	echo "$c $p"
}
# A data set's name: its size, and its patients ratio when not the default.
SUFFIX=""
[ "$RATIO" != 0.3 ] && SUFFIX="_p$(echo "$RATIO" | tr -d .)"

generate() { # DB N DSN
	local db=$1 n=$2 dsn=$3 c p
	read -r c p < <(scale "$n")
	log "generate $db: $n appointments, $c clinicians, $p patients"
	local tf
	tf=$(mktemp)
	/usr/bin/time -v -o "$tf" "$MIPSPI" db generate --db "$dsn" --year $YEAR --clinicians "$c" \
		--patients "$p" --appointments "$n" --seed $SEED --force --quiet >>"$LOG" 2>&1
	local wall
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { k = split($2, p, ":"); s = 0; for (i = 1; i <= k; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$tf")
	printf '%s\t%s\t%s\t%s\t%s\n' "$db" "$n" "$c" "$p" "$wall" >>"$GEN_TIMES"
	log "generated $db $n in ${wall}s"
	rm -f "$tf"
}

# bench_one DB N DSN FLOOR_CMD… : warm up, then alternate report and floor REPS times.
report_cmd() { echo "$MIPSPI" report --db "$1" --from $YEAR-01-01 --to $YEAR-12-31 --as-of $((YEAR + 1))-03-31 --format "$2" --quiet; }

bench_pg() { # N
	local n=$1 name="mipspi_bench_$1$SUFFIX" dsn sql
	dsn=$(pg_dsn "$name")
	if [ "$REUSE" = 1 ] && psql "$dsn" -XAtqc "SELECT count(*) FROM appointments" 2>/dev/null | grep -qx "$n"; then
		log "reusing $name"
	else
		psql "$PG_ADMIN" -Xq -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >>"$LOG" 2>&1
		generate postgres "$n" "$dsn"
		psql "$dsn" -Xq -c "VACUUM ANALYZE" >>"$LOG" 2>&1
	fi
	floor_sql bench/floor-postgres.sql "$OUT/floor-postgres.sql"
	# The peer's figures must be mipspi's (and this is the warm-up of both).
	# shellcheck disable=SC2046
	$(report_cmd "$dsn" json) --out "$OUT/report-postgres-$n.json"
	local holidays
	holidays=$(jq -r '[.holidays_applied[].date] | join(",")' "$OUT/report-postgres-$n.json")
	local peer=(psql "$dsn" -XAtq -F "$(printf '\t')" -v from=$YEAR-01-01 -v to=$YEAR-12-31 -v holidays="$holidays" -f bench/peer-postgres.sql)
	jq -r '.entities[] | [.level, .tin, (.npi // ""), .denominator, .numerator] | @tsv' "$OUT/report-postgres-$n.json" | sort >"$OUT/entities-mipspi-$n.tsv"
	"${peer[@]}" | sort >"$OUT/entities-peer-$n.tsv"
	if ! diff "$OUT/entities-mipspi-$n.tsv" "$OUT/entities-peer-$n.tsv" >>"$LOG"; then
		echo "bench/run.sh: the peer's figures differ from mipspi's at $n (see $LOG)" >&2
		exit 1
	fi
	log "peer figures = mipspi figures at $n ($(wc -l <"$OUT/entities-peer-$n.tsv") entities)"
	psql "$dsn" -Xq -f "$OUT/floor-postgres.sql" >/dev/null
	for rep in $(seq 1 "$REPS"); do
		# shellcheck disable=SC2046
		measure postgres "$n" report "$rep" $(report_cmd "$dsn" json)
		measure postgres "$n" floor "$rep" psql "$dsn" -Xq -f "$OUT/floor-postgres.sql"
		measure postgres "$n" peer "$rep" "${peer[@]}"
	done
}

bench_pg_xlsx() { # N
	local n=$1 dsn
	dsn=$(pg_dsn "mipspi_bench_$1$SUFFIX")
	for rep in $(seq 1 "$REPS"); do
		# shellcheck disable=SC2046
		measure postgres "$n" xlsx "$rep" $(report_cmd "$dsn" xlsx)
	done
}

bench_sqlite() { # N
	local n=$1 file="$OUT/bench-$1$SUFFIX.db" dsn sql
	dsn="sqlite:$file"
	if [ "$REUSE" = 1 ] && [ -f "$file" ] && sqlite3 "$file" "SELECT count(*) FROM appointments" 2>/dev/null | grep -qx "$n"; then
		log "reusing $file"
	else
		rm -f "$file" "$file-wal" "$file-shm"
		generate sqlite "$n" "$dsn"
		sqlite3 "$file" <bench/respell.sql >>"$LOG" 2>&1
		sqlite3 "$file" "PRAGMA journal_mode = DELETE; ANALYZE" >>"$LOG" 2>&1
	fi
	floor_sql bench/floor-sqlite.sql "$OUT/floor-sqlite.sql"
	sqlite3 "$file" <"$OUT/floor-sqlite.sql" >/dev/null
	# shellcheck disable=SC2046
	$(report_cmd "$dsn" json) --out "$OUT/report-sqlite-$n.json"
	for rep in $(seq 1 "$REPS"); do
		# shellcheck disable=SC2046
		measure sqlite "$n" report "$rep" $(report_cmd "$dsn" json)
		measure sqlite "$n" floor "$rep" sh -c "sqlite3 '$file' < '$OUT/floor-sqlite.sql'"
	done
}

# --- MariaDB (section 3 relations, SPEC §8) --------------------------------------------
start_mariadb() {
	if [ -n "${MIPSPI_BENCH_MARIADB:-}" ]; then
		MDB_ADMIN="${MIPSPI_BENCH_MARIADB%/}"
		local rest=${MDB_ADMIN#*://} user pass hostport
		user=${rest%%@*}; hostport=${rest#*@}
		pass=""; case "$user" in *:*) pass=${user#*:}; user=${user%%:*} ;; esac
		MDB_CLIENT=(mariadb --user="$user" --password="$pass" --host="${hostport%:*}" --port="${hostport##*:}")
		log "using \$MIPSPI_BENCH_MARIADB"
		return
	fi
	local mariadbd
	mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
	if [ ! -x "$mariadbd" ] || ! command -v mariadb-install-db >/dev/null; then
		echo "bench/run.sh: no mariadbd / mariadb-install-db; apt-get install mariadb-server, or set MIPSPI_BENCH_MARIADB" >&2
		exit 2
	fi
	MDBDIR=$(mktemp -d /tmp/mipspi-bench-mariadb-XXXXXX)
	local as=()
	if [ "$(id -u)" = 0 ]; then
		chown mysql "$MDBDIR"
		as=(--user=mysql)
	fi
	mariadb-install-db --no-defaults --datadir="$MDBDIR/data" "${as[@]}" --auth-root-authentication-method=normal \
		--skip-test-db --skip-name-resolve --innodb-log-file-size=256M >>"$LOG" 2>&1
	mkdir -p "$MDBDIR/tmp" # its own: a shared /tmp's cleaners removed a query's temporary table
	[ "$(id -u)" = 0 ] && chown mysql "$MDBDIR/tmp"
	local port=$((20000 + RANDOM % 20000))
	# Durability is off (a throwaway server), as for PostgreSQL; the buffer pool holds the
	# 1M practice, as a production server's would. The server gets no descriptor but
	# stdin/stdout/stderr: one inherited from `flock LOCK bench/run.sh` would hold the
	# lock for as long as a kept (--keep) or orphaned server lives.
	(
		for fd in /proc/self/fd/*; do
			n=${fd##*/}
			[ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"
		done
		exec "$mariadbd" --no-defaults "${as[@]}" --datadir="$MDBDIR/data" --socket="$MDBDIR/mysqld.sock" --port=$port \
			--bind-address=127.0.0.1 --pid-file="$MDBDIR/mysqld.pid" --log-error="$MDBDIR/server.log" --tmpdir="$MDBDIR/tmp" \
			--skip-name-resolve --innodb-buffer-pool-size=1G --innodb-log-file-size=256M \
			--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --performance-schema=OFF \
			--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
	) >>"$LOG" 2>&1 &
	for _ in $(seq 1 120); do
		if mariadb --socket="$MDBDIR/mysqld.sock" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
			MDB_ADMIN="mysql://root@127.0.0.1:$port"
			MDB_CLIENT=(mariadb --user=root --host=127.0.0.1 --port=$port)
			log "started MariaDB $("$mariadbd" --version | awk '{print $3}') on port $port ($MDBDIR)"
			return
		fi
		sleep 0.5
	done
	echo "bench/run.sh: could not start MariaDB; see $MDBDIR/server.log" >&2
	exit 1
}

bench_mariadb() { # N
	local n=$1 name="mipspi_bench_$1" dsn
	dsn="$MDB_ADMIN/$name"
	if [ "$REUSE" = 1 ] && "${MDB_CLIENT[@]}" -N "$name" -e "SELECT count(*) FROM appointments" 2>/dev/null | grep -qx "$n"; then
		log "reusing $name"
	else
		"${MDB_CLIENT[@]}" -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name CHARACTER SET utf8mb4" >>"$LOG" 2>&1
		generate mariadb "$n" "$dsn"
		"${MDB_CLIENT[@]}" "$name" -e "ANALYZE TABLE appointments, clinical_notes, patients, portal_invitations" >>"$LOG" 2>&1
	fi
	floor_sql bench/floor-mariadb.sql "$OUT/floor-mariadb.sql"
	# Warm-up of both (the buffer pool), and the report kept for comparison.
	# shellcheck disable=SC2046
	$(report_cmd "$dsn" json) --out "$OUT/report-mariadb-$n.json"
	"${MDB_CLIENT[@]}" --quick "$name" <"$OUT/floor-mariadb.sql" >/dev/null
	for rep in $(seq 1 "$REPS"); do
		# shellcheck disable=SC2046
		measure mariadb "$n" report "$rep" $(report_cmd "$dsn" json)
		measure mariadb "$n" floor "$rep" sh -c '"$@" < "'"$OUT/floor-mariadb.sql"'"' sh "${MDB_CLIENT[@]}" --quick "$name"
	done
}

# OpenEMR's schema: $MIPSPI_OPENEMR_SCHEMA, else beside the repository (or, in a git
# worktree, beside the main checkout).
openemr_schema() {
	if [ -n "${MIPSPI_OPENEMR_SCHEMA:-}" ]; then echo "$MIPSPI_OPENEMR_SCHEMA"; return; fi
	local common
	common=$(cd "$ROOT" && git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$ROOT/.git")
	for d in "$ROOT/.." "$(dirname "$common")/.."; do
		if [ -f "$d/shared/reference/openemr/database.sql" ]; then echo "$d/shared/reference/openemr/database.sql"; return; fi
	done
	echo "bench/run.sh: OpenEMR's schema not found; set MIPSPI_OPENEMR_SCHEMA" >&2
	exit 1
}

bench_openemr() { # N
	local n=$1 name="openemr_bench_$1" dsn c p cfg="$OUT/openemr-$1.yaml"
	dsn="$MDB_ADMIN/$name"
	if [ "$REUSE" = 1 ] && [ -f "$cfg" ] && "${MDB_CLIENT[@]}" -N "$name" -e "SELECT count(*) FROM openemr_postcalendar_events WHERE pc_recurrtype = 0 AND pc_pid REGEXP '^0*[1-9]'" 2>/dev/null | grep -qx "$n"; then
		log "reusing $name"
	else
		"${MDB_CLIENT[@]}" -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci" >>"$LOG" 2>&1
		log "loading OpenEMR's schema into $name"
		( echo "SET SESSION innodb_strict_mode=0;"; cat "$(openemr_schema)" ) | "${MDB_CLIENT[@]}" --default-character-set=utf8mb4 "$name" >>"$LOG" 2>&1
		read -r c p < <(scale "$n")
		log "generate openemr: $n appointments, $c clinicians, $p patients"
		local tf wall
		tf=$(mktemp)
		/usr/bin/time -v -o "$tf" "$MIPSPI" db generate --db "$dsn" --ehr openemr --year $YEAR --clinicians "$c" \
			--patients "$p" --appointments "$n" --seed $SEED --config-out "$cfg" --quiet >>"$LOG" 2>&1
		wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { k = split($2, p, ":"); s = 0; for (i = 1; i <= k; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$tf")
		printf '%s\t%s\t%s\t%s\t%s\n' openemr "$n" "$c" "$p" "$wall" >>"$GEN_TIMES"
		log "generated openemr $n in ${wall}s"
		rm -f "$tf"
		"${MDB_CLIENT[@]}" "$name" -e "ANALYZE TABLE openemr_postcalendar_events, patient_data, patient_tracker, form_encounter, forms, esign_signatures, patient_access_onsite" >>"$LOG" 2>&1
	fi
	sed -e "s/@LO@/$((YEAR - 1))-12-31/g" -e "s/@TO@/$YEAR-12-31/g" -e "s/@HI@/$((YEAR + 1))-01-01/g" bench/floor-openemr.sql >"$OUT/floor-openemr.sql"
	# Warm-up of both (the buffer pool), and the report kept.
	# shellcheck disable=SC2046
	$(report_cmd "$dsn" json) --config "$cfg" --out "$OUT/report-openemr-$n.json"
	"${MDB_CLIENT[@]}" --quick "$name" <"$OUT/floor-openemr.sql" >/dev/null
	for rep in $(seq 1 "$REPS"); do
		# shellcheck disable=SC2046
		measure openemr "$n" report "$rep" $(report_cmd "$dsn" json) --config "$cfg"
		measure openemr "$n" floor "$rep" sh -c '"$@" < "'"$OUT/floor-openemr.sql"'"' sh "${MDB_CLIENT[@]}" --quick "$name"
	done
}

# --- run ---------------------------------------------------------------------------
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
LARGEST_PG=""
if [ -n "$PG_SIZES" ]; then
	start_pg
	for n in $PG_SIZES; do
		bench_pg "$n"
		LARGEST_PG=$n
	done
	if [ "$XLSX" = 1 ]; then
		bench_pg_xlsx "$LARGEST_PG"
	fi
fi
if [ "$SQLITE_SIZE" != 0 ]; then
	bench_sqlite "$SQLITE_SIZE"
fi
if [ "$MARIADB_SIZE" != 0 ]; then
	start_mariadb
	bench_mariadb "$MARIADB_SIZE"
fi
if [ "$OPENEMR_SIZE" != 0 ]; then
	[ -n "$MDB_ADMIN" ] || start_mariadb
	bench_openemr "$OPENEMR_SIZE"
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- results ----------------------------------------------------------------------------
PGVER=$( ([ -n "$PGBIN" ] && "$PGBIN/postgres" --version) || psql "$PG_ADMIN" -XAtqc "SHOW server_version" 2>/dev/null || echo "n/a")
{
	echo "Run $STARTED ($([ $QUICK = 1 ] && echo quick || echo full)), $REPS measurements per command, median shown; $RATIO patients per appointment."
	echo
	echo "| database | appointments | generate s | report s | floor s | report/floor | peer s | report/peer | report RSS MB | floor RSS MB | report CPU s | load |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	awk -F'\t' -v gen="$GEN_TIMES" '
		BEGIN { while ((getline l < gen) > 0) { split(l, g, "\t"); gt[g[1] "/" g[2]] = g[5] } }
		NR == 1 { next }
		{ k = $1 "/" $2 "/" $3; n[k]++; w[k, n[k]] = $5; r[k, n[k]] = $8; c[k, n[k]] = $6 + $7; ld[k] = ld[k] " " $9
		  if (!($1 "/" $2 in seen)) { seen[$1 "/" $2] = 1; order[++m] = $1 "/" $2 } }
		function med(a, k, cnt,   i, j, t, v) {
			for (i = 1; i <= cnt; i++) v[i] = a[k, i]
			for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			return cnt % 2 ? v[(cnt + 1) / 2] : (v[cnt / 2] + v[cnt / 2 + 1]) / 2
		}
		END {
			for (i = 1; i <= m; i++) {
				split(order[i], p, "/"); a = order[i] "/report"; f = order[i] "/floor"
				if (!(a in n) || !(f in n)) continue
				wa = med(w, a, n[a]); wf = med(w, f, n[f]); pe = order[i] "/peer"
				wp = (pe in n) ? med(w, pe, n[pe]) : 0
				printf "| %s | %\047d | %s | %.2f | %.2f | %.2f | %s | %s | %.0f | %.0f | %.2f |%s |\n", p[1], p[2], (order[i] in gt ? gt[order[i]] : "reused"),
					wa, wf, (wf > 0 ? wa / wf : 0), (wp > 0 ? sprintf("%.2f", wp) : "n/a"), (wp > 0 ? sprintf("%.2f", wa / wp) : "n/a"),
					med(r, a, n[a]) / 1024, med(r, f, n[f]) / 1024, med(c, a, n[a]), ld[a]
			}
			for (i = 1; i <= m; i++) {
				x = order[i] "/xlsx"
				if (x in n) {
					split(order[i], p, "/")
					printf "\nxlsx, %s, %\047d appointments: %.2f s wall, %.0f MB peak RSS, %.2f s CPU (median of %d).\n",
						p[1], p[2], med(w, x, n[x]), med(r, x, n[x]) / 1024, med(c, x, n[x]), n[x]
				}
			}
		}' "$RAW"
	echo
	echo "\"load\" is the 1-minute load average before each report run (2 cores; the machine is shared)."
	echo "Load average at start: $LOAD_BEFORE; at end: $LOAD_AFTER."
	echo
	echo "Machine: nproc $(nproc); $(lscpu | sed -n 's/^Model name: *//p'); $(free -g | awk '/^Mem:/ {print $2 " GB RAM"}')."
	MDBVER=$( ([ -n "$MDB_ADMIN" ] && "${MDB_CLIENT[@]}" -N -e "SELECT version()") || echo "n/a")
	echo "Versions: $(go version | awk '{print $3}'); PostgreSQL $PGVER; MariaDB $MDBVER; sqlite3 $(sqlite3 --version | awk '{print $1}'); mipspi $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo '+dirty')."
	echo
	echo "Commands (DSN elided):"
	echo
	echo '```'
	echo "mipspi db generate --db DSN --year $YEAR --clinicians N/5000 --patients $RATIO*N --appointments N --seed $SEED"
	echo "mipspi report --db DSN --from $YEAR-01-01 --to $YEAR-12-31 --as-of $((YEAR + 1))-03-31 --format json --quiet > /dev/null"
	echo "sqlite3 FILE < bench/respell.sql    # SQLite only, once after generating"
	echo "psql DSN -Xq -f floor-postgres.sql  # bench/floor-postgres.sql, window $LO..$HI"
	echo "sqlite3 FILE < floor-sqlite.sql     # bench/floor-sqlite.sql, same window"
	[ "$MARIADB_SIZE" != 0 ] && echo "mariadb --quick DB < floor-mariadb.sql  # bench/floor-mariadb.sql, same window"
	[ "$OPENEMR_SIZE" != 0 ] && echo "mipspi db generate --db DSN --ehr openemr --config-out openemr-N.yaml …  # same shape, one zone; report adds --config openemr-N.yaml"
	[ "$OPENEMR_SIZE" != 0 ] && echo "mariadb --quick DB < floor-openemr.sql  # bench/floor-openemr.sql, local dates $((YEAR - 1))-12-31..$((YEAR + 1))-01-01"
	echo "psql DSN -XAtq -v from=$YEAR-01-01 -v to=$YEAR-12-31 -v holidays=… -f bench/peer-postgres.sql"
	[ "$XLSX" = 1 ] && echo "mipspi report ... --format xlsx --quiet > /dev/null"
	echo '```'
} >"$OUT/results.md"
cat "$OUT/results.md"
log "results in $OUT/results.md, raw measurements in $RAW"
