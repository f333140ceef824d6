package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/internal/accesstable"
	"github.com/zhidu/zhidu/workflows"
)

// TestCustomerAccessTableOverHTTP runs the customer rows of the access
// table through the API: a read answers 200 or 404, an edit 200, 403 or
// 404 (and changes nothing when refused), the permissions a page reports
// agree, and each user's list holds exactly the files they may read.
func TestCustomerAccessTableOverHTTP(t *testing.T) {
	s := newStack(t)
	if err := accesstable.Load(context.Background(), s.store); err != nil {
		t.Fatal(err)
	}
	for _, tc := range accesstable.CustomerCases() {
		o := tc.Object
		canRead := accesstable.ExpectedCustomer(tc.User, o, zhidu.ActRead)
		name := fmt.Sprintf("%s %s %s", tc.User, tc.Action, o.Ref)
		path := "/api/v1/customers/" + o.Ref.ID
		var r response
		switch tc.Action {
		case zhidu.ActRead:
			r = s.call(tc.User, "GET", path, nil)
		case zhidu.ActWrite:
			r = s.call(tc.User, "PATCH", path, map[string]any{"contact": "probe by " + tc.User})
		default:
			continue // nothing completes or cancels a file; the table says no for every user
		}
		want := http.StatusOK
		switch {
		case !canRead:
			want = http.StatusNotFound
		case !tc.Want:
			want = http.StatusForbidden
		}
		if r.Status != want {
			t.Errorf("%s: status %d, want %d: %s", name, r.Status, want, r.Body)
			continue
		}
		if tc.Action == zhidu.ActRead && canRead {
			perms, _ := r.JSON(t)["permissions"].(map[string]any)
			if got, want := perms["write"] == true, accesstable.ExpectedCustomer(tc.User, o, zhidu.ActWrite); got != want {
				t.Errorf("%s: permissions.write = %v, want %v", name, got, want)
			}
		}
		if tc.Action == zhidu.ActWrite {
			n := s.count(`SELECT count(*) FROM customer_history WHERE customer_id = $1 AND field = 'contact' AND actor = $2`, o.Ref.ID, tc.User)
			if (n == 1) != tc.Want {
				t.Errorf("%s: %d history entries of the edit", name, n)
			}
		}
	}
	for _, user := range accesstable.Users() {
		var want []string
		for _, o := range accesstable.CustomerObjects() {
			if accesstable.ExpectedCustomer(user, o, zhidu.ActRead) {
				want = append(want, o.Ref.ID)
			}
		}
		page := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/customers?limit=200", nil))
		if got := ids(page); !sameSet(got, want) || int(page["total"].(float64)) != len(want) {
			t.Errorf("%s's customer files = %v (total %v), want %v", user, got, page["total"], want)
		}
	}
}

// errorCode is the message code of an error answer.
func errorCode(t *testing.T, r response) (string, map[string]any) {
	t.Helper()
	e, _ := r.JSON(t)["error"].(map[string]any)
	mc, _ := e["message_code"].(map[string]any)
	code, _ := mc["code"].(string)
	params, _ := mc["params"].(map[string]any)
	return code, params
}

