package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/zhidu/zhidu"
)

// Customer files (migration 025, issue 16). Every write is one transaction
// with its history rows (customer_history, append-only) and its audit
// entry on the object customer:ID: customer.register, customer.crossing (a
// second registration of a customer on file), customer.update (field →
// from/to), customer.contact, customer.blacklist (added or removed, and
// why) and customer.handover. Who may do what is decided before: the API
// decides with CustomerFacts (authz.Decide) and lists with the same rule
// in SQL (readableCustomer).

// CustomerObject is the audit object of a customer file: customer:ID.
func CustomerObject(id string) string { return zhidu.ObjectCustomer + ":" + id }

const sqlCustomerColumns = `c.id, c.name, c.class, c.phone, c.company_id, c.contact, c.department, c.responsible, c.level,
    c.registered_at, c.registered_by, COALESCE(c.credit, ''), c.updated_at,
    b.id, b.reason, b.by_user, b.at`

// sqlCustomerFrom joins a file's current blacklist entry.
const sqlCustomerFrom = ` FROM customers c LEFT JOIN customer_blacklist_current b ON b.customer_id = c.id`

func scanCustomer(row pgx.Row, more ...any) (zhidu.Customer, error) {
	var c zhidu.Customer
	var bID *int64
	var bReason, bBy *string
	var bAt *time.Time
	err := row.Scan(append([]any{&c.ID, &c.Name, &c.Class, &c.Phone, &c.CompanyID, &c.Contact, &c.Department, &c.Responsible, &c.Level,
		&c.RegisteredAt, &c.RegisteredBy, &c.Credit, &c.UpdatedAt, &bID, &bReason, &bBy, &bAt}, more...)...)
	if err == nil && bID != nil {
		c.Blacklist = &zhidu.BlacklistEntry{ID: *bID, CustomerID: c.ID, Name: c.Name, Decision: zhidu.BlacklistAdded,
			Reason: *bReason, By: *bBy, At: *bAt}
	}
	return c, err
}

// sqlCustomerGrants reads the grants that may open file c now: unrevoked,
// unexpired, naming the file or its department's files.
const sqlCustomerGrants = `COALESCE((SELECT json_agg(json_build_object('id', g.id, 'grantee', g.grantee, 'target', g.target,
        'granted_at', g.granted_at, 'expires_at', g.expires_at, 'approved_by', g.approved_by) ORDER BY g.id)
    FROM access_grants g WHERE g.revoked_at IS NULL AND g.expires_at > now()
        AND g.target IN ('customer:' || c.id, 'department:' || c.department)), '[]')`

func customerFacts(c zhidu.Customer, grants []zhidu.Grant) zhidu.ObjectFacts {
	return zhidu.ObjectFacts{Ref: zhidu.ObjectRef{Type: zhidu.ObjectCustomer, ID: c.ID}, Department: c.Department, Level: c.Level,
		Grants: grants}
}

// Customer reads a file with its access facts, whoever asks: callers
// decide with the facts before showing any of it.
func (s *Store) Customer(ctx context.Context, id string) (zhidu.Customer, zhidu.ObjectFacts, error) {
	var grants []zhidu.Grant
	c, err := scanCustomer(s.Pool.QueryRow(ctx, `SELECT `+sqlCustomerColumns+`, `+sqlCustomerGrants+sqlCustomerFrom+` WHERE c.id = $1`, id),
		&grants)
	if err != nil {
		return zhidu.Customer{}, zhidu.ObjectFacts{Ref: zhidu.ObjectRef{Type: zhidu.ObjectCustomer, ID: id}}, mapErr(err, CustomerObject(id))
	}
	return c, customerFacts(c, grants), nil
}

// CustomerFacts returns what access decisions need to know about a file.
func (s *Store) CustomerFacts(ctx context.Context, id string) (zhidu.ObjectFacts, error) {
	_, f, err := s.Customer(ctx, id)
	return f, err
}

// CustomerFilter narrows a list of files.
type CustomerFilter struct {
	Phone string // normalised: exactly this number
	Class string
	Q     string // in the name, contact details or company ID
	Limit int
}

