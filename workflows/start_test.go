package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

// users is a directory of users for a start's checks.
type users map[string]zhidu.Actor

func (u users) User(_ context.Context, name string) (zhidu.Actor, error) {
	if name == "broken" {
		return zhidu.Actor{}, errors.New("the directory is down")
	}
	a, ok := u[name]
	if !ok {
		return zhidu.Actor{}, zhidu.Errorf(zhidu.CodeNotFound, "no user %s", name)
	}
	return a, nil
}

var directory = users{"cs.agent": {Username: "cs.agent"}, "wh.clerk": {Username: "wh.clerk"}}

// start runs a kind's start hooks as the API does: a fresh body decoded
// from JSON, then Prepare with the starter, the facts so far and cfg.
func start(t *testing.T, kind, body string, starter zhidu.Actor, cfg any) (zhidu.ProcessInfo, any, error) {
	t.Helper()
	d, ok := Lookup(kind)
	if !ok {
		t.Fatalf("no kind %s", kind)
	}
	b := d.Body()
	if err := json.Unmarshal([]byte(body), b); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	info := zhidu.ProcessInfo{ID: kind + "-1", Kind: kind, Department: d.Owner(starter), StartedBy: starter.Username}
	in, err := d.Prepare(context.Background(), b, StartContext{Starter: starter, Process: &info, Config: cfg, Users: directory})
	return info, in, err
}

// fieldErrors are the field messages of a refused start (nil if none).
func fieldErrors(t *testing.T, err error, message string) map[string]string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *zhidu.Error
	if !errors.As(err, &e) || e.Code != zhidu.CodeInvalid || e.Message != message {
		t.Fatalf("err = %v, want %s %q", err, zhidu.CodeInvalid, message)
	}
	return e.Fields
}

