package fhirapi

// The evidence chain (SPEC §6): each probe row carries a link, the SHA-256 of the
// previous row's link and of everything the row says (its checks included). Verify walks
// the rows in id order and names every place where the chain does not hold:
//
//   - a row whose link does not match: changed after it was written (e.g. a failure
//     flipped to a pass after dropping a trigger), or written by something else;
//   - a row without a link after linked rows: inserted by something other than mipspi;
//   - ids missing (rows deleted; mipspi numbers rows after the highest id ever used, so a
//     deleted last row shows as a gap once the next probe is recorded);
//   - time running backwards between consecutive rows (rows moved or back-dated);
//   - a missing or altered append-only trigger.
//
// Rows written before the chain existed (layout 1) have no link: they are counted as
// unchained, and the first linked row seals them all (its parent is a digest of every
// earlier row), so changing one of them later breaks the first link.
//
// What it cannot see: someone who rewrites the whole chain from the first changed row on
// (the method is public), or deletes the last rows before any later probe. The chain head
// printed with every report is the answer to both: a head kept elsewhere (with the filed
// report) must still be found, unchanged, in the store later.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/mipspi/mipspi/measure"
)

// chainTag starts every hashed row, so a link can never be mistaken for another digest.
const (
	chainTag     = "mipspi evidence chain 1\n"
	unchainedTag = "mipspi evidence rows before the chain\n"
)

// writeField writes one field, length-prefixed so that no two rows encode alike.
func writeField(h hash.Hash, s string) {
	h.Write([]byte(strconv.Itoa(len(s))))
	h.Write([]byte{':'})
	h.Write([]byte(s))
	h.Write([]byte{','})
}

// encodeRow writes everything a probe row says; its checks by the SHA-256 of their
// stored JSON (checks), so that a changed check set changes every row that uses it.
func encodeRow(h hash.Hash, r *probeRow, checks string) {
	ok := "0"
	if r.OK {
		ok = "1"
	}
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, f := range []string{
		i(r.ID), r.At, r.BaseURL, r.TIN, ok, r.Failed, i(int64(r.Warnings)), r.Warned, checks,
		i(int64(r.SMARTStatus)), i(r.SMARTLatencyMS), r.SMARTSHA256,
		i(int64(r.MetadataStatus)), i(r.MetadataLatencyMS), r.MetadataSHA256,
		r.TLSVersion, r.Software, r.SoftwareVersion, r.FHIRVersion, r.MipspiVersion,
	} {
		writeField(h, f)
	}
}

// link is a row's link: SHA-256 of the chain tag, the parent link and the row (checks is
// the SHA-256 of the row's check set).
func link(parent string, r *probeRow, checks string) string {
	h := sha256.New()
	h.Write([]byte(chainTag))
	writeField(h, parent)
	encodeRow(h, r, checks)
	return hex.EncodeToString(h.Sum(nil))
}

// checkDigests is the SHA-256 of each check set's JSON as stored now, by id.
func checkDigests(ctx context.Context, db bun.IDB) (map[int64]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, checks FROM check_sets`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var checks []byte
		if err := rows.Scan(&id, &checks); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(checks)
		out[id] = hex.EncodeToString(sum[:])
	}
	return out, rows.Err()
}

// eachRow calls f for every probe row in id order, with the digest of its checks ("" when
// its check set is gone). A layout-1 store (version 1) has no warnings or links: they
// read as none.
func eachRow(ctx context.Context, db bun.IDB, version int, f func(r *probeRow, checks string) error) error {
	digests, err := checkDigests(ctx, db)
	if err != nil {
		return err
	}
	added := "warnings, warned, link"
	if version < 2 {
		added = "0, '', ''"
	}
	rows, err := db.QueryContext(ctx, `SELECT id, at, base_url, tin, ok, failed, `+added+`, check_set_id,
		smart_status, smart_latency_ms, smart_sha256, metadata_status, metadata_latency_ms, metadata_sha256,
		tls_version, software, software_version, fhir_version, mipspi_version FROM probes ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var r probeRow
	for rows.Next() {
		if err := rows.Scan(&r.ID, &r.At, &r.BaseURL, &r.TIN, &r.OK, &r.Failed, &r.Warnings, &r.Warned, &r.Link, &r.CheckSetID,
			&r.SMARTStatus, &r.SMARTLatencyMS, &r.SMARTSHA256, &r.MetadataStatus, &r.MetadataLatencyMS, &r.MetadataSHA256,
			&r.TLSVersion, &r.Software, &r.SoftwareVersion, &r.FHIRVersion, &r.MipspiVersion); err != nil {
			return err
		}
		if err := f(&r, digests[r.CheckSetID]); err != nil {
			return err
		}
	}
	return rows.Err()
}

// parentOf is what the next row links to.
type parentOf struct {
	id   int64  // the highest id ever used (the next row is id+1)
	link string // the last row's link, or the seal of the unchained rows
}