// Customers lists the files the viewer may read, newest first, with the
// total the filter matches.
func (s *Store) Customers(ctx context.Context, v Viewer, f CustomerFilter) (Page[zhidu.Customer], error) {
	q := newQuery(`SELECT ` + sqlCustomerColumns + `, count(*) OVER ()` + sqlCustomerFrom + ` WHERE true`)
	q.whereIf(f.Phone != "", "c.phone = ?", f.Phone)
	q.whereIf(f.Class != "", "c.class = ?", f.Class)
	if f.Q != "" {
		like := "%" + escapeLike(f.Q) + "%"
		q.where("c.name ILIKE ? OR c.contact ILIKE ? OR COALESCE(c.company_id, '') ILIKE ?", like, like, like)
	}
	q.where(q.readableCustomer(v, "c"))
	q.add(" ORDER BY c.registered_at DESC, c.id LIMIT ?", clampLimit(f.Limit))
	rows, err := s.Pool.Query(ctx, q.sql.String(), q.args...)
	if err != nil {
		return Page[zhidu.Customer]{}, mapErr(err, "customers")
	}
	page := Page[zhidu.Customer]{Items: []zhidu.Customer{}}
	page.Items, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (zhidu.Customer, error) {
		return scanCustomer(row, &page.Total)
	})
	if page.Items == nil {
		page.Items = []zhidu.Customer{}
	}
	return page, mapErr(err, "customers")
}

// Registration is the outcome of registering a customer: a new file, or,
// when the phone number or company ID is on file already, that file and
// the crossing case recorded (Created false). The caller decides how much
// of the file its caller may see.
type Registration struct {
	Customer zhidu.Customer
	Created  bool
	Crossing *zhidu.CrossingCase
}

// RegisterCustomer files a customer registered by c.Actor at at: the
// registrant is the responsible employee and holds the credit. When the
// phone number or the company ID is on file already nothing is filed: a
// crossing case is recorded against that file, whose first registrant
// keeps the customer and the credit (以第一次签字时间为准). The file gets a
// new ID, cus-…, unless in.ID names one (fixtures, imports). Race-safe: the
// unique indexes decide, so of two registrations of one number exactly one
// files it and the other records the case.
func (s *Store) RegisterCustomer(ctx context.Context, c AdminChange, in zhidu.Customer, at time.Time) (Registration, error) {
	var out Registration
	id := in.ID
	if id == "" {
		id = newID("cus-")
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		out = Registration{}
		var created bool
		err := tx.QueryRow(ctx, `INSERT INTO customers (id, name, class, phone, company_id, contact, department, responsible, level,
                registered_at, registered_by, credit, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $8, $8, $10)
            ON CONFLICT DO NOTHING RETURNING true`,
			id, in.Name, in.Class, in.Phone, in.CompanyID, in.Contact, in.Department, c.Actor, int(in.Level), at).Scan(&created)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if created {
			out.Created = true
			if out.Customer, err = scanCustomer(tx.QueryRow(ctx, `SELECT `+sqlCustomerColumns+sqlCustomerFrom+` WHERE c.id = $1`, id)); err != nil {
				return err
			}
			registered := fmt.Sprintf("%s (%s)", in.Name, in.Phone)
			if err := addHistory(ctx, tx, zhidu.CustomerChange{CustomerID: id, At: at, Actor: c.Actor, Field: "registered",
				After: &registered, Via: "registered"}); err != nil {
				return err
			}
			return appendAudit(ctx, tx, AuditEntry{At: at, Actor: c.Actor, Action: "customer.register", Object: CustomerObject(id),
				Decision: "allowed", Address: c.Address, Detail: map[string]any{"name": in.Name, "class": in.Class, "phone": in.Phone,
					"company_id": in.CompanyID, "department": in.Department, "level": in.Level.String()}})
		}
		// On file already: the phone number first, then the company ID.
		matched := "phone"
		existing, err := scanCustomer(tx.QueryRow(ctx, `SELECT `+sqlCustomerColumns+sqlCustomerFrom+` WHERE c.phone = $1`, in.Phone))
		if errors.Is(err, pgx.ErrNoRows) && in.CompanyID != nil {
			matched = "company_id"
			existing, err = scanCustomer(tx.QueryRow(ctx, `SELECT `+sqlCustomerColumns+sqlCustomerFrom+` WHERE c.company_id = $1`, *in.CompanyID))
		}
		if err != nil {
			return err
		}
		cc := zhidu.CrossingCase{ID: newID("cx-"), CustomerID: existing.ID, Registrant: c.Actor, Department: in.Department, At: at,
			Matched: matched, Name: in.Name, Credit: existing.Credit, State: zhidu.CrossingOpen}
		if _, err := tx.Exec(ctx, `INSERT INTO crossing_cases (id, customer_id, registrant, department, at, matched, name, credit)
            VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, ''))`, cc.ID, cc.CustomerID, cc.Registrant, cc.Department, cc.At, cc.Matched, cc.Name, cc.Credit); err != nil {
			return err
		}
		out.Customer, out.Crossing = existing, &cc
		return appendAudit(ctx, tx, AuditEntry{At: at, Actor: c.Actor, Action: "customer.crossing", Object: CustomerObject(existing.ID),
			Decision: "allowed", Address: c.Address, Detail: map[string]any{"case": cc.ID, "matched": matched, "name": in.Name,
				"department": in.Department, "credit": cc.Credit}})
	})
	return out, mapErr(err, "customer "+in.Name)
}

