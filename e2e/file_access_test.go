package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/authz"
)

// stopAPI closes the API's HTTP server; startAPI serves a new API (a
// fresh enforcer and user cache) on a new address, as a restarted
// deployment would.
func (s *stack) stopAPI() { s.http.Close() }

func (s *stack) startAPI() {
	s.t.Helper()
	az, err := authz.New(s.pool)
	if err != nil {
		s.t.Fatal(err)
	}
	cfg := s.server.Config
	s.az = az
	s.server = api.New(s.store, az, api.TemporalEngine{Client: s.client, TaskQueue: s.queue}, cfg)
	s.server.Payloads = e2eKeys.ring
	s.http = httptest.NewServer(s.server.Router())
	s.t.Cleanup(s.http.Close)
}

// askAccess starts a file-access request as user and returns its ID.
func (s *stack) askAccess(user, target, duration string) string {
	s.t.Helper()
	p := s.must(http.StatusCreated, s.call(user, "POST", "/api/v1/processes/file-access",
		map[string]any{"target": target, "reason": "核对客户投诉记录", "duration": duration}))
	return p["id"].(string)
}

// grantRow reads a grant's row: revoked or not.
func (s *stack) grantRevoked(id string) bool {
	s.t.Helper()
	return s.count(`SELECT count(*) FROM access_grants WHERE id = $1 AND revoked_at IS NOT NULL`, id) == 1
}