// TestCustomerFiles: registering, bad input, crossing without revealing
// the file, edits with history and audit, the blacklist (Marketing only,
// a recorded decision each way, who reads it), contacts and the monthly
// statistics.
func TestCustomerFiles(t *testing.T) {
	s := newStack(t)
	body := map[string]any{"name": "杭州某汽车销售服务有限公司", "class": "vip", "phone": "+86 138-0013-8000",
		"company_id": "91330100-ma27", "contact": "李经理"}
	c := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/customers", body))
	id := c["id"].(string)
	if c["phone"] != "13800138000" || c["company_id"] != "91330100MA27" || c["department"] != "sales" || c["level"] != "internal" ||
		c["credit"] != "sales.rep" || c["responsible"] != "sales.rep" {
		t.Fatalf("registered %v", c)
	}

	// Bad input: 400, nothing filed.
	files := s.count(`SELECT count(*) FROM customers`)
	for name, b := range map[string]map[string]any{
		"class":      {"name": "x", "class": "gold", "phone": "13900000001"},
		"department": {"name": "x", "class": "vip", "phone": "13900000001", "department": "moon"},
		"phone":      {"name": "x", "class": "vip", "phone": "139-abc-0001"},
		"short":      {"name": "x", "class": "vip", "phone": "123456"},
		"nul":        {"name": "x\x00y", "class": "vip", "phone": "13900000001"},
		"level":      {"name": "x", "class": "vip", "phone": "13900000001", "level": "secret"},
		"name":       {"name": " ", "class": "vip", "phone": "13900000001"},
		"company":    {"name": "x", "class": "vip", "phone": "13900000001", "company_id": "公司"},
	} {
		if r := s.call("sales.rep", "POST", "/api/v1/customers", b); r.Status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400: %s", name, r.Status, r.Body)
		}
	}
	if r := s.call("sales.rep", "POST", "/api/v1/customers", map[string]any{"name": "x", "class": "vip", "phone": "13900000001",
		"department": "mkt"}); r.Status != http.StatusForbidden {
		t.Errorf("registering for another department: %d, want 403", r.Status)
	}
	if n := s.count(`SELECT count(*) FROM customers`); n != files {
		t.Fatalf("bad registrations filed %d files", n-files)
	}

	// Crossing: no second file; who may not read the file learns nothing of it.
	r := s.call("mkt.head", "POST", "/api/v1/customers", map[string]any{"name": "别名", "class": "qualified", "phone": "13800138000"})
	if code, params := errorCode(t, r); r.Status != http.StatusConflict || code != "customer.registered" || len(params) != 0 ||
		strings.Contains(string(r.Body), id) || strings.Contains(string(r.Body), "杭州") || strings.Contains(string(r.Body), "sales") {
		t.Errorf("crossing by mkt.head: %d %s", r.Status, r.Body)
	}
	r = s.call("sales.mentor", "POST", "/api/v1/customers", map[string]any{"name": "杭州某公司", "class": "vip", "phone": "13999999999",
		"company_id": "91330100MA27"})
	if code, params := errorCode(t, r); r.Status != http.StatusConflict || code != "customer.registered_as" || params["id"] != id {
		t.Errorf("crossing by sales.mentor: %d %s", r.Status, r.Body)
	}
	page := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/customers/"+id, nil))
	cases, _ := page["crossing_cases"].([]any)
	if len(cases) != 2 || cases[0].(map[string]any)["registrant"] != "mkt.head" || cases[0].(map[string]any)["credit"] != "sales.rep" ||
		cases[1].(map[string]any)["matched"] != "company_id" {
		t.Errorf("crossing cases %v", cases)
	}
	if n := s.count(`SELECT count(*) FROM customers WHERE phone IN ('13800138000', '13999999999')`); n != 1 {
		t.Errorf("%d files, want 1", n)
	}
	if r := s.call("mkt.head", "GET", "/api/v1/customers/"+id, nil); r.Status != http.StatusNotFound {
		t.Errorf("mkt.head reads sales's file: %d", r.Status)
	}

	// Edits: history and audit; a refused edit changes nothing.
	page = s.must(http.StatusOK, s.call("sales.rep", "PATCH", "/api/v1/customers/"+id, map[string]any{"contact": "王经理", "class": "preferred",
		"level": "internal"}))
	if page["contact"] != "王经理" || page["class"] != "preferred" {
		t.Fatalf("edited %v", page)
	}
	if n := s.count(`SELECT count(*) FROM customer_history WHERE customer_id = $1 AND via = 'edit' AND actor = 'sales.rep'
        AND ((field = 'contact' AND before = '李经理' AND after = '王经理') OR (field = 'class' AND before = 'vip' AND after = 'preferred'))`, id); n != 2 {
		t.Errorf("%d history entries, want 2", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'customer.update' AND object = $1 AND actor = 'sales.rep'`, "customer:"+id); n != 1 {
		t.Errorf("%d customer.update audit entries, want 1", n)
	}
	for user, want := range map[string]int{"mkt.head": http.StatusNotFound, "cs.agent": http.StatusNotFound} {
		if r := s.call(user, "PATCH", "/api/v1/customers/"+id, map[string]any{"contact": "forged"}); r.Status != want {
			t.Errorf("%s edits: %d, want %d", user, r.Status, want)
		}
	}
	for name, b := range map[string]map[string]any{"lowered": {"level": "public"}, "above": {"level": "secret"}, "phone": {"phone": "x"},
		"empty": {}, "nul": {"contact": "a\x00"}} {
		if r := s.call("sales.rep", "PATCH", "/api/v1/customers/"+id, b); r.Status != http.StatusBadRequest {
			t.Errorf("edit %s: %d, want 400: %s", name, r.Status, r.Body)
		}
	}
	other := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/customers", map[string]any{"name": "乙", "class": "qualified",
		"phone": "13700000000"}))
	if r := s.call("sales.rep", "PATCH", "/api/v1/customers/"+other["id"].(string), map[string]any{"phone": "138 0013 8000"}); r.Status != http.StatusConflict {
		t.Errorf("an edit to a number on file: %d, want 409", r.Status)
	}
	if c := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/customers/"+id, nil)); c["contact"] != "王经理" {
		t.Errorf("refused edits changed the file: %v", c["contact"])
	}
	list := s.must(http.StatusOK, s.call("sales.head", "GET", "/api/v1/customers?phone=138-0013-8000", nil))
	if got := ids(list); !slices.Equal(got, []string{id}) {
		t.Errorf("by phone: %v", got)
	}
	list = s.must(http.StatusOK, s.call("sales.head", "GET", "/api/v1/customers?q=%E4%B9%99&class=qualified", nil))
	if got := ids(list); !slices.Equal(got, []string{other["id"].(string)}) {
		t.Errorf("by q and class: %v", got)
	}
	if r := s.call("sales.head", "GET", "/api/v1/customers?class=gold", nil); r.Status != http.StatusBadRequest {
		t.Errorf("an unknown class: %d", r.Status)
	}

	// The blacklist: the Marketing Division's decision, each way.
	for user, want := range map[string]int{"sales.head": http.StatusForbidden, "cs.agent": http.StatusNotFound} {
		if r := s.call(user, "POST", "/api/v1/customers/"+id+"/blacklist", map[string]any{"reason": "x"}); r.Status != want {
			t.Errorf("%s blacklists: %d, want %d", user, r.Status, want)
		}
	}
	if r := s.call("mkt.head", "POST", "/api/v1/customers/"+id+"/blacklist", map[string]any{"reason": " "}); r.Status != http.StatusBadRequest {
		t.Errorf("no reason: %d", r.Status)
	}
	if r := s.call("mkt.head", "POST", "/api/v1/customers/cus-none/blacklist", map[string]any{"reason": "x"}); r.Status != http.StatusNotFound {
		t.Errorf("a missing file: %d", r.Status)
	}
	e := s.must(http.StatusCreated, s.call("mkt.head", "POST", "/api/v1/customers/"+id+"/blacklist", map[string]any{"reason": "恶意拖欠货款"}))
	if e["decision"] != "added" || e["by"] != "mkt.head" {
		t.Errorf("entry %v", e)
	}
	if r := s.call("mkt.head", "POST", "/api/v1/customers/"+id+"/blacklist", map[string]any{"reason": "again"}); r.Status != http.StatusConflict {
		t.Errorf("twice: %d", r.Status)
	}
	for user, want := range map[string]int{"sales.rep": 200, "newhire": 200, "mkt.head": 200, "gm": 200, "cs.agent": 403, "bmo.auditor": 403, "sysadmin": 403} {
		r := s.call(user, "GET", "/api/v1/blacklist", nil)
		if r.Status != want {
			t.Errorf("%s reads the blacklist: %d, want %d", user, r.Status, want)
			continue
		}
		if want == 200 {
			items, _ := r.JSON(t)["items"].([]any)
			if len(items) != 1 || items[0].(map[string]any)["customer_id"] != id || items[0].(map[string]any)["reason"] != "恶意拖欠货款" {
				t.Errorf("%s's blacklist: %v", user, items)
			}
		}
	}
	if c := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/customers/"+id, nil)); c["blacklist"] == nil {
		t.Error("the file shows no blacklist entry")
	}
	s.must(http.StatusOK, s.call("mkt.head", "DELETE", "/api/v1/customers/"+id+"/blacklist", map[string]any{"reason": "欠款已结清"}))
	if items := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/blacklist", nil))["items"].([]any); len(items) != 0 {
		t.Errorf("after removal: %v", items)
	}
	if n := s.count(`SELECT count(*) FROM customer_blacklist WHERE customer_id = $1 AND by_user = 'mkt.head'`, id); n != 2 {
		t.Errorf("%d recorded decisions, want 2", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'customer.blacklist' AND decision = 'allowed' AND object = $1`, "customer:"+id); n != 2 {
		t.Errorf("%d customer.blacklist audit entries, want 2", n)
	}

	// The blacklist shows a file's entry only within the reader's clearance;
	// Marketing decides about files within its own.
	sec := s.must(http.StatusCreated, s.call("sales.head", "POST", "/api/v1/customers", map[string]any{"name": "秘", "class": "vip",
		"phone": "13600000009", "level": "secret"}))["id"].(string)
	conf := s.must(http.StatusCreated, s.call("vp.ops", "POST", "/api/v1/customers", map[string]any{"name": "机", "class": "vip",
		"phone": "13600000008", "level": "confidential", "department": "sales"}))["id"].(string)
	s.must(http.StatusCreated, s.call("mkt.head", "POST", "/api/v1/customers/"+sec+"/blacklist", map[string]any{"reason": "重大损失"}))
	if r := s.call("mkt.head", "POST", "/api/v1/customers/"+conf+"/blacklist", map[string]any{"reason": "x"}); r.Status != http.StatusNotFound {
		t.Errorf("Marketing blacklists a file above its clearance: %d", r.Status)
	}
	for user, want := range map[string]int{"sales.rep": 0, "sales.head": 1, "gm": 1} {
		if items := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/blacklist", nil))["items"].([]any); len(items) != want {
			t.Errorf("%s sees %d blacklisted, want %d", user, len(items), want)
		}
	}
	s.must(http.StatusOK, s.call("mkt.head", "DELETE", "/api/v1/customers/"+sec+"/blacklist", map[string]any{"reason": "误判"}))

	// Contacts and the monthly statistics.
	for _, k := range []map[string]any{{"kind": "visit", "outcome": "follow_up"}, {"kind": "call", "outcome": "no_deal"},
		{"kind": "test_drive", "outcome": "deal"}} {
		s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/customers/"+id+"/contacts", k))
	}
	if r := s.call("sales.rep", "POST", "/api/v1/customers/"+id+"/contacts", map[string]any{"kind": "email", "outcome": "deal"}); r.Status != http.StatusBadRequest {
		t.Errorf("an unknown kind: %d", r.Status)
	}
	if r := s.call("mkt.head", "POST", "/api/v1/customers/"+id+"/contacts", map[string]any{"kind": "visit", "outcome": "deal"}); r.Status != http.StatusNotFound {
		t.Errorf("a contact on another department's file: %d", r.Status)
	}
	month := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	rep := s.must(http.StatusOK, s.call("sales.head", "GET", "/api/v1/reports/customers?month="+month, nil))
	rows, _ := rep["rows"].([]any)
	// sales.head (secret) counts the secret file, not the confidential one.
	want := []string{"sales//1/1/1/3/1", "sales/sales.head/0/0/0/1/0", "sales/sales.rep/1/1/1/2/1"}
	var got []string
	for _, row := range rows {
		m := row.(map[string]any)
		sp, _ := m["salesperson"].(string)
		got = append(got, fmt.Sprintf("%s/%s/%v/%v/%v/%v/%v", m["department"], sp, m["visitors"], m["calls"], m["test_drives"], m["new_customers"], m["deals"]))
	}
	if !slices.Equal(got, want) {
		t.Errorf("sales.head's report %v, want %v", got, want)
	}
	if rep := s.must(http.StatusOK, s.call("mkt.head", "GET", "/api/v1/reports/customers?month="+month, nil)); len(rep["rows"].([]any)) != 0 {
		t.Errorf("mkt.head sees %v", rep["rows"])
	}
	if rep := s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/reports/customers?month="+month, nil)); len(rep["rows"].([]any)) != 4 {
		t.Errorf("the GM sees %v", rep["rows"])
	}
	r = s.call("sales.head", "GET", "/api/v1/reports/customers?format=csv&month="+month, nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(string(r.Body), "month,department,salesperson,visitors,calls,test_drives,new_customers,deals\n") ||
		!strings.Contains(string(r.Body), month+",sales,sales.rep,1,1,1,2,1\n") {
		t.Errorf("CSV %d %s", r.Status, r.Body)
	}
	for user, want := range map[string]int{"sales.rep": 403, "bmo.auditor": 403} {
		if r := s.call(user, "GET", "/api/v1/reports/customers", nil); r.Status != want {
			t.Errorf("%s reads the report: %d, want %d", user, r.Status, want)
		}
	}
	if r := s.call("sales.head", "GET", "/api/v1/reports/customers?month=2026-13", nil); r.Status != http.StatusBadRequest {
		t.Errorf("a bad month: %d", r.Status)
	}
}

