package e2e

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/internal/accesstable"
)

// retried sends a call twice under one Idempotency-Key, as a client does
// whose first answer was lost: both answers must be the same (status and
// body), the second marked as replayed. It returns the decoded answer.
func (s *stack) retried(want int, user, method, path string, body any, key string) map[string]any {
	s.t.Helper()
	first := s.call(user, method, path, body, "Idempotency-Key", key)
	again := s.call(user, method, path, body, "Idempotency-Key", key)
	if first.Status != want || again.Status != want || !bytes.Equal(first.Body, again.Body) {
		s.t.Fatalf("%s %s twice under a key: %d %s, then %d %s; want %d twice, the same", method, path,
			first.Status, first.Body, again.Status, again.Body, want)
	}
	if first.Header.Get(api.ReplayedHeader) != "" || again.Header.Get(api.ReplayedHeader) != "true" {
		s.t.Errorf("%s %s: %s %q then %q", method, path, api.ReplayedHeader, first.Header.Get(api.ReplayedHeader),
			again.Header.Get(api.ReplayedHeader))
	}
	return s.must(want, first)
}

// wantReused checks a call under a key used for another request: 409
// idempotency.reused naming the key, nothing changed.
func (s *stack) wantReused(r response, key string) {
	s.t.Helper()
	e := s.wantError(r, http.StatusConflict, "conflict")
	if mc, _ := e["message_code"].(map[string]any); mc["code"] != "idempotency.reused" || !strings.Contains(e["message"].(string), key) {
		s.t.Errorf("reused key: %v", e)
	}
}

// one checks that exactly one row matches.
func (s *stack) one(what, sql string, args ...any) {
	s.t.Helper()
	if n := s.count(sql, args...); n != 1 {
		s.t.Errorf("%s: %d, want exactly 1", what, n)
	}
}

