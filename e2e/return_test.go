package e2e

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu/internal/accesstable"
)

// returnSlip is a valid return slip of sales: 100 × ¥48.50 = ¥4,850, under
// the GM threshold.
func returnSlip(changes map[string]any) map[string]any {
	slip := map[string]any{
		"customer": "华联超市 Hualian", "product": "生抽 500ml", "batch": "B2026-11-03", "production_date": "2026-11-03",
		"production_unit": "二车间", "shift": "早班", "operator": "李师傅", "quantity": 100, "unit": "箱", "unit_price": 48.5,
		"reason": "包装破损 damaged packaging", "handling": "credit", "basis": "客户验收记录 2026-11-20",
	}
	for k, v := range changes {
		if v == nil {
			delete(slip, k)
		} else {
			slip[k] = v
		}
	}
	return slip
}

func (s *stack) startReturn(user string, body map[string]any) string {
	s.t.Helper()
	p := s.must(http.StatusCreated, s.call(user, "POST", "/api/v1/processes/return", body))
	return p["id"].(string)
}

// readersOf lists the demo users who may read the process, by asking the
// API as each of them (a reader gets 200, everyone else 404).
func (s *stack) readersOf(processID string) []string {
	s.t.Helper()
	var out []string
	for _, u := range accesstable.Users() {
		switch r := s.call(u, "GET", "/api/v1/processes/"+processID, nil); r.Status {
		case http.StatusOK:
			out = append(out, u)
		case http.StatusNotFound, http.StatusForbidden:
		default:
			s.t.Fatalf("GET the process as %s: %d %s", u, r.Status, r.Body)
		}
	}
	sort.Strings(out)
	return out
}

func sorted(ss ...string) []string { sort.Strings(ss); return ss }

