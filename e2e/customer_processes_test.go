package e2e

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/web"
	"github.com/zhidu/zhidu/workflows"
)

// fileCustomer registers a customer as user, through the store.
func (s *stack) fileCustomer(user, name, class, phone string, level zhidu.Level) store.Registration {
	s.t.Helper()
	u, err := s.store.User(context.Background(), user)
	if err != nil {
		s.t.Fatal(err)
	}
	phone, ok := zhidu.NormalizePhone(phone)
	if !ok {
		s.t.Fatalf("%s is not a phone number", phone)
	}
	reg, err := s.store.RegisterCustomer(context.Background(), store.AdminChange{Actor: user},
		zhidu.Customer{Name: name, Class: class, Phone: phone, Department: u.Department, Level: level}, time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	return reg
}

// TestCustomerDowngradeThroughTheAPI: a problem with a VIP customer is
// the owning head's downgrade; a major loss goes to Marketing, whose
// blacklisting tells the sales head. Each refusal changes nothing.
func TestCustomerDowngradeThroughTheAPI(t *testing.T) {
	s := newStack(t)
	vip := s.fileCustomer("sales.rep", "华东汽车", zhidu.ClassVIP, "021-5555 0101", zhidu.Internal).Customer
	plain := s.fileCustomer("sales.rep", "恒通机械", zhidu.ClassQualified, "021-5555 0102", zhidu.Internal).Customer
	problem := map[string]any{"problem": "late_payment", "description": "货款逾期 90 天", "major_loss": true}

	s.wantError(s.call("cs.agent", "POST", "/api/v1/customers/"+vip.ID+"/problems", problem), http.StatusNotFound, "not_found")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/customers/cus-none/problems", problem), http.StatusNotFound, "not_found")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/customers/"+vip.ID+"/problems",
		map[string]any{"problem": "rude", "description": ""}), http.StatusBadRequest, "invalid")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/customers/"+plain.ID+"/problems", problem), http.StatusConflict, "conflict")
	if n := s.count(`SELECT count(*) FROM processes WHERE kind = $1`, workflows.KindCustomerDowngrade); n != 0 {
		t.Fatalf("%d downgrades after the refusals, want none", n)
	}
	key := "problem-" + vip.ID // unique per run: the test server's Temporal outlives the database
	p := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/customers/"+vip.ID+"/problems", problem, "Idempotency-Key", key))
	pid := p["id"].(string)
	s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/customers/"+vip.ID+"/problems", problem, "Idempotency-Key", key))
	s.wantError(s.call("sales.head", "POST", "/api/v1/customers/"+vip.ID+"/problems", problem), http.StatusConflict, "conflict")

	task := s.waitTask(pid, workflows.StepDowngrade)
	s.wantError(s.call("sales.rep", "POST", "/api/v1/tasks/"+task+"/claim", nil), http.StatusForbidden, "forbidden")
	s.work("sales.head", task, workflows.OutcomeDowngrade, map[string]any{"class": zhidu.ClassQualified, "reason": "逾期 90 天"})
	report := s.waitTask(pid, workflows.StepBlacklistReport)
	s.work("mkt.head", report, workflows.OutcomeBlacklist, map[string]any{"reason": "造成重大损失"})
	var noticeID string
	s.waitFor("the blacklist notice", func() bool {
		noticeID = s.runningOf(workflows.KindBlacklistNotice, true)
		return noticeID != ""
	})
	notice := s.waitTask(noticeID, workflows.StepBlacklistNotice)
	s.work("sales.head", notice, workflows.OutcomeAcknowledged, map[string]any{})
	s.waitProcess(pid, "completed")
	s.waitProcess(noticeID, "completed")

	if n := s.count(`SELECT count(*) FROM customers WHERE id = $1 AND class = 'qualified'`, vip.ID); n != 1 {
		t.Error("the customer was not downgraded")
	}
	if n := s.count(`SELECT count(*) FROM customer_history WHERE customer_id = $1 AND field = 'class' AND before = 'vip'
        AND after = 'qualified' AND via = 'downgrade' AND actor = 'sales.head'`, vip.ID); n != 1 {
		t.Errorf("%d downgrade history entries, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM customer_blacklist_current WHERE customer_id = $1 AND by_user = 'mkt.head'`, vip.ID); n != 1 {
		t.Errorf("%d blacklist entries, want 1", n)
	}
	for _, action := range []string{"customer.downgrade", "customer.blacklist"} {
		if n := s.count(`SELECT count(*) FROM audit WHERE action = $1 AND object = $2`, action, "customer:"+vip.ID); n != 1 {
			t.Errorf("%d %s audit entries, want 1", n, action)
		}
	}
}

