package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// The customer processes' writes (workflows/customer_*.go): a downgrade's
// class change, a blacklisting decided in a process, a crossing's contest
// and decision, and the files a handover moved. Each writes the file's
// history and the audit entry in one transaction, and a retry finds the
// change made and writes nothing.

// ChangeClass sets a file's class as a process decided (a downgrade).
func (s *Store) ChangeClass(ctx context.Context, r zhidu.ClassChange) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var before string
		if err := tx.QueryRow(ctx, `SELECT class FROM customers WHERE id = $1 FOR UPDATE`, r.CustomerID).Scan(&before); err != nil {
			return err
		}
		if before == r.To {
			return nil // a retry, or nothing to change
		}
		if _, err := tx.Exec(ctx, `UPDATE customers SET class = $2, updated_at = $3 WHERE id = $1`, r.CustomerID, r.To, r.At); err != nil {
			return err
		}
		if err := addHistory(ctx, tx, zhidu.CustomerChange{CustomerID: r.CustomerID, At: r.At, Actor: r.Actor, Field: "class",
			Before: &before, After: &r.To, Via: "downgrade", Reason: r.Reason + " (" + r.ProcessID + ")"}); err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.Actor, Action: "customer.downgrade", Object: CustomerObject(r.CustomerID),
			Decision: "allowed", Detail: map[string]any{"process": r.ProcessID, "from": before, "to": r.To, "reason": r.Reason}})
	})
	return mapErr(err, CustomerObject(r.CustomerID))
}

// BlacklistByDecision puts a customer on the blacklist as the Marketing
// Division decided in a process; a customer on it already (a retry, or a
// decision made meanwhile through the API) is left as it is.
func (s *Store) BlacklistByDecision(ctx context.Context, r zhidu.BlacklistDecision) error {
	_, err := s.SetBlacklist(ctx, AdminChange{Actor: r.Actor}, r.CustomerID, true, r.Reason+" ("+r.ProcessID+")", r.At)
	if zhidu.ErrorCode(err) == zhidu.CodeConflict {
		return nil
	}
	return err
}

// ContestCrossing marks an open crossing case contested by r.Actor in
// process r.ProcessID. A case contested in that process already is a
// retry; one decided, or contested in another process, is a conflict.
func (s *Store) ContestCrossing(ctx context.Context, r zhidu.CrossingRecord) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var customer string
		err := tx.QueryRow(ctx, `UPDATE crossing_cases SET state = 'contested', contested_by = $2, contested_at = $3, process_id = $4
            WHERE id = $1 AND state = 'open' RETURNING customer_id`, r.CaseID, r.Actor, r.At, r.ProcessID).Scan(&customer)
		if errors.Is(err, pgx.ErrNoRows) {
			var process *string
			if err := tx.QueryRow(ctx, `SELECT process_id FROM crossing_cases WHERE id = $1`, r.CaseID).Scan(&process); err != nil {
				return err
			}
			if process != nil && *process == r.ProcessID {
				return nil
			}
			return zhidu.Fail(zhidu.CodeConflict, zhidu.CrossingNotOpen(r.CaseID))
		}
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.Actor, Action: "customer.crossing_contest", Object: CustomerObject(customer),
			Decision: "allowed", Detail: map[string]any{"case": r.CaseID, "process": r.ProcessID, "reason": r.Note}})
	})
	return mapErr(err, "crossing case "+r.CaseID)
}

// DecideCrossing records the department head's final decision on a
// contested case: the first registrant keeps the credit, the second gets
// it (the file's credit moves to them), or the department does (the
// file's credit is nobody's: NULL). The file's history shows a change of
// credit.
func (s *Store) DecideCrossing(ctx context.Context, r zhidu.CrossingRecord) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var customer, registrant string
		err := tx.QueryRow(ctx, `UPDATE crossing_cases SET state = 'decided', decision = $2, decided_by = $3, decided_at = $4,
                decision_note = $5
            WHERE id = $1 AND state = 'contested' AND process_id = $6 RETURNING customer_id, registrant`,
			r.CaseID, r.Decision, r.Actor, r.At, r.Note, r.ProcessID).Scan(&customer, &registrant)
		if errors.Is(err, pgx.ErrNoRows) {
			var decision *string
			if err := tx.QueryRow(ctx, `SELECT decision FROM crossing_cases WHERE id = $1 AND process_id = $2`, r.CaseID, r.ProcessID).
				Scan(&decision); err == nil && decision != nil && *decision == r.Decision {
				return nil // a retry
			}
			return zhidu.Fail(zhidu.CodeConflict, zhidu.CrossingNotOpen(r.CaseID))
		}
		if err != nil {
			return err
		}
		var credit *string
		switch r.Decision {
		case zhidu.CrossingSecond:
			credit = &registrant
		case zhidu.CrossingDepartment:
			credit = nil
		}
		if r.Decision != zhidu.CrossingFirst {
			var before *string
			if err := tx.QueryRow(ctx, `SELECT credit FROM customers WHERE id = $1 FOR UPDATE`, customer).Scan(&before); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE customers SET credit = $2, updated_at = $3 WHERE id = $1`, customer, credit, r.At); err != nil {
				return err
			}
			after := credit
			if after == nil {
				dept := "department"
				after = &dept
			}
			if err := addHistory(ctx, tx, zhidu.CustomerChange{CustomerID: customer, At: r.At, Actor: r.Actor, Field: "credit",
				Before: before, After: after, Via: "crossing", Reason: r.Note + " (" + r.CaseID + ")"}); err != nil {
				return err
			}
		}
		return appendAudit(ctx, tx, AuditEntry{At: r.At, Actor: r.Actor, Action: "customer.crossing_decide", Object: CustomerObject(customer),
			Decision: "allowed", Detail: map[string]any{"case": r.CaseID, "process": r.ProcessID, "decision": r.Decision, "note": r.Note}})
	})
	return mapErr(err, "crossing case "+r.CaseID)
}

// HandedCustomers lists the files handover (the process that recorded it)
// moved, as the notices name them.
func (s *Store) HandedCustomers(ctx context.Context, handover string) ([]zhidu.CustomerRef, error) {
	rows, err := s.Pool.Query(ctx, `SELECT c.id, c.name, c.class, c.department, c.level, c.responsible FROM customers c
        WHERE EXISTS (SELECT 1 FROM customer_history h WHERE h.customer_id = c.id AND h.via = 'handover' AND h.reason = $1)
        ORDER BY c.id`, handover)
	if err != nil {
		return nil, mapErr(err, "customers")
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[zhidu.CustomerRef])
	if out == nil {
		out = []zhidu.CustomerRef{}
	}
	return out, mapErr(err, "customers")
}

// CrossingCase reads one crossing case.
func (s *Store) CrossingCase(ctx context.Context, id string) (zhidu.CrossingCase, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, customer_id, registrant, department, at, matched, name, credit, state,
            contested_by, contested_at, decision, decided_by, decided_at, decision_note, process_id
        FROM crossing_cases WHERE id = $1`, id)
	if err != nil {
		return zhidu.CrossingCase{}, mapErr(err, "crossing case "+id)
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[zhidu.CrossingCase])
	return c, mapErr(err, "crossing case "+id)
}
