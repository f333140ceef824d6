package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/zhidu/zhidu"
)

// Purchasing's master data (migration 019): suppliers, the conflicts of
// interest declared with them (回避) and projects. Each write is one
// transaction with its audit entry: supplier.create, supplier.update (the
// qualification, supply state and documents, from → to),
// supplier.blacklist (on or off the blacklist, and why), supplier.conflict
// (a new declaration) and project.create, on the objects supplier:ID and
// project:ID. A write that changes nothing writes nothing.

// SupplierObject is the audit object of a supplier: supplier:ID.
func SupplierObject(id string) string { return "supplier:" + id }

// ProjectObject is the audit object of a project: project:ID.
func ProjectObject(id string) string { return "project:" + id }

// queryer is what the supplier reads go through: the pool or a
// transaction.
type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

const sqlSupplierColumns = `id, name, qualified, supply_state, documents, blacklisted, blacklist_reason,
    created_by, created_at, updated_at`

func scanSupplier(row pgx.Row) (zhidu.Supplier, error) {
	var s zhidu.Supplier
	err := row.Scan(&s.ID, &s.Name, &s.Qualified, &s.SupplyState, &s.Documents, &s.Blacklisted, &s.BlacklistReason,
		&s.CreatedBy, &s.CreatedAt, &s.UpdatedAt)
	if s.Documents == nil {
		s.Documents = []string{}
	}
	s.Conflicts = []zhidu.Conflict{}
	return s, err
}

// Suppliers returns the suppliers of ids (nil: every supplier), ordered by
// name, each with every conflict of interest declared with it (in the
// order declared). IDs of no supplier are left out.
func (s *Store) Suppliers(ctx context.Context, ids []string) ([]zhidu.Supplier, error) {
	out, err := readSuppliers(ctx, s.Pool, ids)
	return out, mapErr(err, "suppliers")
}

// Supplier returns one supplier with its conflicts of interest, or an
// error of code not_found.
func (s *Store) Supplier(ctx context.Context, id string) (zhidu.Supplier, error) {
	sup, err := readSupplier(ctx, s.Pool, id)
	return sup, mapErr(err, "supplier "+id)
}

func readSupplier(ctx context.Context, db queryer, id string) (zhidu.Supplier, error) {
	sups, err := readSuppliers(ctx, db, []string{id})
	if err == nil && len(sups) == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return zhidu.Supplier{}, err
	}
	return sups[0], nil
}

func readSuppliers(ctx context.Context, db queryer, ids []string) ([]zhidu.Supplier, error) {
	rows, err := db.Query(ctx, `SELECT `+sqlSupplierColumns+` FROM suppliers
        WHERE $1::text[] IS NULL OR id = ANY($1) ORDER BY name, id`, ids)
	if err != nil {
		return nil, err
	}
	sups, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (zhidu.Supplier, error) { return scanSupplier(row) })
	if err != nil || len(sups) == 0 {
		return sups, err
	}
	found := make([]string, len(sups))
	at := make(map[string]int, len(sups))
	for i, sup := range sups {
		found[i], at[sup.ID] = sup.ID, i
	}
	rows, err = db.Query(ctx, `SELECT username, supplier, reason, declared_by, declared_at FROM supplier_conflicts
        WHERE supplier = ANY($1) ORDER BY declared_at, username`, found)
	if err != nil {
		return nil, err
	}
	conflicts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[zhidu.Conflict])
	if err != nil {
		return nil, err
	}
	for _, c := range conflicts {
		i := at[c.Supplier]
		sups[i].Conflicts = append(sups[i].Conflicts, c)
	}
	return sups, nil
}

