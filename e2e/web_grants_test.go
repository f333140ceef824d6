package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestWebGrants: the grants page lists sales.rep's open grant (its target,
// approver, expiry) with a return button; returning it there ends it; the
// GM sees every grant, with a revocation form on the open ones.
func TestWebGrants(t *testing.T) {
	w := newWebStack(t)
	s := w.stack
	pid := s.startApproval("cs.agent", "退款申请", "internal")
	grant := func(user string) string {
		id := s.askAccess(user, "process:"+pid, "1h")
		s.work("gm", s.waitTask(id, "access_approval"), "approve", nil)
		for deadline := time.Now().Add(10 * time.Second); s.count(`SELECT count(*) FROM access_grants WHERE id = $1`, id) == 0; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("no grant written")
			}
		}
		return id
	}
	mine, other := grant("sales.rep"), grant("wh.clerk")

	rep := w.person(t)
	rep.signIn("sales.rep")
	if st := rep.submit("#nav-grants"); st != http.StatusOK || rep.location() != "/grants" {
		t.Fatalf("the grants link: %d at %s", st, rep.location())
	}
	row := `tr[data-grant="` + mine + `"]`
	if got := rep.text(row); !strings.Contains(got, "process:"+pid) || !strings.Contains(got, "gm") || !strings.Contains(got, "有效") {
		t.Errorf("sales.rep's grant row = %q", got)
	}
	if rep.has(`tr[data-grant="`+other+`"]`) || rep.has(row+" .grant-revoke") {
		t.Error("sales.rep sees another's grant, or a revocation form")
	}
	if st := rep.submit(row + " .grant-return"); st != http.StatusOK {
		t.Fatalf("return: %d", st)
	}
	if got := rep.text(row + " .grant-state"); got != "已交还" {
		t.Errorf("after the return the state is %q", got)
	}
	if s.call("sales.rep", "GET", "/api/v1/processes/"+pid, nil).Status != http.StatusNotFound {
		t.Error("the returned grant still opens the process")
	}

	gm := w.person(t)
	gm.signIn("gm")
	gm.open("/grants")
	if !gm.has(`tr[data-grant="`+mine+`"]`) || !gm.has(`tr[data-grant="`+other+`"] .grant-revoke`) {
		t.Error("the GM's grants page lacks a grant or the revocation form")
	}
}