// TestIdempotentTaskSteps: start, claim, comment, delegate, complete and
// reassign, each sent twice under one Idempotency-Key, answer the same
// twice and take effect once (task rows, timeline and audit entries);
// another request under a used key is 409 idempotency.reused naming it;
// the same key is another user's own; simultaneous retries wait for the
// first answer; without a key a repeated claim or completion is 409 as
// ever.
func TestIdempotentTaskSteps(t *testing.T) {
	s := newStack(t)
	body := map[string]any{"title": "重试 retried", "level": "internal"}
	kStart := s.key("start")
	p := s.retried(http.StatusCreated, "cs.agent", "POST", "/api/v1/processes/approval", body, kStart)
	pid := p["id"].(string)
	s.one("process rows", `SELECT count(*) FROM processes WHERE id = $1`, pid)
	s.one("process.start audit", `SELECT count(*) FROM audit WHERE action = 'process.start' AND object = $1`, "process:"+pid)
	s.wantReused(s.call("cs.agent", "POST", "/api/v1/processes/approval", map[string]any{"title": "other", "level": "internal"},
		"Idempotency-Key", kStart), kStart)
	theirs := s.retried(http.StatusCreated, "sales.rep", "POST", "/api/v1/processes/approval", body, kStart)
	if theirs["id"] == pid {
		t.Fatal("the same key of another user started the same process")
	}

	t1 := s.waitTask(pid, "dept_head_approval")
	kClaim := s.key("claim")
	c := s.retried(http.StatusOK, "cs.head", "POST", "/api/v1/tasks/"+t1+"/claim", nil, kClaim)
	if c["assignee"] != "cs.head" {
		t.Fatalf("claimed: %v", c)
	}
	s.one("task_claimed", `SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_claimed'`, t1)
	s.one("task.claim audit", `SELECT count(*) FROM audit WHERE action = 'task.claim' AND object = $1`, "task:"+t1)
	s.wantError(s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/claim", nil), http.StatusConflict, "conflict") // no key: as ever
	s.wantReused(s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/unclaim", nil, "Idempotency-Key", kClaim), kClaim)
	if s.count(`SELECT count(*) FROM tasks WHERE id = $1 AND assignee = 'cs.head'`, t1) != 1 {
		t.Fatal("the refused unclaim changed the task")
	}

	kComment := s.key("comment")
	s.retried(http.StatusCreated, "cs.head", "POST", "/api/v1/tasks/"+t1+"/comments", map[string]any{"body": "请补充报价"}, kComment)
	s.one("comment rows", `SELECT count(*) FROM task_comments WHERE task_id = $1`, t1)
	s.one("task_commented", `SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_commented'`, t1)
	s.one("task.comment audit", `SELECT count(*) FROM audit WHERE action = 'task.comment' AND object = $1`, "task:"+t1)
	s.wantReused(s.call("cs.head", "POST", "/api/v1/tasks/"+t1+"/comments", map[string]any{"body": "另一条"}, "Idempotency-Key", kComment), kComment)
	s.one("comment rows after the refusal", `SELECT count(*) FROM task_comments WHERE task_id = $1`, t1)

	d := s.retried(http.StatusOK, "cs.head", "POST", "/api/v1/tasks/"+t1+"/delegate", map[string]any{"to": "cs.super", "note": "请处理"}, s.key("delegate"))
	if d["delegate"] != "cs.super" {
		t.Fatalf("delegated: %v", d)
	}
	s.one("task_delegated", `SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_delegated'`, t1)
	s.one("task.delegate audit", `SELECT count(*) FROM audit WHERE action = 'task.delegate' AND object = $1`, "task:"+t1)

	complete := map[string]any{"outcome": "approve", "data": map[string]any{"opinion": "同意"}}
	done := s.retried(http.StatusOK, "cs.super", "POST", "/api/v1/tasks/"+t1+"/complete", complete, s.key("complete"))
	if done["state"] != "completed" || done["completed_by"] != "cs.super" {
		t.Fatalf("completed: %v", done)
	}
	s.one("task_completed", `SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_completed'`, t1)
	s.one("task.complete audit", `SELECT count(*) FROM audit WHERE action = 'task.complete' AND decision = 'allowed' AND object = $1`, "task:"+t1)
	s.wantError(s.call("cs.super", "POST", "/api/v1/tasks/"+t1+"/complete", complete), http.StatusConflict, "conflict") // no key: as ever

	t2 := s.waitTask(pid, "vp_approval")
	r := s.retried(http.StatusOK, "gm", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "deputy"}, s.key("reassign"))
	if r["assignee"] != "deputy" {
		t.Fatalf("reassigned: %v", r)
	}
	s.one("task_reassigned", `SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_reassigned'`, t2)
	s.one("task.reassign audit", `SELECT count(*) FROM audit WHERE action = 'task.reassign' AND object = $1`, "task:"+t2)
	s.one("the second task", `SELECT count(*) FROM tasks WHERE process_id = $1 AND step = 'vp_approval'`, pid)

	// Ten simultaneous retries of one claim: one claim, ten equal answers
	// (the duplicates wait for the first call's answer).
	t3 := s.waitTask(theirs["id"].(string), "dept_head_approval")
	kConcurrent := s.key("concurrent")
	answers := make([]response, 10)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			answers[i] = s.call("sales.head", "POST", "/api/v1/tasks/"+t3+"/claim", nil, "Idempotency-Key", kConcurrent)
		})
	}
	wg.Wait()
	for _, a := range answers {
		if a.Status != http.StatusOK || !bytes.Equal(a.Body, answers[0].Body) {
			t.Fatalf("simultaneous retries: %d %s, first %d %s", a.Status, a.Body, answers[0].Status, answers[0].Body)
		}
	}
	s.one("task_claimed of the simultaneous retries", `SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_claimed'`, t3)
	s.one("task.claim audit of the simultaneous retries", `SELECT count(*) FROM audit WHERE action = 'task.claim' AND object = $1`, "task:"+t3)

	// Nothing pending is left behind, and the rows name no key.
	if n := s.count(`SELECT count(*) FROM idempotency_keys WHERE state <> 'done'`); n != 0 {
		t.Errorf("%d idempotency keys left pending", n)
	}
	if n := s.count(`SELECT count(*) FROM idempotency_keys WHERE position(convert_to($1, 'UTF8') in body) > 0`, pid); n != 0 {
		t.Errorf("%d kept answers readable without their key", n)
	}
}