// newID returns prefix and 10 random hex digits.
func newID(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func documentsJSON(docs []string) ([]byte, error) {
	if docs == nil {
		docs = []string{}
	}
	return json.Marshal(docs)
}

// CreateSupplier adds a supplier (never blacklisted: that is a change of
// its own) with a new ID, sup-…, created by c.Actor at at, and returns it.
// A name taken already (whatever its case) is a conflict.
func (s *Store) CreateSupplier(ctx context.Context, c AdminChange, sup zhidu.Supplier, at time.Time) (zhidu.Supplier, error) {
	docs, err := documentsJSON(sup.Documents)
	if err != nil {
		return zhidu.Supplier{}, err
	}
	id := newID("sup-")
	var out zhidu.Supplier
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		out, err = scanSupplier(tx.QueryRow(ctx, `INSERT INTO suppliers (id, name, qualified, supply_state, documents,
                created_by, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING `+sqlSupplierColumns,
			id, sup.Name, sup.Qualified, sup.SupplyState, docs, c.Actor, at))
		if err != nil {
			return err
		}
		return c.audit(ctx, tx, "supplier.create", SupplierObject(id), map[string]any{"name": out.Name,
			"qualified": out.Qualified, "supply_state": out.SupplyState, "documents": out.Documents})
	})
	if isUniqueViolation(err, "suppliers_name") {
		return zhidu.Supplier{}, zhidu.Fail(zhidu.CodeConflict, zhidu.SupplierExists(sup.Name))
	}
	return out, mapErr(err, "supplier "+sup.Name)
}

// SupplierPatch is a change to a supplier; nil leaves a field as it is.
type SupplierPatch struct {
	Qualified   *bool
	SupplyState *string
	Documents   *[]string
	// Blacklisted puts the supplier on the blacklist, with
	// BlacklistReason (required), or takes it off: its stored reason is
	// then cleared, and BlacklistReason, if given, says in the audit
	// entry why it was taken off.
	Blacklisted     *bool
	BlacklistReason *string
}

// fromTo is how an audit entry says a field changed.
type fromTo struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// UpdateSupplier applies a patch by c.Actor at at and returns the supplier
// as it now stands, with whether anything changed. A change of the
// qualification, supply state or documents is audited as supplier.update,
// one of the blacklisting as supplier.blacklist (both, in one transaction,
// when a patch makes both); a patch that changes nothing writes nothing.
func (s *Store) UpdateSupplier(ctx context.Context, c AdminChange, id string, p SupplierPatch, at time.Time) (zhidu.Supplier, bool, error) {
	if p.SupplyState != nil && !slices.Contains([]string{zhidu.SupplyNew, zhidu.SupplyApproved}, *p.SupplyState) {
		return zhidu.Supplier{}, false, zhidu.Invalid(zhidu.InvalidField("supply_state"),
			map[string]zhidu.Message{"supply_state": zhidu.OneOf([]string{zhidu.SupplyNew, zhidu.SupplyApproved})})
	}
	if p.Blacklisted != nil && *p.Blacklisted && (p.BlacklistReason == nil || *p.BlacklistReason == "") {
		return zhidu.Supplier{}, false, zhidu.Invalid(zhidu.InvalidField("blacklist_reason"),
			map[string]zhidu.Message{"blacklist_reason": zhidu.Required()})
	}
	var out zhidu.Supplier
	var changed bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		before, err := scanSupplier(tx.QueryRow(ctx, `SELECT `+sqlSupplierColumns+` FROM suppliers WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		after := before
		update, blacklist := map[string]any{}, map[string]any{}
		if p.Qualified != nil && *p.Qualified != before.Qualified {
			after.Qualified, update["qualified"] = *p.Qualified, fromTo{before.Qualified, *p.Qualified}
		}
		if p.SupplyState != nil && *p.SupplyState != before.SupplyState {
			after.SupplyState, update["supply_state"] = *p.SupplyState, fromTo{before.SupplyState, *p.SupplyState}
		}
		if p.Documents != nil && !slices.Equal(*p.Documents, before.Documents) {
			docs := slices.Clone(*p.Documents)
			if docs == nil {
				docs = []string{}
			}
			after.Documents, update["documents"] = docs, fromTo{before.Documents, docs}
		}
		if p.Blacklisted != nil {
			reason := ""
			if *p.Blacklisted {
				reason = *p.BlacklistReason
			}
			if *p.Blacklisted != before.Blacklisted {
				blacklist["blacklisted"] = fromTo{before.Blacklisted, *p.Blacklisted}
			}
			if reason != before.BlacklistReason {
				blacklist["blacklist_reason"] = fromTo{before.BlacklistReason, reason}
			}
			if len(blacklist) > 0 && !*p.Blacklisted && p.BlacklistReason != nil && *p.BlacklistReason != "" {
				blacklist["reason"] = *p.BlacklistReason
			}
			after.Blacklisted, after.BlacklistReason = *p.Blacklisted, reason
		}
		if len(update) == 0 && len(blacklist) == 0 {
			out, err = readSupplier(ctx, tx, id)
			return err
		}
		docs, err := documentsJSON(after.Documents)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE suppliers SET qualified = $2, supply_state = $3, documents = $4, blacklisted = $5,
                blacklist_reason = $6, updated_at = $7 WHERE id = $1`,
			id, after.Qualified, after.SupplyState, docs, after.Blacklisted, after.BlacklistReason, at); err != nil {
			return err
		}
		if len(update) > 0 {
			if err := c.audit(ctx, tx, "supplier.update", SupplierObject(id), update); err != nil {
				return err
			}
		}
		if len(blacklist) > 0 {
			if err := c.audit(ctx, tx, "supplier.blacklist", SupplierObject(id), blacklist); err != nil {
				return err
			}
		}
		changed = true
		out, err = readSupplier(ctx, tx, id)
		return err
	})
	return out, changed, mapErr(err, "supplier "+id)
}

