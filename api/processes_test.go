package api

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/zhidu/zhidu/workflows"
)

// TestStartRoutes: every kind has its start route, a static segment beside
// the process ID's wildcard, and cancel and level name their parameter
// :id. Process IDs begin with their kind, so the router must fall back from
// the kind's segment to the ID's.
func TestStartRoutes(t *testing.T) {
	router := New(nil, nil, nil, DefaultConfig()).Router()
	routes := map[string]bool{}
	for _, r := range router.Routes() {
		routes[r.Method+" "+r.Path] = true
		if strings.Contains(r.Path, "/processes/:kind") {
			t.Errorf("%s %s: a process ID named :kind", r.Method, r.Path)
		}
	}
	want := []string{"POST /api/v1/processes/:id/cancel", "POST /api/v1/processes/:id/level", "GET /api/v1/processes/:id"}
	for _, d := range workflows.Descriptors() {
		if d.Internal {
			if routes["POST /api/v1/processes/"+d.Kind] {
				t.Errorf("internal kind %s has a start route", d.Kind)
			}
			continue
		}
		want = append(want, "POST /api/v1/processes/"+d.Kind)
	}
	for _, w := range want {
		if !routes[w] {
			t.Errorf("no route %s", w)
		}
	}
	// Without a token: 401 on a route, 404 where there is none.
	for path, status := range map[string]int{
		"/api/v1/processes/approval":                 http.StatusUnauthorized,
		"/api/v1/processes/complaint":                http.StatusUnauthorized,
		"/api/v1/processes/approval-1f2e/cancel":     http.StatusUnauthorized,
		"/api/v1/processes/complaint-1f2e/level":     http.StatusUnauthorized,
		"/api/v1/processes/approval/cancel":          http.StatusUnauthorized,
		"/api/v1/processes/nonsense":                 http.StatusNotFound,
		"/api/v1/processes/matrix_change":            http.StatusNotFound, // internal: started by its proposal
		"/api/v1/processes/approval-1f2e/nonsense":   http.StatusNotFound,
		"/api/v1/processes/approval-1f2e/cancel/now": http.StatusNotFound,
	} {
		w := httptest.NewRecorder()
		router.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader("{}")))
		if w.Code != status {
			t.Errorf("POST %s = %d, want %d", path, w.Code, status)
		}
	}
}

// TestProcessConfigs: the server holds every kind's configuration, the one
// given or its defaults, and refuses one of the wrong type.
func TestProcessConfigs(t *testing.T) {
	sla := workflows.DefaultApprovalSLA()
	s := New(nil, nil, nil, Config{Processes: map[string]any{workflows.KindApproval: &sla}})
	for _, d := range workflows.Descriptors() {
		got := s.Config.Processes[d.Kind]
		if reflect.TypeOf(got) != reflect.TypeOf(d.NewConfig()) || !reflect.DeepEqual(reflect.ValueOf(got).Elem().Interface(), d.Defaults()) {
			t.Errorf("%s configuration = %#v, want its defaults", d.Kind, got)
		}
	}
	if s.Config.Processes[workflows.KindApproval] != &sla {
		t.Error("the given configuration was not kept")
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "approval") {
			t.Errorf("a configuration of the wrong type: recovered %v, want a panic naming the kind", r)
		}
	}()
	New(nil, nil, nil, Config{Processes: map[string]any{workflows.KindApproval: sla}})
}
