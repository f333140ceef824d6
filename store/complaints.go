package store

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

const sqlRecordComplaint = `
INSERT INTO complaints (process_id) VALUES ($1) ON CONFLICT DO NOTHING`

const sqlUpdateComplaint = `
UPDATE complaints SET
    stage = COALESCE(NULLIF($2, ''), stage),
    category = COALESCE(NULLIF($3, ''), category),
    valid = COALESCE($4, valid),
    invalid_reason = COALESCE(NULLIF($5, ''), invalid_reason),
    responsible_department = COALESCE(NULLIF($6, ''), responsible_department),
    joint = COALESCE($7, joint),
    joint_deadline = COALESCE(NULLIF($8, '')::date, joint_deadline),
    important = COALESCE($9, important),
    cause = COALESCE(NULLIF($10, ''), cause),
    responsibility = COALESCE(NULLIF($11, ''), responsibility),
    remedy = COALESCE(NULLIF($12, ''), remedy),
    compensation = COALESCE($13, compensation),
    approved_by = COALESCE($14, approved_by),
    reply_method = COALESCE(NULLIF($15, ''), reply_method),
    reply_text = COALESCE(NULLIF($16, ''), reply_text),
    replied_at = COALESCE($17, replied_at),
    customer_feedback = COALESCE(NULLIF($18, ''), customer_feedback),
    disputed = COALESCE($19, disputed),
    satisfaction = COALESCE(NULLIF($20, ''), satisfaction),
    closed_at = COALESCE($21, closed_at),
    retain_until = CASE WHEN COALESCE($9, important) THEN NULL ELSE COALESCE($22, retain_until) END,
    spot_checked = COALESCE($23, spot_checked),
    spot_check_findings = COALESCE(NULLIF($24, ''), spot_check_findings),
    updated_at = $25
WHERE process_id = $1`

// RecordComplaint records what a complaint step decided in the register.
// Re-applying the same record changes nothing, so retries are safe. One
// batch: one round trip, one transaction.
func (s *Store) RecordComplaint(ctx context.Context, r zhidu.ComplaintRecord) error {
	var approved []string
	if r.ApprovedBy != nil {
		approved = r.ApprovedBy
	}
	b := &pgx.Batch{}
	b.Queue(sqlRecordComplaint, r.ProcessID)
	b.Queue(sqlUpdateComplaint, r.ProcessID, r.Stage, r.Category, r.Valid, r.InvalidReason,
		r.ResponsibleDepartment, r.Joint, r.JointDeadline, r.Important, r.Cause, r.Responsibility, r.Remedy,
		r.Compensation, approved, r.ReplyMethod, r.ReplyText, r.RepliedAt, r.CustomerFeedback, r.Disputed,
		r.Satisfaction, r.ClosedAt, r.RetainUntil, r.SpotChecked, r.SpotCheckFindings, r.At)
	return mapErr(s.send(ctx, b), "complaint "+r.ProcessID)
}

// ComplaintRow is one line of the complaint register (登记表).
type ComplaintRow struct {
	ProcessID             string             `json:"process_id"`
	State                 zhidu.ProcessState `json:"state"`
	Stage                 string             `json:"stage"`
	Level                 zhidu.Level        `json:"level"`
	ReceivedAt            time.Time          `json:"received_at"`
	ReceivedBy            string             `json:"received_by"`
	Complainant           string             `json:"complainant"`
	Contact               string             `json:"contact"`
	Channel               string             `json:"channel"`
	Category              string             `json:"category"`
	Subject               string             `json:"subject"`
	Product               string             `json:"product,omitempty"`
	Batch                 string             `json:"batch,omitempty"`
	Valid                 *bool              `json:"valid"`
	ResponsibleDepartment string             `json:"responsible_department,omitempty"`
	Remedy                string             `json:"remedy,omitempty"`
	Compensation          *float64           `json:"compensation"`
	Satisfaction          string             `json:"satisfaction,omitempty"`
	Overdue               bool               `json:"overdue"`
	Important             bool               `json:"important"`
	ClosedAt              *time.Time         `json:"closed_at"`
	RetainUntil           *time.Time         `json:"retain_until"`
}

// ComplaintFilter selects register rows. Zero fields match everything.
type ComplaintFilter struct {
	Category, Stage, Department string
	States                      []zhidu.ProcessState
	ReceivedAfter               *time.Time
	ReceivedBefore              *time.Time
	Overdue                     *bool
	Cursor                      string
	Limit                       int // 0 with All: every row
	All                         bool
}

const sqlComplaintColumns = `p.id, p.state, COALESCE(c.stage, 'triage'), p.level, p.started_at, p.started_by,
    COALESCE(p.input->'complainant'->>'name', ''), COALESCE(p.input->'complainant'->>'contact', ''),
    COALESCE(p.input->>'channel', ''), COALESCE(c.category, p.input->>'category', ''), COALESCE(p.input->>'subject', ''),
    COALESCE(p.input->>'product', ''), COALESCE(p.input->>'batch', ''), c.valid, COALESCE(c.responsible_department, ''),
    COALESCE(c.remedy, ''), c.compensation::float8, COALESCE(c.satisfaction, ''),
    EXISTS (SELECT 1 FROM tasks ot WHERE ot.process_id = p.id AND ot.state IN ('open', 'claimed') AND ot.due_at < $1),
    COALESCE(c.important, false), c.closed_at, c.retain_until`

