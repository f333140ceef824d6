package authz_test

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/internal/accesstable"
	"github.com/zhidu/zhidu/internal/testdb"
	"github.com/zhidu/zhidu/pgtest"
	"github.com/zhidu/zhidu/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newAuthz(t *testing.T) (*authz.Authz, *store.Store) {
	t.Helper()
	st, _ := testdb.Demo(t, 5)
	if err := authz.InstallDefaultPolicy(context.Background(), st.Pool); err != nil {
		t.Fatalf("installing the default policy twice: %v", err)
	}
	az, err := authz.New(st.Pool)
	if err != nil {
		t.Fatal(err)
	}
	return az, st
}

// TestDefaultPolicy checks the default policy's decisions for the demo
// organisation, every denial included.
func TestDefaultPolicy(t *testing.T) {
	az, _ := newAuthz(t)
	type c struct {
		user string
		dept zhidu.Department
		obj  string
		act  string
		want bool
	}
	start := authz.StartObject("approval")
	cases := []c{
		{"cs.agent", "cs", start, "start", true},
		{"newhire", "sales", start, "start", true},
		{"vp.ops", "gmo", start, "start", true},
		{"gm", "gmo", start, "start", true},
		{"bmo.auditor", "bmo", start, "start", true},
		{"sysadmin", "gmo", start, "start", false},
		{"secadmin", "gmo", start, "start", false},
		{"secaudit", "gmo", start, "start", false},
		{"cs.agent", "cs", authz.StartObject("unknown"), "start", false},

		{"cs.super", "cs", "process", "read", true},
		{"cs.head", "cs", "process", "read", true},
		{"cs.head", "fin", "process", "read", false},
		{"cs.agent", "cs", "process", "read", false},
		{"vp.ops", "cs", "process", "read", true},
		{"vp.ops", "quality", "process", "read", true},
		{"vp.ops", "fin", "process", "read", false},
		{"vp.admin", "fin", "process", "read", true},
		{"vp.admin", "cs", "process", "read", false},
		{"gm", "rnd", "process", "read", true},
		{"deputy", "bmo", "process", "read", true},
		{"bmo.auditor", "cs", "process", "read", true},
		{"sysadmin", "gmo", "process", "read", false},
		{"secadmin", "cs", "process", "read", false},
		{"secaudit", "cs", "process", "read", false},

		{"cs.head", "cs", "process", "cancel", true},
		{"cs.super", "cs", "process", "cancel", false},
		{"cs.agent", "cs", "process", "cancel", false},
		{"vp.ops", "sales", "process", "cancel", true},
		{"vp.ops", "hr", "process", "cancel", false},
		{"gm", "hr", "process", "cancel", true},
		{"bmo.auditor", "cs", "process", "cancel", false},

		{"cs.super", "cs", "task", "reassign", true},
		{"cs.super", "quality", "task", "reassign", false},
		{"quality.eng", "quality", "task", "reassign", false},
		{"deputy", "quality", "task", "reassign", true},
		{"bmo.auditor", "quality", "task", "reassign", false},

		{"bmo.auditor", "*", "audit", "read", true},
		{"gm", "*", "audit", "read", true},
		{"cs.head", "*", "audit", "read", false},
		// The administrators' authority is their role (api/admin.go), never
		// policy: no line names them or the admin object.
		{"sysadmin", "*", "audit", "read", false},
		{"secadmin", "*", "audit", "read", false},
		{"secaudit", "*", "audit", "read", false},
		{"sysadmin", "*", "admin", "users", false},
		{"secadmin", "*", "admin", "*", false},
		{"gm", "*", "admin", "users", false},
		{"nobody", "cs", start, "start", false},
	}
	for _, tc := range cases {
		got, err := az.Can(tc.user, tc.dept, tc.obj, tc.act)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s %s %s in %s = %v, want %v", tc.user, tc.act, tc.obj, tc.dept, got, tc.want)
		}
	}
}

func TestScope(t *testing.T) {
	az, _ := newAuthz(t)
	for _, tc := range []struct {
		user  string
		all   bool
		depts []string
	}{
		{"gm", true, nil},
		{"bmo.auditor", true, nil},
		{"vp.ops", false, []string{"cs", "sales", "quality", "wh"}},
		{"cs.head", false, []string{"cs"}},
		{"cs.agent", false, nil},
		{"sysadmin", false, nil},
		{"secadmin", false, nil},
		{"secaudit", false, nil},
	} {
		all, depts, err := az.Scope(tc.user, authz.ObjProcess, authz.ActRead)
		if err != nil {
			t.Fatal(err)
		}
		if all != tc.all || len(depts) != len(tc.depts) {
			t.Errorf("scope of %s = %v %v, want %v %v", tc.user, all, depts, tc.all, tc.depts)
		}
	}
}

