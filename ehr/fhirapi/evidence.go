package fhirapi

// The evidence store (SPEC §6): an embedded SQLite file, written only by mipspi api check
// --record through bun, one row per probe, mode 0600. Three layers keep it honest:
//
//   - it is never the EHR: the file carries its own SQLite application_id, and a file
//     that lacks it — an EHR database above all — is refused before anything is written;
//   - triggers refuse UPDATE and DELETE, against mistakes;
//   - each probe row carries a link: the SHA-256 of the previous row's link and of the
//     row itself (chain.go), so a row inserted, changed, deleted or moved by anything but
//     mipspi shows as a break when mipspi report --evidence verifies the chain.
//
// It is created whole or not at all (internal/atomicfile): a killed or concurrent first
// run never leaves a file that blocks later runs.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/mipspi/mipspi/internal/atomicfile"
	"github.com/mipspi/mipspi/measure"
)

// applicationID marks a SQLite file as a mipspi evidence store ("MPAE": mipspi API
// evidence), in the header's application_id field (offset 68).
const applicationID = 0x4d504145

// schemaVersion is PRAGMA user_version of the current layout: 2 added the warnings and
// the chain link; a version-1 store is upgraded on its next append, its rows counted as
// written before the chain.
const schemaVersion = 2

// atLayout stores instants as fixed-width UTC text, so text order is time order.
const atLayout = "2006-01-02T15:04:05.000Z"

// probeRow is one probe as stored. Its checks are in checkSetRow, shared by every probe
// whose checks said exactly the same (an hourly probe of a steady server repeats them all
// year): the view probe_checks shows each probe with its checks.
type probeRow struct {
	bun.BaseModel `bun:"table:probes"`

	ID                int64  `bun:"id,pk,autoincrement"`
	At                string `bun:"at,notnull"` // atLayout, UTC
	BaseURL           string `bun:"base_url,notnull"`
	TIN               string `bun:"tin,notnull"` // "" = recorded for every TIN
	OK                bool   `bun:"ok,notnull"`
	Failed            string `bun:"failed,notnull"` // first failing check: "name: reason"
	CheckSetID        int64  `bun:"check_set_id,notnull"`
	SMARTStatus       int    `bun:"smart_status,notnull"`
	SMARTLatencyMS    int64  `bun:"smart_latency_ms,notnull"`
	SMARTSHA256       string `bun:"smart_sha256,notnull"`
	MetadataStatus    int    `bun:"metadata_status,notnull"`
	MetadataLatencyMS int64  `bun:"metadata_latency_ms,notnull"`
	MetadataSHA256    string `bun:"metadata_sha256,notnull"`
	TLSVersion        string `bun:"tls_version,notnull"`
	Software          string `bun:"software,notnull"`
	SoftwareVersion   string `bun:"software_version,notnull"`
	FHIRVersion       string `bun:"fhir_version,notnull"`
	MipspiVersion     string `bun:"mipspi_version,notnull"`
	Warnings          int    `bun:"warnings,notnull,default:0"` // checks that warn (SPEC §6)
	Warned            string `bun:"warned,notnull,default:''"`  // first warning: "name: reason"
	Link              string `bun:"link,notnull,default:''"`    // chain.go; "" before the chain
}

// checkSetRow is one distinct list of checks, as compact JSON.
type checkSetRow struct {
	bun.BaseModel `bun:"table:check_sets"`

	ID     int64  `bun:"id,pk,autoincrement"`
	SHA256 string `bun:"sha256,notnull,unique"` // of Checks
	Checks string `bun:"checks,notnull"`        // JSON array of storedCheck
}

// storedCheck is one check inside checkSetRow.Checks.
type storedCheck struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Evidence is an open evidence store.
type Evidence struct {
	db      *bun.DB
	path    string
	version int // PRAGMA user_version when opened
}

