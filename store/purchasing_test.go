package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// purchasingAudit lists the audit trail's entries about an object as
// "action actor detail".
func purchasingAudit(t *testing.T, s *store.Store, object string) []string {
	t.Helper()
	rows, err := s.Pool.Query(context.Background(), `SELECT action || ' ' || actor || ' ' || address || ' ' || detail::text
        FROM audit WHERE object = $1 ORDER BY id`, object)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func purchasingUsers(t *testing.T, s *store.Store) {
	t.Helper()
	putUser(t, s, "pur.head", zhidu.DeptPur, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptPur})
	putUser(t, s, "quality.head", zhidu.DeptQuality, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptQuality})
	putUser(t, s, "bmo.auditor", zhidu.DeptBMO, zhidu.Confidential, zhidu.RoleGrant{Role: zhidu.RoleCompliance, Department: zhidu.DeptBMO})
}

// TestSuppliers: a supplier is created with a store ID and audited; its
// name is unique whatever its case; a patch changes what it names, audited
// with before and after (the blacklisting on its own entry), and a patch
// that changes nothing writes nothing; the supply state is set
// idempotently; reads return the conflicts, in name order, nil for all.
func TestSuppliers(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	purchasingUsers(t, s)
	head := store.AdminChange{Actor: "pur.head", Address: "10.0.0.7"}

	if all, err := s.Suppliers(ctx, nil); err != nil || len(all) != 0 {
		t.Fatalf("suppliers of an empty database = %v, %v", all, err)
	}
	b, err := s.CreateSupplier(ctx, head, zhidu.Supplier{Name: "宁波金诚五金制品厂", SupplyState: zhidu.SupplyNew}, t0)
	if err != nil || !strings.HasPrefix(b.ID, "sup-") || len(b.ID) != 14 || b.CreatedBy != "pur.head" || !b.CreatedAt.Equal(t0) ||
		!b.UpdatedAt.Equal(t0) || b.Documents == nil || b.Conflicts == nil || b.Blacklisted {
		t.Fatalf("created %+v, %v", b, err)
	}
	a, err := s.CreateSupplier(ctx, head, zhidu.Supplier{Name: "Acme Tools", Qualified: true, SupplyState: zhidu.SupplyApproved,
		Documents: []string{"营业执照", "ISO 9001"}}, t0)
	if err != nil || !a.Qualified || a.SupplyState != zhidu.SupplyApproved || !slices.Equal(a.Documents, []string{"营业执照", "ISO 9001"}) {
		t.Fatalf("created %+v, %v", a, err)
	}
	if a.ID == b.ID {
		t.Fatalf("two suppliers share ID %s", a.ID)
	}
	if got := purchasingAudit(t, s, store.SupplierObject(a.ID)); len(got) != 1 ||
		got[0] != `supplier.create pur.head 10.0.0.7 {"name": "Acme Tools", "documents": ["营业执照", "ISO 9001"], "qualified": true, "supply_state": "approved"}` {
		t.Errorf("audit of the creation = %q", got)
	}
	for _, name := range []string{"Acme Tools", "ACME TOOLS"} {
		_, err := s.CreateSupplier(ctx, head, zhidu.Supplier{Name: name, SupplyState: zhidu.SupplyNew}, t0)
		if zhidu.ErrorCode(err) != zhidu.CodeConflict || !strings.Contains(err.Error(), "a supplier named "+name+" exists already") {
			t.Errorf("a second %q: %v", name, err)
		}
	}

	// Reads: every supplier by name, or those asked for.
	all, err := s.Suppliers(ctx, nil)
	if err != nil || len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
		t.Fatalf("suppliers = %+v, %v", all, err)
	}
	some, err := s.Suppliers(ctx, []string{b.ID, "sup-nobody"})
	if err != nil || len(some) != 1 || some[0].ID != b.ID {
		t.Fatalf("suppliers of [%s, sup-nobody] = %+v, %v", b.ID, some, err)
	}
	if _, err := s.Supplier(ctx, "sup-nobody"); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("an unknown supplier: %v", err)
	}

	// A patch: qualification and documents on one entry, blacklisting on its own.
	yes, no, reason := true, false, "交货屡次延误"
	docs := []string{"营业执照"}
	t1 := t0.Add(time.Hour)
	got, changed, err := s.UpdateSupplier(ctx, head, b.ID, store.SupplierPatch{Qualified: &yes, Documents: &docs,
		Blacklisted: &yes, BlacklistReason: &reason}, t1)
	if err != nil || !changed || !got.Qualified || !got.Blacklisted || got.BlacklistReason != reason || !slices.Equal(got.Documents, docs) ||
		!got.UpdatedAt.Equal(t1) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("patched %+v, %v, %v", got, changed, err)
	}
	wantAudit := []string{
		`supplier.create pur.head 10.0.0.7 {"name": "宁波金诚五金制品厂", "documents": [], "qualified": false, "supply_state": "new"}`,
		`supplier.update pur.head 10.0.0.7 {"documents": {"to": ["营业执照"], "from": []}, "qualified": {"to": true, "from": false}}`,
		`supplier.blacklist pur.head 10.0.0.7 {"blacklisted": {"to": true, "from": false}, "blacklist_reason": {"to": "交货屡次延误", "from": ""}}`,
	}
	if got := purchasingAudit(t, s, store.SupplierObject(b.ID)); !slices.Equal(got, wantAudit) {
		t.Errorf("audit = %q\nwant %q", got, wantAudit)
	}
	// The same patch again changes nothing and writes nothing.
	if _, changed, err := s.UpdateSupplier(ctx, head, b.ID, store.SupplierPatch{Qualified: &yes, Documents: &docs,
		Blacklisted: &yes, BlacklistReason: &reason}, t1.Add(time.Hour)); err != nil || changed {
		t.Errorf("the same patch again: changed %v, %v", changed, err)
	}
	if got := purchasingAudit(t, s, store.SupplierObject(b.ID)); len(got) != 3 {
		t.Errorf("audit after the same patch = %q", got)
	}
	// Off the blacklist, with why: the stored reason goes.
	lifted := "整改完成"
	compliance := store.AdminChange{Actor: "bmo.auditor", Address: "10.0.0.8"}
	got, changed, err = s.UpdateSupplier(ctx, compliance, b.ID, store.SupplierPatch{Blacklisted: &no, BlacklistReason: &lifted}, t1)
	if err != nil || !changed || got.Blacklisted || got.BlacklistReason != "" {
		t.Fatalf("off the blacklist: %+v, %v, %v", got, changed, err)
	}
	if got := purchasingAudit(t, s, store.SupplierObject(b.ID)); len(got) != 4 || got[3] !=
		`supplier.blacklist bmo.auditor 10.0.0.8 {"reason": "整改完成", "blacklisted": {"to": false, "from": true}, "blacklist_reason": {"to": "", "from": "交货屡次延误"}}` {
		t.Errorf("audit of taking it off = %q", got)
	}

	// Refused patches change nothing.
	bad := "pending"
	for name, p := range map[string]store.SupplierPatch{
		"unknown state":        {SupplyState: &bad},
		"blacklist, no reason": {Blacklisted: &yes},
	} {
		if _, _, err := s.UpdateSupplier(ctx, head, b.ID, p, t1); zhidu.ErrorCode(err) != zhidu.CodeInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := s.UpdateSupplier(ctx, head, "sup-nobody", store.SupplierPatch{Qualified: &yes}, t1); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("patch of an unknown supplier: %v", err)
	}

	// The supply state, as the purchase's activity sets it: idempotent.
	for range 2 {
		if err := s.SetSupplyState(ctx, b.ID, zhidu.SupplyApproved, "quality.head", t1); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Supplier(ctx, b.ID); got.SupplyState != zhidu.SupplyApproved {
		t.Errorf("supply state = %s", got.SupplyState)
	}
	if got := purchasingAudit(t, s, store.SupplierObject(b.ID)); len(got) != 5 ||
		got[4] != `supplier.update quality.head  {"supply_state": {"to": "approved", "from": "new"}}` {
		t.Errorf("audit of the supply state = %q", got)
	}
	if err := s.SetSupplyState(ctx, b.ID, "tested", "quality.head", t1); zhidu.ErrorCode(err) != zhidu.CodeInvalid {
		t.Errorf("an unknown supply state: %v", err)
	}
	if err := s.SetSupplyState(ctx, "sup-nobody", zhidu.SupplyApproved, "quality.head", t1); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("the supply state of an unknown supplier: %v", err)
	}
}