// TestReturnFourCopies follows a return slip through the API as the demo
// users: before approval only sales (its department) and the approval's
// people read it; once approved, copies 2–4 open it to the warehouse,
// finance and sales and to nobody else; the warehouse receives, finance
// reconciles, and the voucher is issued once.
func TestReturnFourCopies(t *testing.T) {
	s := newStack(t)
	id := s.startReturn("sales.rep", returnSlip(nil))
	s.waitTask(id, "manager_approval")
	p := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/processes/"+id, nil))
	if r, _ := p["readers"].([]any); len(r) != 1 || r[0] != "sales" {
		t.Fatalf("readers before approval = %v, want [sales]", p["readers"])
	}
	if in := p["input"].(map[string]any); in["amount"] != 4850.0 {
		t.Fatalf("amount = %v, want 4850 (computed)", in["amount"])
	}
	// Before approval: the GM's office, the requester, the approver
	// (sales.head) and the VP in charge of sales. Not compliance: the slip
	// is confined to sales.
	before := sorted("deputy", "gm", "sales.head", "sales.rep", "vp.ops")
	if got := s.readersOf(id); !slices.Equal(got, before) {
		t.Fatalf("readers before approval = %v, want %v", got, before)
	}
	task := s.waitTask(id, "manager_approval")
	// The requester never approves their own slip; the warehouse cannot
	// even see it.
	s.wantError(s.call("sales.rep", "POST", "/api/v1/tasks/"+task+"/claim", nil), http.StatusForbidden, "forbidden")
	s.wantError(s.call("wh.clerk", "POST", "/api/v1/tasks/"+task+"/claim", nil), http.StatusNotFound, "not_found")
	s.work("sales.head", task, "approve", map[string]any{"opinion": "同意"})

	receipt := s.waitTask(id, "receipt")
	p = s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/processes/"+id, nil))
	if r, _ := p["readers"].([]any); len(r) != 3 || r[0] != "sales" || r[1] != "wh" || r[2] != "fin" {
		t.Fatalf("readers after approval = %v, want [sales wh fin]", p["readers"])
	}
	// After approval: the warehouse (the receipt's candidates), finance's
	// head and its VP join; marketing, quality, HR and compliance do not.
	after := sorted("deputy", "gm", "sales.head", "sales.rep", "vp.ops", "wh.clerk", "fin.head", "vp.admin")
	if got := s.readersOf(id); !slices.Equal(got, after) {
		t.Fatalf("readers after approval = %v, want %v", got, after)
	}
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'process_shared'`, id); n != 1 {
		t.Fatalf("%d process_shared entries, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE object = $1 AND action = 'process.share'`, "process:"+id); n != 1 {
		t.Fatalf("%d process.share audit entries, want 1", n)
	}

	// A negative count is refused and changes nothing.
	s.must(http.StatusOK, s.call("wh.clerk", "POST", "/api/v1/tasks/"+receipt+"/claim", nil))
	e := s.wantError(s.call("wh.clerk", "POST", "/api/v1/tasks/"+receipt+"/complete",
		map[string]any{"outcome": "received", "data": map[string]any{"received_quantity": -1, "condition": "完好"}}), http.StatusBadRequest, "invalid")
	if !strings.Contains(r2s(e), "received_quantity") {
		t.Fatalf("error = %v, want received_quantity named", e)
	}
	s.must(http.StatusOK, s.call("wh.clerk", "POST", "/api/v1/tasks/"+receipt+"/complete",
		map[string]any{"outcome": "received", "data": map[string]any{"received_quantity": 98, "condition": "两箱缺失"}}))

	// 100 approved, 98 received: finance cannot call it a match; sales and
	// the warehouse settle the discrepancy, finance reconciles again.
	rec := s.waitTask(id, "reconcile")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/tasks/"+rec+"/claim", nil), http.StatusForbidden, "forbidden")
	s.must(http.StatusOK, s.call("fin.clerk", "POST", "/api/v1/tasks/"+rec+"/claim", nil))
	s.wantError(s.call("fin.clerk", "POST", "/api/v1/tasks/"+rec+"/complete",
		map[string]any{"outcome": "match", "data": map[string]any{}}), http.StatusBadRequest, "invalid")
	s.must(http.StatusOK, s.call("fin.clerk", "POST", "/api/v1/tasks/"+rec+"/complete",
		map[string]any{"outcome": "mismatch", "data": map[string]any{"notes": "实收 98 箱"}}))
	disc := s.waitTask(id, "discrepancy")
	s.work("sales.rep", disc, "amend", map[string]any{"approved_quantity": 98, "reason": "客户确认两箱未退回"})
	rec = s.waitTask(id, "reconcile")
	s.work("fin.clerk", rec, "match", map[string]any{})
	s.waitProcess(id, "completed")

	p = s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/processes/"+id, nil))
	if p["result"] != "credited" {
		t.Fatalf("result = %v, want credited", p["result"])
	}
	var voucher string
	if err := s.pool.QueryRow(t.Context(), `SELECT number FROM vouchers WHERE process_id = $1`, id).Scan(&voucher); err != nil {
		t.Fatal(err)
	}
	if want := "PZ-" + time.Now().UTC().Format("2006") + "-"; !strings.HasPrefix(voucher, want) || len(voucher) != len(want)+6 {
		t.Fatalf("voucher = %q, want %sNNNNNN", voucher, want)
	}
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'voucher_issued'`, id); n != 1 {
		t.Fatalf("%d voucher_issued entries, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE object = $1 AND action = 'voucher.issue'`, "process:"+id); n != 1 {
		t.Fatalf("%d voucher.issue audit entries, want 1", n)
	}
}

func r2s(v any) string {
	var b strings.Builder
	for k, x := range v.(map[string]any) {
		b.WriteString(k)
		b.WriteString("=")
		if m, ok := x.(map[string]any); ok {
			for f := range m {
				b.WriteString(f + " ")
			}
		}
		b.WriteString(";")
	}
	return b.String()
}