// ehrRelations are the relations of an EHR database (SPEC §3): a file holding any of
// them is refused as an evidence store.
var ehrRelations = []string{"offices", "clinicians", "patients", "appointments", "clinical_notes", "portal_invitations", "api_windows"}

// NotEvidenceError says a file given as an evidence store is something else.
type NotEvidenceError struct {
	Path, Why string
}

func (e *NotEvidenceError) Error() string {
	return fmt.Sprintf("%s %s; the evidence store must be a file of its own, written only by mipspi api check --record", e.Path, e.Why)
}

// OpenForAppend opens the evidence store at path for recording, creating it (mode 0600,
// with its schema, atomically) when the file does not exist, and upgrading a store of an
// earlier layout. A file that is not a mipspi evidence store — an EHR database, any other
// file — is refused with *NotEvidenceError and left untouched.
func OpenForAppend(ctx context.Context, path string) (*Evidence, error) {
	err := atomicfile.Create(path, func(tmp string) error {
		e, err := open(ctx, tmp, false)
		if err != nil {
			return err
		}
		defer e.Close()
		return e.init(ctx)
	})
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrExist): // there already, or another run made it first
		if err := identify(ctx, path); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("create evidence store %s: %w", path, err)
	}
	e, err := open(ctx, path, false)
	if err != nil {
		return nil, err
	}
	if err := e.upgrade(ctx); err != nil {
		e.Close()
		return nil, err
	}
	// Keep the file private even if something widened it.
	if err := os.Chmod(path, 0o600); err != nil {
		e.Close()
		return nil, fmt.Errorf("evidence store %s: %w", path, err)
	}
	return e, nil
}

// OpenForReading opens an existing evidence store read-only.
func OpenForReading(ctx context.Context, path string) (*Evidence, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("evidence store: %w", err)
	}
	if err := identify(ctx, path); err != nil {
		return nil, err
	}
	return open(ctx, path, true)
}

// identify refuses an existing file that is not an evidence store. It reads the SQLite
// header itself, so a foreign file is never opened by SQLite for writing.
func identify(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("evidence store: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return &NotEvidenceError{Path: path, Why: "is not a regular file"}
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("evidence store: %w", err)
	}
	defer f.Close()
	head := make([]byte, 100)
	n, err := io.ReadFull(f, head)
	if n == 0 && fi.Size() == 0 {
		return &NotEvidenceError{Path: path, Why: "is an empty file, not an evidence store (an interrupted first run of an older mipspi left such files: it holds no evidence, remove it and run again)"}
	}
	if err != nil || !bytes.HasPrefix(head, []byte("SQLite format 3\x00")) {
		return &NotEvidenceError{Path: path, Why: "is not an SQLite database"}
	}
	if binary.BigEndian.Uint32(head[68:72]) == applicationID {
		return nil
	}
	// A foreign SQLite file: say whether it is an EHR database (read-only look).
	if tables, err := sqliteTables(ctx, path); err == nil {
		var ehr []string
		for _, t := range tables {
			if slices.Contains(ehrRelations, strings.ToLower(t)) {
				ehr = append(ehr, t)
			}
		}
		if len(ehr) > 0 {
			return &NotEvidenceError{Path: path, Why: "is an EHR database (it has " + strings.Join(ehr, ", ") + "); mipspi never writes to the EHR"}
		}
	}
	return &NotEvidenceError{Path: path, Why: "is an SQLite database that is not a mipspi evidence store"}
}

