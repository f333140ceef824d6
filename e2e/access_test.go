package e2e

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/internal/accesstable"
)

// TestAccessTableOverHTTP runs the access table through the API: reads
// answer 200 or 404, actions 403 or get past authorisation, the
// permissions a response reports agree, and every list holds exactly what
// the table says its caller may read.
func TestAccessTableOverHTTP(t *testing.T) {
	s := newStack(t)
	if err := accesstable.Load(context.Background(), s.store); err != nil {
		t.Fatal(err)
	}
	for _, tc := range accesstable.Cases() {
		o := tc.Object
		canRead := accesstable.Expected(tc.User, o, zhidu.ActRead)
		name := fmt.Sprintf("%s %s %s", tc.User, tc.Action, o.Ref)
		var r response
		var allowedStatus int
		switch tc.Action {
		case zhidu.ActRead:
			r, allowedStatus = s.call(tc.User, "GET", objectPath(o.Ref), nil), http.StatusOK
		case zhidu.ActCancel:
			// Fixture processes have no workflow: past authorisation, a cancel finds nothing running.
			r, allowedStatus = s.call(tc.User, "POST", "/api/v1/processes/"+o.ProcessID+"/cancel", map[string]any{"reason": "probe"}), http.StatusConflict
		case zhidu.ActWrite:
			r, allowedStatus = s.call(tc.User, "POST", "/api/v1/processes/"+o.ProcessID+"/level",
				map[string]any{"level": o.Level.String(), "reason": "probe"}), http.StatusConflict
		case zhidu.ActComplete:
			if o.Ref.Type != zhidu.ObjectTask {
				continue // nothing to complete; the table says no for every user
			}
			// Past authorisation, completing an unclaimed task is a conflict.
			r, allowedStatus = s.call(tc.User, "POST", "/api/v1/tasks/"+o.Ref.ID+"/complete", map[string]any{"outcome": "approve"}), http.StatusConflict
		}
		want := allowedStatus
		switch {
		case !canRead: // a task is visible exactly when its process is, at the same level
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
			for _, act := range []string{zhidu.ActWrite, zhidu.ActCancel, zhidu.ActComplete} {
				if act == zhidu.ActComplete && o.Ref.Type != zhidu.ObjectTask {
					continue
				}
				if got, want := perms[act] == true, accesstable.Expected(tc.User, o, act); got != want {
					t.Errorf("%s: permissions.%s = %v, want %v", name, act, got, want)
				}
			}
		}
	}

	// Lists hold exactly what the table says, with exact counts.
	for _, user := range accesstable.Users() {
		var wantProcesses, wantInbox []string
		for _, o := range accesstable.Objects() {
			if accesstable.Expected(user, o, zhidu.ActRead) && !slices.Contains(wantProcesses, o.ProcessID) {
				wantProcesses = append(wantProcesses, o.ProcessID)
			}
			if o.Ref.Type == zhidu.ObjectTask && accesstable.Expected(user, o, zhidu.ActComplete) {
				wantInbox = append(wantInbox, o.Ref.ID)
			}
		}
		page := s.must(http.StatusOK, s.call(user, "GET", "/api/v1/processes?limit=200", nil))
		if got := ids(page); !sameSet(got, wantProcesses) || int(page["total"].(float64)) != len(wantProcesses) {
			t.Errorf("%s's processes = %v (total %v), want %v", user, got, page["total"], wantProcesses)
		}
		page = s.must(http.StatusOK, s.call(user, "GET", "/api/v1/tasks?limit=200", nil))
		if got := ids(page); !sameSet(got, wantInbox) || int(page["total"].(float64)) != len(wantInbox) {
			t.Errorf("%s's inbox = %v (total %v), want %v", user, got, page["total"], wantInbox)
		}
	}
}

func objectPath(ref zhidu.ObjectRef) string {
	if ref.Type == zhidu.ObjectTask {
		return "/api/v1/tasks/" + ref.ID
	}
	return "/api/v1/processes/" + ref.ID
}

func ids(page map[string]any) []string {
	var out []string
	for _, it := range page["items"].([]any) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