// The approval's start hooks: the level defaults to internal and stays
// within the starter's clearance; the configured SLA goes into the input.
func TestApprovalStart(t *testing.T) {
	staff := zhidu.Actor{Username: "cs.agent", Department: zhidu.DeptCS, Clearance: zhidu.Internal}
	sla := SLA{Due: time.Hour, Reminder: time.Minute, Escalate: []time.Duration{2 * time.Hour}}
	for _, tc := range []struct {
		name, body string
		want       map[string]string
	}{
		{"no title", `{"details":"x"}`, map[string]string{"title": "must be 1 to 200 characters"}},
		{"long title", `{"title":"` + strings.Repeat("长", 201) + `"}`, map[string]string{"title": "must be 1 to 200 characters"}},
		{"long details", `{"title":"t","details":"` + strings.Repeat("x", 10001) + `"}`,
			map[string]string{"details": "must be at most 10000 characters"}},
		{"above clearance", `{"title":"t","level":"secret"}`, map[string]string{"level": "is above your clearance"}},
		{"all at once", `{"level":"top_secret"}`, map[string]string{"title": "must be 1 to 200 characters", "level": "is above your clearance"}},
		{"ok", `{"title":"chairs","details":"four"}`, nil},
		{"ok at the clearance", `{"title":"chairs","level":"internal"}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, in, err := start(t, KindApproval, tc.body, staff, &sla)
			if got := fieldErrors(t, err, "cannot start the approval"); !maps.Equal(got, tc.want) {
				t.Fatalf("field errors = %v, want %v", got, tc.want)
			}
			if tc.want != nil {
				return
			}
			want := ApprovalInput{Process: zhidu.ProcessInfo{ID: "approval-1", Kind: KindApproval, Title: "chairs", Level: zhidu.Internal,
				Department: zhidu.DeptCS, StartedBy: "cs.agent"}, SLA: sla}
			if strings.Contains(tc.body, "four") {
				want.Details = "four"
			}
			if !reflect.DeepEqual(in, want) || !reflect.DeepEqual(info, want.Process) {
				t.Errorf("input = %+v, facts %+v, want %+v", in, info, want)
			}
		})
	}
}

// The complaint's start hooks: the intake's rules, the level rules of a
// category, and the accused, who must be another user.
func TestComplaintStart(t *testing.T) {
	agent := zhidu.Actor{Username: "cs.agent", Department: zhidu.DeptCS, Clearance: zhidu.Internal}
	cfg := DefaultComplaintConfig()
	cfg.SpotCheckPercent = 50
	const product = `"complainant":{"name":"王","contact":"138"},"channel":"phone","subject":"胀袋","content":"六袋"`
	const misconduct = product + `,"category":"misconduct","course_of_events":"索要","signature":"王"`
	for _, tc := range []struct {
		name, body string
		want       map[string]string // field errors
		level      zhidu.Level
		barred     []string
		err        string // an error that is not the caller's
	}{
		{"product quality needs the product", `{` + product + `,"category":"product_quality"}`,
			map[string]string{"product": "is required"}, 0, nil, ""},
		{"internal by default", `{` + product + `,"category":"fees"}`, nil, zhidu.Internal, nil, ""},
		{"misconduct is secret, above the starter's clearance too", `{` + misconduct + `}`, nil, zhidu.Secret, nil, ""},
		{"not below the category's level", `{` + misconduct + `,"level":"internal"}`,
			map[string]string{"level": "must be at least secret for this category"}, 0, nil, ""},
		{"raised within the clearance only", `{` + product + `,"category":"fees","level":"secret"}`,
			map[string]string{"level": "is above your clearance"}, 0, nil, ""},
		{"an accused for misconduct only", `{` + product + `,"category":"fees","accused":"wh.clerk"}`,
			map[string]string{"accused": "only a misconduct complaint names an accused"}, 0, nil, ""},
		{"the accused is a user", `{` + misconduct + `,"accused":"nobody"}`, map[string]string{"accused": "is not a user"}, 0, nil, ""},
		{"the accused is someone else", `{` + misconduct + `,"accused":"cs.agent"}`,
			map[string]string{"accused": "must be someone else: nobody registers a complaint about themselves"}, 0, nil, ""},
		{"the directory fails", `{` + misconduct + `,"accused":"broken"}`, nil, 0, nil, "the directory is down"},
		{"the accused is barred", `{` + misconduct + `,"accused":"wh.clerk"}`, nil, zhidu.Secret, []string{"wh.clerk"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, in, err := start(t, KindComplaint, tc.body, agent, &cfg)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if got := fieldErrors(t, err, "cannot register the complaint"); !maps.Equal(got, tc.want) {
				t.Fatalf("field errors = %v, want %v", got, tc.want)
			}
			if tc.want != nil {
				return
			}
			got, ok := in.(ComplaintInput)
			if !ok {
				t.Fatalf("input is a %T", in)
			}
			if !reflect.DeepEqual(got.Process, info) || info.Title != "胀袋" || info.Level != tc.level || info.Department != zhidu.DeptCS ||
				!reflect.DeepEqual(info.Barred, tc.barred) {
				t.Errorf("facts = %+v, input's %+v", info, got.Process)
			}
			if !reflect.DeepEqual(got.Config, cfg) || got.Intake.Complainant.Name != "王" {
				t.Errorf("input = %+v", got)
			}
		})
	}
}

// Every descriptor can be started and configured: start hooks, a fresh
// body each time, settings that name fields of its configuration, flag and
// variable names used once.
func TestDescriptorStartHooks(t *testing.T) {
	flags, envs := map[string]bool{}, map[string]bool{}
	configs := Configs()
	for _, d := range Descriptors() {
		t.Run(d.Kind, func(t *testing.T) {
			switch {
			case d.Internal: // started by zhidu itself: no start body
			case d.Body == nil || d.Prepare == nil:
				t.Fatal("no Body or Prepare hook")
			default:
				if b := d.Body(); reflect.TypeOf(b).Kind() != reflect.Pointer || b == d.Body() {
					t.Errorf("Body() = %T: want a fresh pointer each time", b)
				}
			}
			cfg := d.NewConfig()
			if reflect.TypeOf(cfg) != reflect.PointerTo(reflect.TypeOf(d.Defaults())) ||
				!reflect.DeepEqual(reflect.ValueOf(cfg).Elem().Interface(), d.Defaults()) {
				t.Errorf("NewConfig() = %#v, want a pointer to the defaults", cfg)
			}
			if reflect.TypeOf(configs[d.Kind]) != reflect.TypeOf(cfg) || configs[d.Kind] == cfg {
				t.Errorf("Configs()[%s] = %T, want a fresh %T", d.Kind, configs[d.Kind], cfg)
			}
			for _, s := range d.Settings {
				if s.Flag == "" || s.Env == "" || s.Usage == "" || flags[s.Flag] || envs[s.Env] {
					t.Errorf("setting %+v: a name or usage is missing or used twice", s)
				}
				flags[s.Flag], envs[s.Env] = true, true
				if _, err := s.Value(cfg); err != nil {
					t.Error(err)
				}
			}
		})
	}
	s := Setting{Flag: "x", Field: "Investigation.Due"}
	p, err := s.Value(configs[KindComplaint])
	if err != nil {
		t.Fatal(err)
	}
	*p.(*time.Duration) = time.Minute
	if got := configs[KindComplaint].(*ComplaintConfig).Investigation.Due; got != time.Minute {
		t.Errorf("setting the value set %v", got)
	}
	for _, bad := range []Setting{{Field: "Nope"}, {Field: "Triage.Nope"}, {Field: "Retention.Days"}, {Field: ""}} {
		if _, err := bad.Value(configs[KindComplaint]); err == nil {
			t.Errorf("%q resolved", bad.Field)
		}
	}
	if _, err := s.Value(DefaultComplaintConfig()); err == nil {
		t.Error("a setting resolved in a configuration that is not a pointer")
	}
}