// TestReturnStartRefusals: every bad slip is a 400 naming its field, and
// starts nothing; who may not start a return gets 403.
func TestReturnStartRefusals(t *testing.T) {
	s := newStack(t)
	tomorrow := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	for _, tc := range []struct {
		name, field string
		change      map[string]any
	}{
		{"zero quantity", "quantity", map[string]any{"quantity": 0}},
		{"negative quantity", "quantity", map[string]any{"quantity": -5}},
		{"fractional quantity", "quantity", map[string]any{"quantity": 2.5}},
		{"negative price", "unit_price", map[string]any{"unit_price": -1}},
		{"unknown handling", "handling", map[string]any{"handling": "swap"}},
		{"future production date", "production_date", map[string]any{"production_date": tomorrow}},
		{"not a date", "production_date", map[string]any{"production_date": "03/11/2026"}},
		{"missing customer", "customer", map[string]any{"customer": nil}},
		{"level above clearance", "level", map[string]any{"level": "secret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := s.wantError(s.call("sales.rep", "POST", "/api/v1/processes/return", returnSlip(tc.change)), http.StatusBadRequest, "invalid")
			fields, _ := e["fields"].(map[string]any)
			if _, ok := fields[tc.field]; !ok {
				t.Fatalf("error = %v, want a message for %s", e, tc.field)
			}
		})
	}
	s.wantError(s.call("sales.rep", "POST", "/api/v1/processes/return", returnSlip(map[string]any{"amount": 1})), http.StatusBadRequest, "invalid")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/processes/return", returnSlip(map[string]any{"reason": "bad\x00byte"})), http.StatusBadRequest, "invalid")
	for _, u := range []string{"wh.clerk", "quality.eng", "fin.clerk"} {
		s.wantError(s.call(u, "POST", "/api/v1/processes/return", returnSlip(nil)), http.StatusForbidden, "forbidden")
	}
	if n := s.count(`SELECT count(*) FROM processes WHERE kind = 'return'`); n != 0 {
		t.Fatalf("%d return processes after refused starts, want 0", n)
	}
}

// TestReturnSignedContract: a slip under a signed contract is not returned
// (签订合同后, 坚决不退): the manager's approval is refused, the GM's needs a
// reason, and the override is in the timeline and the audit trail. Above
// the threshold the GM's override is the GM's approval too.
func TestReturnSignedContract(t *testing.T) {
	s := newStack(t)
	id := s.startReturn("sales.rep", returnSlip(map[string]any{"contract": "HT-2026-0042", "quantity": 300}))
	task := s.waitTask(id, "manager_approval")
	s.must(http.StatusOK, s.call("sales.head", "POST", "/api/v1/tasks/"+task+"/claim", nil))
	s.wantError(s.call("sales.head", "POST", "/api/v1/tasks/"+task+"/complete",
		map[string]any{"outcome": "approve", "data": map[string]any{"opinion": "同意"}}), http.StatusBadRequest, "invalid")
	s.must(http.StatusOK, s.call("sales.head", "POST", "/api/v1/tasks/"+task+"/unclaim", nil))
	s.must(http.StatusOK, s.call("gm", "POST", "/api/v1/tasks/"+task+"/claim", nil))
	s.wantError(s.call("gm", "POST", "/api/v1/tasks/"+task+"/complete",
		map[string]any{"outcome": "approve", "data": map[string]any{}}), http.StatusBadRequest, "invalid")
	s.must(http.StatusOK, s.call("gm", "POST", "/api/v1/tasks/"+task+"/complete",
		map[string]any{"outcome": "approve", "data": map[string]any{"override_reason": "长期客户，特批退货"}}))
	s.waitTask(id, "receipt") // no second GM step: the GM approved already
	if n := s.count(`SELECT count(*) FROM tasks WHERE process_id = $1 AND step = 'gm_approval'`, id); n != 0 {
		t.Fatalf("%d gm_approval tasks after the GM's override, want 0", n)
	}
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'task_completed' AND detail::text LIKE '%特批退货%'`, id); n != 1 {
		t.Fatalf("the override reason is in %d timeline entries, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE object = $1 AND action = 'return.contract_override' AND detail::text LIKE '%特批退货%'`, "process:"+id); n != 1 {
		t.Fatalf("the override reason is in %d audit entries, want 1", n)
	}
}

