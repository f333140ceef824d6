package store_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// The complaint register's writer before migration 017, to fill a database
// as an older zhidu left it.
const (
	oldInsertComplaint = `INSERT INTO complaints (process_id) VALUES ($1) ON CONFLICT DO NOTHING`
	oldUpdateComplaint = `
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
)

func oldRecordComplaint(ctx context.Context, s *store.Store, r zhidu.ComplaintRecord) error {
	var approved []string
	if r.ApprovedBy != nil {
		approved = r.ApprovedBy
	}
	b := &pgx.Batch{}
	b.Queue(oldInsertComplaint, r.ProcessID)
	b.Queue(oldUpdateComplaint, r.ProcessID, r.Stage, r.Category, r.Valid, r.InvalidReason,
		r.ResponsibleDepartment, r.Joint, r.JointDeadline, r.Important, r.Cause, r.Responsibility, r.Remedy,
		r.Compensation, approved, r.ReplyMethod, r.ReplyText, r.RepliedAt, r.CustomerFeedback, r.Disputed,
		r.Satisfaction, r.ClosedAt, r.RetainUntil, r.SpotChecked, r.SpotCheckFindings, r.At)
	return s.Send(ctx, b)
}

// seedComplaints writes complaints at several stages (records written by
// write), an overdue task and an approval.
func seedComplaints(t *testing.T, s *store.Store, write func(zhidu.ComplaintRecord) error) {
	t.Helper()
	ctx := context.Background()
	at := func(min int) time.Time { return t0.Add(time.Duration(min)*time.Minute + 987654321*time.Nanosecond) }
	yes, no := true, false
	amount, stamp := func(f float64) *float64 { return &f }, func(tm time.Time) *time.Time { return &tm }
	// The columns every schema since migration 016 has: the old store's
	// database is migrated only that far.
	put := func(id, kind string, level zhidu.Level, min int, input map[string]any) {
		b, err := json.Marshal(input)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Pool.Exec(ctx, `INSERT INTO processes (id, run_id, kind, title, level, department, started_by, started_at, input)
            VALUES ($1, 'run', $2, $1, $3, $4, 'cs.agent', $5, $6)`, id, kind, level, string(zhidu.DeptCS), at(min), b); err != nil {
			t.Fatal(err)
		}
	}
	intake := func(category, product string) map[string]any {
		m := map[string]any{"complainant": map[string]any{"name": "王丽", "contact": "=1"}, "channel": "phone",
			"category": category, "subject": "s " + category}
		if product != "" {
			m["product"] = product
		}
		return m
	}
	put("complaint-a", "complaint", zhidu.Internal, 0, intake("product_quality", "酸奶"))
	put("complaint-b", "complaint", zhidu.Internal, 10, intake("fees", ""))
	put("complaint-c", "complaint", zhidu.Secret, 20, intake("other", ""))
	put("complaint-d", "complaint", zhidu.Internal, 20, intake("service_quality", ""))
	put("approval-x", "approval", zhidu.Internal, 30, map[string]any{"title": "x"})
	records := []zhidu.ComplaintRecord{
		{ProcessID: "complaint-a", Stage: "investigation", Category: "product_quality", Important: &no, At: at(1)},
		{ProcessID: "complaint-a", Stage: "investigation", Valid: &yes, ResponsibleDepartment: "quality", Joint: &yes,
			JointDeadline: "2026-12-01", At: at(2)},
		{ProcessID: "complaint-c", Stage: "investigation", Category: "fees", Important: &yes, At: at(21)},
		{ProcessID: "complaint-c", Stage: "approval", Cause: "c", Responsibility: "r", Remedy: "compensate",
			Compensation: amount(99.995), At: at(22)},
		{ProcessID: "complaint-c", Stage: "remedy", ApprovedBy: []string{"vp.ops", "gm"}, At: at(23)},
		{ProcessID: "complaint-c", ReplyMethod: "letter", ReplyText: "回复", RepliedAt: stamp(at(24)), CustomerFeedback: "f",
			Disputed: &no, At: at(24)},
		{ProcessID: "complaint-c", Satisfaction: "satisfied", At: at(25)},
		{ProcessID: "complaint-c", Stage: "closed", ClosedAt: stamp(at(26)), RetainUntil: stamp(at(26).AddDate(1, 0, 0)), At: at(26)},
		{ProcessID: "complaint-c", SpotChecked: &yes, SpotCheckFindings: "ok", At: at(27)},
		{ProcessID: "complaint-d", Stage: "reply", Category: "service_quality", Important: &no, Valid: &no, InvalidReason: "dup", At: at(31)},
		{ProcessID: "complaint-d", Stage: "closed", ClosedAt: stamp(at(32)), RetainUntil: stamp(at(32).AddDate(1, 0, 0)), At: at(32)},
	}
	for _, r := range records {
		if err := write(r); err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
	}
	// An overdue investigation task, in the columns of every schema since
	// migration 016.
	due := t0.Add(time.Hour)
	if _, err := s.Pool.Exec(ctx, `INSERT INTO tasks (id, process_id, run_id, step_key, kind, step, title_zh, title_en, department,
            level, form, due_at, created_at)
        VALUES ('t-a', 'complaint-a', 'run', 'inv', 'complaint', 'investigation', '', '', 'quality', 1, '{"outcomes":["submit"]}', $1, $2)`,
		due, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool.Exec(ctx, `INSERT INTO task_candidates (task_id, username) VALUES ('t-a', 'quality.eng')`); err != nil {
		t.Fatal(err)
	}
}

func complaintRegister(t *testing.T) *zhidu.Register {
	t.Helper()
	d, ok := workflows.Lookup(workflows.KindComplaint)
	if !ok || d.Register == nil {
		t.Fatal("the complaint keeps no register")
	}
	return d.Register
}

// registerText renders pages of a register (JSON and CSV) for filters.
func registerText(t *testing.T, s *store.Store, kind string, reg *zhidu.Register, v store.Viewer, filters ...store.RegisterFilter) string {
	t.Helper()
	var out bytes.Buffer
	for _, f := range filters {
		page, err := s.Register(context.Background(), kind, reg, v, f, t0.Add(2*time.Hour))
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		j, err := json.Marshal(page)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%+v\n%s\n", f, j)
		if err := store.WriteRegisterCSV(&out, reg, page.Items); err != nil {
			t.Fatal(err)
		}
	}
	return out.String()
}

// entryText renders every column the complaints table had, as register
// entries keep them.
func entryText(t *testing.T, s *store.Store) []string {
	t.Helper()
	return lines(t, s, `SELECT ROW(process_id, COALESCE(fields->>'stage', 'triage'), fields->>'category',
        fields->>'valid', fields->>'invalid_reason', fields->>'responsible_department', fields->>'joint',
        (fields->>'joint_deadline')::date, COALESCE(fields->>'important', 'false'), kept, fields->>'cause',
        fields->>'responsibility', fields->>'remedy', (fields->>'compensation')::numeric(14, 2),
        ARRAY(SELECT jsonb_array_elements_text(fields->'approved_by')), fields->>'reply_method', fields->>'reply_text',
        (fields->>'replied_at')::timestamptz, fields->>'customer_feedback', fields->>'disputed', fields->>'satisfaction',
        closed_at, retain_until, COALESCE(fields->>'spot_checked', 'false'), fields->>'spot_check_findings', updated_at)::text
        FROM register_entries ORDER BY process_id`)
}

// TestRegisterMigration: complaints written before migration 017 read the
// same, column for column and in the register, as complaints written by
// the register writer after it.
func TestRegisterMigration(t *testing.T) {
	ctx := context.Background()
	pool, err := store.Connect(ctx, pgtest.URL(t), 5)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := store.MigrateUpTo(ctx, pool, 16); err != nil {
		t.Fatal(err)
	}
	old := store.New(pool)
	seedComplaints(t, old, func(r zhidu.ComplaintRecord) error { return oldRecordComplaint(ctx, old, r) })
	if err := store.Migrate(ctx, pool, nil); err != nil {
		t.Fatal(err)
	}
	fresh := newStore(t)
	seedComplaints(t, fresh, func(r zhidu.ComplaintRecord) error {
		return fresh.RecordRegister(ctx, workflows.ComplaintEntry(r))
	})

	if got, want := entryText(t, old), entryText(t, fresh); !slices.Equal(got, want) {
		t.Errorf("migrated entries:\n%s\nwant, as written now:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	reg := complaintRegister(t)
	all := store.Viewer{Username: "gm", Clearance: zhidu.TopSecret, Leadership: true}
	filters := []store.RegisterFilter{{}, {Equal: map[string]string{"responsible_department": "quality"}},
		{Equal: map[string]string{"stage": "triage"}}, {Equal: map[string]string{"category": "fees"}},
		{Is: map[string]bool{"overdue": true}}, {Limit: 2}}
	if got, want := registerText(t, old, "complaint", reg, all, filters...), registerText(t, fresh, "complaint", reg, all, filters...); got != want {
		t.Errorf("migrated register:\n%s\nwant:\n%s", got, want)
	}
	// The retention holds for migrated entries: c is kept for good, d a year.
	for _, id := range []string{"complaint-a", "complaint-c", "complaint-d"} {
		if _, err := pool.Exec(ctx, `DELETE FROM register_entries WHERE process_id = $1`, id); err == nil {
			t.Errorf("the migrated entry of %s was deleted under retention", id)
		}
	}
	var kept bool
	var retain *time.Time
	if err := pool.QueryRow(ctx, `SELECT kept, retain_until FROM register_entries WHERE process_id = 'complaint-c'`).Scan(&kept, &retain); err != nil ||
		!kept || retain != nil {
		t.Errorf("important complaint: kept %v, retained until %v (%v); want kept for good", kept, retain, err)
	}
}

// TestRecordRegister: a record merges into the entry, re-applying it
// changes nothing, null removes a field, and the retention: nothing is
// deleted while open, kept for good, or before its time — nor its process.
func TestRecordRegister(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, id := range []string{"complaint-1", "complaint-2", "approval-1"} {
		kind, _, _ := strings.Cut(id, "-")
		if _, err := s.PutProcess(ctx, store.Process{ID: id, Kind: kind, Title: id, Level: zhidu.Internal, Department: "cs",
			StartedBy: "u", StartedAt: t0}, "run", store.AuditEntry{At: t0, Actor: "u", Action: "start", Object: "process:" + id,
			Decision: "allowed"}); err != nil {
			t.Fatal(err)
		}
	}
	entry := func(id string) string {
		var f string
		var closed, retain *time.Time
		var kept bool
		if err := s.Pool.QueryRow(ctx, `SELECT fields::text, closed_at, retain_until, kept FROM register_entries WHERE process_id = $1`, id).
			Scan(&f, &closed, &retain, &kept); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s closed=%v retain=%v kept=%v", f, closed != nil, retain != nil, kept)
	}
	record := func(r zhidu.RegisterRecord) {
		t.Helper()
		r.Kind, r.At = "complaint", t0
		if err := s.RecordRegister(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	yes, no := true, false
	later := t0.AddDate(1, 0, 0)
	record(zhidu.RegisterRecord{ProcessID: "complaint-1", Fields: map[string]any{"stage": "investigation", "n": 2}})
	record(zhidu.RegisterRecord{ProcessID: "complaint-1", Fields: map[string]any{"stage": "reply", "x": "y"}})
	record(zhidu.RegisterRecord{ProcessID: "complaint-1", Fields: map[string]any{"stage": "reply", "x": "y"}}) // a retry
	record(zhidu.RegisterRecord{ProcessID: "complaint-1", Fields: map[string]any{"n": nil}})
	record(zhidu.RegisterRecord{ProcessID: "complaint-1"})
	if got, want := entry("complaint-1"), `{"x": "y", "stage": "reply"} closed=false retain=false kept=false`; got != want {
		t.Errorf("entry = %s, want %s", got, want)
	}
	// kept for good before it closes: the retention date is not set
	record(zhidu.RegisterRecord{ProcessID: "complaint-2", KeepForGood: &yes})
	record(zhidu.RegisterRecord{ProcessID: "complaint-2", ClosedAt: &t0, RetainUntil: &later})
	if got, want := entry("complaint-2"), `{} closed=true retain=false kept=true`; got != want {
		t.Errorf("entry = %s, want %s", got, want)
	}
	del := func(sql, id string) error {
		_, err := s.Pool.Exec(ctx, sql, id)
		return err
	}
	for _, id := range []string{"complaint-1", "complaint-2"} {
		if del(`DELETE FROM register_entries WHERE process_id = $1`, id) == nil || del(`DELETE FROM processes WHERE id = $1`, id) == nil {
			t.Errorf("%s was deleted under retention", id)
		}
	}
	// no longer kept for good: a year; then past its time, both go
	record(zhidu.RegisterRecord{ProcessID: "complaint-2", KeepForGood: &no, RetainUntil: &later})
	if del(`DELETE FROM register_entries WHERE process_id = $1`, "complaint-2") == nil {
		t.Error("deleted before its retention ended")
	}
	past := time.Now().Add(-time.Hour)
	record(zhidu.RegisterRecord{ProcessID: "complaint-2", RetainUntil: &past})
	if err := del(`DELETE FROM register_entries WHERE process_id = $1`, "complaint-2"); err != nil {
		t.Errorf("after its retention the entry may go: %v", err)
	}
	// a complaint without an entry is kept; a process of a kind without a register is not
	if err := del(`DELETE FROM processes WHERE id = $1`, "complaint-2"); err == nil {
		t.Error("a complaint without its entry was deleted")
	}
	if err := del(`DELETE FROM processes WHERE id = $1`, "approval-1"); err != nil {
		t.Errorf("an approval keeps no register: %v", err)
	}
	// a record for no process fails (and is retried by the activity)
	if err := s.RecordRegister(ctx, zhidu.RegisterRecord{ProcessID: "nope", Kind: "complaint", At: t0}); err == nil {
		t.Error("a register entry for no process was written")
	}
}

// returnsRegister is a register of a test-only kind: every source, type
// and filter kind the description has, sorted by level.
var returnsRegister = &zhidu.Register{
	Columns: []zhidu.Column{
		{Name: "id", Label: zhidu.Text{Zh: "编号", En: "ID"}, Type: zhidu.ColumnText, From: []zhidu.Source{{Fact: zhidu.FactID}}},
		{Name: "level", Label: zhidu.Text{Zh: "密级", En: "Level"}, Type: zhidu.ColumnLevel, From: []zhidu.Source{{Fact: zhidu.FactLevel}}},
		{Name: "state", Label: zhidu.Text{Zh: "状态", En: "State"}, Type: zhidu.ColumnState, From: []zhidu.Source{{Fact: zhidu.FactState}},
			Filter: &zhidu.Filter{Kind: zhidu.FilterAnyOf, Choices: []string{"running", "completed"}}},
		{Name: "sku", Label: zhidu.Text{Zh: "货号", En: "SKU"}, Type: zhidu.ColumnText, From: []zhidu.Source{{Input: "goods.sku"}},
			Filter: &zhidu.Filter{Kind: zhidu.FilterExact, MaxLength: 20}},
		{Name: "quantity", Label: zhidu.Text{Zh: "数量", En: "Quantity"}, Type: zhidu.ColumnNumber,
			From: []zhidu.Source{{Field: "quantity"}, {Input: "goods.quantity"}}},
		{Name: "inspected_at", Label: zhidu.Text{Zh: "验货时间", En: "Inspected"}, Type: zhidu.ColumnTime, From: []zhidu.Source{{Field: "inspected_at"}},
			Filter: &zhidu.Filter{Kind: zhidu.FilterRange, Param: "inspected"}},
		{Name: "accepted", Label: zhidu.Text{Zh: "合格", En: "Accepted"}, Type: zhidu.ColumnBool, From: []zhidu.Source{{Field: "accepted"}},
			Filter: &zhidu.Filter{Kind: zhidu.FilterBool}},
		{Name: "grade", Label: zhidu.Text{Zh: "等级", En: "Grade"}, Type: zhidu.ColumnText, From: []zhidu.Source{{Field: "grade"}},
			Default: "ungraded", Filter: &zhidu.Filter{Kind: zhidu.FilterChoice, Choices: []string{"ungraded", "a", "b"}}},
		{Name: "note", Label: zhidu.Text{Zh: "备注", En: "Note"}, Type: zhidu.ColumnText, From: []zhidu.Source{{Field: "note"}}, OmitEmpty: true,
			Filter: &zhidu.Filter{Kind: zhidu.FilterExact, MaxLength: 50}},
	},
	CSV:  []string{"note", "id", "quantity", "inspected_at", "accepted", "level"},
	File: "returns.csv",
	Sort: "-level",
}

// TestGenericRegister reads a register of a kind the store has never
// heard of: every source, type and filter, paging by level with its
// cursor, the read rule, and the CSV.
func TestGenericRegister(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "wh.clerk", zhidu.DeptWH, zhidu.Internal, zhidu.RoleGrant{Role: zhidu.RoleStaff, Department: zhidu.DeptWH})
	inspected := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for i, lv := range []zhidu.Level{zhidu.Internal, zhidu.Secret, zhidu.Internal, zhidu.Public, zhidu.Secret} {
		id := fmt.Sprintf("returns-%d", i)
		if _, err := s.PutProcess(ctx, store.Process{ID: id, Kind: "returns", Title: id, Level: lv, Department: string(zhidu.DeptWH),
			StartedBy: "wh.clerk", StartedAt: t0.Add(time.Duration(i) * time.Minute),
			Input: map[string]any{"goods": map[string]any{"sku": fmt.Sprintf("SKU-%d", i%2), "quantity": i * 10}}}, "run",
			store.AuditEntry{At: t0, Actor: "wh.clerk", Action: "start", Object: "process:" + id, Decision: "allowed"}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			fields := map[string]any{"inspected_at": inspected.Add(time.Duration(i) * time.Hour), "accepted": i == 0,
				"quantity": 2.5 * float64(i), "note": "=2+2", "grade": "a"}
			if err := s.RecordRegister(ctx, zhidu.RegisterRecord{ProcessID: id, Kind: "returns", Fields: fields, At: t0}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.PutProcess(ctx, store.Process{ID: "complaint-z", Kind: "complaint", Title: "z", Level: zhidu.Public,
		Department: "cs", StartedBy: "x", StartedAt: t0}, "run", store.AuditEntry{At: t0, Actor: "x", Action: "start",
		Object: "process:complaint-z", Decision: "allowed"}); err != nil {
		t.Fatal(err)
	}
	all := store.Viewer{Username: "gm", Clearance: zhidu.TopSecret, Leadership: true}
	ids := func(v store.Viewer, f store.RegisterFilter) ([]string, store.Page[store.RegisterRow]) {
		t.Helper()
		page, err := s.Register(ctx, "returns", returnsRegister, v, f, t0)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		var out []string
		for _, r := range page.Items {
			out = append(out, r.ProcessID)
		}
		return out, page
	}
	after, before := inspected.Add(time.Hour), inspected.Add(3*time.Hour)
	for _, c := range []struct {
		name string
		f    store.RegisterFilter
		want []string
	}{
		{"every row, highest level first, then by ID descending", store.RegisterFilter{}, []string{"returns-4", "returns-1", "returns-2", "returns-0", "returns-3"}},
		{"an input path", store.RegisterFilter{Equal: map[string]string{"sku": "SKU-1"}}, []string{"returns-1", "returns-3"}},
		{"a recorded field (the index)", store.RegisterFilter{Equal: map[string]string{"note": "=2+2"}}, []string{"returns-4", "returns-2", "returns-0"}},
		{"a default", store.RegisterFilter{Equal: map[string]string{"grade": "ungraded"}}, []string{"returns-1", "returns-3"}},
		{"a range", store.RegisterFilter{After: map[string]time.Time{"inspected_at": after}, Before: map[string]time.Time{"inspected_at": before}}, []string{"returns-2"}},
		{"true", store.RegisterFilter{Is: map[string]bool{"accepted": true}}, []string{"returns-0"}},
		{"false: unknown is neither", store.RegisterFilter{Is: map[string]bool{"accepted": false}}, []string{"returns-4", "returns-2"}},
		{"any of", store.RegisterFilter{AnyOf: map[string][]string{"state": {"completed"}}}, nil},
	} {
		if got, _ := ids(all, c.f); !slices.Equal(got, c.want) {
			t.Errorf("%s: rows %v, want %v", c.name, got, c.want)
		}
	}
	// paging by level: the cursor carries a smallint
	var paged []string
	f := store.RegisterFilter{Limit: 2}
	for range 5 {
		got, page := ids(all, f)
		paged = append(paged, got...)
		if page.Total != 5 {
			t.Fatalf("total = %d, want 5", page.Total)
		}
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			break
		}
	}
	if want := []string{"returns-4", "returns-1", "returns-2", "returns-0", "returns-3"}; !slices.Equal(paged, want) {
		t.Errorf("paged = %v, want %v", paged, want)
	}
	// the read rule: a starter reads their own, up to their clearance; counts follow
	clerk := store.Viewer{Username: "wh.clerk", Clearance: zhidu.Internal, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptWH}}}
	if got, page := ids(clerk, store.RegisterFilter{}); !slices.Equal(got, []string{"returns-2", "returns-0", "returns-3"}) || page.Total != 3 {
		t.Errorf("the clerk reads %v (total %d), want the three below secret", got, page.Total)
	}
	stranger := store.Viewer{Username: "nobody", Clearance: zhidu.TopSecret}
	if got, page := ids(stranger, store.RegisterFilter{}); len(got) != 0 || page.Total != 0 {
		t.Errorf("a stranger reads %v (total %d)", got, page.Total)
	}
	// JSON in column order, OmitEmpty, numbers, times, null; CSV in its order, neutralised
	_, page := ids(all, store.RegisterFilter{Equal: map[string]string{"sku": "SKU-0"}, Limit: 2})
	j, err := json.Marshal(page.Items)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"id":"returns-4","level":"secret","state":"running","sku":"SKU-0","quantity":10,"inspected_at":"2026-11-27T14:00:00Z","accepted":false,"grade":"a","note":"=2+2"},` +
		`{"id":"returns-2","level":"internal","state":"running","sku":"SKU-0","quantity":5,"inspected_at":"2026-11-27T12:00:00Z","accepted":false,"grade":"a","note":"=2+2"}]`
	if time.Local == time.UTC && string(j) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", j, want)
	}
	_, page = ids(all, store.RegisterFilter{AnyOf: map[string][]string{"state": {"running"}}})
	var csv bytes.Buffer
	if err := store.WriteRegisterCSV(&csv, returnsRegister, page.Items); err != nil {
		t.Fatal(err)
	}
	wantCSV := "note,id,quantity,inspected_at,accepted,level\n'=2+2,returns-4,10,2026-11-27T14:00:00Z,false,secret\n,returns-1,10,,,secret\n" +
		"'=2+2,returns-2,5,2026-11-27T12:00:00Z,false,internal\n'=2+2,returns-0,0,2026-11-27T10:00:00Z,true,internal\n,returns-3,30,,,public\n"
	if csv.String() != wantCSV {
		t.Errorf("CSV =\n%s\nwant\n%s", csv.String(), wantCSV)
	}
	// a filter the description does not declare is a programming error, a forged cursor a 400
	timeCursor := base64.RawURLEncoding.EncodeToString([]byte(`{"k":"2026-11-27 10:00:00+00","i":"returns-1"}`))
	if _, err := s.Register(ctx, "returns", returnsRegister, all, store.RegisterFilter{Equal: map[string]string{"quantity": "1"}}, t0); err == nil {
		t.Error("a filter on a column without one was accepted")
	}
	if _, err := s.Register(ctx, "returns", returnsRegister, all, store.RegisterFilter{Cursor: timeCursor}, t0); zhidu.ErrorCode(err) != zhidu.CodeInvalid {
		t.Errorf("a cursor of another key type: %v, want invalid", err)
	}
}