func addHistory(ctx context.Context, tx pgx.Tx, h zhidu.CustomerChange) error {
	via := h.Via
	if via == "" {
		via = "edit"
	}
	_, err := tx.Exec(ctx, `INSERT INTO customer_history (customer_id, at, actor, field, before, after, via, reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, h.CustomerID, h.At, h.Actor, h.Field, h.Before, h.After, via, h.Reason)
	return err
}

// CustomerHistory returns a file's history, oldest first.
func (s *Store) CustomerHistory(ctx context.Context, id string) ([]zhidu.CustomerChange, error) {
	return listOf[zhidu.CustomerChange](ctx, s, "customer history", `SELECT id, customer_id, at, actor, field, before, after, via, reason FROM customer_history
        WHERE customer_id = $1 ORDER BY id`, id)
}

const sqlCrossingColumns = `id, customer_id, registrant, department, at, matched, name, COALESCE(credit, ''), state,
    contested_by, contested_at, decision, decided_by, decided_at, decision_note, process_id`

// CrossingCases returns the crossing cases of a file, oldest first.
func (s *Store) CrossingCases(ctx context.Context, id string) ([]zhidu.CrossingCase, error) {
	return listOf[zhidu.CrossingCase](ctx, s, "crossing cases", `SELECT `+sqlCrossingColumns+` FROM crossing_cases WHERE customer_id = $1 ORDER BY at, id`, id)
}

// CustomerPatch is an edit of a file; nil leaves a field as it is.
// CompanyID set to "" clears it.
type CustomerPatch struct {
	Name      *string
	Class     *string
	Phone     *string // normalised
	CompanyID *string // normalised, "" to clear
	Contact   *string
	Level     *zhidu.Level
}

// UpdateCustomer applies an edit by c.Actor at at and returns the file as
// it now stands, with whether anything changed: each changed field is a
// history entry (before, after) and the audit entry customer.update
// names them all, in one transaction. An edit that changes nothing writes
// nothing. A phone number or company ID on another file is a conflict
// that names no file.
func (s *Store) UpdateCustomer(ctx context.Context, c AdminChange, id string, p CustomerPatch, at time.Time) (zhidu.Customer, bool, error) {
	var out zhidu.Customer
	var changed bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		out, changed = zhidu.Customer{}, false
		before, err := scanCustomer(tx.QueryRow(ctx, `SELECT `+sqlCustomerColumns+sqlCustomerFrom+` WHERE c.id = $1 FOR UPDATE OF c`, id))
		if err != nil {
			return err
		}
		after := before
		detail := map[string]any{}
		var history []zhidu.CustomerChange
		change := func(field, from, to string) {
			f, t := from, to
			history = append(history, zhidu.CustomerChange{CustomerID: id, At: at, Actor: c.Actor, Field: field, Before: &f, After: &t})
			detail[field] = fromTo{from, to}
		}
		if p.Name != nil && *p.Name != before.Name {
			change("name", before.Name, *p.Name)
			after.Name = *p.Name
		}
		if p.Class != nil && *p.Class != before.Class {
			change("class", before.Class, *p.Class)
			after.Class = *p.Class
		}
		if p.Phone != nil && *p.Phone != before.Phone {
			change("phone", before.Phone, *p.Phone)
			after.Phone = *p.Phone
		}
		if p.CompanyID != nil {
			was := ""
			if before.CompanyID != nil {
				was = *before.CompanyID
			}
			if *p.CompanyID != was {
				change("company_id", was, *p.CompanyID)
				after.CompanyID = nil
				if *p.CompanyID != "" {
					v := *p.CompanyID
					after.CompanyID = &v
				}
			}
		}
		if p.Contact != nil && *p.Contact != before.Contact {
			change("contact", before.Contact, *p.Contact)
			after.Contact = *p.Contact
		}
		if p.Level != nil && *p.Level != before.Level {
			change("level", before.Level.String(), p.Level.String())
			after.Level = *p.Level
		}
		if len(history) == 0 {
			out = before
			return nil
		}
		changed = true
		if _, err := tx.Exec(ctx, `UPDATE customers SET name = $2, class = $3, phone = $4, company_id = $5, contact = $6, level = $7,
                updated_at = $8 WHERE id = $1`, id, after.Name, after.Class, after.Phone, after.CompanyID, after.Contact, int(after.Level), at); err != nil {
			return err
		}
		for _, h := range history {
			if err := addHistory(ctx, tx, h); err != nil {
				return err
			}
		}
		after.UpdatedAt = at
		out = after
		return appendAudit(ctx, tx, AuditEntry{At: at, Actor: c.Actor, Action: "customer.update", Object: CustomerObject(id),
			Decision: "allowed", Address: c.Address, Detail: detail})
	})
	if isUniqueViolation(err, "customers_phone") || isUniqueViolation(err, "customers_company") {
		return zhidu.Customer{}, false, zhidu.Fail(zhidu.CodeConflict, zhidu.CustomerRegistered())
	}
	return out, changed, mapErr(err, CustomerObject(id))
}

// RecordContact records a visit, call or test drive of a file's customer,
// counted for the file's owning department.
func (s *Store) RecordContact(ctx context.Context, c AdminChange, k zhidu.CustomerContact) (zhidu.CustomerContact, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO customer_contacts (customer_id, kind, outcome, note, by_user, department, at)
            SELECT id, $2, $3, $4, $5, department, $6 FROM customers WHERE id = $1 RETURNING id, department`,
			k.CustomerID, k.Kind, k.Outcome, k.Note, c.Actor, k.At).Scan(&k.ID, &k.Department); err != nil {
			return err
		}
		k.By = c.Actor
		return appendAudit(ctx, tx, AuditEntry{At: k.At, Actor: c.Actor, Action: "customer.contact", Object: CustomerObject(k.CustomerID),
			Decision: "allowed", Address: c.Address, Detail: map[string]any{"contact": k.ID, "kind": k.Kind, "outcome": k.Outcome}})
	})
	return k, mapErr(err, CustomerObject(k.CustomerID))
}