// Complaints lists the register rows the viewer may read, newest first.
func (s *Store) Complaints(ctx context.Context, v Viewer, f ComplaintFilter, now time.Time) (Page[ComplaintRow], error) {
	build := func(selectList string) *query {
		// $1 is now, for the overdue column and filter.
		q := newQuery("SELECT " + selectList + " FROM processes p LEFT JOIN complaints c ON c.process_id = p.id WHERE $1::timestamptz IS NOT NULL")
		q.args = append(q.args, now)
		q.where("p.kind = 'complaint'")
		q.sql.WriteString(" AND " + q.readableProcess(v, "p"))
		q.whereIf(f.Category != "", "COALESCE(c.category, p.input->>'category') = ?", f.Category)
		q.whereIf(f.Stage != "", "COALESCE(c.stage, 'triage') = ?", f.Stage)
		q.whereIf(f.Department != "", "c.responsible_department = ?", f.Department)
		if len(f.States) > 0 {
			ss := make([]string, len(f.States))
			for i, st := range f.States {
				ss[i] = string(st)
			}
			q.where("p.state = ANY(?)", ss)
		}
		q.whereIf(f.ReceivedAfter != nil, "p.started_at >= ?", f.ReceivedAfter)
		q.whereIf(f.ReceivedBefore != nil, "p.started_at < ?", f.ReceivedBefore)
		if f.Overdue != nil {
			cond := "EXISTS (SELECT 1 FROM tasks ot WHERE ot.process_id = p.id AND ot.state IN ('open', 'claimed') AND ot.due_at < $1)"
			if !*f.Overdue {
				cond = "NOT " + cond
			}
			q.where(cond)
		}
		return q
	}
	q := build(sqlComplaintColumns + ", p.started_at::text")
	if err := q.keyset(sortKey{expr: "p.started_at", cast: "timestamptz"}, true, "p.id", f.Cursor); err != nil {
		return Page[ComplaintRow]{}, err
	}
	limit := clampLimit(f.Limit)
	if f.All {
		limit = 1 << 30
	}
	q.add(" LIMIT ?", limit+1)
	return fetchPage(ctx, s, "complaints", build("count(*)"), q, false, limit, scanComplaintRow,
		func(r ComplaintRow) string { return r.ProcessID })
}

func scanComplaintRow(row pgx.Row, extra ...any) (ComplaintRow, error) {
	var r ComplaintRow
	err := row.Scan(append([]any{&r.ProcessID, &r.State, &r.Stage, &r.Level, &r.ReceivedAt, &r.ReceivedBy, &r.Complainant, &r.Contact,
		&r.Channel, &r.Category, &r.Subject, &r.Product, &r.Batch, &r.Valid, &r.ResponsibleDepartment, &r.Remedy,
		&r.Compensation, &r.Satisfaction, &r.Overdue, &r.Important, &r.ClosedAt, &r.RetainUntil}, extra...)...)
	return r, err
}

// WriteComplaintsCSV writes register rows as CSV with a header line.
func WriteComplaintsCSV(w io.Writer, rows []ComplaintRow) error {
	cw := NewCSVWriter(w)
	_ = cw.Write([]string{"process_id", "received_at", "received_by", "complainant", "contact", "channel", "category",
		"subject", "product", "batch", "level", "state", "stage", "valid", "responsible_department", "remedy",
		"compensation", "satisfaction", "overdue", "important", "closed_at", "retain_until"})
	opt := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, r := range rows {
		valid, amount := "", ""
		if r.Valid != nil {
			valid = strconv.FormatBool(*r.Valid)
		}
		if r.Compensation != nil {
			amount = strconv.FormatFloat(*r.Compensation, 'f', 2, 64)
		}
		if err := cw.Write([]string{r.ProcessID, r.ReceivedAt.UTC().Format(time.RFC3339), r.ReceivedBy, r.Complainant,
			r.Contact, r.Channel, r.Category, r.Subject, r.Product, r.Batch, r.Level.String(), string(r.State), r.Stage,
			valid, r.ResponsibleDepartment, r.Remedy, amount, r.Satisfaction, strconv.FormatBool(r.Overdue),
			strconv.FormatBool(r.Important), opt(r.ClosedAt), opt(r.RetainUntil)}); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// Reply is the public reply to a complainant: all of the complaint a
// customer ever sees.
type Reply struct {
	ProcessID string     `json:"process_id"`
	Level     string     `json:"level"`
	Method    string     `json:"method"`
	Text      string     `json:"reply"`
	RepliedAt *time.Time `json:"replied_at"`
}

// ComplaintReply returns a complaint's public reply — the latest completed
// reply step, read from the task row its completion wrote, so it is there
// the moment the reply task is done — or not found while it has none. The
// caller has decided that the viewer may read the complaint.
func (s *Store) ComplaintReply(ctx context.Context, processID string) (Reply, error) {
	r := Reply{ProcessID: processID, Level: zhidu.Public.String()}
	err := s.Pool.QueryRow(ctx, `SELECT data->>'method', data->>'reply', completed_at FROM tasks
        WHERE process_id = $1 AND step = 'reply' AND state = 'completed' AND data ? 'reply'
        ORDER BY completed_at DESC LIMIT 1`, processID).Scan(&r.Method, &r.Text, &r.RepliedAt)
	if err != nil {
		return r, mapErr(err, fmt.Sprintf("reply of %s", processID))
	}
	r.Text = strings.TrimSpace(r.Text)
	return r, nil
}