// SetSupplyState sets a supplier's supply state (zhidu.SupplyNew or
// zhidu.SupplyApproved) as actor did at at, audited as supplier.update:
// the purchase workflow's activity calls it once Quality passed a first
// supplier's sample test and trial batch. Setting the state it has is
// nothing, so a retried activity writes nothing twice.
func (s *Store) SetSupplyState(ctx context.Context, id, state, actor string, at time.Time) error {
	_, _, err := s.UpdateSupplier(ctx, AdminChange{Actor: actor}, id, SupplierPatch{SupplyState: &state}, at)
	return err
}

// DeclareConflict records a conflict of interest, declared by
// c.DeclaredBy at c.DeclaredAt from address, audited as supplier.conflict,
// and reports whether it is new: a second declaration of the same user and
// supplier keeps the first and writes nothing. An unknown supplier is not
// found; an unknown user is invalid (field user).
func (s *Store) DeclareConflict(ctx context.Context, c zhidu.Conflict, address string) (bool, error) {
	var created bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO supplier_conflicts (username, supplier, reason, declared_by, declared_at)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username, supplier) DO NOTHING RETURNING true`,
			c.User, c.Supplier, c.Reason, c.DeclaredBy, c.DeclaredAt).Scan(&created)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // declared before: the first declaration stands
		}
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: c.DeclaredAt, Actor: c.DeclaredBy, Action: "supplier.conflict",
			Object: SupplierObject(c.Supplier), Decision: "allowed", Address: address,
			Detail: map[string]any{"user": c.User, "reason": c.Reason}})
	})
	switch foreignKey(err) {
	case "":
	case "supplier_conflicts_supplier_fkey":
		return false, zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound("supplier "+c.Supplier))
	case "supplier_conflicts_username_fkey":
		return false, zhidu.Invalid(zhidu.CannotDeclareConflict(), map[string]zhidu.Message{"user": zhidu.NotAUser()})
	default:
		return false, zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound("user "+c.DeclaredBy))
	}
	return created, mapErr(err, "conflict of interest")
}

// PutSupplier stores a supplier with its ID and conflicts as given, unless
// one with its ID exists: for seeding an organisation (demo.Seed), which,
// like PutUser, writes no audit entry.
func (s *Store) PutSupplier(ctx context.Context, sup zhidu.Supplier) error {
	docs, err := documentsJSON(sup.Documents)
	if err != nil {
		return err
	}
	return mapErr(pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO suppliers (id, name, qualified, supply_state, documents, blacklisted,
                blacklist_reason, created_by, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (id) DO NOTHING`,
			sup.ID, sup.Name, sup.Qualified, sup.SupplyState, docs, sup.Blacklisted, sup.BlacklistReason, sup.CreatedBy,
			sup.CreatedAt); err != nil {
			return err
		}
		for _, c := range sup.Conflicts {
			if _, err := tx.Exec(ctx, `INSERT INTO supplier_conflicts (username, supplier, reason, declared_by, declared_at)
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, c.User, sup.ID, c.Reason, c.DeclaredBy, c.DeclaredAt); err != nil {
				return err
			}
		}
		return nil
	}), "supplier "+sup.ID)
}

const sqlProjectColumns = `id, name, department, manager, lead`

// Projects returns every project, ordered by ID.
func (s *Store) Projects(ctx context.Context) ([]zhidu.Project, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+sqlProjectColumns+` FROM projects ORDER BY id`)
	if err != nil {
		return nil, mapErr(err, "projects")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[zhidu.Project])
	return out, mapErr(err, "projects")
}

// Project returns one project, or an error of code not_found.
func (s *Store) Project(ctx context.Context, id string) (zhidu.Project, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+sqlProjectColumns+` FROM projects WHERE id = $1`, id)
	if err != nil {
		return zhidu.Project{}, mapErr(err, "project "+id)
	}
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[zhidu.Project])
	return p, mapErr(err, "project "+id)
}

// CreateProject adds a project, audited as project.create by c.Actor, and
// returns it; without an ID it gets a new one, prj-…. A taken ID is a
// conflict; a manager or lead who is no user is invalid (field manager or
// lead).
func (s *Store) CreateProject(ctx context.Context, c AdminChange, p zhidu.Project) (zhidu.Project, error) {
	if p.ID == "" {
		p.ID = newID("prj-")
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := putProject(ctx, tx, p, false); err != nil {
			return err
		}
		return c.audit(ctx, tx, "project.create", ProjectObject(p.ID), map[string]any{"name": p.Name,
			"department": p.Department, "manager": p.Manager, "lead": p.Lead})
	})
	switch {
	case isUniqueViolation(err, "projects_pkey"):
		return zhidu.Project{}, zhidu.Fail(zhidu.CodeConflict, zhidu.ProjectExists(p.ID))
	case foreignKey(err) == "projects_manager_fkey":
		return zhidu.Project{}, zhidu.Invalid(zhidu.CannotAddProject(), map[string]zhidu.Message{"manager": zhidu.NotAUser()})
	case foreignKey(err) == "projects_lead_fkey":
		return zhidu.Project{}, zhidu.Invalid(zhidu.CannotAddProject(), map[string]zhidu.Message{"lead": zhidu.NotAUser()})
	}
	return p, mapErr(err, "project "+p.ID)
}

// PutProject stores a project unless one with its ID exists: for seeding
// an organisation (demo.Seed), which writes no audit entry.
func (s *Store) PutProject(ctx context.Context, p zhidu.Project) error {
	return mapErr(putProject(ctx, s.Pool, p, true), "project "+p.ID)
}

func putProject(ctx context.Context, db execer, p zhidu.Project, keep bool) error {
	sql := `INSERT INTO projects (id, name, department, manager, lead) VALUES ($1, $2, $3, $4, $5)`
	if keep {
		sql += ` ON CONFLICT (id) DO NOTHING`
	}
	_, err := db.Exec(ctx, sql, p.ID, p.Name, p.Department, p.Manager, p.Lead)
	return err
}

// RunningProcessIDs returns the IDs of the running processes of a kind, in
// the order they started.
func (s *Store) RunningProcessIDs(ctx context.Context, kind string) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id FROM processes WHERE kind = $1 AND state = 'running' ORDER BY started_at, id`, kind)
	if err != nil {
		return nil, mapErr(err, "processes")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, mapErr(err, "processes")
}

// isUniqueViolation reports whether err is a unique violation of the
// constraint (or unique index) named.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// foreignKey returns the foreign key err violates, "" when it violates
// none.
func foreignKey(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return pgErr.ConstraintName
	}
	return ""
}