// Contacts lists a file's visits, calls and test drives, newest first.
func (s *Store) Contacts(ctx context.Context, id string) ([]zhidu.CustomerContact, error) {
	return listOf[zhidu.CustomerContact](ctx, s, "contacts", `SELECT id, customer_id, kind, outcome, note, by_user, department, at FROM customer_contacts
        WHERE customer_id = $1 ORDER BY at DESC, id DESC LIMIT 200`, id)
}

// SetBlacklist records a decision of the Marketing Division (c.Actor)
// about a customer: put it on the blacklist (on) or take it off, with a
// reason; a history entry and customer.blacklist in the audit trail. Putting
// a customer on it twice, or taking off one that is not on it, is a
// conflict that changes nothing.
func (s *Store) SetBlacklist(ctx context.Context, c AdminChange, id string, on bool, reason string, at time.Time) (zhidu.BlacklistEntry, error) {
	decision := zhidu.BlacklistRemoved
	if on {
		decision = zhidu.BlacklistAdded
	}
	e := zhidu.BlacklistEntry{CustomerID: id, Decision: decision, Reason: reason, By: c.Actor, At: at}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var current *string
		if err := tx.QueryRow(ctx, `SELECT name, (SELECT decision FROM customer_blacklist WHERE customer_id = c.id ORDER BY id DESC LIMIT 1)
            FROM customers c WHERE id = $1 FOR UPDATE`, id).Scan(&e.Name, &current); err != nil {
			return err
		}
		listed := current != nil && *current == zhidu.BlacklistAdded
		if listed == on {
			if on {
				return zhidu.Fail(zhidu.CodeConflict, zhidu.CustomerBlacklistedAlready(id))
			}
			return zhidu.Fail(zhidu.CodeConflict, zhidu.CustomerNotBlacklisted(id))
		}
		if err := tx.QueryRow(ctx, `INSERT INTO customer_blacklist (customer_id, decision, reason, by_user, at) VALUES ($1, $2, $3, $4, $5)
            RETURNING id`, id, decision, reason, c.Actor, at).Scan(&e.ID); err != nil {
			return err
		}
		was, now := "off", "on"
		if !on {
			was, now = now, was
		}
		if err := addHistory(ctx, tx, zhidu.CustomerChange{CustomerID: id, At: at, Actor: c.Actor, Field: "blacklist",
			Before: &was, After: &now, Via: "blacklist", Reason: reason}); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: at, Actor: c.Actor, Action: "customer.blacklist", Object: CustomerObject(id),
			Decision: "allowed", Address: c.Address, Detail: map[string]any{"decision": decision, "reason": reason, "entry": e.ID}})
	})
	return e, mapErr(err, CustomerObject(id))
}