// TestIdempotentGrantsDesignationsAdmin: a designation, a grant's return
// and revocation, and the administrators' changes (a new user, whose
// token is answered again to the same caller and kept sealed, a patch, a
// roles change), each sent twice under one key, answer the same twice and
// take effect once; without a key the repeat is refused as ever.
func TestIdempotentGrantsDesignationsAdmin(t *testing.T) {
	s := newStack(t)
	if err := accesstable.Load(context.Background(), s.store); err != nil {
		t.Fatal(err)
	}
	obj := "process:fx-fin-top_secret"
	desig := map[string]any{"user": "fin.head", "object": obj, "reason": "预算审计"}
	s.retried(http.StatusCreated, "deputy", "POST", "/api/v1/designations", desig, s.key("designate"))
	s.one("designation rows", `SELECT count(*) FROM designations WHERE username = 'fin.head' AND object = $1`, obj)
	s.one("designation.grant audit", `SELECT count(*) FROM audit WHERE action = 'designation.grant' AND decision = 'allowed' AND detail->>'user' = 'fin.head'`)
	s.wantError(s.call("deputy", "POST", "/api/v1/designations", desig), http.StatusConflict, "conflict") // no key: as ever

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
		s.settled(id) // the workflow holds the grant once it has seen the write succeed
		return id
	}
	id := granted("sales.rep")
	g := s.retried(http.StatusOK, "sales.rep", "POST", "/api/v1/grants/"+id+"/return", map[string]any{"reason": "看完了"}, s.key("return"))
	if g["ending"] != "returned" {
		t.Fatalf("returned: %v", g)
	}
	s.one("grant_returned", `SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'grant_returned'`, id)
	s.one("grant.return audit", `SELECT count(*) FROM audit WHERE action = 'grant.returned'`)
	s.wantError(s.call("sales.rep", "POST", "/api/v1/grants/"+id+"/return", map[string]any{"reason": "看完了"}), http.StatusConflict, "conflict")

	id = granted("quality.eng")
	g = s.retried(http.StatusOK, "deputy", "POST", "/api/v1/grants/"+id+"/revoke", map[string]any{"reason": "不再需要"}, s.key("revoke"))
	if g["ending"] != "revoked" {
		t.Fatalf("revoked: %v", g)
	}
	s.one("grant_revoked", `SELECT count(*) FROM timeline WHERE process_id = $1 AND action = 'grant_revoked'`, id)
	s.one("grant.revoke audit", `SELECT count(*) FROM audit WHERE action = 'grant.revoked'`)

	newUser := map[string]any{"username": "it.idem", "name": "临时", "department": "gmo", "clearance": "internal"}
	kUser := s.key("user")
	u := s.retried(http.StatusCreated, "sysadmin", "POST", "/api/v1/admin/users", newUser, kUser)
	token, _ := u["token"].(string)
	if token == "" {
		t.Fatalf("created: %v", u)
	}
	s.must(http.StatusOK, s.bearer(token, "GET", "/api/v1/me", nil)) // the replayed token is the one that works
	s.one("user rows", `SELECT count(*) FROM users WHERE username = 'it.idem'`)
	s.one("admin.user.create audit", `SELECT count(*) FROM audit WHERE action = 'admin.user.create' AND decision = 'allowed' AND object = 'user:it.idem'`)
	if n := s.count(`SELECT count(*) FROM idempotency_keys WHERE position(convert_to($1, 'UTF8') in body) > 0`, token); n != 0 {
		t.Error("the new user's token is readable in idempotency_keys")
	}
	s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/users", newUser), http.StatusConflict, "conflict") // no key: as ever
	s.wantReused(s.call("sysadmin", "POST", "/api/v1/admin/users", map[string]any{"username": "it.other", "name": "别人",
		"department": "gmo", "clearance": "internal"}, "Idempotency-Key", kUser), kUser)
	if n := s.count(`SELECT count(*) FROM users WHERE username = 'it.other'`); n != 0 {
		t.Error("a reused key created a user")
	}

	s.retried(http.StatusOK, "sysadmin", "PATCH", "/api/v1/admin/users/it.idem", map[string]any{"name": "临时工"}, s.key("patch"))
	s.one("admin.user.update audit", `SELECT count(*) FROM audit WHERE action = 'admin.user.update' AND decision = 'allowed' AND object = 'user:it.idem'`)
	roles := map[string]any{"roles": []map[string]any{{"role": "staff", "department": "gmo"}}}
	s.retried(http.StatusOK, "sysadmin", "PUT", "/api/v1/admin/users/it.idem/roles", roles, s.key("roles"))
	s.one("admin.user.roles audit", `SELECT count(*) FROM audit WHERE action = 'admin.user.roles' AND decision = 'allowed' AND object = 'user:it.idem'`)
}

// TestIdempotencyRetention: past --idempotency-ttl a key's answer is no
// longer kept: the retry runs afresh (a second claim: 409, as without a
// key) and the key then holds nothing (a 4xx is not kept).
func TestIdempotencyRetention(t *testing.T) {
	s := newStackWith(t, func(c *api.Config) { c.IdempotencyTTL = 300 * time.Millisecond })
	pid := s.startApproval("cs.agent", "保留期 retention", "internal")
	task := s.waitTask(pid, "dept_head_approval")
	key := s.key("retention")
	s.retried(http.StatusOK, "cs.head", "POST", "/api/v1/tasks/"+task+"/claim", nil, key)
	time.Sleep(400 * time.Millisecond)
	r := s.call("cs.head", "POST", "/api/v1/tasks/"+task+"/claim", nil, "Idempotency-Key", key)
	s.wantError(r, http.StatusConflict, "conflict")
	if r.Header.Get(api.ReplayedHeader) != "" {
		t.Error("an expired answer was replayed")
	}
	if n := s.count(`SELECT count(*) FROM idempotency_keys`); n != 0 {
		t.Errorf("%d keys kept after the expired retry", n)
	}
}

