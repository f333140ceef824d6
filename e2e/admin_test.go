package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

// The attacks of issue 11 §2 ("the administrator can become the GM"),
// replayed against the three administrators that replace it (三员分立).

// bearer calls as the holder of token rather than a demo user.
func (s *stack) bearer(token, method, path string, body any) response {
	s.t.Helper()
	cr := s.creds["cs.agent"]
	saved := cr.Token
	cr.Token = token
	s.creds["cs.agent"] = cr
	defer func() { cr.Token = saved; s.creds["cs.agent"] = cr }()
	return s.call("cs.agent", method, path, body)
}

// TestAdminCannotTakeOverLeadership: no administrator alone gets a token
// or password for the GM line or a top-secret-cleared account.
func TestAdminCannotTakeOverLeadership(t *testing.T) {
	s := newStack(t)
	for _, target := range []string{"deputy", "gm"} {
		out := s.must(http.StatusAccepted, s.call("sysadmin", "POST", "/api/v1/admin/users/"+target+"/token", nil))
		if _, leaked := out["token"]; leaked {
			t.Fatalf("a token for %s reached the administrator: %v", target, out)
		}
		if r := out["reset"].(map[string]any); r["state"] != "pending" || r["user"] != target || r["kind"] != "token" {
			t.Fatalf("reset = %v", r)
		}
		// Nothing changed: the account's own token still works.
		s.must(http.StatusOK, s.call(target, "GET", "/api/v1/me", nil))
		s.wantError(s.call("sysadmin", "POST", "/api/v1/admin/users/"+target+"/token", nil), 409, "conflict")
	}
	out := s.must(http.StatusAccepted, s.call("sysadmin", "POST", "/api/v1/admin/users/deputy/password", map[string]any{"password": "chosen by the admin"}))
	if out["reset"].(map[string]any)["kind"] != "password" {
		t.Fatalf("password reset = %v", out)
	}
	if _, err := s.store.CheckPassword(context.Background(), "deputy", "chosen by the admin"); err == nil {
		t.Fatal("the administrator's password for the deputy GM signs in")
	}
	// The GM line and the top-secret clearance are the GM's to give: not
	// even the security administrator gives them.
	s.wantError(s.call("secadmin", "PATCH", "/api/v1/admin/users/hr.head", map[string]any{"clearance": "top_secret"}), 403, "forbidden")
	s.wantError(s.call("secadmin", "PATCH", "/api/v1/admin/users/deputy", map[string]any{"clearance": "internal"}), 403, "forbidden")
	for _, roles := range [][]map[string]any{{{"role": "gm", "department": "gmo"}}, {{"role": "staff", "department": "cs"}, {"role": "deputy_gm", "department": "gmo"}}} {
		s.wantError(s.call("secadmin", "PUT", "/api/v1/admin/users/cs.agent/roles", map[string]any{"roles": roles}), 403, "forbidden")
	}
	s.wantError(s.call("secadmin", "PUT", "/api/v1/admin/users/deputy/roles", map[string]any{"roles": []map[string]any{}}), 403, "forbidden")
	s.wantError(s.call("gm", "PATCH", "/api/v1/admin/users/hr.head", map[string]any{"clearance": "confidential", "name": "x"}), 403, "forbidden")
	s.wantError(s.call("gm", "PUT", "/api/v1/admin/users/cs.head/roles", map[string]any{"roles": []map[string]any{{"role": "staff", "department": "cs"}}}), 403, "forbidden")
	s.must(http.StatusOK, s.call("gm", "PUT", "/api/v1/admin/users/cs.head/roles", map[string]any{"roles": []map[string]any{
		{"role": "dept_head", "department": "cs"}, {"role": "deputy_gm", "department": "gmo"}}}))
	s.must(http.StatusOK, s.call("gm", "PUT", "/api/v1/admin/users/cs.head/roles", map[string]any{"roles": []map[string]any{{"role": "dept_head", "department": "cs"}}}))
	// Cleared top secret (by the GM) without a leadership role: resets wait too.
	s.must(http.StatusOK, s.call("gm", "PATCH", "/api/v1/admin/users/hr.head", map[string]any{"clearance": "top_secret"}))
	s.must(http.StatusAccepted, s.call("sysadmin", "POST", "/api/v1/admin/users/hr.head/token", nil))
	// Everyone else's reset stays immediate.
	s.must(http.StatusOK, s.call("sysadmin", "POST", "/api/v1/admin/users/cs.head/token", nil))

	// Creating the GM: refused to the system administrator; the security
	// administrator creates no accounts.
	for name, body := range map[string]map[string]any{
		"gm role":    {"username": "evil.gm", "name": "x", "department": "gmo", "clearance": "internal", "roles": []map[string]any{{"role": "gm", "department": "gmo"}}},
		"deputy":     {"username": "evil.dgm", "name": "x", "department": "gmo", "clearance": "public", "roles": []map[string]any{{"role": "deputy_gm", "department": "gmo"}}},
		"top secret": {"username": "evil.ts", "name": "x", "department": "gmo", "clearance": "top_secret"},
		"secret":     {"username": "evil.s", "name": "x", "department": "cs", "clearance": "secret", "roles": []map[string]any{{"role": "staff", "department": "cs"}}},
		"head":       {"username": "evil.h", "name": "x", "department": "cs", "clearance": "internal", "roles": []map[string]any{{"role": "dept_head", "department": "cs"}}},
		"admin role": {"username": "evil.a", "name": "x", "department": "gmo", "clearance": "internal", "roles": []map[string]any{{"role": "secadmin", "department": "gmo"}}},
	} {
		for _, admin := range []string{"sysadmin", "secadmin"} {
			if r := s.call(admin, "POST", "/api/v1/admin/users", body); r.Status != http.StatusForbidden {
				t.Errorf("%s: creating as %s = %d, want 403: %s", name, admin, r.Status, r.Body)
			}
		}
	}
	if n := s.count(`SELECT count(*) FROM users WHERE username LIKE 'evil.%'`); n != 0 {
		t.Fatalf("%d forbidden accounts were created", n)
	}
	// Nor raise an account they made.
	s.must(http.StatusCreated, s.call("sysadmin", "POST", "/api/v1/admin/users", map[string]any{"username": "it.temp", "name": "临时", "department": "gmo", "clearance": "internal"}))
	s.wantError(s.call("sysadmin", "PATCH", "/api/v1/admin/users/it.temp", map[string]any{"clearance": "top_secret"}), 403, "forbidden")
	s.wantError(s.call("sysadmin", "PUT", "/api/v1/admin/users/it.temp/roles", map[string]any{"roles": []map[string]any{{"role": "gm", "department": "gmo"}}}), 403, "forbidden")
	s.wantError(s.call("sysadmin", "PUT", "/api/v1/admin/users/gm/roles", map[string]any{"roles": []map[string]any{{"role": "staff", "department": "gmo"}}}), 403, "forbidden")
	s.must(http.StatusOK, s.call("sysadmin", "PATCH", "/api/v1/admin/users/it.temp", map[string]any{"clearance": "public"}))
}