// Blacklist lists the customers on the blacklist whose files are at most
// at level (top secret: only when level is top secret), most recently
// added first, each with the decision that put it there.
func (s *Store) Blacklist(ctx context.Context, level zhidu.Level) ([]zhidu.BlacklistEntry, error) {
	rows, err := s.Pool.Query(ctx, `SELECT b.id, b.customer_id, c.name, b.decision, b.reason, b.by_user, b.at
        FROM customer_blacklist_current b JOIN customers c ON c.id = b.customer_id WHERE c.level <= $1
        ORDER BY b.at DESC, b.id DESC`, int(level))
	if err != nil {
		return nil, mapErr(err, "blacklist")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[zhidu.BlacklistEntry])
	if out == nil {
		out = []zhidu.BlacklistEntry{}
	}
	return out, mapErr(err, "blacklist")
}

// BlacklistDecisions returns every decision about a customer, oldest
// first.
func (s *Store) BlacklistDecisions(ctx context.Context, id string) ([]zhidu.BlacklistEntry, error) {
	return listOf[zhidu.BlacklistEntry](ctx, s, "blacklist", `SELECT b.id, b.customer_id, c.name, b.decision, b.reason, b.by_user, b.at
        FROM customer_blacklist b JOIN customers c ON c.id = b.customer_id WHERE b.customer_id = $1 ORDER BY b.id`, id)
}

// Blacklisted returns the blacklist entries of the named customers that
// are on the blacklist: each value is matched against a file's ID, its
// phone number (normalised) and its name. Values matching nothing are left
// out.
func (s *Store) Blacklisted(ctx context.Context, values []string) ([]zhidu.BlacklistEntry, error) {
	phones := make([]string, 0, len(values))
	for _, v := range values {
		if p, ok := zhidu.NormalizePhone(v); ok {
			phones = append(phones, p)
		}
	}
	rows, err := s.Pool.Query(ctx, `SELECT b.id, b.customer_id, c.name, b.decision, b.reason, b.by_user, b.at
        FROM customer_blacklist_current b JOIN customers c ON c.id = b.customer_id
        WHERE c.id = ANY($1) OR c.name = ANY($1) OR c.phone = ANY($2) ORDER BY b.id`, values, phones)
	if err != nil {
		return nil, mapErr(err, "blacklist")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[zhidu.BlacklistEntry])
	return out, mapErr(err, "blacklist")
}