// TestPolicyPersists: changes through the adapter land in PostgreSQL and
// survive a new enforcer; role changes in user_roles are seen on reload.
func TestPolicyPersists(t *testing.T) {
	az, st := newAuthz(t)
	ctx := context.Background()
	if _, err := az.AddPolicy("staff", "own", "process", "read"); err != nil {
		t.Fatal(err)
	}
	fresh, err := authz.New(st.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := fresh.Can("cs.agent", "cs", "process", "read"); !ok {
		t.Fatal("an added policy line must persist")
	}
	if _, err := az.RemovePolicy("staff", "own", "process", "read"); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Reload(); err != nil {
		t.Fatal(err)
	}
	if ok, _ := fresh.Can("cs.agent", "cs", "process", "read"); ok {
		t.Fatal("a removed policy line must be gone after reload")
	}
	if _, err := st.Pool.Exec(ctx, `INSERT INTO user_roles VALUES ('cs.agent', 'dept_head', 'cs')`); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Reload(); err != nil {
		t.Fatal(err)
	}
	if ok, _ := fresh.Can("cs.agent", "cs", "process", "cancel"); !ok {
		t.Fatal("a role granted in user_roles must count after reload")
	}
	if _, err := st.Pool.Exec(ctx, `UPDATE users SET disabled = true WHERE username = 'cs.agent'`); err != nil {
		t.Fatal(err)
	}
	if err := fresh.Reload(); err != nil {
		t.Fatal(err)
	}
	if ok, _ := fresh.Can("cs.agent", "cs", authz.StartObject("approval"), "start"); ok {
		t.Fatal("a disabled user holds no roles")
	}
}

// TestAccessTable checks every demo user × object × action of the access
// table against the enforcer and the policy in PostgreSQL.
func TestAccessTable(t *testing.T) {
	az, st := newAuthz(t)
	ctx := context.Background()
	if err := accesstable.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	users := map[string]zhidu.Actor{}
	all, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		users[u.Username] = u.Actor()
	}
	facts := map[string]zhidu.ObjectFacts{}
	cases := accesstable.Cases()
	denials := 0
	for _, tc := range cases {
		f, ok := facts[tc.Object.Ref.String()]
		if !ok {
			if f, err = st.ObjectFacts(ctx, tc.Object.Ref); err != nil {
				t.Fatal(err)
			}
			facts[tc.Object.Ref.String()] = f
		}
		d, err := az.Decide(users[tc.User], f, tc.Action)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed != tc.Want {
			t.Errorf("%s %s %s = %v, want %v; reasons %q", tc.User, tc.Action, tc.Object.Ref, d.Allowed, tc.Want, d.Reasons)
		}
		if len(d.Reasons) == 0 {
			t.Errorf("%s %s %s: a decision without reasons", tc.User, tc.Action, tc.Object.Ref)
		}
		if !tc.Want {
			denials++
		}
	}
	if len(cases) < 300 || denials == 0 {
		t.Fatalf("the table has %d cases, %d denials", len(cases), denials)
	}
	t.Logf("%d cases, %d denials", len(cases), denials)
}

// TestWatchCallsBack: Watch calls its callbacks once connected and on every
// change to users (any column) and designations, which the enforcer does
// not read.
func TestWatchCallsBack(t *testing.T) {
	az, st := newAuthz(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int64
	listening := make(chan struct{})
	go az.Watch(ctx, st.Pool, func() { close(listening) }, func() { calls.Add(1) })
	<-listening
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d calls once listening, want 1", n)
	}
	for i, sql := range []string{
		`UPDATE users SET token_hash = sha256('zd_x') WHERE username = 'cs.agent'`,
		`UPDATE users SET password_hash = NULL WHERE username = 'cs.agent'`,
		`INSERT INTO designations (username, object, granted_by, granted_at) VALUES ('cs.agent', 'process:p', 'gm', now())`,
		`UPDATE designations SET revoked_by = 'gm', revoked_at = now()`,
		`INSERT INTO casbin_rule (ptype, v0, v1, v2, v3) VALUES ('p', 'staff', 'own', 'process', 'read')`,
	} {
		if _, err := st.Pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		want := int64(i + 2)
		for began := time.Now(); calls.Load() < want; time.Sleep(2 * time.Millisecond) {
			if time.Since(began) > 10*time.Second {
				t.Fatalf("no call after %s", sql)
			}
		}
	}
	if ok, _ := az.Can("cs.agent", "cs", "process", "read"); !ok {
		t.Fatal("a policy line added in PostgreSQL must be loaded")
	}
}