func sqliteTables(ctx context.Context, path string) ([]string, error) {
	db, err := sql.Open(sqliteshim.ShimName, "file:"+uriPath(path)+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type IN ('table', 'view')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// uriPath escapes what would end a SQLite URI path early.
func uriPath(p string) string {
	return strings.NewReplacer("%", "%25", "#", "%23", "?", "%3f").Replace(p)
}

func open(ctx context.Context, path string, readOnly bool) (*Evidence, error) {
	q := "_pragma=busy_timeout(10000)"
	if readOnly {
		q += "&mode=ro"
	} else {
		// Writers take the write lock when their transaction begins: two runs appending
		// at once then link their rows one after the other, never to the same parent.
		q += "&_txlock=immediate"
	}
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+uriPath(path)+"?"+q)
	if err != nil {
		return nil, fmt.Errorf("open evidence store %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(1)
	e := &Evidence{db: bun.NewDB(sqldb, sqlitedialect.New()), path: path}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, e.wrap("open", err)
	}
	// Reading the schema is the first real read: a hot journal shows here.
	if err := sqldb.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&e.version); err != nil {
		sqldb.Close()
		return nil, e.wrap("open", err)
	}
	return e, nil
}

// wrap words a store error; "attempt to write a readonly database" gets its cause and
// what to do (SPEC §6: a clear reason).
func (e *Evidence) wrap(doing string, err error) error {
	if strings.Contains(err.Error(), "readonly database") || strings.Contains(err.Error(), "read-only") {
		if _, jerr := os.Stat(e.path + "-journal"); jerr == nil {
			return fmt.Errorf("%s evidence store %s: %w: %s-journal holds a write that a killed mipspi api check --record did not finish (a hot journal), and reading for a report may not roll it back; the next mipspi api check … --record %s rolls it back (run it as the user who owns the store, with write access to its directory), then the report can read the store",
				doing, e.path, err, e.path, e.path)
		}
		return fmt.Errorf("%s evidence store %s: %w: the file or its directory cannot be written by this user; api check --record needs write access to both (SQLite writes a journal beside the file)",
			doing, e.path, err)
	}
	return fmt.Errorf("%s evidence store %s: %w", doing, e.path, err)
}

// init creates the schema of a new store in one transaction.
func (e *Evidence) init(ctx context.Context) error {
	err := e.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, m := range []any{(*checkSetRow)(nil), (*probeRow)(nil)} {
			if _, err := tx.NewCreateTable().Model(m).Exec(ctx); err != nil {
				return err
			}
		}
		stmts := []string{
			`CREATE INDEX probes_at ON probes (at)`,
			`CREATE VIEW probe_checks AS SELECT p.*, c.checks FROM probes p JOIN check_sets c ON c.id = p.check_set_id`,
		}
		stmts = append(stmts, appendOnlyTriggers()...)
		for _, stmt := range append(stmts,
			fmt.Sprintf(`PRAGMA application_id = %d`, applicationID),
			fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion),
		) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create evidence store %s: %w", e.path, err)
	}
	return nil
}

// appendOnlyTriggers are the statements of the triggers that refuse UPDATE and DELETE;
// Verify checks they are all there as written.
func appendOnlyTriggers() []string {
	var out []string
	for _, t := range []string{"probes", "check_sets"} {
		// Append-only: evidence is never edited or removed by mipspi.
		for _, op := range []string{"UPDATE", "DELETE"} {
			out = append(out, fmt.Sprintf(`CREATE TRIGGER %s_no_%s BEFORE %s ON %s BEGIN SELECT RAISE(ABORT, 'the evidence store is append-only'); END`,
				t, strings.ToLower(op), op, t))
		}
	}
	return out
}

// upgrade brings a store of an earlier layout to schemaVersion: version 1 lacks the
// warnings and the link, which are added empty (its rows stay unchained).
func (e *Evidence) upgrade(ctx context.Context) error {
	switch v := e.version; {
	case v == 0: // mipspi always sets it, from the first layout on
		return fmt.Errorf("evidence store %s has no layout version: not made by mipspi", e.path)
	case v == schemaVersion:
		return nil
	case v > schemaVersion:
		return fmt.Errorf("evidence store %s has layout %d, newer than this mipspi knows (%d): record with the newer mipspi", e.path, v, schemaVersion)
	}
	err := e.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for _, stmt := range []string{
			`ALTER TABLE probes ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE probes ADD COLUMN warned VARCHAR NOT NULL DEFAULT ''`,
			`ALTER TABLE probes ADD COLUMN link VARCHAR NOT NULL DEFAULT ''`,
			fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion),
		} {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return e.wrap("upgrade", err)
	}
	e.version = schemaVersion
	return nil
}