// CustomerFigures are one row of the monthly statistics
// (《月来人来电统计成交状况分析表》): visits (来人), calls (来电), test
// drives, new customers (files registered) and deals (contacts with the
// outcome deal) of one department, or of one salesperson in it.
type CustomerFigures struct {
	Department  zhidu.Department `json:"department"`
	Salesperson string           `json:"salesperson,omitempty"` // empty: the department's total
	Visitors    int              `json:"visitors"`
	Calls       int              `json:"calls"`
	TestDrives  int              `json:"test_drives"`
	New         int              `json:"new_customers"`
	Deals       int              `json:"deals"`
}

// CustomerReport counts [from, to) per department and per salesperson:
// contacts by the department they were recorded for and who recorded
// them, new customers by the file's department and registrant. depts
// limits it (nil: every department). Only files the viewer may read count
// (the read rule: no count tells of a file above their clearance).
// Departments first, each followed by its salespeople in name order.
func (s *Store) CustomerReport(ctx context.Context, v Viewer, depts []string, from, to time.Time) ([]CustomerFigures, error) {
	q := newQuery("")
	readable := q.readableCustomer(v, "c")
	args := append(q.args, from, to, depts)
	n := len(q.args)
	p := func(i int) string { return fmt.Sprintf("$%d", n+i) }
	rows, err := s.Pool.Query(ctx, `WITH facts AS (
        SELECT k.department, k.by_user AS who, (k.kind = 'visit')::int AS visits, (k.kind = 'call')::int AS calls,
            (k.kind = 'test_drive')::int AS drives, 0 AS fresh, (k.outcome = 'deal')::int AS deals
        FROM customer_contacts k JOIN customers c ON c.id = k.customer_id
        WHERE k.at >= `+p(1)+` AND k.at < `+p(2)+` AND `+readable+`
        UNION ALL
        SELECT c.department, c.registered_by, 0, 0, 0, 1, 0 FROM customers c
        WHERE c.registered_at >= `+p(1)+` AND c.registered_at < `+p(2)+` AND `+readable+`)
    SELECT department, COALESCE(who, ''), sum(visits), sum(calls), sum(drives), sum(fresh), sum(deals)
    FROM facts WHERE `+p(3)+`::text[] IS NULL OR department = ANY(`+p(3)+`)
    GROUP BY GROUPING SETS ((department), (department, who))
    ORDER BY department, who NULLS FIRST`, args...)
	if err != nil {
		return nil, mapErr(err, "customer report")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[CustomerFigures])
	if out == nil {
		out = []CustomerFigures{}
	}
	return out, mapErr(err, "customer report")
}

// ApplyCustomerHandovers applies the recorded handovers of employee that
// are not applied yet (every one when employee is ""): all files for which
// the employee is responsible go to the colleague, in one transaction per
// handover, with a history entry per file and a customer.handover audit
// entry, and the handover is marked applied at at. A handover to a
// disabled user is refused (invalid) and stays pending. It returns the
// files handed over.
func (s *Store) ApplyCustomerHandovers(ctx context.Context, employee string, at time.Time) ([]string, error) {
	var moved []string
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		moved, err = applyCustomerHandovers(ctx, tx, employee, "", at)
		return err
	})
	return moved, mapErr(err, "customer handovers")
}