// TestCustomerCrossingRaceOverHTTP: three salespeople register the same
// number at once: one file (201), the others 409, one crossing case each.
func TestCustomerCrossingRaceOverHTTP(t *testing.T) {
	s := newStack(t)
	reps := []string{"sales.rep", "sales.mentor", "newhire", "sales.head"}
	statuses := make([]int, len(reps))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, rep := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = s.call(rep, "POST", "/api/v1/customers", map[string]any{"name": "客户 " + rep, "class": "vip", "phone": "0571 8888 0000"}).Status
		}()
	}
	close(start)
	wg.Wait()
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{201, 409, 409, 409}) {
		t.Fatalf("statuses %v", statuses)
	}
	if n := s.count(`SELECT count(*) FROM customers WHERE phone = '057188880000'`); n != 1 {
		t.Errorf("%d files", n)
	}
	if n := s.count(`SELECT count(*) FROM crossing_cases x JOIN customers c ON c.id = x.customer_id
        WHERE c.phone = '057188880000' AND x.credit = c.registered_by AND x.registrant <> c.registered_by`); n != 3 {
		t.Errorf("%d crossing cases, want 3", n)
	}
}

// TestCustomerBlacklistEffects: a blacklisted customer — named by its
// name or phone number — cannot be the customer of a new return slip nor
// get a complaint remedy with compensation: 409 customer.blacklisted
// naming the entry, nothing started or completed. A complaint itself, and
// other remedies, still go; off the blacklist, the slip goes.
func TestCustomerBlacklistEffects(t *testing.T) {
	s := newStack(t)
	c := s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/customers", map[string]any{"name": "坏账客户", "class": "vip",
		"phone": "138-1234-5678"}))
	id := c["id"].(string)
	e := s.must(http.StatusCreated, s.call("mkt.head", "POST", "/api/v1/customers/"+id+"/blacklist", map[string]any{"reason": "恶意拖欠货款"}))
	returns := s.count(`SELECT count(*) FROM processes WHERE kind = 'return'`)
	for _, name := range []string{"坏账客户", "13812345678"} {
		r := s.call("sales.rep", "POST", "/api/v1/processes/return", returnSlip(map[string]any{"customer": name}))
		code, params := errorCode(t, r)
		if r.Status != http.StatusConflict || code != "customer.blacklisted" || params["entry"] != e["id"] || params["customer"] != id ||
			params["reason"] != "恶意拖欠货款" {
			t.Errorf("a return slip for %s: %d %s", name, r.Status, r.Body)
		}
	}
	if n := s.count(`SELECT count(*) FROM processes WHERE kind = 'return'`); n != returns {
		t.Fatalf("%d return slips started for a blacklisted customer", n-returns)
	}
	s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/processes/return", returnSlip(nil)))

	body := feesComplaint()
	body["complainant"] = map[string]any{"name": "坏账客户", "contact": "liu@example.com"}
	pid := s.startComplaint("cs.agent", body)
	s.claimComplete("cs.super", s.waitTask(pid, workflows.StepTriage), "valid", map[string]any{"responsible_department": "sales"})
	inv := s.waitTask(pid, workflows.StepInvestigation)
	s.must(http.StatusOK, s.call("sales.rep", "POST", "/api/v1/tasks/"+inv+"/claim", nil))
	r := s.call("sales.rep", "POST", "/api/v1/tasks/"+inv+"/complete", map[string]any{"outcome": "submit",
		"data": map[string]any{"cause": "a price error", "responsibility": "the sales office", "remedy": "compensate", "compensation_amount": 500}})
	if code, params := errorCode(t, r); r.Status != http.StatusConflict || code != "customer.blacklisted" || params["entry"] != e["id"] {
		t.Fatalf("compensation for a blacklisted customer: %d %s", r.Status, r.Body)
	}
	if task := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/tasks/"+inv, nil)); task["state"] != "claimed" {
		t.Errorf("the refused completion changed the task: %v", task["state"])
	}
	s.must(http.StatusOK, s.call("sales.rep", "POST", "/api/v1/tasks/"+inv+"/complete", map[string]any{"outcome": "submit",
		"data": map[string]any{"cause": "a price error", "responsibility": "the sales office", "remedy": "apologise"}}))
	s.waitTask(pid, workflows.StepApproval)

	s.must(http.StatusOK, s.call("mkt.head", "DELETE", "/api/v1/customers/"+id+"/blacklist", map[string]any{"reason": "欠款已结清"}))
	s.must(http.StatusCreated, s.call("sales.rep", "POST", "/api/v1/processes/return", returnSlip(map[string]any{"customer": "坏账客户"})))
}
