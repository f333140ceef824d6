package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/activities"
	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/internal/testdb"
	"github.com/zhidu/zhidu/store"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The golden complaint register (testdata/complaint_register.golden) was
// written by the complaint register as it was before registers became
// generic (store.Complaints, store.WriteComplaintsCSV, api's
// listComplaints): what GET /api/v1/complaints answered, byte for byte, on
// a fixed data set, for every filter, the paging, the CSV export, the bad
// parameters and several readers. Whatever serves the register now must
// answer the same bytes.

// registerNow is the server's clock in the golden test: tasks due before
// it are overdue.
var registerNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// registerStack is a stack without Temporal: the register is read from
// PostgreSQL only, and the data set is written with the activities the
// workflows call.
func registerStack(t *testing.T) *stack {
	t.Helper()
	st, creds := testdb.Demo(t, 10)
	az, err := authz.New(st.Pool)
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.DefaultConfig()
	cfg.RatePerAddress, cfg.RatePerUser = api.Rate{}, api.Rate{}
	s := &stack{t: t, pool: st.Pool, store: st, creds: creds}
	s.server = api.New(st, az, nil, cfg)
	s.server.Now = func() time.Time { return registerNow }
	s.http = httptest.NewServer(s.server.Router())
	t.Cleanup(s.http.Close)
	return s
}