// applyCustomerHandovers is ApplyCustomerHandovers within tx, limited to
// the handover of one process when process is not "" (the separation of
// store.SeparateEmployee applies its own in its transaction).
func applyCustomerHandovers(ctx context.Context, tx pgx.Tx, employee, process string, at time.Time) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT h.process_id, h.employee, h.colleague, u.disabled FROM customer_handovers h
        JOIN users u ON u.username = h.colleague
        WHERE h.applied_at IS NULL AND ($1 = '' OR h.employee = $1) AND ($2 = '' OR h.process_id = $2)
        ORDER BY h.at, h.process_id FOR UPDATE OF h`, employee, process)
	if err != nil {
		return nil, err
	}
	type handover struct {
		process, employee, colleague string
		disabled                     bool
	}
	hs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (handover, error) {
		var h handover
		return h, row.Scan(&h.process, &h.employee, &h.colleague, &h.disabled)
	})
	if err != nil {
		return nil, err
	}
	var moved []string
	for _, h := range hs {
		if h.disabled {
			return nil, zhidu.Invalid(zhidu.HandoverToDisabled(h.colleague), map[string]zhidu.Message{"colleague": zhidu.HandoverToDisabled(h.colleague)})
		}
		ids, err := handOver(ctx, tx, h.process, h.employee, h.colleague, at)
		if err != nil {
			return nil, err
		}
		moved = append(moved, ids...)
	}
	return moved, nil
}

// handOver moves employee's files to colleague, by process.
func handOver(ctx context.Context, tx pgx.Tx, process, employee, colleague string, at time.Time) ([]string, error) {
	rows, err := tx.Query(ctx, `UPDATE customers SET responsible = $2, updated_at = $3 WHERE responsible = $1 RETURNING id`,
		employee, colleague, at)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	for _, id := range ids {
		from, to := employee, colleague
		if err := addHistory(ctx, tx, zhidu.CustomerChange{CustomerID: id, At: at, Actor: "system", Field: "responsible",
			Before: &from, After: &to, Via: "handover", Reason: process}); err != nil {
			return nil, err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE customer_handovers SET applied_at = $2 WHERE process_id = $1`, process, at); err != nil {
		return nil, err
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, appendAudit(ctx, tx, AuditEntry{At: at, Actor: "system", Action: "customer.handover", Object: "user:" + employee,
		Decision: "allowed", Detail: map[string]any{"process": process, "employee": employee, "colleague": colleague, "customers": ids}})
}

// applyPendingHandovers applies, at every migrate (so at every start of
// zhidu), the customer handovers recorded but not applied: those recorded
// before customer files existed (migration 022), or refused because the
// colleague was disabled then. One refused is logged and stays pending.
func applyPendingHandovers(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	s := New(pool)
	pending, err := s.PendingHandovers(ctx)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for _, h := range pending {
		if done[h.Employee] {
			continue
		}
		done[h.Employee] = true
		if _, err := s.ApplyCustomerHandovers(ctx, h.Employee, time.Now()); err != nil {
			if zhidu.ErrorCode(err) != zhidu.CodeInvalid {
				return err
			}
			if log != nil {
				log.Warn("customer handover refused", "employee", h.Employee, "err", err)
			}
		}
	}
	return nil
}

