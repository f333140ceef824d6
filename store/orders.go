package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// Orders of customer files (migration 029). Who may do what is decided
// before, on the file's facts: reading an order is reading its file,
// editing a draft or signing it is editing the file. A signed order's
// lines and payment terms change only by ApplyOrderChange, which the
// order-change process calls once the head or a team lead signed.

// OrderObject is the audit object of an order: order:ID.
func OrderObject(id string) string { return "order:" + id }

const sqlOrderColumns = `o.id, o.customer_id, o.lines, o.payment_terms, o.total::float8, o.state, o.created_by, o.created_at,
    o.signed_by, o.signed_at, o.updated_at`

func scanOrder(row pgx.Row) (zhidu.Order, error) {
	var o zhidu.Order
	var lines []byte
	err := row.Scan(&o.ID, &o.CustomerID, &lines, &o.PaymentTerms, &o.Total, &o.State, &o.CreatedBy, &o.CreatedAt,
		&o.SignedBy, &o.SignedAt, &o.UpdatedAt)
	if err == nil {
		err = json.Unmarshal(lines, &o.Lines)
	}
	return o, err
}

// Order reads an order with the access facts of its file (whose rule is
// the order's), whoever asks.
func (s *Store) Order(ctx context.Context, id string) (zhidu.Order, zhidu.ObjectFacts, error) {
	ref := zhidu.ObjectRef{Type: "order", ID: id}
	o, err := scanOrder(s.Pool.QueryRow(ctx, `SELECT `+sqlOrderColumns+` FROM customer_orders o WHERE o.id = $1`, id))
	if err != nil {
		return zhidu.Order{}, zhidu.ObjectFacts{Ref: ref}, mapErr(err, OrderObject(id))
	}
	_, f, err := s.Customer(ctx, o.CustomerID)
	return o, f, err
}

// Orders lists a file's orders, oldest first.
func (s *Store) Orders(ctx context.Context, customer string) ([]zhidu.Order, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+sqlOrderColumns+` FROM customer_orders o WHERE o.customer_id = $1
        ORDER BY o.created_at, o.id`, customer)
	if err != nil {
		return nil, mapErr(err, "orders")
	}
	out := []zhidu.Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, mapErr(err, "orders")
		}
		out = append(out, o)
	}
	return out, mapErr(rows.Err(), "orders")
}

// CreateOrder files a draft order of a customer, with the file's history
// entry and the audit entry.
func (s *Store) CreateOrder(ctx context.Context, c AdminChange, customer string, t zhidu.OrderTerms, at time.Time) (zhidu.Order, error) {
	lines, err := json.Marshal(t.Lines)
	if err != nil {
		return zhidu.Order{}, err
	}
	var o zhidu.Order
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		id := newID("ord-")
		var err error
		o, err = scanOrder(tx.QueryRow(ctx, `INSERT INTO customer_orders AS o (id, customer_id, lines, total, payment_terms,
                created_by, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING `+sqlOrderColumns, id, customer, lines, t.Total(), t.PaymentTerms, c.Actor, at))
		if err != nil {
			return err
		}
		after := o.ID
		if err := addHistory(ctx, tx, zhidu.CustomerChange{CustomerID: customer, At: at, Actor: c.Actor, Field: "order",
			After: &after, Via: "order"}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "order.create", OrderObject(o.ID), map[string]any{"customer": customer, "total": o.Total})
	})
	return o, mapErr(err, CustomerObject(customer))
}