// TestFileAccessExpiresAcrossARestart: sales.rep may not read a cs
// approval; bad requests change nothing; the GM approves a short grant;
// sales.rep reads the approval and its task, compliance sees the grant in
// who-can, explain and what-can; then the worker and the API stop before
// the expiry and start after it: the restarted API refuses the read at
// once by the stored expiry, while the grant row is still unrevoked, and
// the workflow revokes it soon after (timeline, audit).
func TestFileAccessExpiresAcrossARestart(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "退款申请", "internal")
	s.waitTask(pid, "dept_head_approval")
	s.wantError(s.call("sales.rep", "GET", "/api/v1/processes/"+pid, nil), http.StatusNotFound, "not_found")
	secret := s.startApproval("cs.head", "秘密事项", "secret")

	// Bad input: each a 4xx that changes nothing.
	for _, tc := range []struct {
		body   map[string]any
		status int
		code   string
		field  string
	}{
		{map[string]any{"target": "process:" + pid, "reason": "r", "duration": "0s"}, 400, "invalid", "duration"},
		{map[string]any{"target": "process:" + pid, "reason": "r", "duration": "-1h"}, 400, "invalid", "duration"},
		{map[string]any{"target": "process:" + pid, "reason": "r", "duration": "721h"}, 400, "invalid", "duration"},
		{map[string]any{"target": "process:" + pid, "reason": "r", "duration": "soon"}, 400, "invalid", "duration"},
		{map[string]any{"target": "process:approval-00000000000000000000", "reason": "r", "duration": "1h"}, 400, "invalid", "target"},
		{map[string]any{"target": "process:" + secret, "reason": "r", "duration": "1h"}, 400, "invalid", "target"}, // above clearance: as missing
		{map[string]any{"target": "department:nowhere", "reason": "r", "duration": "1h"}, 400, "invalid", "target"},
		{map[string]any{"target": "customer:C-1", "reason": "r", "duration": "1h"}, 400, "invalid", "target"},
		{map[string]any{"target": "nothing", "reason": "r", "duration": "1h"}, 400, "invalid", "target"},
		{map[string]any{"target": "department:sales", "reason": "r", "duration": "1h"}, 409, "conflict", ""},
		{map[string]any{"target": "process:" + pid, "reason": "r\x00", "duration": "1h"}, 400, "invalid", ""},
	} {
		e := s.wantError(s.call("sales.rep", "POST", "/api/v1/processes/file-access", tc.body), tc.status, tc.code)
		if fields, _ := e["fields"].(map[string]any); tc.field != "" && fields[tc.field] == nil {
			t.Errorf("%v: fields %v, want %s", tc.body, fields, tc.field)
		}
	}
	own := s.startApproval("sales.rep", "自己的", "internal")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/processes/file-access", map[string]any{"target": "process:" + own, "reason": "r", "duration": "1h"}),
		http.StatusConflict, "conflict")
	if n := s.count(`SELECT count(*) FROM processes WHERE kind = 'file-access'`) + s.count(`SELECT count(*) FROM access_grants`); n != 0 {
		t.Fatalf("bad requests left %d rows", n)
	}

	id := s.askAccess("sales.rep", "process:"+pid, "8s")
	task := s.waitTask(id, "access_approval")
	// Only the GM approves: not the requester, not a VP, not a deputy GM
	// by default.
	for _, u := range []string{"vp.ops", "deputy"} {
		if r := s.call(u, "POST", "/api/v1/tasks/"+task+"/claim", nil); r.Status == http.StatusOK {
			s.wantError(s.call(u, "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"outcome": "approve"}), http.StatusForbidden, "forbidden")
			s.must(http.StatusOK, s.call(u, "POST", "/api/v1/tasks/"+task+"/unclaim", nil))
		}
	}
	s.work("gm", task, "approve", nil)
	s.wantError(s.call("gm", "POST", "/api/v1/tasks/"+task+"/complete", map[string]any{"outcome": "approve"}), http.StatusConflict, "conflict")
	deadline := time.Now().Add(10 * time.Second)
	for s.count(`SELECT count(*) FROM access_grants WHERE id = $1`, id) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no grant written")
		}
		time.Sleep(20 * time.Millisecond)
	}
	var expires time.Time
	if err := s.pool.QueryRow(context.Background(), `SELECT expires_at FROM access_grants WHERE id = $1`, id).Scan(&expires); err != nil {
		t.Fatal(err)
	}

	// During: the grantee reads the process and its task, nobody else
	// gains anything, the grant is listed and explained.
	s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/processes/"+pid, nil))
	s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/tasks/"+s.waitTask(pid, "dept_head_approval"), nil))
	s.wantError(s.call("sales.head", "GET", "/api/v1/processes/"+pid, nil), http.StatusNotFound, "not_found")
	list := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/processes?kind=approval", nil))
	if !slices.Contains(ids(list), pid) {
		t.Errorf("the grantee's list lacks the granted process: %v", ids(list))
	}
	who := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/who-can?action=read&object=process:"+pid, nil))
	if !containsUser(who["users"], "sales.rep") || len(who["grants"].([]any)) != 1 {
		t.Errorf("who-can = %v", who)
	}
	ex := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/explain?action=read&user=sales.rep&object=process:"+pid, nil))
	if ex["allowed"] != true || len(ex["grants"].([]any)) != 1 || ex["grants"].([]any)[0].(map[string]any)["approved_by"] != "gm" {
		t.Errorf("explain = %v", ex)
	}
	what := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/what-can?user=sales.rep", nil))
	if gs := what["grants"].([]any); len(gs) != 1 || gs[0].(map[string]any)["target"] != "process:"+pid {
		t.Errorf("what-can grants = %v", what["grants"])
	}
	mine := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/grants?active=true", nil))
	if len(mine["items"].([]any)) != 1 {
		t.Errorf("own grants = %v", mine)
	}
	s.wantError(s.call("sales.rep", "GET", "/api/v1/grants?grantee=cs.agent", nil), http.StatusForbidden, "forbidden")
	if all := s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/grants?grantee=sales.rep&target=process:"+pid, nil)); len(all["items"].([]any)) != 1 {
		t.Errorf("the GM's grants list = %v", all)
	}
	s.wantError(s.call("cs.agent", "GET", "/api/v1/grants/"+id, nil), http.StatusNotFound, "not_found")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/processes/file-access", map[string]any{"target": "process:" + pid, "reason": "again", "duration": "1h"}),
		http.StatusConflict, "conflict") // readable now

	// Down before the expiry, up after it.
	s.stopWorker()
	s.stopAPI()
	time.Sleep(time.Until(expires) + 500*time.Millisecond)
	s.startAPI()
	s.wantError(s.call("sales.rep", "GET", "/api/v1/processes/"+pid, nil), http.StatusNotFound, "not_found")
	if s.grantRevoked(id) {
		t.Fatal("the grant was revoked while the worker was down")
	}
	list = s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/processes?kind=approval", nil))
	if slices.Contains(ids(list), pid) {
		t.Error("the grantee's list holds the process after the expiry")
	}
	g := s.must(http.StatusOK, s.call("sales.rep", "GET", "/api/v1/grants/"+id, nil))
	if g["active"] != false || g["ending"] != "expired" {
		t.Errorf("grant after its expiry = %v", g)
	}
	s.startWorker()
	s.waitProcess(id, "completed")
	if !s.grantRevoked(id) {
		t.Fatal("the workflow did not revoke the grant")
	}
	if n := s.count(`SELECT count(*) FROM timeline WHERE process_id = $1 AND action IN ('grant_written', 'grant_expired')`, id); n != 2 {
		t.Errorf("%d grant timeline entries, want 2", n)
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action IN ('grant.write', 'grant.expired') AND object = $1`, "process:"+pid); n != 2 {
		t.Errorf("%d grant audit entries, want 2", n)
	}
}

// TestFileAccessReturnRevokeDecline: the grantee returns a grant early, the
// GM line revokes another (saying why), and a declined request leaves no
// grant; who may not do these is refused and nothing changes.
func TestFileAccessReturnRevokeDecline(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "退款申请", "internal")
	granted := func(user string) string {
		id := s.askAccess(user, "process:"+pid, "1h")
		s.work("gm", s.waitTask(id, "access_approval"), "approve", nil)
		deadline := time.Now().Add(10 * time.Second)
		for s.count(`SELECT count(*) FROM access_grants WHERE id = $1`, id) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("no grant written")
			}
			time.Sleep(20 * time.Millisecond)
		}
		s.must(http.StatusOK, s.call(user, "GET", "/api/v1/processes/"+pid, nil))
		return id
	}

	id := granted("sales.rep")
	s.wantError(s.call("sales.head", "POST", "/api/v1/grants/"+id+"/return", map[string]any{}), http.StatusNotFound, "not_found")
	s.wantError(s.call("bmo.auditor", "POST", "/api/v1/grants/"+id+"/return", map[string]any{}), http.StatusForbidden, "forbidden")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/grants/"+id+"/revoke", map[string]any{"reason": "x"}), http.StatusForbidden, "forbidden")
	g := s.must(http.StatusOK, s.call("sales.rep", "POST", "/api/v1/grants/"+id+"/return", map[string]any{"reason": "看完了"}))
	if g["ending"] != "returned" || g["active"] != false {
		t.Errorf("returned grant = %v", g)
	}
	s.wantError(s.call("sales.rep", "GET", "/api/v1/processes/"+pid, nil), http.StatusNotFound, "not_found")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/grants/"+id+"/return", map[string]any{}), http.StatusConflict, "conflict")
	s.waitProcess(id, "completed")

	id = granted("quality.eng")
	s.wantError(s.call("deputy", "POST", "/api/v1/grants/"+id+"/revoke", map[string]any{}), http.StatusBadRequest, "invalid")
	g = s.must(http.StatusOK, s.call("deputy", "POST", "/api/v1/grants/"+id+"/revoke", map[string]any{"reason": "不再需要"}))
	if g["ending"] != "revoked" || g["revoke_reason"] != "不再需要" || g["revoked_by"] != "deputy" {
		t.Errorf("revoked grant = %v", g)
	}
	s.wantError(s.call("quality.eng", "GET", "/api/v1/processes/"+pid, nil), http.StatusNotFound, "not_found")
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'grant.revoke' AND decision = 'denied'`) +
		s.count(`SELECT count(*) FROM audit WHERE action = 'grant.return' AND decision = 'denied'`); n != 2 {
		t.Errorf("%d denied grant ends audited, want 2", n)
	}

	declined := s.askAccess("wh.clerk", "process:"+pid, "1h")
	s.work("gm", s.waitTask(declined, "access_approval"), "deny_access", map[string]any{"remark": "无必要"})
	s.waitProcess(declined, "completed")
	if n := s.count(`SELECT count(*) FROM access_grants WHERE id = $1`, declined); n != 0 {
		t.Errorf("a declined request wrote %d grants", n)
	}
	s.wantError(s.call("wh.clerk", "GET", "/api/v1/processes/"+pid, nil), http.StatusNotFound, "not_found")
	s.wantError(s.call("wh.clerk", "POST", "/api/v1/grants/"+declined+"/return", map[string]any{}), http.StatusNotFound, "not_found")
}

func containsUser(users any, name string) bool {
	list, _ := users.([]any)
	return slices.ContainsFunc(list, func(u any) bool { m, _ := u.(map[string]any); return m["username"] == name })
}
