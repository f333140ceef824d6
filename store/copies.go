package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// Top-secret copies (migration 026): RegisterCopy links an approved
// copy to its source and designates its readers, with timeline entries on
// both and audit entries, in one transaction; a retry writes nothing
// twice (the copy's timeline entry is the key).

// RegisterCopy registers an approved copy. Readers who are no active user
// are left out and returned.
func (s *Store) RegisterCopy(ctx context.Context, r zhidu.CopyRecord) (skipped []string, err error) {
	sourceProcess := r.Source
	if typ, id, _ := strings.Cut(r.Source, ":"); typ == zhidu.ObjectTask {
		if err := s.Pool.QueryRow(ctx, `SELECT process_id FROM tasks WHERE id = $1`, id).Scan(&sourceProcess); err != nil {
			return nil, mapErr(err, r.Source)
		}
	} else {
		sourceProcess = id
	}
	detail := map[string]any{"source": r.Source, "mode": r.Mode, "readers": r.Readers, "reason": r.Reason, "made_by": r.MadeBy}
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		skipped = nil
		tag, err := tx.Exec(ctx, sqlInsertTimeline, r.ID, r.ID+":copy", r.At, r.ApprovedBy, "", "copy_registered", "", "", "", mustJSON(detail))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO object_copies (id, source, source_process, mode, level, reason, made_by, approved_by, made_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, r.ID, r.Source, sourceProcess, r.Mode, int(r.Level), r.Reason, r.MadeBy, r.ApprovedBy, r.At); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, sqlInsertTimeline, sourceProcess, r.ID+":copied", r.At, r.ApprovedBy, "", "copied", "", "", "",
			mustJSON(map[string]any{"copy": "process:" + r.ID, "source": r.Source, "mode": r.Mode, "made_by": r.MadeBy})); err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.ApprovedBy, Action: "copy.register", Object: "process:" + r.ID,
			Decision: "allowed", Detail: detail}); err != nil {
			return err
		}
		for _, u := range r.Readers {
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO designations (username, object, granted_by, granted_at, reason)
                SELECT $1, $2, $3, $4, $5 FROM users WHERE username = $1 AND NOT disabled
                ON CONFLICT DO NOTHING RETURNING id`, u, "process:"+r.ID, r.ApprovedBy, r.At, "reader of the copy of "+r.Source).Scan(&id)
			if err == pgx.ErrNoRows {
				skipped = append(skipped, u)
				continue
			}
			if err != nil {
				return err
			}
			if err := appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.ApprovedBy, Action: "designation.grant", Object: "process:" + r.ID,
				Decision: "allowed", Detail: map[string]any{"user": u, "reason": "reader of the copy of " + r.Source, "designation": id}}); err != nil {
				return err
			}
		}
		return nil
	})
	return skipped, mapErr(err, "copy "+r.ID)
}

// CopyLink is one side of a copy's lineage, as a process shows it.
type CopyLink struct {
	Copy       string      `json:"copy"`   // process:ID of the copy
	Source     string      `json:"source"` // process:ID or task:ID
	Mode       string      `json:"mode"`
	Level      zhidu.Level `json:"level"`
	Reason     string      `json:"reason"`
	MadeBy     string      `json:"made_by"`
	ApprovedBy string      `json:"approved_by"`
	MadeAt     time.Time   `json:"made_at"`
}

// sqlLineage reads a process's lineage: the copy it is ($1 its ID) and
// the copies made of it or its tasks.
const sqlLineage = `SELECT 'process:' || id, source, mode, level, reason, made_by, approved_by, made_at, id = $1
FROM object_copies WHERE id = $1 OR source_process = $1 ORDER BY made_at, id`

func (p *Process) scanLineage(rows pgx.Rows) error {
	for rows.Next() {
		var l CopyLink
		var self bool
		if err := rows.Scan(&l.Copy, &l.Source, &l.Mode, &l.Level, &l.Reason, &l.MadeBy, &l.ApprovedBy, &l.MadeAt, &self); err != nil {
			return err
		}
		if self {
			p.CopyOf = &l
		} else {
			p.Copies = append(p.Copies, l)
		}
	}
	return rows.Err()
}