// Close closes the store.
func (e *Evidence) Close() error { return e.db.Close() }

// Append records one probe in its own transaction.
func (e *Evidence) Append(ctx context.Context, r *Result, mipspiVersion string) error {
	err := e.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return appendProbe(ctx, tx, r, mipspiVersion)
	})
	if err != nil {
		return e.wrap("record probe in", err)
	}
	return nil
}

func appendProbe(ctx context.Context, db bun.IDB, r *Result, mipspiVersion string) error {
	checks := make([]storedCheck, len(r.Checks))
	for i, c := range r.Checks {
		checks[i] = storedCheck{Name: c.Name, Status: c.Status, Detail: c.Detail}
	}
	cj, err := json.Marshal(checks)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(cj)
	set := &checkSetRow{SHA256: hex.EncodeToString(sum[:]), Checks: string(cj)}
	if _, err := db.NewInsert().Model(set).On("CONFLICT (sha256) DO NOTHING").Exec(ctx); err != nil {
		return err
	}
	if err := db.NewSelect().Model(set).Column("id").Where("sha256 = ?", set.SHA256).Scan(ctx); err != nil {
		return err
	}
	row := &probeRow{
		At: r.At.UTC().Format(atLayout), BaseURL: r.Base, TIN: r.TIN, OK: r.OK(), CheckSetID: set.ID,
		SMARTStatus: r.SMART.Status, SMARTLatencyMS: r.SMART.Latency.Milliseconds(), SMARTSHA256: r.SMART.SHA256,
		MetadataStatus: r.Metadata.Status, MetadataLatencyMS: r.Metadata.Latency.Milliseconds(), MetadataSHA256: r.Metadata.SHA256,
		TLSVersion: r.TLSVersion(), Software: r.Software, SoftwareVersion: r.SoftwareVersion, FHIRVersion: r.FHIRVersion,
		MipspiVersion: mipspiVersion,
	}
	if f := r.Failed(); len(f) > 0 {
		row.Failed = f[0].Name + ": " + f[0].Detail
	}
	if w := r.Warned(); len(w) > 0 {
		row.Warnings, row.Warned = len(w), w[0].Name+": "+w[0].Detail
	}
	// The row's id and link: after the last row, inside this transaction (which holds
	// the write lock), so no other run can slip a row in between.
	last, err := lastLink(ctx, db)
	if err != nil {
		return err
	}
	row.ID = last.id + 1
	row.Link = link(last.link, row, set.SHA256) // set.SHA256 is the digest of set.Checks
	_, err = db.NewInsert().Model(row).Exec(ctx)
	return err
}

// Probes returns the probes with from ≤ At < to, in time order.
func (e *Evidence) Probes(ctx context.Context, from, to time.Time) ([]measure.Probe, error) {
	var rows []probeRow
	err := e.db.NewSelect().Model(&rows).
		Column("at", "tin", "base_url", "ok", "failed").
		Where("at >= ?", from.UTC().Format(atLayout)).
		Where("at < ?", to.UTC().Format(atLayout)).
		Order("at", "id").
		Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read evidence store %s: %w", e.path, err)
	}
	out := make([]measure.Probe, len(rows))
	for i, r := range rows {
		at, err := time.Parse(atLayout, r.At)
		if err != nil {
			return nil, fmt.Errorf("read evidence store %s: probes row with at %q: %w", e.path, r.At, err)
		}
		out[i] = measure.Probe{At: at, TIN: r.TIN, BaseURL: r.BaseURL, OK: r.OK, Failed: r.Failed}
	}
	return out, nil
}
