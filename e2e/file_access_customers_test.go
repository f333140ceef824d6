package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

// TestFileAccessOpensCustomerFiles: cs.agent may not read sales'
// customer files; a customer:ID target of a file they cannot see is
// asked for like any other; the GM's approval of department:sales opens
// sales' files to cs.agent for reading (not editing) until the grant is
// returned, and not a moment after.
func TestFileAccessOpensCustomerFiles(t *testing.T) {
	s := newStack(t)
	file := s.fileCustomer("sales.rep", "联拓电子", zhidu.ClassVIP, "0512-6666 0202", zhidu.Internal).Customer
	s.wantError(s.call("cs.agent", "GET", "/api/v1/customers/"+file.ID, nil), http.StatusNotFound, "not_found")
	s.wantError(s.call("sales.rep", "POST", "/api/v1/processes/file-access",
		map[string]any{"target": "customer:" + file.ID, "reason": "r", "duration": "1h"}), http.StatusConflict, "conflict")

	id := s.askAccess("cs.agent", "department:sales", "1h")
	s.work("gm", s.waitTask(id, "access_approval"), "approve", nil)
	s.waitFor("the grant", func() bool { return s.count(`SELECT count(*) FROM access_grants WHERE id = $1`, id) == 1 })
	got := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/customers/"+file.ID, nil))
	if got["name"] != "联拓电子" {
		t.Errorf("the file through the grant: %v", got)
	}
	s.wantError(s.call("cs.agent", "PATCH", "/api/v1/customers/"+file.ID, map[string]any{"contact": "x"}), http.StatusForbidden, "forbidden")
	list := s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/customers", nil))
	if items, _ := list["items"].([]any); len(items) != 1 {
		t.Errorf("cs.agent lists %d files through the grant, want 1", len(items))
	}

	s.must(http.StatusOK, s.call("cs.agent", "POST", "/api/v1/grants/"+id+"/return", nil))
	s.waitFor("the grant returned", func() bool { return s.grantRevoked(id) })
	s.wantError(s.call("cs.agent", "GET", "/api/v1/customers/"+file.ID, nil), http.StatusNotFound, "not_found")
	time.Sleep(10 * time.Millisecond)
	list = s.must(http.StatusOK, s.call("cs.agent", "GET", "/api/v1/customers", nil))
	if items, _ := list["items"].([]any); len(items) != 0 {
		t.Errorf("cs.agent lists %d files after returning the grant, want none", len(items))
	}
}