// TestReturnAboveThreshold: above ¥10,000 the GM approves after the
// manager.
func TestReturnAboveThreshold(t *testing.T) {
	s := newStack(t)
	id := s.startReturn("cs.agent", returnSlip(map[string]any{"quantity": 300})) // ¥14,550
	s.work("cs.head", s.waitTask(id, "manager_approval"), "approve", map[string]any{})
	gmTask := s.waitTask(id, "gm_approval")
	s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+gmTask+"/claim", nil), http.StatusForbidden, "forbidden")
	s.work("gm", gmTask, "approve", map[string]any{})
	s.waitTask(id, "receipt")
}

// TestComplaintReturnReply: a complaint whose approved remedy is a return
// opens a return slip as its child, waits until the return is closed —
// no reply task before — and then replies; the complaint's timeline says
// when the return started and how it ended.
func TestComplaintReturnReply(t *testing.T) {
	s := newStack(t)
	id := s.startComplaint("cs.agent", productComplaint())
	s.claimComplete("cs.super", s.waitTask(id, "triage"), "valid", map[string]any{"responsible_department": "quality"})
	s.claimComplete("quality.eng", s.waitTask(id, "investigation"), "submit",
		map[string]any{"cause": "a faulty seal", "responsibility": "packaging line 2", "remedy": "return"})
	s.claimComplete("vp.ops", s.waitTask(id, "approval"), "approve", map[string]any{"comments": "同意"})
	slipTask := s.waitTask(id, "return_slip")
	s.must(http.StatusOK, s.call("quality.eng", "POST", "/api/v1/tasks/"+slipTask+"/claim", nil))
	s.wantError(s.call("quality.eng", "POST", "/api/v1/tasks/"+slipTask+"/complete", map[string]any{"outcome": "done",
		"data": map[string]any{"production_date": "2026-11-03", "production_unit": "二车间", "quantity": 0, "unit": "瓶", "unit_price": 15.5}}),
		http.StatusBadRequest, "invalid")
	s.must(http.StatusOK, s.call("quality.eng", "POST", "/api/v1/tasks/"+slipTask+"/complete", map[string]any{"outcome": "done",
		"data": map[string]any{"production_date": "2026-11-03", "production_unit": "二车间", "quantity": 12, "unit": "瓶", "unit_price": 15.5}}))

	var child string
	deadline := time.Now().Add(20 * time.Second)
	for child == "" && time.Now().Before(deadline) {
		_ = s.pool.QueryRow(t.Context(), `SELECT id FROM processes WHERE kind = 'return' AND input->>'complaint' = $1`, id).Scan(&child)
		time.Sleep(20 * time.Millisecond)
	}
	if child == "" {
		t.Fatal("the complaint opened no return slip")
	}
	p := s.must(http.StatusOK, s.call("quality.eng", "GET", "/api/v1/processes/"+child, nil))
	if in := p["input"].(map[string]any); in["customer"] != "李女士" || in["product"] != "生抽 500ml" || in["handling"] != "credit" {
		t.Fatalf("the slip = %v, want it filled from the complaint", in)
	}
	s.work("cs.head", s.waitTask(child, "manager_approval"), "approve", map[string]any{})
	s.work("wh.clerk", s.waitTask(child, "receipt"), "received", map[string]any{"received_quantity": 12, "condition": "胀袋"})
	if n := s.count(`SELECT count(*) FROM tasks WHERE process_id = $1 AND step = 'reply'`, id); n != 0 {
		t.Fatalf("%d reply tasks while the return is open, want 0", n)
	}
	s.work("fin.clerk", s.waitTask(child, "reconcile"), "match", map[string]any{})
	s.waitProcess(child, "completed")
	reply := s.waitTask(id, "reply")
	task := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/tasks/"+reply, nil))
	if r, _ := task["context"].(map[string]any)["return"].(map[string]any); r["process"] != child || r["result"] != "credited" {
		t.Fatalf("reply context = %v, want the return's result", task["context"])
	}
	for _, action := range []string{"child_started", "child_finished"} {
		if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action = $2`, id, action); n != 1 {
			t.Fatalf("%d %s entries in the complaint's timeline, want 1", n, action)
		}
	}
}
