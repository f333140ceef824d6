package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
)

// The approval matrix's versions (migration 018): every version is kept;
// one is active, at most one proposed. A proposal, its approval or
// rejection and the activation are each in the audit trail (admin.*, the
// security auditor's part of it).

// The states of a matrix version.
const (
	MatrixProposed   = "proposed"
	MatrixActive     = "active"
	MatrixRejected   = "rejected"
	MatrixSuperseded = "superseded"
)

// MatrixVersion is one version of the approval matrix.
type MatrixVersion struct {
	Version    int           `json:"version"`
	Document   matrix.Matrix `json:"document"`
	State      string        `json:"state"`
	ProposedBy string        `json:"proposed_by"`
	ProposedAt time.Time     `json:"proposed_at"`
	Note       string        `json:"note,omitempty"`
	// BaseVersion was active when this one was proposed.
	BaseVersion *int `json:"base_version,omitempty"`
	// ProcessID is the matrix_change process in which the GM decides it.
	ProcessID    string     `json:"process_id,omitempty"`
	DecidedBy    string     `json:"decided_by,omitempty"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	SupersededAt *time.Time `json:"superseded_at,omitempty"`
}

// MatrixObject is the audit object of a version: approval-matrix:3.
func MatrixObject(version int) string { return "approval-matrix:" + strconv.Itoa(version) }

const sqlMatrixColumns = `version, document, state, proposed_by, proposed_at, note, base_version, process_id,
    decided_by, decided_at, reason, superseded_at`

func scanMatrix(row pgx.Row) (MatrixVersion, error) {
	var v MatrixVersion
	var doc []byte
	err := row.Scan(&v.Version, &doc, &v.State, &v.ProposedBy, &v.ProposedAt, &v.Note, &v.BaseVersion, &v.ProcessID,
		&v.DecidedBy, &v.DecidedAt, &v.Reason, &v.SupersededAt)
	if err == nil {
		err = json.Unmarshal(doc, &v.Document)
	}
	return v, err
}

// CurrentMatrix returns the active version and the proposed one, nil when
// none is (one round trip).
func (s *Store) CurrentMatrix(ctx context.Context) (active MatrixVersion, proposed *MatrixVersion, err error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+sqlMatrixColumns+` FROM approval_matrix_versions
        WHERE state IN ('active', 'proposed') ORDER BY version`)
	if err != nil {
		return active, nil, mapErr(err, "approval matrix")
	}
	vs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (MatrixVersion, error) { return scanMatrix(row) })
	if err != nil {
		return active, nil, mapErr(err, "approval matrix")
	}
	found := false
	for i := range vs {
		switch vs[i].State {
		case MatrixActive:
			active, found = vs[i], true
		case MatrixProposed:
			proposed = &vs[i]
		}
	}
	if !found {
		return active, nil, fmt.Errorf("approval matrix: no active version (is the database migrated?)")
	}
	return active, proposed, nil
}

// MatrixVersion returns one version, or an error of code not_found.
func (s *Store) MatrixVersion(ctx context.Context, version int) (MatrixVersion, error) {
	v, err := scanMatrix(s.Pool.QueryRow(ctx, `SELECT `+sqlMatrixColumns+` FROM approval_matrix_versions WHERE version = $1`, version))
	return v, mapErr(err, "approval matrix version "+strconv.Itoa(version))
}

// MatrixProposal is a new version the security administrator proposes.
type MatrixProposal struct {
	Document matrix.Matrix
	Note     string
	// Base is the active version the proposal changes: if another is
	// active by the time it is stored, nothing is.
	Base      int
	ProcessID string
	At        time.Time
	// Detail goes into the audit entry (its version is added).
	Detail map[string]any
}

// ProposeMatrix stores a proposal as the next version, with its audit
// entry (admin.approval_matrix.propose), in one statement. It is a
// conflict when another version is proposed already (matrix.Pending) or
// the active version is no longer the proposal's base (matrix.BaseChanged).
func (s *Store) ProposeMatrix(ctx context.Context, c AdminChange, p MatrixProposal) (MatrixVersion, error) {
	doc, err := json.Marshal(p.Document)
	if err != nil {
		return MatrixVersion{}, err
	}
	detail, err := json.Marshal(p.Detail)
	if err != nil {
		return MatrixVersion{}, err
	}
	if p.Detail == nil {
		detail = []byte("{}")
	}
	v, err := scanMatrix(s.Pool.QueryRow(ctx, `WITH base AS (
        SELECT version FROM approval_matrix_versions WHERE state = 'active' AND version = $3
    ), hit AS (
        INSERT INTO approval_matrix_versions (version, document, state, proposed_by, proposed_at, note, base_version, process_id)
        SELECT (SELECT COALESCE(max(version), 0) + 1 FROM approval_matrix_versions), $1, 'proposed', $2, $4, $5, base.version, $6
        FROM base
        RETURNING `+sqlMatrixColumns+`
    ), au AS (
        INSERT INTO `+auditColumns+`
        SELECT $4, $2, 'admin.approval_matrix.propose', 'approval-matrix:' || version, 'allowed', $7,
            $8::jsonb || jsonb_build_object('version', version, 'base_version', base_version)
        FROM hit
    )
    SELECT `+sqlMatrixColumns+` FROM hit`, doc, c.Actor, p.Base, p.At, p.Note, p.ProcessID, c.Address, detail))
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return v, zhidu.Fail(zhidu.CodeConflict, matrix.BaseChanged())
	case errors.As(err, &pgErr) && pgErr.Code == "23505":
		if _, pending, perr := s.CurrentMatrix(ctx); perr == nil && pending != nil {
			return v, zhidu.Fail(zhidu.CodeConflict, matrix.Pending(pending.Version))
		}
		return v, zhidu.Fail(zhidu.CodeConflict, matrix.BaseChanged())
	}
	return v, mapErr(err, "approval matrix proposal")
}

// MatrixDecision is the GM's decision on a proposed version, taken in its
// matrix_change process.
type MatrixDecision struct {
	Version   int
	ProcessID string
	Approve   bool
	// Actor decided (OnBehalfOf, when a delegate did); Reason is their
	// opinion, or why the proposal was withdrawn.
	Actor, OnBehalfOf, Address, Reason string
	At                                 time.Time
}

// DecideMatrix records a decision in one transaction: an approval makes
// the version active and the active one superseded
// (admin.approval_matrix.approve, then admin.approval_matrix.activate); a
// rejection marks it rejected (admin.approval_matrix.reject). Deciding
// again as decided is nothing (a retried activity); a version that is not
// proposed, or is another process's, is a conflict.
func (s *Store) DecideMatrix(ctx context.Context, d MatrixDecision) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var state, process string
		if err := tx.QueryRow(ctx, `SELECT state, process_id FROM approval_matrix_versions WHERE version = $1 FOR UPDATE`,
			d.Version).Scan(&state, &process); err != nil {
			return err
		}
		want := MatrixRejected
		if d.Approve {
			want = MatrixActive
		}
		switch {
		case process != d.ProcessID:
			return zhidu.Errorf(zhidu.CodeConflict, "approval matrix version %d is decided in process %s, not %s", d.Version, process, d.ProcessID)
		case state == want || state == MatrixSuperseded && d.Approve:
			return nil
		case state != MatrixProposed:
			return zhidu.Errorf(zhidu.CodeConflict, "approval matrix version %d is %s", d.Version, state)
		}
		detail := map[string]any{"process": d.ProcessID}
		if d.OnBehalfOf != "" {
			detail["on_behalf_of"] = d.OnBehalfOf
		}
		if d.Reason != "" {
			detail["reason"] = d.Reason
		}
		entry := AuditEntry{At: d.At, Actor: d.Actor, Action: "admin.approval_matrix.reject", Object: MatrixObject(d.Version),
			Decision: "allowed", Address: d.Address, Detail: detail}
		if !d.Approve {
			if _, err := tx.Exec(ctx, `UPDATE approval_matrix_versions SET state = 'rejected', decided_by = $2, decided_at = $3,
                reason = $4 WHERE version = $1`, d.Version, d.Actor, d.At, d.Reason); err != nil {
				return err
			}
			return appendAudit(ctx, tx, entry)
		}
		var old int
		if err := tx.QueryRow(ctx, `UPDATE approval_matrix_versions SET state = 'superseded', superseded_at = $1
            WHERE state = 'active' RETURNING version`, d.At).Scan(&old); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE approval_matrix_versions SET state = 'active', decided_by = $2, decided_at = $3,
            reason = $4 WHERE version = $1`, d.Version, d.Actor, d.At, d.Reason); err != nil {
			return err
		}
		entry.Action = "admin.approval_matrix.approve"
		if err := appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: d.At, Actor: d.Actor, Action: "admin.approval_matrix.activate",
			Object: MatrixObject(d.Version), Decision: "allowed", Address: d.Address,
			Detail: map[string]any{"process": d.ProcessID, "from": old, "to": d.Version}})
	})
	return mapErr(err, "approval matrix version "+strconv.Itoa(d.Version))
}

// seedMatrix makes matrix.Seed() version 1, active, in a database that
// has no version yet.
func seedMatrix(ctx context.Context, pool *pgxpool.Pool) error {
	doc, err := json.Marshal(matrix.Seed())
	if err != nil {
		return err
	}
	_, err = pool.Exec(ctx, `INSERT INTO approval_matrix_versions (version, document, state, proposed_by, proposed_at,
        decided_by, decided_at, reason)
    SELECT 1, $1, 'active', 'zhidu-migrate', now(), 'zhidu-migrate', now(), 'the defaults of DOMAIN.md'
    WHERE NOT EXISTS (SELECT 1 FROM approval_matrix_versions)
    ON CONFLICT DO NOTHING`, doc)
	if err != nil {
		return fmt.Errorf("seed the approval matrix: %w", err)
	}
	return nil
}