// The start lines come from the process descriptors; they are the lines
// the policy has always had, so installed policies need no migration.
func TestDefaultPolicyStartLines(t *testing.T) {
	// The kinds pinned here; a process built only under a build tag (the
	// example of docs/ADDING_A_PROCESS.md) checks its own lines.
	pinned := []string{"process:approval", "process:complaint", "process:return", "process:supplier_return"}
	var got []string
	for _, l := range authz.DefaultPolicy() {
		if l[3] == authz.ActStart && slices.Contains(pinned, l[2]) {
			got = append(got, strings.Join(l, " "))
		}
	}
	want := []string{
		"staff * process:approval start", "supervisor * process:approval start", "dept_head * process:approval start",
		"vp * process:approval start", "deputy_gm * process:approval start", "gm * process:approval start",
		"compliance * process:approval start",
		"staff cs process:complaint start", "supervisor cs process:complaint start", "dept_head cs process:complaint start",
		"vp cs process:complaint start", "gm * process:complaint start", "deputy_gm * process:complaint start",
		"staff sales process:return start", "supervisor sales process:return start", "dept_head sales process:return start",
		"staff mkt process:return start", "supervisor mkt process:return start", "dept_head mkt process:return start",
		"staff cs process:return start", "supervisor cs process:return start", "dept_head cs process:return start",
		"staff quality process:supplier_return start", "supervisor quality process:supplier_return start",
		"dept_head quality process:supplier_return start",
	}
	if !slices.Equal(got, want) {
		t.Errorf("start lines:\n got %q\nwant %q", got, want)
	}
}

// TestCustomerAccessTable checks every demo user × customer file × action
// of the access table against authz.Decide on the store's facts, and the
// same rule in SQL: each user's list of files is exactly those the table
// says they may read.
func TestCustomerAccessTable(t *testing.T) {
	az, st := newAuthz(t)
	ctx := context.Background()
	if err := accesstable.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	all, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]zhidu.Actor{}
	for _, u := range all {
		users[u.Username] = u.Actor()
	}
	facts := map[string]zhidu.ObjectFacts{}
	cases := accesstable.CustomerCases()
	denials := 0
	for _, tc := range cases {
		f, ok := facts[tc.Object.Ref.String()]
		if !ok {
			if f, err = st.ObjectFacts(ctx, tc.Object.Ref); err != nil {
				t.Fatal(err)
			}
			facts[tc.Object.Ref.String()] = f
		}
		d, err := az.Decide(users[tc.User], f, tc.Action)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed != tc.Want {
			t.Errorf("%s %s %s = %v, want %v; reasons %q", tc.User, tc.Action, tc.Object.Ref, d.Allowed, tc.Want, d.Reasons)
		}
		if len(d.Reasons) == 0 {
			t.Errorf("%s %s %s: a decision without reasons", tc.User, tc.Action, tc.Object.Ref)
		}
		if !tc.Want {
			denials++
		}
	}
	if len(cases) < 500 || denials == 0 {
		t.Fatalf("the table has %d cases, %d denials", len(cases), denials)
	}
	for _, u := range accesstable.Users() {
		a := users[u]
		page, err := st.Customers(ctx, store.Viewer{Username: u, Clearance: a.Clearance, Roles: a.Roles, Leadership: a.IsLeadership()},
			store.CustomerFilter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, c := range page.Items {
			got = append(got, c.ID)
		}
		for _, o := range accesstable.CustomerObjects() {
			if accesstable.ExpectedCustomer(u, o, zhidu.ActRead) {
				want = append(want, o.Ref.ID)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || page.Total != len(want) {
			t.Errorf("%s's customer files = %v (total %d), want %v", u, got, page.Total, want)
		}
	}
	t.Logf("%d cases, %d denials", len(cases), denials)
}