// ContestCrossing records that c.Actor contests an open crossing case (the
// second registrant claims the customer), with the process that decides
// it (the department head's task), if any. A case not open is a conflict.
func (s *Store) ContestCrossing(ctx context.Context, c AdminChange, caseID string, processID *string, at time.Time) (zhidu.CrossingCase, error) {
	var out zhidu.CrossingCase
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE crossing_cases SET state = 'contested', contested_by = $2, contested_at = $3, process_id = $4
            WHERE id = $1 AND state = 'open' RETURNING `+sqlCrossingColumns, caseID, c.Actor, at, processID)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[zhidu.CrossingCase]); errors.Is(err, pgx.ErrNoRows) {
			if processID != nil {
				if again, err := crossingOf(ctx, tx, caseID); err == nil && again.ProcessID != nil && *again.ProcessID == *processID {
					out = again
					return nil // the process's activity retried
				}
			}
			return crossingNotOpen(ctx, tx, caseID)
		} else if err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: at, Actor: c.Actor, Action: "customer.crossing.contest", Object: CustomerObject(out.CustomerID),
			Decision: "allowed", Address: c.Address, Detail: map[string]any{"case": caseID, "process": processID}})
	})
	return out, mapErr(err, "crossing case "+caseID)
}

// DecideCrossing records the final decision of a crossing case by c.Actor
// (the department head): the credit stays with the first registrant
// (CrossingFirst), goes to the second (CrossingSecond) or to the
// department (CrossingDepartment, 归部门; a case left unresolved is decided
// so). The file's credit follows, with a history entry (field credit, via
// crossing) and customer.crossing.decide in the audit trail. A decided
// case is a conflict: the decision is final.
func (s *Store) DecideCrossing(ctx context.Context, c AdminChange, caseID, decision, note string, at time.Time) (zhidu.CrossingCase, error) {
	if !slices.Contains([]string{zhidu.CrossingFirst, zhidu.CrossingSecond, zhidu.CrossingDepartment}, decision) {
		return zhidu.CrossingCase{}, zhidu.Invalid(zhidu.InvalidField("decision"),
			map[string]zhidu.Message{"decision": zhidu.OneOf([]string{zhidu.CrossingFirst, zhidu.CrossingSecond, zhidu.CrossingDepartment})})
	}
	var out zhidu.CrossingCase
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var customerID, registrant, firstBy string
		var before *string
		err := tx.QueryRow(ctx, `SELECT x.customer_id, x.registrant, c.registered_by, c.credit FROM crossing_cases x
            JOIN customers c ON c.id = x.customer_id WHERE x.id = $1 AND x.state <> 'decided' FOR UPDATE`, caseID).
			Scan(&customerID, &registrant, &firstBy, &before)
		if errors.Is(err, pgx.ErrNoRows) {
			if again, err := crossingOf(ctx, tx, caseID); err == nil && again.Decision != nil && *again.Decision == decision &&
				again.DecidedBy != nil && *again.DecidedBy == c.Actor {
				out = again
				return nil // the process's activity retried: the decision stands
			}
			return crossingNotOpen(ctx, tx, caseID)
		}
		if err != nil {
			return err
		}
		var credit *string
		switch decision {
		case zhidu.CrossingFirst:
			credit = &firstBy
		case zhidu.CrossingSecond:
			credit = &registrant
		}
		rows, err := tx.Query(ctx, `UPDATE crossing_cases SET state = 'decided', decision = $2, decided_by = $3, decided_at = $4,
                decision_note = $5, credit = $6 WHERE id = $1 RETURNING `+sqlCrossingColumns, caseID, decision, c.Actor, at, note, credit)
		if err != nil {
			return err
		}
		if out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[zhidu.CrossingCase]); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE customers SET credit = $2, updated_at = $3 WHERE id = $1`, customerID, credit, at); err != nil {
			return err
		}
		if err := addHistory(ctx, tx, zhidu.CustomerChange{CustomerID: customerID, At: at, Actor: c.Actor, Field: "credit",
			Before: before, After: credit, Via: "crossing", Reason: caseID}); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: at, Actor: c.Actor, Action: "customer.crossing.decide", Object: CustomerObject(customerID),
			Decision: "allowed", Address: c.Address, Detail: map[string]any{"case": caseID, "decision": decision, "note": note, "credit": credit}})
	})
	return out, mapErr(err, "crossing case "+caseID)
}

// crossingOf reads a case within tx.
func crossingOf(ctx context.Context, tx pgx.Tx, caseID string) (zhidu.CrossingCase, error) {
	rows, err := tx.Query(ctx, `SELECT `+sqlCrossingColumns+` FROM crossing_cases WHERE id = $1`, caseID)
	if err != nil {
		return zhidu.CrossingCase{}, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[zhidu.CrossingCase])
}

// crossingNotOpen tells a missing case (not found) from one whose state
// does not allow the change (conflict).
func crossingNotOpen(ctx context.Context, tx pgx.Tx, caseID string) error {
	var state string
	if err := tx.QueryRow(ctx, `SELECT state FROM crossing_cases WHERE id = $1`, caseID).Scan(&state); err != nil {
		return err
	}
	return zhidu.Fail(zhidu.CodeConflict, zhidu.CrossingIs(caseID, state))
}