// seedComplaintRegister writes the golden data set: complaints at every
// stage and level, one misconduct complaint barring its accused, a
// cancelled one, texts a spreadsheet would take for formulas and HTML
// characters, times with nanoseconds, and an approval (never in the
// register).
func seedComplaintRegister(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	acts := &activities.Activities{Store: st}
	t0 := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min)*time.Minute + 123456789*time.Nanosecond) }
	yes, no := true, false
	amount := func(f float64) *float64 { return &f }
	stamp := func(tm time.Time) *time.Time { return &tm }
	type complaint struct {
		id, by  string
		level   zhidu.Level
		started time.Time
		input   map[string]any
		barred  []string
		records []zhidu.ComplaintRecord
		task    *zhidu.CreateTaskInput // an open task, with its due time
		finish  zhidu.ProcessState
	}
	intake := func(name, contact, channel, category, subject, product, batch string) map[string]any {
		m := map[string]any{"complainant": map[string]any{"name": name, "contact": contact}, "channel": channel,
			"category": category, "subject": subject, "content": "内容 " + subject, "level": "internal"}
		if product != "" {
			m["product"] = product
		}
		if batch != "" {
			m["batch"] = batch
		}
		return m
	}
	task := func(step string, due time.Time, cands ...zhidu.Candidate) *zhidu.CreateTaskInput {
		return &zhidu.CreateTaskInput{CreatedAt: t0, DueAt: &due, Spec: zhidu.TaskSpec{StepKey: step, Step: step,
			Title: zhidu.Text{Zh: step, En: step}, Department: zhidu.DeptCS, Candidates: cands, Priority: 2,
			Form: zhidu.Form{Outcomes: []string{"done"}}}}
	}
	cs := func(r zhidu.Role) zhidu.Candidate { return zhidu.Candidate{Role: r, Department: zhidu.DeptCS} }
	complaints := []complaint{
		{id: "complaint-0001", by: "cs.agent", level: zhidu.Internal, started: t0,
			input: intake("王丽", "=1+1", "phone", "product_quality", "酸奶胀袋 <b>&amp;</b>", "原味酸奶 200g", "20261118-B3"),
			records: []zhidu.ComplaintRecord{{Stage: "investigation", Category: "product_quality", Important: &no, At: at(30)},
				{Stage: "investigation", Valid: &yes, ResponsibleDepartment: "quality", At: at(31)}},
			task: task("investigation", t0.Add(24*time.Hour), zhidu.Candidate{User: "quality.eng"})},
		{id: "complaint-0002", by: "cs.super", level: zhidu.Internal, started: at(10),
			input: intake("李女士", "138-0000-0000", "web", "fees", "运费太贵", "", ""),
			task:  task("triage", registerNow.Add(time.Hour), cs(zhidu.RoleSupervisor))},
		{id: "complaint-0003", by: "cs.head", level: zhidu.Secret, started: at(20), barred: []string{"cs.super"},
			input: intake("张三", "+86 10 1234", "visit", "misconduct", "销售员态度恶劣", "", ""),
			records: []zhidu.ComplaintRecord{{Stage: "investigation", Category: "misconduct", Important: &no, At: at(40)},
				{Stage: "investigation", Valid: &yes, ResponsibleDepartment: "sales", At: at(41)}},
			task: task("investigation", t0.Add(2*time.Hour), zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptSales})},
		{id: "complaint-0004", by: "cs.agent", level: zhidu.Internal, started: at(20),
			input: intake("@SUM(A1)", "-5", "letter", "service_quality", "快递员\t没送上楼", "", ""),
			records: []zhidu.ComplaintRecord{{Stage: "investigation", Category: "service_quality", Important: &no, At: at(50)},
				{Stage: "investigation", Valid: &yes, ResponsibleDepartment: "wh", At: at(51)},
				{Stage: "approval", Cause: "c", Responsibility: "r", Remedy: "compensate", Compensation: amount(1234.565), At: at(60)},
				{Stage: "remedy", ApprovedBy: []string{"vp.ops"}, At: at(70)},
				{Stage: "reply", At: at(80)},
				{ReplyMethod: "phone", ReplyText: "已赔偿", RepliedAt: stamp(at(90)), CustomerFeedback: "ok", Disputed: &no, At: at(90)},
				{Stage: "follow_up", At: at(91)},
				{Satisfaction: "satisfied", At: at(100)},
				{Stage: "closed", ClosedAt: stamp(at(110)), RetainUntil: stamp(at(110).Add(365 * 24 * time.Hour)), At: at(110)}},
			finish: zhidu.ProcessCompleted},
		{id: "complaint-0005", by: "cs.super", level: zhidu.Internal, started: at(60),
			input: intake("赵六", "zhao@example.com", "web", "other", "＝全角等号", "", ""),
			records: []zhidu.ComplaintRecord{{Stage: "investigation", Category: "fees", Important: &yes, At: at(61)},
				{Stage: "investigation", Valid: &yes, ResponsibleDepartment: "fin", At: at(62)},
				{Stage: "approval", Remedy: "none", Compensation: amount(0), At: at(63)},
				{Stage: "closed", ClosedAt: stamp(at(120)), RetainUntil: stamp(at(120).Add(365 * 24 * time.Hour)), At: at(120)}},
			finish: zhidu.ProcessCompleted},
		{id: "complaint-0006", by: "cs.head", level: zhidu.Confidential, started: at(70),
			input: intake("机密客户", "保密", "phone", "product_quality", "召回事件", "婴儿奶粉", "X1")},
		{id: "complaint-0007", by: "cs.agent", level: zhidu.Internal, started: at(80),
			input:   intake("钱七", "qian", "phone", "fees", "重复投诉", "", ""),
			records: []zhidu.ComplaintRecord{{Stage: "reply", Category: "fees", Important: &no, Valid: &no, InvalidReason: "重复", At: at(81)}},
			finish:  zhidu.ProcessCancelled},
		{id: "complaint-0008", by: "gm", level: zhidu.Public, started: at(90),
			input: intake("孙八", "sun", "visit", "service_quality", "公开表扬", "", ""),
			task:  task("triage", t0.Add(time.Hour), cs(zhidu.RoleSupervisor))},
	}
	for i, c := range complaints {
		p := store.Process{ID: c.id, Kind: "complaint", Title: c.input["subject"].(string), Level: c.level, Department: string(zhidu.DeptCS),
			StartedBy: c.by, StartedAt: c.started, Input: c.input, Barred: c.barred}
		if _, err := st.PutProcess(ctx, p, "run-"+c.id, store.AuditEntry{At: c.started, Actor: c.by, Action: "start",
			Object: "process:" + c.id, Decision: "allowed"}); err != nil {
			t.Fatal(err)
		}
		for _, r := range c.records {
			r.ProcessID = c.id
			if err := acts.RecordComplaint(ctx, r); err != nil {
				t.Fatalf("%s: %v", c.id, err)
			}
		}
		if c.task != nil {
			in := *c.task
			in.TaskID = fmt.Sprintf("t-%04d", i)
			in.Process = zhidu.ProcessInfo{ID: c.id, RunID: "run-" + c.id, Kind: "complaint", Title: p.Title, Level: c.level,
				Department: zhidu.DeptCS, StartedBy: c.by, Barred: c.barred}
			in.Spec.Level = c.level
			if _, err := st.CreateTask(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		if c.finish != "" {
			if err := st.FinishProcess(ctx, zhidu.FinishRecord{ProcessID: c.id, State: c.finish, Actor: c.by, At: at(130)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	approval := store.Process{ID: "approval-0001", Kind: "approval", Title: "不是投诉", Level: zhidu.Internal,
		Department: string(zhidu.DeptCS), StartedBy: "cs.agent", StartedAt: at(5), Input: map[string]any{"title": "不是投诉"}}
	if _, err := st.PutProcess(ctx, approval, "run-a", store.AuditEntry{At: at(5), Actor: "cs.agent", Action: "start",
		Object: "process:approval-0001", Decision: "allowed"}); err != nil {
		t.Fatal(err)
	}
}

// registerCase is one request of the golden test; "{next}" in a path is
// the next_cursor of the case before.
type registerCase struct{ user, path string }

func complaintRegisterCases(base string) []registerCase {
	long := strings.Repeat("d", 33)
	forged := cursorOf("2026-11-27 09:20:00.123456+00", "complaint-0004") // a cursor this server could have issued
	cases := []registerCase{}
	for _, u := range []string{"gm", "cs.head", "cs.super", "cs.agent", "quality.eng", "sales.head", "sales.rep", "bmo.auditor", "vp.ops"} {
		cases = append(cases, registerCase{u, base}, registerCase{u, base + "?format=csv"})
	}
	for _, q := range []string{"?category=fees", "?category=product_quality", "?stage=triage", "?stage=closed", "?stage=investigation",
		"?department=quality", "?department=sales", "?department=", "?state=completed,cancelled", "?state=running",
		"?received_after=2026-11-27T09:20:00Z", "?received_before=2026-11-27T09:20:00.123456789Z",
		"?received_after=2026-11-27T08:00:00%2B08:00", "?overdue=true", "?overdue=false", "?overdue=1",
		"?format=json", "?format=csv&category=fees", "?format=csv&stage=closed&limit=1", "?format=csv&cursor=garbage",
		"?category=fees&stage=reply&state=cancelled", "?limit=1", "?limit=200",
		"?limit=3", "?limit=3&cursor={next}", "?limit=3&cursor={next}", "?limit=2&state=running", "?limit=2&state=running&cursor={next}",
		"?cursor=" + forged, "?cursor=" + cursorOf("2026-11-27 09:20:00+00", "p\x00"), "?cursor=" + cursorOf("27 Nov", "x"),
		// bad parameters
		"?category=weather", "?stage=nowhere", "?state=running,done", "?received_after=yesterday", "?received_before=2026-11-27",
		"?overdue=maybe", "?limit=0", "?limit=201", "?limit=x", "?format=pdf", "?cursor=garbage", "?department=" + long,
		"?cursor=" + strings.Repeat("c", 501), "?category=x&stage=y&overdue=z&format=xml",
	} {
		cases = append(cases, registerCase{"gm", base + q})
	}
	cases = append(cases, registerCase{"cs.agent", base + "?limit=1"}, registerCase{"cs.agent", base + "?limit=1&cursor={next}"},
		registerCase{"cs.agent", base + "?state=completed&format=csv"}, registerCase{"", base})
	return cases
}

// renderRegister answers every case and writes status, the headers a
// client reads and the body.
func renderRegister(t *testing.T, s *stack, cases []registerCase) []byte {
	t.Helper()
	var out bytes.Buffer
	next := ""
	for _, c := range cases {
		path := strings.ReplaceAll(c.path, "{next}", next)
		r := s.call(c.user, "GET", path, nil)
		fmt.Fprintf(&out, "### %s GET %s\n%d\nContent-Type: %s\nContent-Disposition: %s\n\n%s\n", c.user, path, r.Status,
			r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"), r.Body)
		var page struct {
			Next string `json:"next_cursor"`
		}
		if json.Unmarshal(r.Body, &page) == nil {
			next = page.Next
		}
	}
	return out.Bytes()
}

// TestComplaintRegisterGolden: GET /api/v1/complaints answers what it
// answered before registers became generic.
func TestComplaintRegisterGolden(t *testing.T) {
	// pgx reads timestamptz in the local time zone; the golden file is UTC.
	local := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = local })
	s := registerStack(t)
	seedComplaintRegister(t, s.store)
	got := renderRegister(t, s, complaintRegisterCases("/api/v1/complaints"))
	compareGolden(t, "testdata/complaint_register.golden", got, *updateGolden)
	// The generic route answers the same bytes: /complaints is its alias.
	got = renderRegister(t, s, complaintRegisterCases("/api/v1/registers/complaint"))
	got = bytes.ReplaceAll(got, []byte(" GET /api/v1/registers/complaint"), []byte(" GET /api/v1/complaints"))
	compareGolden(t, "testdata/complaint_register.golden", got, false)
}

// compareGolden compares got with the golden file at path, rewriting it
// first when update is set (go test -run TestComplaintRegisterGolden
// -update: only for a change of the answers that is meant).
func compareGolden(t *testing.T, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := "", ""
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got: %.300s\nwant: %.300s", path, i+1, g, w)
			}
		}
	}
}
