package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/internal/accesstable"
)

func TestExplainWhoCanWhatCan(t *testing.T) {
	s := newStack(t)
	if err := accesstable.Load(context.Background(), s.store); err != nil {
		t.Fatal(err)
	}
	secret := "process:fx-cs-secret"

	// Only compliance and the GM's office may ask; the refusal is audited.
	for _, u := range []string{"cs.head", "sysadmin", "secadmin", "secaudit", "cs.agent"} {
		s.wantError(s.call(u, "GET", "/api/v1/authz/explain?user=cs.agent&action=read&object="+secret, nil), 403, "forbidden")
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE decision = 'denied' AND action = 'audit.read'`); n != 5 {
		t.Fatalf("denied compliance queries audited = %d, want 5", n)
	}

	e := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/explain?user=cs.agent&action=read&object="+secret, nil))
	if e["allowed"] != false || !strings.Contains(strings.Join(strs(e["reasons"]), " "), "clearance internal") {
		t.Fatalf("explain cs.agent = %v", e)
	}
	e = s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/explain?user=cs.head&action=read&object="+secret, nil))
	if e["allowed"] != true || !strings.Contains(strings.Join(strs(e["reasons"]), " "), "p, dept_head, own, process, read") {
		t.Fatalf("explain cs.head = %v", e)
	}
	e = s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/authz/explain?user=hr.head&action=read&object=process:fx-cs-top_secret", nil))
	if e["allowed"] != true || !strings.Contains(strings.Join(strs(e["reasons"]), " "), "designated") {
		t.Fatalf("explain designation = %v", e)
	}
	// Above the asker's clearance, objects do not exist for them.
	s.wantError(s.call("bmo.auditor", "GET", "/api/v1/authz/explain?user=gm&action=read&object=process:fx-cs-top_secret", nil), 404, "not_found")
	for _, q := range []string{"user=cs.head&action=read&object=nonsense", "user=cs.head&action=fly&object=" + secret,
		"user=nobody&action=read&object=" + secret, "action=read&object=" + secret} {
		s.wantError(s.call("bmo.auditor", "GET", "/api/v1/authz/explain?"+q, nil), 400, "invalid")
	}
	s.wantError(s.call("bmo.auditor", "GET", "/api/v1/authz/explain?user=cs.head&action=read&object=process:nope", nil), 404, "not_found")

	w := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/who-can?action=read&object="+secret, nil))
	var who []string
	for _, p := range w["users"].([]any) {
		who = append(who, p.(map[string]any)["username"].(string))
	}
	if want := []string{"cs.head", "cs.super", "deputy", "gm", "vp.ops"}; !sameSet(who, want) {
		t.Fatalf("who can read %s = %v, want %v", secret, who, want)
	}

	wc := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/authz/what-can?user=cs.head", nil))
	found := false
	for _, c := range wc["process"].([]any) {
		cap := c.(map[string]any)
		if cap["department"] == "cs" && cap["level"] == "secret" {
			found = cap["read"] == true && cap["cancel"] == true && cap["reassign"] == true
		}
		if cap["department"] == "fin" && cap["read"] == true {
			t.Errorf("cs.head may not read finance processes: %v", cap)
		}
	}
	if !found {
		t.Fatal("what-can: cs.head reads, cancels and reassigns secret cs processes")
	}
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestDesignations(t *testing.T) {
	s := newStack(t)
	if err := accesstable.Load(context.Background(), s.store); err != nil {
		t.Fatal(err)
	}
	obj := "process:fx-fin-top_secret"
	s.wantError(s.call("fin.head", "GET", "/api/v1/processes/fx-fin-top_secret", nil), 404, "not_found")
	s.wantError(s.call("vp.admin", "POST", "/api/v1/designations", map[string]any{"user": "fin.head", "object": obj}), 403, "forbidden")
	s.wantError(s.call("gm", "POST", "/api/v1/designations", map[string]any{"user": "fin.head", "object": "process:fx-fin-secret"}), 400, "invalid")
	s.wantError(s.call("gm", "POST", "/api/v1/designations", map[string]any{"user": "ghost", "object": obj}), 400, "invalid")
	s.wantError(s.call("gm", "POST", "/api/v1/designations", map[string]any{"user": "fin.head", "object": "process:missing"}), 404, "not_found")

	s.must(http.StatusCreated, s.call("deputy", "POST", "/api/v1/designations", map[string]any{"user": "fin.head", "object": obj, "reason": "audit of the budget"}))
	s.wantError(s.call("gm", "POST", "/api/v1/designations", map[string]any{"user": "fin.head", "object": obj}), 409, "conflict")
	s.must(http.StatusOK, s.call("fin.head", "GET", "/api/v1/processes/fx-fin-top_secret", nil))
	s.must(http.StatusOK, s.call("fin.head", "GET", "/api/v1/tasks/t-fx-fin-top_secret", nil))
	if !slices.Contains(ids(s.must(http.StatusOK, s.call("fin.head", "GET", "/api/v1/processes", nil))), "fx-fin-top_secret") {
		t.Fatal("a designated user's list includes the object")
	}
	// Designation admits whatever the clearance: wh.clerk is cleared for internal only.
	s.must(http.StatusCreated, s.call("gm", "POST", "/api/v1/designations", map[string]any{"user": "wh.clerk", "object": obj}))
	s.must(http.StatusOK, s.call("wh.clerk", "GET", "/api/v1/processes/fx-fin-top_secret", nil))

	s.must(http.StatusOK, s.call("gm", "DELETE", "/api/v1/designations?user=fin.head&object="+obj, nil))
	s.wantError(s.call("gm", "DELETE", "/api/v1/designations?user=fin.head&object="+obj, nil), 404, "not_found")
	s.wantError(s.call("fin.head", "GET", "/api/v1/processes/fx-fin-top_secret", nil), 404, "not_found")

	list := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/designations?all=true", nil))
	if n := len(list["items"].([]any)); n != 3 { // the fixture's, fin.head's (revoked), wh.clerk's
		t.Fatalf("designations = %d, want 3", n)
	}
	for _, a := range []string{"designation.grant", "designation.revoke"} {
		if s.count(`SELECT count(*) FROM audit WHERE action = $1 AND object = $2`, a, obj) == 0 {
			t.Errorf("no %s audit entry", a)
		}
	}
}

func TestAuditTrail(t *testing.T) {
	s := newStack(t)
	if err := accesstable.Load(context.Background(), s.store); err != nil {
		t.Fatal(err)
	}
	s.must(http.StatusOK, s.call("cs.head", "GET", "/api/v1/processes/fx-cs-secret", nil))          // a read of secret: audited
	s.must(http.StatusOK, s.call("cs.head", "GET", "/api/v1/processes/fx-cs-internal", nil))        // internal: not
	s.wantError(s.call("cs.agent", "GET", "/api/v1/processes/fx-cs-secret", nil), 404, "not_found") // a denial: audited

	page := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/audit?object=process:fx-cs-secret", nil))
	var got []string
	for _, it := range page["items"].([]any) {
		e := it.(map[string]any)
		got = append(got, e["actor"].(string)+" "+e["action"].(string)+" "+e["decision"].(string))
		if e["hash"] == "" || e["address"] == "" {
			t.Errorf("entry without hash or address: %v", e)
		}
	}
	if want := []string{"cs.head process.read allowed", "cs.agent process.read denied"}; !slices.Equal(got, want) {
		t.Fatalf("audit of fx-cs-secret = %v, want %v", got, want)
	}
	if s.count(`SELECT count(*) FROM audit WHERE object = 'process:fx-cs-internal'`) != 0 {
		t.Fatal("reads below secret are not audited")
	}
	denied := s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/audit?decision=denied&user=cs.agent", nil))
	if len(denied["items"].([]any)) != 1 {
		t.Fatalf("filtered audit = %v", denied)
	}
	s.wantError(s.call("bmo.auditor", "GET", "/api/v1/audit?since=yesterday", nil), 400, "invalid")
	s.wantError(s.call("cs.head", "GET", "/api/v1/audit", nil), 403, "forbidden")

	v := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/audit/verify", nil))
	if v["ok"] != true || v["entries"].(float64) < 3 {
		t.Fatalf("verify = %v", v)
	}
	// No UPDATE or DELETE path; a superuser who goes around the triggers is caught.
	if _, err := s.pool.Exec(context.Background(), `UPDATE audit SET decision = 'allowed' WHERE decision = 'denied'`); err == nil {
		t.Fatal("the audit trail accepted an UPDATE")
	}
	if _, err := s.pool.Exec(context.Background(), `ALTER TABLE audit DISABLE TRIGGER audit_no_update;
        UPDATE audit SET decision = 'allowed' WHERE actor = 'cs.agent';
        ALTER TABLE audit ENABLE TRIGGER audit_no_update`); err != nil {
		t.Fatal(err)
	}
	v = s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/audit/verify", nil))
	if v["ok"] != false || v["broken_at"] == nil || !strings.Contains(v["problem"].(string), "altered") {
		t.Fatalf("verify after tampering = %v", v)
	}
}

func TestAdministration(t *testing.T) {
	s := newStack(t)
	s.wantError(s.call("gm", "GET", "/api/v1/admin/users", nil), 403, "forbidden")
	s.wantError(s.call("secaudit", "GET", "/api/v1/admin/users", nil), 403, "forbidden")
	for _, admin := range []string{"sysadmin", "secadmin"} {
		users := s.must(http.StatusOK, s.call(admin, "GET", "/api/v1/admin/users", nil))
		if len(users["items"].([]any)) != len(demo.Users()) {
			t.Fatalf("users = %d", len(users["items"].([]any)))
		}
	}
	s.wantError(s.call("secadmin", "POST", "/api/v1/admin/users", map[string]any{
		"username": "cs.temp", "name": "临时工", "department": "cs", "clearance": "internal"}), 403, "forbidden")
	created := s.must(http.StatusCreated, s.call("sysadmin", "POST", "/api/v1/admin/users", map[string]any{
		"username": "cs.temp", "name": "临时工", "department": "cs", "clearance": "internal",
		"roles": []map[string]any{{"role": "staff", "department": "cs"}}}))
	token := created["token"].(string)
	req, _ := http.NewRequest("GET", s.http.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("the new user's token: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/users", map[string]any{"username": "cs.temp", "name": "x", "department": "cs", "clearance": "public"}), 409, "conflict")
	s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/users/cs.temp/password", map[string]any{"password": "short"}), 400, "invalid")
	s.wantError(s.call("cs.head", "POST", "/api/v1/admin/users/cs.temp/password", map[string]any{"password": "long enough pass"}), 403, "forbidden")
	s.wantError(s.call("secadmin", "POST", "/api/v1/admin/users/cs.temp/password", map[string]any{"password": "long enough pass"}), 403, "forbidden")
	s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/users/ghost/password", map[string]any{"password": "long enough pass"}), 404, "not_found")
	s.must(http.StatusOK, s.call("sysadmin", "POST", "/api/v1/admin/users/cs.temp/password", map[string]any{"password": "long enough pass"}))
	if _, err := s.store.CheckPassword(context.Background(), "cs.temp", "long enough pass"); err != nil {
		t.Fatalf("the new password signs in: %v", err)
	}
	s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/users", map[string]any{"username": "X!", "name": "", "department": "mars", "roles": []map[string]any{{"role": "king", "department": "cs"}}}), 400, "invalid")

	// No administrator changes their own account, nor another administrator's.
	s.wantError(s.call("sysadmin", "PATCH", "/api/v1/admin/users/sysadmin", map[string]any{"clearance": "top_secret"}), 403, "forbidden")
	s.wantError(s.call("secadmin", "PUT", "/api/v1/admin/users/secadmin/roles", map[string]any{"roles": []map[string]any{{"role": "gm", "department": "gmo"}}}), 403, "forbidden")
	// Clearances above internal and business roles are the security administrator's.
	s.wantError(s.call("sysadmin", "PATCH", "/api/v1/admin/users/cs.agent", map[string]any{"clearance": "secret"}), 403, "forbidden")
	u := s.must(http.StatusOK, s.call("secadmin", "PATCH", "/api/v1/admin/users/cs.agent", map[string]any{"clearance": "secret"}))
	if u["clearance"] != "secret" {
		t.Fatalf("clearance = %v", u["clearance"])
	}
	s.wantError(s.call("sysadmin", "PUT", "/api/v1/admin/users/cs.agent/roles", map[string]any{"roles": []map[string]any{{"role": "supervisor", "department": "cs"}}}), 403, "forbidden")
	s.must(http.StatusOK, s.call("secadmin", "PUT", "/api/v1/admin/users/cs.agent/roles", map[string]any{"roles": []map[string]any{{"role": "supervisor", "department": "cs"}}}))
	// The new role counts at once: supervisors read their department's processes.
	pid := s.startApproval("cs.head", "visible to supervisors", "internal")
	s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/processes/"+pid, nil))

	line := map[string]any{"role": "staff", "domain": "own", "object": "process", "action": "read"}
	s.wantError(s.call("cs.head", "POST", "/api/v1/admin/policy", line), 403, "forbidden")
	s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/policy", line), 403, "forbidden")
	s.must(http.StatusCreated, s.call("secadmin", "POST", "/api/v1/admin/policy", line))
	s.wantError(s.call("secadmin", "POST", "/api/v1/admin/policy", line), 409, "conflict")
	s.wantError(s.call("secadmin", "POST", "/api/v1/admin/policy", map[string]any{"role": "staff", "domain": "mars", "object": "", "action": "read"}), 400, "invalid")
	s.must(http.StatusOK, s.call("secadmin", "DELETE", "/api/v1/admin/policy", line))
	s.wantError(s.call("secadmin", "DELETE", "/api/v1/admin/policy", line), 404, "not_found")
	// The administrators read no business data.
	for _, admin := range []string{"sysadmin", "secadmin", "secaudit"} {
		s.wantError(s.call(admin, "GET", "/api/v1/processes/"+pid, nil), 404, "not_found")
	}

	for _, a := range []struct{ actor, action string }{{"sysadmin", "admin.user.create"}, {"secadmin", "admin.user.update"},
		{"secadmin", "admin.user.roles"}, {"sysadmin", "admin.user.password"}, {"secadmin", "admin.policy.add"}, {"secadmin", "admin.policy.remove"}} {
		if s.count(`SELECT count(*) FROM audit WHERE action = $1 AND actor = $2 AND decision = 'allowed'`, a.action, a.actor) == 0 {
			t.Errorf("no %s audit entry by %s", a.action, a.actor)
		}
	}
	if s.count(`SELECT count(*) FROM audit WHERE decision = 'denied' AND object IN ('user:sysadmin', 'user:secadmin')`) != 2 {
		t.Error("changes to administrators' own accounts must be refused and audited")
	}
}

// TestPolicyChangeReachesEveryReplica: a policy change made through one
// API replica is honoured by a second replica sharing the database, and so
// is a disabled account, although the second replica remembers its users
// for an hour.
func TestPolicyChangeReachesEveryReplica(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.head", "replicas", "internal")

	az, err := authz.New(s.pool)
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.DefaultConfig()
	cfg.UserCacheTTL = time.Hour
	srv := api.New(s.store, az, api.TemporalEngine{Client: s.client, TaskQueue: s.queue}, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	listening := make(chan struct{})
	go az.Watch(ctx, s.pool, func() { close(listening) }, srv.ForgetUsers)
	<-listening
	second := httptest.NewServer(srv.Router())
	defer second.Close()
	readOnSecond := func() int {
		req, _ := http.NewRequest("GET", second.URL+"/api/v1/processes/"+pid, nil)
		req.Header.Set("Authorization", "Bearer "+s.creds["cs.agent"].Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	waitOnSecond := func(what string, want int) {
		t.Helper()
		began := time.Now()
		for readOnSecond() != want {
			if time.Since(began) > 10*time.Second {
				t.Fatalf("the second replica never saw %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Logf("the second replica honoured %s after %s", what, time.Since(began).Round(time.Millisecond))
	}
	if st := readOnSecond(); st != http.StatusNotFound {
		t.Fatalf("before the change: %d, want 404", st)
	}
	s.must(http.StatusCreated, s.call("secadmin", "POST", "/api/v1/admin/policy", map[string]any{"role": "staff", "domain": "own", "object": "process", "action": "read"}))
	waitOnSecond("the policy change", http.StatusOK)
	s.must(http.StatusOK, s.call("sysadmin", "PATCH", "/api/v1/admin/users/cs.agent", map[string]any{"disabled": true}))
	waitOnSecond("the disabled account", http.StatusUnauthorized)
}

// TestLevelChanges: writers raise a level, only the GM's office lowers
// it, and tasks follow their process.
func TestLevelChanges(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "level changes", "internal")
	tid := s.waitTask(pid, "dept_head_approval")

	s.wantError(s.call("cs.agent", "POST", "/api/v1/processes/"+pid+"/level", map[string]any{"level": "secret", "reason": "x"}), 400, "invalid") // above their clearance
	s.wantError(s.call("cs.super", "POST", "/api/v1/processes/"+pid+"/level", map[string]any{"level": "secret", "reason": "x"}), 403, "forbidden")
	s.wantError(s.call("cs.head", "POST", "/api/v1/processes/"+pid+"/level", map[string]any{"level": "secret"}), 400, "invalid")
	s.wantError(s.call("cs.head", "POST", "/api/v1/processes/"+pid+"/level", map[string]any{"level": "internal", "reason": "same"}), 400, "invalid")

	p := s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/processes/"+pid+"/level", map[string]any{"level": "secret", "reason": "names a supplier"}))
	if p["level"] != "secret" {
		t.Fatalf("level = %v", p["level"])
	}
	var taskLevel int
	if err := s.pool.QueryRow(context.Background(), `SELECT level FROM tasks WHERE id = $1`, tid).Scan(&taskLevel); err != nil || taskLevel != 2 {
		t.Fatalf("task level = %d (%v), want secret", taskLevel, err)
	}
	// The starter is cleared for internal only: the process is now out of their sight.
	s.wantError(s.call("cs.agent", "GET", "/api/v1/processes/"+pid, nil), 404, "not_found")
	s.wantError(s.call("cs.head", "POST", "/api/v1/processes/"+pid+"/level", map[string]any{"level": "internal", "reason": "declassify"}), 403, "forbidden")
	s.must(http.StatusOK, s.call("gm", "POST", "/api/v1/processes/"+pid+"/level", map[string]any{"level": "internal", "reason": "declassified"}))
	s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/processes/"+pid, nil))
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'process.level' AND decision = 'allowed'`); n != 2 {
		t.Fatalf("level change audit entries = %d, want 2", n)
	}
	// New tasks inherit the process's current level.
	s.must(http.StatusOK, s.call("gm", "POST", "/api/v1/processes/"+pid+"/level", map[string]any{"level": "secret", "reason": "again"}))
	s.work("cs.head", tid, "approve", nil)
	t2 := s.waitTask(pid, "vp_approval")
	if err := s.pool.QueryRow(context.Background(), `SELECT level FROM tasks WHERE id = $1`, t2).Scan(&taskLevel); err != nil || taskLevel != 2 {
		t.Fatalf("new task level = %d (%v), want secret", taskLevel, err)
	}
}
