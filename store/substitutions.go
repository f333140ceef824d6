package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// Out-of-office substitution windows (migration 031, zhidu.Substitution).

// sqlWindow renders a window row s (joined with its absent user a) as
// JSON: its effective end is the earlier of ends_at and ended_at.
const sqlWindow = `json_build_object('id', s.id, 'substitute', s.substitute, 'from', s.starts_at,
        'to', LEAST(s.ends_at, s.ended_at), 'departments', s.departments, 'kinds', s.kinds,
        'absent', json_build_object('username', a.username, 'name', a.name, 'department', a.department,
            'clearance', a.clearance, 'roles', COALESCE((SELECT json_agg(json_build_object('role', r.role, 'department', r.department)
                ORDER BY r.department, r.role) FROM user_roles r WHERE r.username = a.username), '[]')))`

// sqlSubstitutingOf is a user column (u): the windows in which u is the
// substitute that are not over a day ago (older ones decide nothing),
// whose absent user is active.
const sqlSubstitutingOf = `COALESCE((SELECT json_agg(` + sqlWindow + ` ORDER BY s.starts_at)
        FROM substitutions s JOIN users a ON a.username = s.absent
        WHERE s.substitute = u.username AND NOT a.disabled AND LEAST(s.ends_at, s.ended_at) > now() - interval '1 day'
            AND (s.ended_at IS NULL OR s.ended_at > s.starts_at)), '[]')`

// windowRow is a window as sqlWindow renders it (the absent user's
// clearance as stored, a number).
type windowRow struct {
	zhidu.Substitution
	Absent struct {
		zhidu.Actor
		Clearance int `json:"clearance"`
	} `json:"absent"`
}

func scanWindows(b []byte) ([]zhidu.Substitution, error) {
	var rows []windowRow
	if len(b) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, err
	}
	var out []zhidu.Substitution
	for _, r := range rows {
		w := r.Substitution
		w.Absent = r.Absent.Actor
		w.Absent.Clearance = zhidu.Level(r.Absent.Clearance)
		out = append(out, w)
	}
	return out, nil
}

// SetSubstitution records a window of w.Absent.Username with
// w.Substitute, created by by at now: refused (409) when it overlaps a
// window of the absent user unless replace (then those end at now, or
// are dropped when they had not begun), and when the substitute is away
// with the absent user as their substitute in an overlapping window (a
// cycle). One transaction, with its audit entry.
func (s *Store) SetSubstitution(ctx context.Context, w zhidu.Substitution, replace bool, by, address string, now time.Time) (zhidu.Substitution, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		// Windows of the absent user are decided one at a time.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('substitution:' || $1))`, w.Absent.Username); err != nil {
			return err
		}
		const overlaps = `starts_at < $3 AND LEAST(ends_at, ended_at) > $2 AND (ended_at IS NULL OR ended_at > starts_at)`
		var cycle bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM substitutions WHERE absent = $4 AND substitute = $1 AND `+overlaps+`)`,
			w.Absent.Username, w.Starts, w.Ends, w.Substitute).Scan(&cycle); err != nil {
			return err
		}
		if cycle {
			return zhidu.Fail(zhidu.CodeConflict, zhidu.SubstitutionCycle(w.Substitute, w.Absent.Username))
		}
		var clash []int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(array_agg(id), '{}') FROM substitutions WHERE absent = $1 AND `+overlaps,
			w.Absent.Username, w.Starts, w.Ends).Scan(&clash); err != nil {
			return err
		}
		if len(clash) > 0 && !replace {
			return zhidu.Fail(zhidu.CodeConflict, zhidu.SubstitutionOverlap(w.Absent.Username))
		}
		if len(clash) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE substitutions SET ended_at = GREATEST(starts_at, LEAST($2, ends_at)), ended_by = $3
                WHERE id = ANY($1)`, clash, now, by); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO substitutions (absent, substitute, starts_at, ends_at, departments, kinds, created_by, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, w.Absent.Username, w.Substitute, w.Starts, w.Ends,
			nonNil(departments(w.Departments)), nonNil(w.Kinds), by, now).Scan(&w.ID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: now, Actor: by, Action: "substitute.set", Object: "user:" + w.Absent.Username,
			Decision: "allowed", Address: address, Detail: map[string]any{"substitute": w.Substitute, "from": w.Starts, "to": w.Ends,
				"departments": w.Departments, "kinds": w.Kinds, "window": w.ID, "replaced": clash}})
	})
	if err != nil {
		return zhidu.Substitution{}, mapErr(err, "substitution")
	}
	if w.Departments == nil {
		w.Departments = []zhidu.Department{}
	}
	if w.Kinds == nil {
		w.Kinds = []string{}
	}
	return w, nil
}

// EndSubstitutions ends absent's windows that are not over at now (those
// not begun are dropped: they end where they start); 404 when there is
// none.
func (s *Store) EndSubstitutions(ctx context.Context, absent, by, address string, now time.Time) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var ended []int64
		if err := tx.QueryRow(ctx, `WITH e AS (UPDATE substitutions SET ended_at = GREATEST(starts_at, $2), ended_by = $3
                WHERE absent = $1 AND LEAST(ends_at, ended_at) > $2 AND ended_at IS NULL RETURNING id)
            SELECT COALESCE(array_agg(id), '{}') FROM e`, absent, now, by).Scan(&ended); err != nil {
			return err
		}
		if len(ended) == 0 {
			return zhidu.Errorf(zhidu.CodeNotFound, "no substitution of %s to end", absent)
		}
		return appendAudit(ctx, tx, AuditEntry{At: now, Actor: by, Action: "substitute.end", Object: "user:" + absent,
			Decision: "allowed", Address: address, Detail: map[string]any{"windows": ended}})
	})
	return mapErr(err, "substitution")
}

// Substitutions lists the windows, not over at now, in which username is
// the absent user (away) or the substitute (covering).
func (s *Store) Substitutions(ctx context.Context, username string, now time.Time) (away, covering []zhidu.Substitution, err error) {
	var a, c []byte
	err = s.Pool.QueryRow(ctx, `SELECT
            COALESCE((SELECT json_agg(`+sqlWindow+` ORDER BY s.starts_at) FROM substitutions s JOIN users a ON a.username = s.absent
                WHERE s.absent = $1 AND LEAST(s.ends_at, s.ended_at) > $2 AND (s.ended_at IS NULL OR s.ended_at > s.starts_at)), '[]'),
            COALESCE((SELECT json_agg(`+sqlWindow+` ORDER BY s.starts_at) FROM substitutions s JOIN users a ON a.username = s.absent
                WHERE s.substitute = $1 AND LEAST(s.ends_at, s.ended_at) > $2 AND (s.ended_at IS NULL OR s.ended_at > s.starts_at)), '[]')`,
		username, now).Scan(&a, &c)
	if err != nil {
		return nil, nil, mapErr(err, "substitutions")
	}
	if away, err = scanWindows(a); err == nil {
		covering, err = scanWindows(c)
	}
	return nonNilWindows(away), nonNilWindows(covering), err
}

func nonNilWindows(w []zhidu.Substitution) []zhidu.Substitution {
	if w == nil {
		return []zhidu.Substitution{}
	}
	return w
}