// abandon makes the kept answers of user's keys look like calls a
// replica stopped in the middle of: pending, of another request, past the
// stale cut (the effect is in place, the answer was never kept).
func (s *stack) abandon(user string) {
	s.t.Helper()
	if _, err := s.pool.Exec(context.Background(), `UPDATE idempotency_keys SET state = 'pending', status = NULL, body = NULL,
        claim = '\xdead'::bytea, created_at = created_at - interval '1 hour' WHERE username = $1`, user); err != nil {
		s.t.Fatal(err)
	}
}

// TestIdempotentAbandonedCalls: a call whose replica stopped after its
// effect and before its answer was kept leaves its key pending; the retry
// under that key, past the stale cut, takes the key over and answers what
// the first call did — claim, comment, delegate, complete and reassign —
// never 409 and never a second effect. Another call under the abandoned
// key runs afresh (and finds the task as it is).
func TestIdempotentAbandonedCalls(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "中断 abandoned", "internal")
	t1 := s.waitTask(pid, "dept_head_approval")
	again := func(want int, user, method, path string, body any, key string) map[string]any {
		t.Helper()
		if r := s.call(user, method, path, body, "Idempotency-Key", key); r.Status != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, r.Status, r.Body, want)
		}
		s.abandon(user)
		r := s.call(user, method, path, body, "Idempotency-Key", key)
		if r.Status != want || r.Header.Get(api.ReplayedHeader) != "" {
			t.Fatalf("%s %s resumed: %d %s (replayed %q), want %d", method, path, r.Status, r.Body, r.Header.Get(api.ReplayedHeader), want)
		}
		return r.JSON(t)
	}
	if c := again(http.StatusOK, "cs.head", "POST", "/api/v1/tasks/"+t1+"/claim", nil, s.key("claim")); c["assignee"] != "cs.head" {
		t.Fatalf("claim resumed: %v", c)
	}
	s.one("task.claim audit", `SELECT count(*) FROM audit WHERE action = 'task.claim' AND object = $1`, "task:"+t1)
	if c := again(http.StatusCreated, "cs.head", "POST", "/api/v1/tasks/"+t1+"/comments", map[string]any{"body": "一次"}, s.key("comment")); c["body"] != "一次" {
		t.Fatalf("comment resumed: %v", c)
	}
	s.one("comment rows", `SELECT count(*) FROM task_comments WHERE task_id = $1`, t1)
	if d := again(http.StatusOK, "cs.head", "POST", "/api/v1/tasks/"+t1+"/delegate", map[string]any{"to": "cs.super"}, s.key("delegate")); d["delegate"] != "cs.super" {
		t.Fatalf("delegate resumed: %v", d)
	}
	s.one("task.delegate audit", `SELECT count(*) FROM audit WHERE action = 'task.delegate' AND object = $1`, "task:"+t1)
	complete := map[string]any{"outcome": "approve", "data": map[string]any{"opinion": "同意"}, "comment": "好"}
	if d := again(http.StatusOK, "cs.super", "POST", "/api/v1/tasks/"+t1+"/complete", complete, s.key("complete")); d["state"] != "completed" {
		t.Fatalf("complete resumed: %v", d)
	}
	s.one("task.complete audit", `SELECT count(*) FROM audit WHERE action = 'task.complete' AND decision = 'allowed' AND object = $1`, "task:"+t1)
	s.one("task_completed", `SELECT count(*) FROM timeline WHERE task_id = $1 AND action = 'task_completed'`, t1)
	t2 := s.waitTask(pid, "vp_approval")
	if r := again(http.StatusOK, "gm", "POST", "/api/v1/tasks/"+t2+"/reassign", map[string]any{"to": "deputy"}, s.key("reassign")); r["assignee"] != "deputy" {
		t.Fatalf("reassign resumed: %v", r)
	}
	s.one("task.reassign audit", `SELECT count(*) FROM audit WHERE action = 'task.reassign' AND object = $1`, "task:"+t2)

	// Another completion under an abandoned key is not the first call's:
	// it runs and finds the task completed.
	s.abandon("cs.super")
	other := map[string]any{"outcome": "reject", "data": map[string]any{"opinion": "不同意"}}
	s.wantError(s.call("cs.super", "POST", "/api/v1/tasks/"+t1+"/complete", other, "Idempotency-Key", s.key("complete")), http.StatusConflict, "conflict")
}

// settled waits until the workflow of process id has nothing in hand: no
// workflow task and no activity pending.
func (s *stack) settled(id string) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err := s.client.DescribeWorkflowExecution(context.Background(), id, "")
		if err != nil {
			s.t.Fatal(err)
		}
		if d.PendingWorkflowTask == nil && len(d.PendingActivities) == 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("process %s still busy", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