// TestDeclareConflict: a declaration is stored and audited once; a second
// one for the same user and supplier keeps the first; unknown users and
// suppliers are refused; reads carry the conflicts.
func TestDeclareConflict(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	purchasingUsers(t, s)
	sup, err := s.CreateSupplier(ctx, store.AdminChange{Actor: "pur.head"}, zhidu.Supplier{Name: "华东精密机械有限公司",
		SupplyState: zhidu.SupplyApproved}, t0)
	if err != nil {
		t.Fatal(err)
	}
	first := zhidu.Conflict{User: "quality.head", Supplier: sup.ID, Reason: "亲属任该公司销售经理", DeclaredBy: "quality.head", DeclaredAt: t0}
	created, err := s.DeclareConflict(ctx, first, "10.0.0.3")
	if err != nil || !created {
		t.Fatalf("declare: %v, %v", created, err)
	}
	again := first
	again.Reason, again.DeclaredBy, again.DeclaredAt = "另一理由", "bmo.auditor", t0.Add(time.Hour)
	if created, err := s.DeclareConflict(ctx, again, "10.0.0.4"); err != nil || created {
		t.Fatalf("declare again: %v, %v", created, err)
	}
	other := zhidu.Conflict{User: "pur.head", Supplier: sup.ID, Reason: "曾在该公司任职", DeclaredBy: "bmo.auditor", DeclaredAt: t0.Add(2 * time.Hour)}
	if created, err := s.DeclareConflict(ctx, other, "10.0.0.4"); err != nil || !created {
		t.Fatalf("declare for another: %v, %v", created, err)
	}
	got, err := s.Supplier(ctx, sup.ID)
	if err != nil || len(got.Conflicts) != 2 || !got.Conflicts[0].DeclaredAt.Equal(t0) {
		t.Fatalf("supplier = %+v, %v", got, err)
	}
	got.Conflicts[0].DeclaredAt, got.Conflicts[1].DeclaredAt = first.DeclaredAt, other.DeclaredAt // the database's time zone
	if got.Conflicts[0] != first || got.Conflicts[1] != other {
		t.Errorf("conflicts = %+v", got.Conflicts)
	}
	if r := got.Recused(); !slices.Equal(r, []string{"quality.head", "pur.head"}) {
		t.Errorf("recused = %v", r)
	}
	want := []string{
		`supplier.create pur.head  {"name": "华东精密机械有限公司", "documents": [], "qualified": false, "supply_state": "approved"}`,
		`supplier.conflict quality.head 10.0.0.3 {"user": "quality.head", "reason": "亲属任该公司销售经理"}`,
		`supplier.conflict bmo.auditor 10.0.0.4 {"user": "pur.head", "reason": "曾在该公司任职"}`,
	}
	if got := purchasingAudit(t, s, store.SupplierObject(sup.ID)); !slices.Equal(got, want) {
		t.Errorf("audit = %q\nwant %q", got, want)
	}

	nobody := first
	nobody.User = "nobody"
	if _, err := s.DeclareConflict(ctx, nobody, ""); zhidu.ErrorCode(err) != zhidu.CodeInvalid || !strings.Contains(err.Error(), "conflict of interest") {
		t.Errorf("an unknown user: %v", err)
	} else if e := err.(*zhidu.Error); e.Fields["user"] != "is not a user" {
		t.Errorf("an unknown user: fields %v", e.Fields)
	}
	nowhere := first
	nowhere.Supplier = "sup-nobody"
	if _, err := s.DeclareConflict(ctx, nowhere, ""); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("an unknown supplier: %v", err)
	}
	if n := counts(t, s, `SELECT count(*) FROM supplier_conflicts`)[0]; n != 2 {
		t.Errorf("%d conflicts stored, want 2", n)
	}
}

