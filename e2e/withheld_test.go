package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/internal/accesstable"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/web"
)

// entries returns the audit entries an answer of GET /audit lists.
func entries(page map[string]any) []map[string]any {
	var out []map[string]any
	for _, it := range page["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// TestAuditWithholdsTopSecretDetails reproduces issue 11 §3: compliance
// (cleared confidential) gets 404 for the GM's top-secret process, yet the
// audit trail and the designations list gave it the GM's cancel reason
// and the designation's reason. It still sees that the entries exist.
func TestAuditWithholdsTopSecretDetails(t *testing.T) {
	s := newStack(t)
	const cancelReason = "the merger with 华光 is off, price 3.2bn"
	const designReason = "负责并购资金安排 8亿"
	pid := s.startApproval("gm", "并购计划", "top_secret")
	s.must(http.StatusOK, s.call("gm", "POST", "/api/v1/processes/"+pid+"/cancel", map[string]any{"reason": cancelReason}))
	s.waitProcess(pid, "cancelled")
	s.must(http.StatusCreated, s.call("gm", "POST", "/api/v1/designations", map[string]any{"user": "hr.head", "object": "process:" + pid, "reason": designReason}))
	obj := "process:" + pid

	// The process does not exist for compliance (a denial it sees withheld
	// too, from the end); its audit entries do, with their details
	// withheld, wherever they are asked for.
	for _, path := range []string{"/api/v1/audit?object=" + obj, "/api/v1/audit?limit=200", "/api/v1/audit?user=gm&action=process.cancel"} {
		r := s.call("bmo.auditor", "GET", path, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		if body := string(r.Body); strings.Contains(body, "华光") || strings.Contains(body, "3.2bn") || strings.Contains(body, "8亿") {
			t.Fatalf("%s shows compliance the top-secret text: %s", path, body)
		}
		var got []string
		for _, e := range entries(r.JSON(t)) {
			if e["object"] != obj {
				continue
			}
			got = append(got, e["action"].(string))
			if e["withheld"] != true || e["detail"] != nil || e["level"] != "top_secret" || e["department"] != nil {
				t.Errorf("%s: entry %v, want withheld, no detail, level top_secret, no department", path, e)
			}
			if e["hash"] == "" || e["actor"] != "gm" {
				t.Errorf("%s: a withheld entry keeps its facts: %v", path, e)
			}
		}
		want := []string{"process.start", "process.cancel", "designation.grant"}
		if strings.Contains(path, "action=") {
			want = []string{"process.cancel"}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: compliance sees %v, want %v", path, got, want)
		}
	}
	r := s.call("bmo.auditor", "GET", "/api/v1/designations?all=true&object="+obj, nil)
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), "8亿") {
		t.Fatalf("designations for compliance: %d %s", r.Status, r.Body)
	}
	ds := entries(r.JSON(t))
	if len(ds) != 1 || ds[0]["withheld"] != true || ds[0]["reason"] != "" || ds[0]["user"] != "hr.head" || ds[0]["level"] != "top_secret" {
		t.Fatalf("designations for compliance = %v, want hr.head's, withheld", ds)
	}

	// The GM may read the process, and reads the details.
	details := map[string]any{}
	for _, e := range entries(s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/audit?object="+obj, nil))) {
		if e["withheld"] != false || e["department"] != "gmo" {
			t.Errorf("for the GM: %v, want shown, department gmo", e)
		}
		d, _ := e["detail"].(map[string]any)
		details[e["action"].(string)] = d["reason"]
	}
	if details["process.cancel"] != cancelReason || details["designation.grant"] != designReason {
		t.Fatalf("the GM's reasons = %v", details)
	}
	ds = entries(s.must(http.StatusOK, s.call("gm", "GET", "/api/v1/designations?object="+obj, nil)))
	if len(ds) != 1 || ds[0]["reason"] != designReason || ds[0]["withheld"] != false {
		t.Fatalf("designations for the GM = %v", ds)
	}

	// The web audit page withholds the same, and says so.
	wsrv := httptest.NewServer(web.New(web.Config{}, s.server.Router(), s.store))
	defer wsrv.Close()
	page := func(user string) string {
		t.Helper()
		se, err := s.store.CreateSession(context.Background(), user, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", wsrv.URL+"/compliance/audit?object="+obj, nil)
		req.Header.Set("Accept-Language", "zh-CN")
		req.AddCookie(&http.Cookie{Name: "zhidu_session", Value: se.ID})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s's audit page: %d", user, res.StatusCode)
		}
		return string(b)
	}
	if html := page("bmo.auditor"); strings.Contains(html, "华光") || strings.Contains(html, "8亿") ||
		strings.Count(html, "详情不予显示") != 3 || !strings.Contains(html, "process.cancel") || !strings.Contains(html, "lvl-top_secret") {
		t.Fatalf("compliance's audit page shows the reasons or hides the entries:\n%s", html)
	}
	if html := page("gm"); !strings.Contains(html, "华光") || strings.Contains(html, "详情不予显示") {
		t.Fatalf("the GM's audit page lacks the reason:\n%s", html)
	}

	s.wantError(s.call("bmo.auditor", "GET", "/api/v1/processes/"+pid, nil), 404, "not_found")
	if es := entries(s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/audit?user=bmo.auditor&object="+obj, nil))); len(es) != 1 ||
		es[0]["action"] != "process.read" || es[0]["decision"] != "denied" || es[0]["withheld"] != true {
		t.Fatalf("compliance's own refused read = %v", es)
	}

	// Withholding is a read-time matter: the chain still verifies.
	if v := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/audit/verify", nil)); v["ok"] != true {
		t.Fatalf("verify = %v", v)
	}
}

// TestAuditFollowsRaisedLevel: entries written while a process was
// internal are withheld from compliance once its level is raised to
// secret, the process's and its task's alike.
func TestAuditFollowsRaisedLevel(t *testing.T) {
	s := newStack(t)
	pid := s.startApproval("cs.agent", "supplier quote", "public")
	tid := s.waitTask(pid, "dept_head_approval")
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/tasks/"+tid+"/claim", nil))
	s.must(http.StatusCreated, s.call("cs.head", "POST", "/api/v1/tasks/"+tid+"/comments", map[string]any{"body": "checking"}))
	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/processes/"+pid+"/level", map[string]any{"level": "internal", "reason": "quotes of 甲公司"}))

	audit := func(user string) (process, task []map[string]any, body string) {
		t.Helper()
		for _, o := range []string{"process:" + pid, "task:" + tid} {
			r := s.call(user, "GET", "/api/v1/audit?object="+o, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("audit of %s: %d %s", o, r.Status, r.Body)
			}
			body += string(r.Body)
			if o == "task:"+tid {
				task = entries(r.JSON(t))
			} else {
				process = entries(r.JSON(t))
			}
		}
		return
	}
	process, task, body := audit("bmo.auditor")
	if len(process) != 2 || len(task) != 2 || !strings.Contains(body, "甲公司") {
		t.Fatalf("internal: compliance reads the entries and their details, got %v %v", process, task)
	}
	for _, e := range append(process, task...) {
		if e["withheld"] != false || e["level"] != "internal" || e["department"] != "cs" {
			t.Fatalf("internal: %v, want shown at internal in cs", e)
		}
	}

	s.must(http.StatusOK, s.call("cs.head", "POST", "/api/v1/processes/"+pid+"/level", map[string]any{"level": "secret", "reason": "names 乙公司"}))
	process, task, body = audit("bmo.auditor")
	if len(process) != 3 || len(task) != 2 || strings.Contains(body, "甲公司") || strings.Contains(body, "乙公司") {
		t.Fatalf("secret: compliance sees every entry (3 + 2), no details: %s", body)
	}
	for _, e := range append(process, task...) {
		if e["withheld"] != true || e["detail"] != nil || e["level"] != "secret" {
			t.Fatalf("secret: %v, want withheld at secret", e)
		}
	}
	if _, _, body := audit("gm"); !strings.Contains(body, "甲公司") || !strings.Contains(body, "乙公司") {
		t.Fatalf("the GM reads every reason: %s", body)
	}
	if v := s.must(http.StatusOK, s.call("bmo.auditor", "GET", "/api/v1/audit/verify", nil)); v["ok"] != true {
		t.Fatalf("verify = %v", v)
	}
}

// TestAuditWithholdingFollowsAccessTable: for every user and every fixture
// object, an audit entry's details are shown exactly when the access table
// says the user may read the object, and so is a designation's reason:
// the audit trail uses the pages' read rule, not one of its own.
func TestAuditWithholdingFollowsAccessTable(t *testing.T) {
	s := newStack(t)
	ctx := context.Background()
	if err := accesstable.Load(ctx, s.store); err != nil {
		t.Fatal(err)
	}
	for _, o := range accesstable.Objects() {
		if err := s.store.Audit(ctx, store.AuditEntry{Actor: "gm", Action: "probe.withheld", Object: o.Ref.String(),
			Decision: "allowed", Detail: map[string]any{"probe": o.Ref.String()}}); err != nil {
			t.Fatal(err)
		}
	}
	az, err := authz.New(s.pool)
	if err != nil {
		t.Fatal(err)
	}
	designated := "process:fx-cs-top_secret"
	for _, name := range accesstable.Users() {
		u, err := s.store.User(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := az.ReadScope(u.Actor())
		if err != nil {
			t.Fatal(err)
		}
		v := store.Viewer{Username: u.Username, Clearance: u.Clearance, Roles: u.Roles, Designations: u.Designations,
			Leadership: sc.Leadership, Global: sc.Global, Member: sc.Member, ConfidentialAll: sc.ConfidentialAll, Confidential: sc.Confidential}
		es, err := s.store.AuditEntries(ctx, v, store.AuditFilter{Action: "probe.withheld", Limit: store.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		shown := map[string]bool{}
		for _, e := range es {
			shown[e.Object] = !e.Withheld
			if e.Withheld == (e.Detail != nil) || e.Level == nil {
				t.Errorf("%s: %s: withheld %v with detail %v, level %v", name, e.Object, e.Withheld, e.Detail, e.Level)
			}
		}
		for _, o := range accesstable.Objects() {
			if got, want := shown[o.Ref.String()], accesstable.Expected(name, o, zhidu.ActRead); got != want {
				t.Errorf("%s: details of %s shown = %v, want %v", name, o.Ref, got, want)
			}
		}
		ds, err := s.store.Designations(ctx, v, designated, false)
		if err != nil || len(ds) != 1 {
			t.Fatalf("%s: designations = %v (%v)", name, ds, err)
		}
		o := accesstable.Object{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "fx-cs-top_secret"}, ProcessID: "fx-cs-top_secret",
			Department: zhidu.DeptCS, Level: zhidu.TopSecret}
		if got, want := fmt.Sprint(!ds[0].Withheld, ds[0].Reason != ""), fmt.Sprint(accesstable.Expected(name, o, zhidu.ActRead), accesstable.Expected(name, o, zhidu.ActRead)); got != want {
			t.Errorf("%s: designation reason shown, non-empty = %s, want %s", name, got, want)
		}
	}
}