// TestCustomerCrossingThroughTheAPI: a second registration of the number
// is a crossing case; its registrant (of another department, who cannot
// read the file) contests it; the owning head decides it for them, and
// the credit moves.
func TestCustomerCrossingThroughTheAPI(t *testing.T) {
	s := newStack(t)
	first := s.fileCustomer("sales.rep", "联拓电子", zhidu.ClassPreferred, "0512-6666 0101", zhidu.Internal)
	second := s.fileCustomer("cs.agent", "联拓电子有限公司", zhidu.ClassPreferred, "0512 6666 0101", zhidu.Internal)
	if second.Created || second.Crossing == nil {
		t.Fatalf("the second registration: %+v", second)
	}
	// cs.agent, who may not read sales' file, finds the case among theirs,
	// naming nothing of the file.
	mine := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/crossings", nil))["items"].([]any)
	if len(mine) != 1 {
		t.Fatalf("cs.agent's crossing cases: %v", mine)
	}
	got := mine[0].(map[string]any)
	cid := got["id"].(string)
	if cid != second.Crossing.ID || got["customer_id"] != "" || got["credit"] != "" || got["state"] != "open" {
		t.Errorf("cs.agent's case: %v", got)
	}
	// The web inbox lists it on the customers page, with its contest form.
	inbox := httptest.NewServer(web.New(web.Config{}, s.server.Router(), s.store))
	t.Cleanup(inbox.Close)
	se, err := s.store.CreateSession(context.Background(), "cs.agent", time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", inbox.URL+"/customers", nil)
	req.AddCookie(&http.Cookie{Name: "zhidu_session", Value: se.ID})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), `action="/crossings/`+cid+`/contest"`) ||
		!strings.Contains(string(page), "联拓电子有限公司") {
		t.Errorf("cs.agent's customers page (%d) lacks the case or its contest form", res.StatusCode)
	}
	// sales.rep, who holds the credit and reads the file, sees it named.
	if theirs := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/crossings", nil))["items"].([]any); len(theirs) != 1 ||
		theirs[0].(map[string]any)["customer_id"] != first.Customer.ID {
		t.Errorf("sales.rep's crossing cases: %v", theirs)
	}
	if none := s.must(http.StatusOK, s.call("quality.eng", "GET", "/api/v1/crossings", nil))["items"].([]any); len(none) != 0 {
		t.Errorf("quality.eng's crossing cases: %v", none)
	}
	reason := map[string]any{"reason": "客户最初由客服部接待"}
	s.wantError(s.call("quality.eng", "POST", "/api/v1/crossings/"+cid+"/contest", reason), http.StatusNotFound, "not_found")
	s.wantError(s.call("sales.mentor", "POST", "/api/v1/crossings/"+cid+"/contest", reason), http.StatusForbidden, "forbidden")
	s.wantError(s.call("cs.agent", "POST", "/api/v1/crossings/"+cid+"/contest", map[string]any{"reason": ""}), http.StatusBadRequest, "invalid")
	// cs.agent contests it from the customers page of the web inbox.
	form := url.Values{"f.reason": {"客户最初由客服部接待"}, "csrf": {se.CSRF}}
	post, _ := http.NewRequest("POST", inbox.URL+"/crossings/"+cid+"/contest", strings.NewReader(form.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.AddCookie(&http.Cookie{Name: "zhidu_session", Value: se.ID})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = noRedirect.Do(post)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/customers?ok=contested" {
		t.Fatalf("the web contest: %d %s %.300s", res.StatusCode, res.Header.Get("Location"), answer)
	}
	pid := s.runningOf(workflows.KindCustomerCrossing, false)
	s.wantError(s.call("sales.rep", "POST", "/api/v1/crossings/"+cid+"/contest", reason), http.StatusConflict, "conflict")
	task := s.waitTask(pid, workflows.StepCrossingDecision)
	// A party is kept off the decision: the task is not even theirs to see.
	s.wantError(s.call("sales.rep", "POST", "/api/v1/tasks/"+task+"/claim", nil), http.StatusNotFound, "not_found")
	s.work("sales.head", task, zhidu.CrossingSecond, map[string]any{"note": "首次接待记录在客服部"})
	s.waitProcess(pid, "completed")
	if n := s.count(`SELECT count(*) FROM crossing_cases WHERE id = $1 AND state = 'decided' AND decision = 'second'
        AND decided_by = 'sales.head' AND process_id = $2`, cid, pid); n != 1 {
		t.Error("the case is not decided for the second registrant")
	}
	if n := s.count(`SELECT count(*) FROM customers WHERE id = $1 AND credit = 'cs.agent'`, first.Customer.ID); n != 1 {
		t.Error("the credit did not move to cs.agent")
	}
	if n := s.count(`SELECT count(*) FROM customer_history WHERE customer_id = $1 AND field = 'credit' AND before = 'sales.rep'
        AND after = 'cs.agent' AND via = 'crossing'`, first.Customer.ID); n != 1 {
		t.Errorf("%d credit history entries, want 1", n)
	}
}