// lastLink reads the parent of the next row: the last row's link; when the last row has
// none (a store written before the chain), the seal of every row so far.
func lastLink(ctx context.Context, db bun.IDB) (parentOf, error) {
	var p parentOf
	var last sql.NullInt64
	var lastLink sql.NullString
	err := db.QueryRowContext(ctx, `SELECT id, link FROM probes ORDER BY id DESC LIMIT 1`).Scan(&last, &lastLink)
	if err != nil && err != sql.ErrNoRows {
		return p, err
	}
	p.id = last.Int64
	// AUTOINCREMENT remembers ids of deleted rows: the next row comes after them, so a
	// deleted last row leaves a gap the verification names.
	var seq sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'probes'`).Scan(&seq); err == nil && seq.Int64 > p.id {
		p.id = seq.Int64
	}
	if !last.Valid || lastLink.String != "" {
		p.link = lastLink.String
		return p, nil
	}
	h := sha256.New()
	h.Write([]byte(unchainedTag))
	err = eachRow(ctx, db, schemaVersion, func(r *probeRow, checks string) error {
		encodeRow(h, r, checks)
		return nil
	})
	p.link = hex.EncodeToString(h.Sum(nil))
	return p, err
}

// maxNamed bounds the problems named one by one; the rest are counted.
const maxNamed = 20

// Verify checks the whole chain and the append-only triggers (see the file comment) and
// returns what the report shows: rows, unchained rows, the head and every problem.
func (e *Evidence) Verify(ctx context.Context) (measure.EvidenceChain, error) {
	var c measure.EvidenceChain
	add := func(format string, args ...any) {
		c.Problems++
		if len(c.Named) < maxNamed {
			c.Named = append(c.Named, fmt.Sprintf(format, args...))
		}
	}
	if err := e.checkTriggers(ctx, add); err != nil {
		return c, e.wrap("verify", err)
	}
	seal := sha256.New()
	seal.Write([]byte(unchainedTag))
	var prevID int64
	var prevAt, prevLink string
	chained := false
	err := eachRow(ctx, e.db, e.version, func(r *probeRow, checks string) error {
		c.Rows++
		when := r.At
		if prevID != 0 && r.ID != prevID+1 {
			if r.ID == prevID+2 {
				add("row %d is missing (between %d and %d): deleted", prevID+1, prevID, r.ID)
			} else {
				add("rows %d to %d are missing (between %d and %d): deleted", prevID+1, r.ID-1, prevID, r.ID)
			}
		}
		if prevAt != "" && r.At < prevAt {
			add("time runs backwards at row %d: %s comes after row %d's %s", r.ID, when, prevID, prevAt)
		}
		switch {
		case r.Link == "" && !chained:
			c.Unchained++
			encodeRow(seal, r, checks)
		case r.Link == "":
			add("row %d (%s) has no chain link but follows linked rows: it was not written by mipspi api check --record", r.ID, when)
		default:
			parent := prevLink
			if !chained {
				chained = true
				if c.Unchained > 0 {
					parent = hex.EncodeToString(seal.Sum(nil))
				}
			}
			if link(parent, r, checks) != r.Link {
				if c.Unchained > 0 && parent != prevLink {
					add("row %d (%s), the first linked row, does not match: it or one of the %d rows written before the chain was changed, inserted or removed", r.ID, when, c.Unchained)
				} else {
					add("row %d (%s) does not match its chain link: changed, inserted or moved after it was written", r.ID, when)
				}
			}
			prevLink = r.Link
		}
		prevID, prevAt = r.ID, r.At
		c.HeadID, c.Head = r.ID, r.Link
		if at, err := time.Parse(atLayout, r.At); err == nil {
			c.HeadAt = at
		}
		return nil
	})
	if err != nil {
		return c, e.wrap("verify", err)
	}
	if !chained && c.Unchained > 0 { // nothing linked yet: the seal is what to keep
		c.Head = hex.EncodeToString(seal.Sum(nil))
	}
	return c, nil
}

// checkTriggers names each append-only trigger that is missing or not as mipspi wrote it.
func (e *Evidence) checkTriggers(ctx context.Context, add func(string, ...any)) error {
	rows, err := e.db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`)
	if err != nil {
		return err
	}
	defer rows.Close()
	have := map[string]string{}
	for rows.Next() {
		var name, sqlText string
		if err := rows.Scan(&name, &sqlText); err != nil {
			return err
		}
		have[name] = sqlText
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, stmt := range appendOnlyTriggers() {
		name := strings.Fields(stmt)[2]
		switch got, ok := have[name]; {
		case !ok:
			add("the append-only trigger %s is missing: rows could be changed or deleted without an error", name)
		case got != stmt:
			add("the append-only trigger %s was altered", name)
		}
	}
	return nil
}