// TestRegisterEntry reads one process's register entry: its row as the
// register has it, its details (the columns' keys of each recorded
// object, nothing else), under the read rule; a process of another kind,
// one the viewer may not read and a missing one are not found alike.
func TestRegisterEntry(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	putUser(t, s, "wh.clerk", zhidu.DeptWH, zhidu.Internal, zhidu.RoleGrant{Role: zhidu.RoleStaff, Department: zhidu.DeptWH})
	reg := *returnsRegister
	reg.Details = []zhidu.Detail{{Name: "checks", Label: zhidu.Text{Zh: "验货", En: "Checks"}, Columns: []zhidu.DetailColumn{
		{Name: "n", Label: zhidu.Text{Zh: "次", En: "N"}, Type: zhidu.ColumnNumber},
		{Name: "by", Label: zhidu.Text{Zh: "人", En: "By"}, Type: zhidu.ColumnText}}},
		{Name: "notes", Label: zhidu.Text{Zh: "备注", En: "Notes"}, Columns: []zhidu.DetailColumn{
			{Name: "text", Label: zhidu.Text{Zh: "内容", En: "Text"}, Type: zhidu.ColumnText}}}}
	put := func(id, kind string, lv zhidu.Level) {
		if _, err := s.PutProcess(ctx, store.Process{ID: id, Kind: kind, Title: id, Level: lv, Department: string(zhidu.DeptWH),
			StartedBy: "wh.clerk", StartedAt: t0, Input: map[string]any{"goods": map[string]any{"sku": "SKU-9", "quantity": 3}}}, "run",
			store.AuditEntry{At: t0, Actor: "wh.clerk", Action: "start", Object: "process:" + id, Decision: "allowed"}); err != nil {
			t.Fatal(err)
		}
	}
	put("returns-a", "returns", zhidu.Internal)
	put("returns-b", "returns", zhidu.Secret)
	put("returns-c", "returns", zhidu.Internal) // no entry yet
	put("other-a", "other", zhidu.Internal)
	if err := s.RecordRegister(ctx, zhidu.RegisterRecord{ProcessID: "returns-a", Kind: "returns", At: t0, Fields: map[string]any{
		"quantity": 2, "grade": "b",
		"checks": []any{map[string]any{"n": 1, "by": "wh.clerk", "secret": "x"}, map[string]any{"n": 2}, "not an object"},
		"notes":  "not a list"}}); err != nil {
		t.Fatal(err)
	}
	all := store.Viewer{Username: "gm", Clearance: zhidu.TopSecret, Leadership: true}
	e, err := s.RegisterEntry(ctx, "returns", &reg, all, "returns-a", t0)
	if err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"row":{"id":"returns-a","level":"internal","state":"running","sku":"SKU-9","quantity":2,"inspected_at":null,"accepted":null,"grade":"b"},` +
		`"details":{"checks":[{"by":"wh.clerk","n":1},{"by":null,"n":2}],"notes":[]}}`; string(j) != want {
		t.Errorf("entry =\n%s\nwant\n%s", j, want)
	}
	// before anything is recorded: the row from the process and the defaults
	e, err = s.RegisterEntry(ctx, "returns", &reg, all, "returns-c", t0)
	if err != nil || e.Row.Value("grade") != "ungraded" || e.Row.Value("quantity") == nil || len(e.Details["checks"]) != 0 || e.Details["checks"] == nil {
		t.Errorf("an entry with nothing recorded: %+v, %v", e, err)
	}
	clerk := store.Viewer{Username: "wh.clerk", Clearance: zhidu.Internal, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptWH}}}
	if _, err := s.RegisterEntry(ctx, "returns", &reg, clerk, "returns-a", t0); err != nil {
		t.Errorf("the clerk's own slip: %v", err)
	}
	for _, c := range []struct {
		name string
		v    store.Viewer
		kind string
		id   string
	}{
		{"above the clearance", clerk, "returns", "returns-b"},
		{"a stranger", store.Viewer{Username: "nobody", Clearance: zhidu.TopSecret}, "returns", "returns-a"},
		{"another kind", all, "returns", "other-a"},
		{"the kind named wrong", all, "other", "returns-a"},
		{"missing", all, "returns", "returns-z"},
	} {
		if _, err := s.RegisterEntry(ctx, c.kind, &reg, c.v, c.id, t0); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
			t.Errorf("%s: %v, want not_found", c.name, err)
		}
	}
}