// runningOf returns the one running process of a kind; "" when there is
// none and that may be (maybe), else the test fails.
func (s *stack) runningOf(kind string, maybe bool) string {
	s.t.Helper()
	var id string
	err := s.pool.QueryRow(context.Background(), `SELECT id FROM processes WHERE kind = $1 AND state = 'running'`, kind).Scan(&id)
	if err != nil && !(maybe && errors.Is(err, pgx.ErrNoRows)) {
		s.t.Fatal(err)
	}
	return id
}

// TestSignedOrderChangesOnlyBySignature: a draft is edited directly; a
// signed order is not (409), its change is a task for the head or a team
// lead that its requester may not sign; signed, the file's history keeps
// the old and new values. A blacklisted customer gets no signed order.
func TestSignedOrderChangesOnlyBySignature(t *testing.T) {
	s := newStack(t)
	cust := s.fileCustomer("sales.rep", "恒通机械", zhidu.ClassPreferred, "0510-7777 0101", zhidu.Internal).Customer
	lines := []map[string]any{{"item": "XR-200 控制器", "quantity": 10, "unit_price": 1250.5}}
	body := map[string]any{"lines": lines, "payment_terms": "月结 30 天"}

	s.wantError(s.call("cs.agent", "POST", "/api/v1/customers/"+cust.ID+"/orders", body), http.StatusNotFound, "not_found")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/customers/"+cust.ID+"/orders",
		map[string]any{"lines": []map[string]any{{"item": "", "quantity": 0, "unit_price": 1.234}}, "payment_terms": ""}),
		http.StatusBadRequest, "invalid")
	o := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/customers/"+cust.ID+"/orders", body))
	oid := o["id"].(string)
	if o["total"] != 12505.0 || o["state"] != "draft" {
		t.Fatalf("the draft: %v", o)
	}
	body["payment_terms"] = "月结 60 天"
	s.must(http.StatusOK, s.call("sales.rep", "PATCH", "/api/v1/orders/"+oid, body))
	s.must(http.StatusOK, s.call("sales.rep", "POST", "/api/v1/orders/"+oid+"/sign", nil))
	body["lines"] = []map[string]any{{"item": "XR-200 控制器", "quantity": 12, "unit_price": 1250.5}}
	s.wantError(s.call("sales.rep", "PATCH", "/api/v1/orders/"+oid, body), http.StatusConflict, "conflict")
	if n := s.count(`SELECT count(*) FROM customer_orders WHERE id = $1 AND (lines->0->>'quantity')::float = 10`, oid); n != 1 {
		t.Fatal("the refused edit changed the signed order")
	}
	change := map[string]any{"lines": body["lines"], "payment_terms": "月结 60 天", "reason": "客户追加 2 台"}
	p := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/orders/"+oid+"/changes", change))
	pid := p["id"].(string)
	s.wantError(s.call("sales.head", "POST", "/api/v1/orders/"+oid+"/changes", change), http.StatusConflict, "conflict")
	task := s.waitTask(pid, workflows.StepOrderChangeSign)
	s.wantError(s.call("sales.rep", "POST", "/api/v1/tasks/"+task+"/claim", nil), http.StatusForbidden, "forbidden")
	s.work("sales.head", task, workflows.OutcomeApprove, map[string]any{})
	s.waitProcess(pid, "completed")
	got := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/orders/"+oid, nil))
	if got["total"] != 15006.0 {
		t.Errorf("the order after the change: %v", got)
	}
	if n := s.count(`SELECT count(*) FROM customer_history WHERE customer_id = $1 AND field = $2 AND via = 'order_change'
        AND actor = 'sales.head' AND before LIKE '%"quantity":10%' AND after LIKE '%"quantity":12%'`, cust.ID, "order:"+oid+".lines"); n != 1 {
		t.Errorf("%d history entries of the change, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'order.change' AND actor = 'sales.head' AND detail->>'requester' = 'sales.rep'`); n != 1 {
		t.Errorf("%d order.change audit entries, want 1", n)
	}

	// A blacklisted customer's draft is not signed. The Marketing
	// Division's blacklisting tells the sales head.
	draft := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/customers/"+cust.ID+"/orders", body))
	s.must(http.StatusCreated, s.call("mkt.head", "POST", "/api/v1/customers/"+cust.ID+"/blacklist", map[string]any{"reason": "拖欠货款"}))
	s.wantError(s.call("mkt.head", "POST", "/api/v1/customers/"+cust.ID+"/blacklist", map[string]any{"reason": "拖欠货款"}),
		http.StatusConflict, "conflict")
	if n := s.count(`SELECT count(*) FROM processes WHERE kind = $1`, workflows.KindBlacklistNotice); n != 1 {
		t.Errorf("%d blacklist notices, want 1", n)
	}
	nid := s.runningOf(workflows.KindBlacklistNotice, false)
	notice := s.waitTask(nid, workflows.StepBlacklistNotice)
	s.work("sales.head", notice, workflows.OutcomeAcknowledged, map[string]any{"notes": "已转告"})
	e := s.wantError(s.call("sales.rep", "POST", "/api/v1/orders/"+draft["id"].(string)+"/sign", nil), http.StatusConflict, "conflict")
	if msg, _ := e["message"].(string); !strings.Contains(msg, "blacklist") {
		t.Errorf("the refusal says %q", msg)
	}
}