// TestAdminsCheckEachOther: no administrator changes their own account or
// another administrator's, nor a policy line about administrators; only
// the GM appoints and dismisses them.
func TestAdminsCheckEachOther(t *testing.T) {
	s := newStack(t)
	admins := []string{"sysadmin", "secadmin", "secaudit"}
	for _, by := range admins {
		for _, target := range admins {
			u := "/api/v1/admin/users/" + target
			for _, c := range []struct {
				method, path string
				body         any
			}{
				{"PATCH", u, map[string]any{"disabled": true}},
				{"PATCH", u, map[string]any{"clearance": "top_secret"}},
				{"PUT", u + "/roles", map[string]any{"roles": []map[string]any{}}},
				{"PUT", u + "/roles", map[string]any{"roles": []map[string]any{{"role": "gm", "department": "gmo"}}}},
				{"POST", u + "/token", nil},
				{"POST", u + "/password", map[string]any{"password": "long enough pass"}},
			} {
				if r := s.call(by, c.method, c.path, c.body); r.Status != http.StatusForbidden {
					t.Errorf("%s %s %s as %s = %d, want 403: %s", c.method, c.path, c.body, by, r.Status, r.Body)
				}
			}
		}
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE decision = 'denied' AND action LIKE 'admin.user.%' AND object IN ('user:sysadmin', 'user:secadmin', 'user:secaudit')`); n != 3*3*6 {
		t.Errorf("refusals audited = %d, want %d", n, 3*3*6)
	}
	// The security auditor is still there.
	s.must(http.StatusOK, s.call("secaudit", "GET", "/api/v1/audit", nil))

	// Policy lines that name an administrator role or the admin object.
	for _, line := range []map[string]any{
		{"role": "sysadmin", "domain": "*", "object": "audit", "action": "read"},
		{"role": "secadmin", "domain": "*", "object": "process", "action": "read"},
		{"role": "secaudit", "domain": "*", "object": "audit", "action": "read"},
		{"role": "staff", "domain": "*", "object": "admin", "action": "*"},
		{"role": "gm", "domain": "*", "object": "admin:users", "action": "*"},
	} {
		s.wantError(s.call("secadmin", "POST", "/api/v1/admin/policy", line), 403, "forbidden")
		s.wantError(s.call("secadmin", "DELETE", "/api/v1/admin/policy", line), 403, "forbidden")
	}
	// The old role name is gone.
	s.wantError(s.call("secadmin", "POST", "/api/v1/admin/policy", map[string]any{"role": "admin", "domain": "*", "object": "audit", "action": "read"}), 400, "invalid")

	// Administrator roles: never granted by an administrator; the GM
	// appoints an account without roles and dismisses.
	s.must(http.StatusCreated, s.call("sysadmin", "POST", "/api/v1/admin/users", map[string]any{"username": "it.new", "name": "新管理员", "department": "gmo", "clearance": "internal"}))
	grant := map[string]any{"roles": []map[string]any{{"role": "secadmin", "department": "gmo"}}}
	s.wantError(s.call("secadmin", "PUT", "/api/v1/admin/users/it.new/roles", grant), 403, "forbidden")
	s.wantError(s.call("sysadmin", "PUT", "/api/v1/admin/users/it.new/roles", grant), 403, "forbidden")
	s.wantError(s.call("gm", "PUT", "/api/v1/admin/users/cs.agent/roles", grant), 403, "forbidden") // holds a business role
	s.wantError(s.call("gm", "PUT", "/api/v1/admin/users/it.new/roles", map[string]any{"roles": []map[string]any{
		{"role": "secadmin", "department": "gmo"}, {"role": "staff", "department": "gmo"}}}), 403, "forbidden")
	s.must(http.StatusOK, s.call("gm", "PUT", "/api/v1/admin/users/it.new/roles", grant))
	s.wantError(s.call("secadmin", "PATCH", "/api/v1/admin/users/it.new", map[string]any{"clearance": "secret"}), 403, "forbidden")
	s.must(http.StatusOK, s.call("gm", "PUT", "/api/v1/admin/users/it.new/roles", map[string]any{"roles": []map[string]any{}}))
	s.wantError(s.call("gm", "PATCH", "/api/v1/admin/users/it.new", map[string]any{"disabled": true}), 403, "forbidden")
	s.must(http.StatusOK, s.call("sysadmin", "PATCH", "/api/v1/admin/users/it.new", map[string]any{"disabled": true}))

	// Administrators are never designated for top-secret material.
	pid := s.startApproval("gm", "merger", "top_secret")
	s.wantError(s.call("gm", "POST", "/api/v1/designations", map[string]any{"user": "secadmin", "object": "process:" + pid, "reason": "x"}), 400, "invalid")
}

// TestSecurityAuditorReadsTheAdministrators: the auditor reads what the
// administrators did — nothing else — and nobody can switch that off;
// the administrators read no audit; compliance reads the business.
func TestSecurityAuditorReadsTheAdministrators(t *testing.T) {
	s := newStack(t)
	s.startApproval("cs.head", "business as usual", "internal")
	s.must(http.StatusOK, s.call("sysadmin", "PATCH", "/api/v1/admin/users/cs.agent", map[string]any{"name": "郑晓"}))
	s.wantError(s.call("cs.head", "POST", "/api/v1/admin/policy", map[string]any{"role": "staff", "domain": "own", "object": "process", "action": "read"}), 403, "forbidden")
	for _, admin := range []string{"sysadmin", "secadmin"} {
		s.wantError(s.call(admin, "GET", "/api/v1/audit", nil), 403, "forbidden")
		s.wantError(s.call(admin, "GET", "/api/v1/audit/verify", nil), 403, "forbidden")
	}
	// The security administrator removes every audit line it may: the
	// business auditors lose their view, the security auditor keeps its.
	for _, role := range []string{"compliance", "gm", "deputy_gm"} {
		s.must(http.StatusOK, s.call("secadmin", "DELETE", "/api/v1/admin/policy", map[string]any{"role": role, "domain": "*", "object": "audit", "action": "read"}))
	}
	s.wantError(s.call("bmo.auditor", "GET", "/api/v1/audit", nil), 403, "forbidden")

	page := s.must(http.StatusOK, s.call("secaudit", "GET", "/api/v1/audit?limit=200", nil))
	admins := map[string]bool{"sysadmin": true, "secadmin": true, "secaudit": true}
	seen := map[string]bool{}
	for _, it := range page["items"].([]any) {
		e := it.(map[string]any)
		action, actor := e["action"].(string), e["actor"].(string)
		if !strings.HasPrefix(action, "admin.") && !admins[actor] {
			t.Errorf("the security auditor reads a business entry: %v", e)
		}
		seen[action+" "+e["decision"].(string)] = true
	}
	for _, want := range []string{"admin.user.update allowed", "admin.policy.add denied", "admin.policy.remove allowed", "audit.read denied"} {
		if !seen[want] {
			t.Errorf("the security auditor does not see %s: %v", want, seen)
		}
	}
	s.must(http.StatusOK, s.call("secaudit", "GET", "/api/v1/audit/verify", nil))
	// The security auditor changes nothing and reads no business data.
	s.wantError(s.call("secaudit", "PATCH", "/api/v1/admin/users/cs.agent", map[string]any{"name": "x"}), 403, "forbidden")
	s.wantError(s.call("secaudit", "POST", "/api/v1/admin/policy", map[string]any{"role": "staff", "domain": "own", "object": "process", "action": "read"}), 403, "forbidden")
	s.wantError(s.call("secaudit", "GET", "/api/v1/authz/who-can?action=read&object=process:x", nil), 403, "forbidden")

	// Compliance, its line restored, reads the business and no administration.
	s.must(http.StatusCreated, s.call("secadmin", "POST", "/api/v1/admin/policy", map[string]any{"role": "compliance", "domain": "*", "object": "audit", "action": "read"}))
	page = s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/audit?limit=200", nil))
	business := 0
	for _, it := range page["items"].([]any) {
		e := it.(map[string]any)
		if strings.HasPrefix(e["action"].(string), "admin.") || admins[e["actor"].(string)] {
			t.Errorf("compliance reads an administration entry: %v", e)
		}
		if e["action"] == "process.start" {
			business++
		}
	}
	if business == 0 {
		t.Errorf("compliance does not see the business: %s", page)
	}
}

// TestCredentialResetConfirmation: a pending reset reaches the right
// person — the account that confirms it, or the GM who approves it — and
// nobody else; rejected and expired requests change nothing.
func TestCredentialResetConfirmation(t *testing.T) {
	s := newStack(t)
	reset := func(user, kind string) string {
		t.Helper()
		body := any(nil)
		if kind == "password" {
			body = map[string]any{"password": "the admin's choice"}
		}
		out := s.must(http.StatusAccepted, s.call("sysadmin", "POST", "/api/v1/admin/users/"+user+"/"+kind, body))
		return out["reset"].(map[string]any)["id"].(string)
	}
	lists := func(user, id string) bool {
		t.Helper()
		for _, it := range s.must(http.StatusOK, s.call(user, "GET", "/api/v1/me/credential-resets", nil))["items"].([]any) {
			if r := it.(map[string]any); r["id"] == id && r["state"] == "pending" {
				return true
			}
		}
		return false
	}

	// The deputy confirms her own token reset and receives the token.
	id := reset("deputy", "token")
	for user, want := range map[string]bool{"deputy": true, "gm": true, "sysadmin": false, "cs.head": false, "secaudit": false} {
		if got := lists(user, id); got != want {
			t.Errorf("%s lists the pending reset = %v, want %v", user, got, want)
		}
	}
	for _, user := range []string{"sysadmin", "secadmin", "cs.head", "vp.ops"} {
		s.wantError(s.call(user, "POST", "/api/v1/me/credential-resets/"+id+"/confirm", nil), 404, "not_found")
	}
	old := s.creds["deputy"].Token
	out := s.must(http.StatusOK, s.call("deputy", "POST", "/api/v1/me/credential-resets/"+id+"/confirm", nil))
	token, _ := out["token"].(string)
	if token == "" || out["reset"].(map[string]any)["state"] != "confirmed" {
		t.Fatalf("confirm = %v", out)
	}
	s.wantError(s.bearer(old, "GET", "/api/v1/me", nil), 401, "unauthenticated")
	if me := s.must(http.StatusOK, s.bearer(token, "GET", "/api/v1/me", nil)); me["username"] != "deputy" {
		t.Fatalf("the new token is %v's", me["username"])
	}
	s.wantError(s.bearer(token, "POST", "/api/v1/me/credential-resets/"+id+"/confirm", nil), 409, "conflict")
	cr := s.creds["deputy"]
	cr.Token = token
	s.creds["deputy"] = cr

	// The GM approves the deputy's password reset and receives a one-time
	// password to hand over; the administrator's choice never works.
	id = reset("deputy", "password")
	out = s.must(http.StatusOK, s.call("gm", "POST", "/api/v1/me/credential-resets/"+id+"/confirm", nil))
	pw, _ := out["password"].(string)
	if r := out["reset"].(map[string]any); pw == "" || r["state"] != "approved" || r["delivered_to"] != "gm" {
		t.Fatalf("approve = %v", out)
	}
	if _, err := s.store.CheckPassword(context.Background(), "deputy", pw); err != nil {
		t.Fatalf("the one-time password does not sign in: %v", err)
	}
	if _, err := s.store.CheckPassword(context.Background(), "deputy", "the admin's choice"); err == nil {
		t.Fatal("the administrator's password signs in")
	}

	// The account sets its own password when it confirms.
	id = reset("deputy", "password")
	s.wantError(s.call("deputy", "POST", "/api/v1/me/credential-resets/"+id+"/confirm", map[string]any{"password": "short"}), 400, "invalid")
	s.must(http.StatusOK, s.call("deputy", "POST", "/api/v1/me/credential-resets/"+id+"/confirm", map[string]any{"password": "my own new password"}))
	if _, err := s.store.CheckPassword(context.Background(), "deputy", "my own new password"); err != nil {
		t.Fatalf("the deputy's own password: %v", err)
	}

	// Only the GM confirms the GM's own reset; the deputy may not approve it.
	id = reset("gm", "token")
	s.wantError(s.call("deputy", "POST", "/api/v1/me/credential-resets/"+id+"/confirm", nil), 404, "not_found")
	s.must(http.StatusOK, s.call("gm", "POST", "/api/v1/me/credential-resets/"+id+"/reject", nil))
	s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/me", nil))
	s.wantError(s.call("gm", "POST", "/api/v1/me/credential-resets/"+id+"/confirm", nil), 409, "conflict")

	// Unanswered, a request expires.
	id = reset("gm", "token")
	if _, err := s.pool.Exec(context.Background(), `UPDATE credential_resets SET expires_at = now() - interval '1 second' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	s.wantError(s.call("gm", "POST", "/api/v1/me/credential-resets/"+id+"/confirm", nil), 409, "conflict")
	if lists("gm", id) {
		t.Error("an expired request is still pending")
	}
	s.must(http.StatusAccepted, s.call("sysadmin", "POST", "/api/v1/admin/users/gm/token", nil)) // a new one may be asked for

	// Every step is in the security auditor's part of the trail.
	seen := map[string]bool{}
	for _, it := range s.must(http.StatusOK, s.call("secaudit", "GET", "/api/v1/audit?limit=200", nil))["items"].([]any) {
		e := it.(map[string]any)
		if strings.HasPrefix(e["action"].(string), "admin.credential.") {
			seen[e["action"].(string)+" by "+e["actor"].(string)] = true
		}
	}
	for _, want := range []string{"admin.credential.request by sysadmin", "admin.credential.confirm by deputy",
		"admin.credential.approve by gm", "admin.credential.reject by gm"} {
		if !seen[want] {
			t.Errorf("no audit entry %s: %v", want, seen)
		}
	}
	if n := s.count(`SELECT count(*) FROM audit WHERE action = 'admin.credential.approve' AND detail->>'delivered_to' = 'gm'`); n != 1 {
		t.Errorf("approvals recorded as delivered to the GM = %d, want 1", n)
	}
}

// TestWebCredentialReset: the pending reset is in the inbox of the account
// and of the GM; confirming there shows the new credential once.
func TestWebCredentialReset(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	reset := func(user, kind string) string {
		t.Helper()
		body := any(nil)
		if kind == "password" {
			body = map[string]any{"password": "the admin's choice"}
		}
		out := s.must(http.StatusAccepted, s.call("sysadmin", "POST", "/api/v1/admin/users/"+user+"/"+kind, body))
		return out["reset"].(map[string]any)["id"].(string)
	}

	id := reset("deputy", "token")
	deputy := w.person(t)
	deputy.signIn("deputy")
	deputy.open("/")
	if !deputy.has("#reset-" + id) {
		t.Fatal("the deputy's inbox does not show the pending token reset")
	}
	if st := deputy.submit("#reset-" + id + ` form[action$="/confirm"] button`); st != http.StatusOK {
		t.Fatalf("confirm: %d", st)
	}
	token := deputy.text("#credential-secret")
	if me := s.must(http.StatusOK, s.bearer(token, "GET", "/api/v1/me", nil)); me["username"] != "deputy" {
		t.Fatalf("the token shown is %v's", me["username"])
	}
	deputy.open("/")
	if deputy.has("#reset-" + id) {
		t.Fatal("a confirmed reset is still listed")
	}

	id = reset("deputy", "password")
	gm := w.person(t)
	gm.signIn("gm")
	gm.open("/")
	if !gm.has("#reset-" + id) {
		t.Fatal("the GM's inbox does not show the deputy's pending password reset")
	}
	if st := gm.submit("#reset-" + id + ` form[action$="/confirm"] button`); st != http.StatusOK {
		t.Fatalf("approve: %d", st)
	}
	if _, err := s.store.CheckPassword(context.Background(), "deputy", gm.text("#credential-secret")); err != nil {
		t.Fatalf("the one-time password shown to the GM: %v", err)
	}

	id = reset("gm", "token")
	gm.open("/")
	if st := gm.submit("#reset-" + id + ` form[action$="/reject"] button`); st != http.StatusOK || gm.has("#reset-"+id) {
		t.Fatalf("reject: %d, still listed %v", st, gm.has("#reset-"+id))
	}
}
