package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// The customer processes' writes (workflows/customer_*.go): a downgrade's
// class change, a blacklisting decided in a process, and the files a
// handover moved (a crossing's contest and decision are ContestCrossing
// and DecideCrossing, customers.go). Each writes the file's
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
// Division decided in a process, and returns the entry that has it there:
// a customer on it already (a retry, or a decision made meanwhile through
// the API) is left as it is, with its entry.
func (s *Store) BlacklistByDecision(ctx context.Context, r zhidu.BlacklistDecision) (zhidu.BlacklistEntry, error) {
	e, err := s.SetBlacklist(ctx, AdminChange{Actor: r.Actor}, r.CustomerID, true, r.Reason+" ("+r.ProcessID+")", r.At)
	if zhidu.ErrorCode(err) != zhidu.CodeConflict {
		return e, err
	}
	decisions, err := s.BlacklistDecisions(ctx, r.CustomerID)
	if err != nil || len(decisions) == 0 {
		return zhidu.BlacklistEntry{}, err
	}
	return decisions[len(decisions)-1], nil
}

// HandedCustomers lists the files handover (the process that recorded it)
// moved, as the notices name them.
func (s *Store) HandedCustomers(ctx context.Context, handover string) ([]zhidu.CustomerRef, error) {
	return listOf[zhidu.CustomerRef](ctx, s, "customers", `SELECT c.id, c.name, c.class, c.department, c.level, c.responsible FROM customers c
        WHERE EXISTS (SELECT 1 FROM customer_history h WHERE h.customer_id = c.id AND h.via = 'handover' AND h.reason = $1)
        ORDER BY c.id`, handover)
}

// CrossingCase reads one crossing case.
func (s *Store) CrossingCase(ctx context.Context, id string) (zhidu.CrossingCase, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+sqlCrossingColumns+` FROM crossing_cases WHERE id = $1`, id)
	if err != nil {
		return zhidu.CrossingCase{}, mapErr(err, "crossing case "+id)
	}
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[zhidu.CrossingCase])
	return c, mapErr(err, "crossing case "+id)
}

// RecordHandover records and applies, in one transaction, the handover of
// a leaving employee's customer files to a colleague (客户交接), made by the
// handover process r.ProcessID: the files move with a history entry each
// and the customer.handover audit entry (ApplyCustomerHandovers). A retry
// finds it applied and moves nothing more.
func (s *Store) RecordHandover(ctx context.Context, r zhidu.SeparationRecord) error {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO customer_handovers (process_id, employee, colleague, at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (process_id) DO NOTHING`, r.ProcessID, r.Employee, r.Colleague, r.At)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		_, err = applyCustomerHandovers(ctx, tx, r.Employee, r.ProcessID, r.At)
		return err
	})
	return mapErr(err, "handover of "+r.Employee)
}

// Responsible reports whether a user is responsible for any customer file.
func (s *Store) Responsible(ctx context.Context, username string) (bool, error) {
	var any bool
	err := s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customers WHERE responsible = $1)`, username).Scan(&any)
	return any, mapErr(err, "customers")
}

// CrossingCasesOf lists the crossing cases a user is a party to — as the
// second registrant or as who holds the credit — newest first.
func (s *Store) CrossingCasesOf(ctx context.Context, username string) ([]zhidu.CrossingCase, error) {
	return listOf[zhidu.CrossingCase](ctx, s, "crossing cases", `SELECT `+sqlCrossingColumns+` FROM crossing_cases
        WHERE registrant = $1 OR credit = $1 ORDER BY at DESC, id DESC LIMIT 200`, username)
}