// TestProjects: a project is created (with the ID given, or a store one)
// and audited; a taken ID is a conflict, an unknown manager or lead
// invalid; reads by ID and all.
func TestProjects(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	purchasingUsers(t, s)
	gm := store.AdminChange{Actor: "gm", Address: "10.0.0.1"}
	p := zhidu.Project{ID: "line-2", Name: "二号生产线改造", Department: zhidu.DeptQuality, Manager: "quality.head", Lead: "pur.head"}
	if got, err := s.CreateProject(ctx, gm, p); err != nil || got != p {
		t.Fatalf("created %+v, %v", got, err)
	}
	q := zhidu.Project{Name: "仓库扩建", Department: zhidu.DeptPur, Manager: "pur.head", Lead: "pur.head"}
	got, err := s.CreateProject(ctx, gm, q)
	if err != nil || !strings.HasPrefix(got.ID, "prj-") {
		t.Fatalf("created %+v, %v", got, err)
	}
	q.ID = got.ID
	if _, err := s.CreateProject(ctx, gm, p); zhidu.ErrorCode(err) != zhidu.CodeConflict || !strings.Contains(err.Error(), "project line-2 exists already") {
		t.Errorf("a taken ID: %v", err)
	}
	for field, bad := range map[string]zhidu.Project{
		"manager": {ID: "x", Name: "x", Department: zhidu.DeptPur, Manager: "nobody", Lead: "pur.head"},
		"lead":    {ID: "y", Name: "y", Department: zhidu.DeptPur, Manager: "pur.head", Lead: "nobody"},
	} {
		_, err := s.CreateProject(ctx, gm, bad)
		var e *zhidu.Error
		if zhidu.ErrorCode(err) != zhidu.CodeInvalid || !errors.As(err, &e) || e.Fields[field] != "is not a user" {
			t.Errorf("unknown %s: %v", field, err)
		}
	}
	all, err := s.Projects(ctx)
	if err != nil || len(all) != 2 || all[0] != p || all[1] != q {
		t.Fatalf("projects = %+v, %v (want %+v then %+v)", all, err, p, q)
	}
	if got, err := s.Project(ctx, "line-2"); err != nil || got != p {
		t.Errorf("project line-2 = %+v, %v", got, err)
	}
	if _, err := s.Project(ctx, "nope"); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("an unknown project: %v", err)
	}
	rows := purchasingAudit(t, s, store.ProjectObject("line-2"))
	var detail map[string]any
	if len(rows) != 1 || !strings.HasPrefix(rows[0], "project.create gm 10.0.0.1 ") ||
		json.Unmarshal([]byte(strings.TrimPrefix(rows[0], "project.create gm 10.0.0.1 ")), &detail) != nil ||
		detail["manager"] != "quality.head" || detail["lead"] != "pur.head" || detail["department"] != "quality" {
		t.Errorf("audit = %q", rows)
	}
	if n := counts(t, s, `SELECT count(*) FROM audit WHERE action = 'project.create'`)[0]; n != 2 {
		t.Errorf("%d project.create entries, want 2", n)
	}
}

// TestRunningProcessIDs: the running processes of one kind, in the order
// they started.
func TestRunningProcessIDs(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for i, p := range []struct{ id, kind, state string }{
		{"purchase-b", "purchase", "running"}, {"purchase-a", "purchase", "running"},
		{"purchase-c", "purchase", "completed"}, {"approval-a", "approval", "running"},
	} {
		if _, err := s.Pool.Exec(ctx, `INSERT INTO processes (id, kind, state, level, department, started_by, started_at)
            VALUES ($1, $2, $3, 1, 'pur', 'pur.buyer', $4)`, p.id, p.kind, p.state, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := s.RunningProcessIDs(ctx, "purchase")
	if err != nil || !slices.Equal(ids, []string{"purchase-b", "purchase-a"}) {
		t.Errorf("running purchases = %v, %v", ids, err)
	}
	if ids, err := s.RunningProcessIDs(ctx, "probation"); err != nil || len(ids) != 0 {
		t.Errorf("running probations = %v, %v", ids, err)
	}
}
