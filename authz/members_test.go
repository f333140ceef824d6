package authz_test

import (
	"context"
	"testing"

	"github.com/zhidu/zhidu"
)

// TestNamedReaders: a process's named readers (ObjectFacts.Members) read
// it and its tasks whatever their department, when cleared for its level
// — never above their clearance, never a top-secret object, never when
// barred — and naming them gives no other action. Each decision's last
// reason is the rule that decided.
func TestNamedReaders(t *testing.T) {
	az, st := newAuthz(t)
	all, err := st.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]zhidu.Actor{}
	for _, u := range all {
		users[u.Username] = u.Actor()
	}
	// A probation file: secret, owned by HR, read in HR, the mentor in
	// sales named (and sales.rep, cleared internal only).
	file := func(change func(*zhidu.ObjectFacts)) zhidu.ObjectFacts {
		f := zhidu.ObjectFacts{Ref: zhidu.ObjectRef{Type: zhidu.ObjectProcess, ID: "probation-1"}, ProcessID: "probation-1",
			Kind: "probation", Department: zhidu.DeptHR, Level: zhidu.Secret, StartedBy: "hr.trainer", Running: true,
			Readers: []zhidu.Department{zhidu.DeptHR}, Members: []string{"sales.head", "sales.rep"}}
		if change != nil {
			change(&f)
		}
		return f
	}
	task := func(f *zhidu.ObjectFacts) {
		f.Ref = zhidu.ObjectRef{Type: zhidu.ObjectTask, ID: "t-probation-1"}
		f.TaskState, f.Candidates = zhidu.TaskOpen, []zhidu.Candidate{{User: "hr.trainer"}}
	}
	for _, tc := range []struct {
		name   string
		user   string
		facts  zhidu.ObjectFacts
		action string
		want   bool
		code   string // of the last reason
	}{
		{"a cleared named reader", "sales.head", file(nil), zhidu.ActRead, true, "decide.named_reader"},
		{"a named reader below the level", "sales.rep", file(nil), zhidu.ActRead, false, "decide.below_level"},
		{"a peer of the named reader", "newhire", file(nil), zhidu.ActRead, false, "decide.below_level"},
		{"a cleared head not named", "mkt.head", file(nil), zhidu.ActRead, false, "decide.copies_only"},
		{"the VP of the named reader's line", "vp.ops", file(nil), zhidu.ActRead, false, "decide.copies_only"},
		{"HR by its department", "hr.head", file(nil), zhidu.ActRead, true, "decide.copy_member"},
		{"a task of the process", "sales.head", file(task), zhidu.ActRead, true, "decide.named_reader"},
		{"not confined by department", "sales.head", file(func(f *zhidu.ObjectFacts) { f.Readers = nil }), zhidu.ActRead, true, "decide.named_reader"},
		{"a peer, not confined", "mkt.head", file(func(f *zhidu.ObjectFacts) { f.Readers = nil }), zhidu.ActRead, false, "decide.secret"},
		{"named and barred", "sales.head", file(func(f *zhidu.ObjectFacts) { f.Barred = []string{"sales.head"} }), zhidu.ActRead, false, "decide.barred"},
		{"confidential, cleared", "fin.head", file(func(f *zhidu.ObjectFacts) {
			f.Level, f.Members = zhidu.Confidential, []string{"fin.head", "sales.head"}
		}), zhidu.ActRead, true, "decide.named_reader"},
		{"confidential, not cleared", "sales.head", file(func(f *zhidu.ObjectFacts) { f.Level = zhidu.Confidential }), zhidu.ActRead, false, "decide.below_level"},
		{"top secret, whatever the clearance", "hr.head", file(func(f *zhidu.ObjectFacts) {
			f.Level, f.Members = zhidu.TopSecret, []string{"hr.head"}
		}), zhidu.ActRead, false, "decide.top_secret"},
		{"a named reader does not write", "sales.head", file(nil), zhidu.ActWrite, false, "decide.no_role"},
		{"nor cancel", "sales.head", file(nil), zhidu.ActCancel, false, "decide.no_role"},
		{"nor complete a task", "sales.head", file(task), zhidu.ActComplete, false, "decide.not_candidate"},
		{"HR's candidate completes it", "hr.trainer", file(task), zhidu.ActComplete, true, "decide.candidate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, ok := users[tc.user]
			if !ok {
				t.Fatalf("no demo user %s", tc.user)
			}
			d, err := az.Decide(u, tc.facts, tc.action)
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != tc.want || len(d.ReasonCodes) == 0 {
				t.Fatalf("%s %s = %v, want %v; reasons %q", tc.user, tc.action, d.Allowed, tc.want, d.Reasons)
			}
			if got := d.ReasonCodes[len(d.ReasonCodes)-1].Code; got != tc.code {
				t.Errorf("last reason %s (%q), want %s", got, d.Reasons, tc.code)
			}
		})
	}

	// Who may read the file: the GM's office, HR by its department and
	// the named reader who is cleared; "named reader" is the reason given.
	var actors []zhidu.Actor
	for _, u := range all {
		actors = append(actors, u.Actor())
	}
	who, err := az.WhoCan(actors, file(nil), zhidu.ActRead)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range who {
		got[p.Username] = p.ReasonCodes[len(p.ReasonCodes)-1].Code
	}
	want := map[string]string{"gm": "decide.leadership", "deputy": "decide.leadership", "vp.admin": "decide.copy_member",
		"hr.head": "decide.copy_member", "hr.trainer": "decide.need_to_know", "sales.head": "decide.named_reader"}
	if len(got) != len(want) {
		t.Errorf("who can read = %v, want %v", got, want)
	}
	for u, code := range want {
		if got[u] != code {
			t.Errorf("who can read: %s %q, want %s", u, got[u], code)
		}
	}
}