// TestLeavingHandsOverCustomersAndTasks: the system administrator
// disables an account responsible for customers only with a colleague to
// take over; the files move at once, the tasks the leaver held go to the
// colleague through their processes, and the colleague is asked to tell
// each customer.
func TestLeavingHandsOverCustomersAndTasks(t *testing.T) {
	s := newStack(t)
	client := s.fileCustomer("newhire", "顺达物流", zhidu.ClassPreferred, "0571-9999 0101", zhidu.Internal).Customer
	complaint := productComplaint()
	complaint["category"], complaint["subject"] = "fees", "运费太贵"
	cid := s.startComplaint("cs.agent", complaint)
	s.work("cs.super", s.waitTask(cid, workflows.StepTriage), "invalid", map[string]any{"reason": "the fee is as contracted"})
	s.work("cs.agent", s.waitTask(cid, workflows.StepReply), "sent", map[string]any{"method": "phone", "reply": "运费按合同收取。"})
	recv := s.waitTask(cid, workflows.StepReceivables)
	s.must(http.StatusOK, s.call("newhire", "POST", "/api/v1/tasks/"+recv+"/claim", nil))

	disable := map[string]any{"disabled": true}
	s.wantError(s.call("sysadmin", "PATCH", "/api/v1/admin/users/newhire", disable), http.StatusBadRequest, "invalid")
	s.wantError(s.call("sysadmin", "PATCH", "/api/v1/admin/users/newhire", map[string]any{"handover_to": "sales.rep"}),
		http.StatusBadRequest, "invalid")
	s.wantError(s.call("sysadmin", "PATCH", "/api/v1/admin/users/newhire", map[string]any{"disabled": true, "handover_to": "newhire"}),
		http.StatusBadRequest, "invalid")
	if n := s.count(`SELECT count(*) FROM users WHERE username = 'newhire' AND NOT disabled`); n != 1 {
		t.Fatal("a refused disabling disabled the account")
	}
	s.must(http.StatusOK, s.call("sysadmin", "PATCH", "/api/v1/admin/users/newhire", map[string]any{"disabled": true, "handover_to": "sales.rep"}))
	s.waitFor("newhire's customer handed to sales.rep", func() bool {
		return s.count(`SELECT count(*) FROM customers WHERE id = $1 AND responsible = 'sales.rep'`, client.ID) == 1
	})
	s.waitFor("the complaint hands newhire's task to sales.rep", func() bool {
		return s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND assignee = 'sales.rep'`, recv) == 1
	})
	handover := s.runningOf(workflows.KindCustomerHandover, false)
	notice := s.waitTask(handover, workflows.StepNotifyCustomer)
	s.work("sales.rep", notice, workflows.OutcomeNotified, map[string]any{"method": "visit", "notes": "已上门告知"})
	s.waitProcess(handover, "completed")
	if n := s.count(`SELECT count(*) FROM customer_history WHERE customer_id = $1 AND field = 'responsible' AND before = 'newhire'
        AND after = 'sales.rep' AND via = 'handover'`, client.ID); n != 1 {
		t.Errorf("%d handover history entries, want 1", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'customer.handover' AND object = 'user:newhire'`); n != 1 {
		t.Errorf("%d customer.handover audit entries, want 1", n)
	}
}