// UpdateDraft changes a draft order's terms; a signed order is a conflict
// (its changes need the order-change process).
func (s *Store) UpdateDraft(ctx context.Context, c AdminChange, id string, t zhidu.OrderTerms, at time.Time) (zhidu.Order, error) {
	var o zhidu.Order
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		was, err := scanOrder(tx.QueryRow(ctx, `SELECT `+sqlOrderColumns+` FROM customer_orders o WHERE o.id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if was.State != zhidu.OrderStateDraft {
			return zhidu.Fail(zhidu.CodeConflict, zhidu.OrderSigned(id))
		}
		o, err = writeTerms(ctx, tx, was, t, at)
		if err != nil || reflect.DeepEqual(was.OrderTerms, t) {
			return err
		}
		if err := orderHistory(ctx, tx, was, o, c.Actor, "edit", "", at); err != nil {
			return err
		}
		return c.audit(ctx, tx, "order.update", OrderObject(id), map[string]any{"customer": o.CustomerID, "before": was.OrderTerms,
			"after": o.OrderTerms})
	})
	return o, mapErr(err, OrderObject(id))
}

// SignOrder signs a draft order (订单签定). A customer on the blacklist
// gets no new signed order: a conflict naming the entry.
func (s *Store) SignOrder(ctx context.Context, c AdminChange, id string, at time.Time) (zhidu.Order, error) {
	var o zhidu.Order
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		was, err := scanOrder(tx.QueryRow(ctx, `SELECT `+sqlOrderColumns+` FROM customer_orders o WHERE o.id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if was.State != zhidu.OrderStateDraft {
			return zhidu.Fail(zhidu.CodeConflict, zhidu.OrderSigned(id))
		}
		var entry int64
		var reason string
		err = tx.QueryRow(ctx, `SELECT id, reason FROM customer_blacklist_current WHERE customer_id = $1`, was.CustomerID).Scan(&entry, &reason)
		if err == nil {
			return zhidu.Fail(zhidu.CodeConflict, zhidu.CustomerBlacklisted(was.CustomerID, entry, reason))
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		o, err = scanOrder(tx.QueryRow(ctx, `UPDATE customer_orders o SET state = 'signed', signed_by = $2, signed_at = $3, updated_at = $3
            WHERE o.id = $1 RETURNING `+sqlOrderColumns, id, c.Actor, at))
		if err != nil {
			return err
		}
		before, after := zhidu.OrderStateDraft, zhidu.OrderStateSigned
		if err := addHistory(ctx, tx, zhidu.CustomerChange{CustomerID: o.CustomerID, At: at, Actor: c.Actor, Field: "order:" + id + ".state",
			Before: &before, After: &after, Via: "order"}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "order.sign", OrderObject(id), map[string]any{"customer": o.CustomerID, "total": o.Total})
	})
	return o, mapErr(err, OrderObject(id))
}

// ApplyOrderChange applies a signed order's change as the order-change
// process approved it, recording the old and new values in the file's
// history (by the signer, for the requester) and the audit trail. A retry
// finds the order changed and writes nothing; an order whose terms moved
// meanwhile (no longer what the request saw) is a conflict.
func (s *Store) ApplyOrderChange(ctx context.Context, r zhidu.OrderChange) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		was, err := scanOrder(tx.QueryRow(ctx, `SELECT `+sqlOrderColumns+` FROM customer_orders o WHERE o.id = $1 FOR UPDATE`, r.OrderID))
		if err != nil {
			return err
		}
		switch {
		case reflect.DeepEqual(was.OrderTerms, r.After):
			return nil
		case was.State != zhidu.OrderStateSigned || !reflect.DeepEqual(was.OrderTerms, r.Before):
			return zhidu.Fail(zhidu.CodeConflict, zhidu.OrderMoved(r.OrderID))
		}
		o, err := writeTerms(ctx, tx, was, r.After, r.At)
		if err != nil {
			return err
		}
		if err := orderHistory(ctx, tx, was, o, r.Signer, "order_change", r.Reason+" ("+r.ProcessID+", for "+r.Requester+")", r.At); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.Signer, Action: "order.change", Object: OrderObject(r.OrderID),
			Decision: "allowed", Detail: map[string]any{"customer": o.CustomerID, "process": r.ProcessID, "requester": r.Requester,
				"before": r.Before, "after": r.After, "reason": r.Reason}})
	})
	return mapErr(err, OrderObject(r.OrderID))
}

func writeTerms(ctx context.Context, tx pgx.Tx, o zhidu.Order, t zhidu.OrderTerms, at time.Time) (zhidu.Order, error) {
	lines, err := json.Marshal(t.Lines)
	if err != nil {
		return zhidu.Order{}, err
	}
	return scanOrder(tx.QueryRow(ctx, `UPDATE customer_orders o SET lines = $2, total = $3, payment_terms = $4, updated_at = $5
        WHERE o.id = $1 RETURNING `+sqlOrderColumns, o.ID, lines, t.Total(), t.PaymentTerms, at))
}

// orderHistory records what changed of an order's terms in its file's
// history: the lines (as JSON) and the payment terms, old and new.
func orderHistory(ctx context.Context, tx pgx.Tx, was, now zhidu.Order, actor, via, reason string, at time.Time) error {
	if !reflect.DeepEqual(was.Lines, now.Lines) {
		before, _ := json.Marshal(was.Lines)
		after, _ := json.Marshal(now.Lines)
		b, a := string(before), string(after)
		if err := addHistory(ctx, tx, zhidu.CustomerChange{CustomerID: now.CustomerID, At: at, Actor: actor, Field: "order:" + now.ID + ".lines",
			Before: &b, After: &a, Via: via, Reason: reason}); err != nil {
			return err
		}
	}
	if was.PaymentTerms != now.PaymentTerms {
		if err := addHistory(ctx, tx, zhidu.CustomerChange{CustomerID: now.CustomerID, At: at, Actor: actor,
			Field: "order:" + now.ID + ".payment_terms", Before: &was.PaymentTerms, After: &now.PaymentTerms, Via: via, Reason: reason}); err != nil {
			return err
		}
	}
	return nil
}
