package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

var salesStaffGrant = zhidu.RoleGrant{Role: zhidu.RoleStaff, Department: zhidu.DeptSales}

func customerUsers(t *testing.T, s *store.Store, names ...string) {
	t.Helper()
	for _, n := range names {
		putUser(t, s, n, zhidu.DeptSales, zhidu.Internal, salesStaffGrant)
	}
}

func register(t *testing.T, s *store.Store, by, name, phone string, at time.Time) store.Registration {
	t.Helper()
	r, err := s.RegisterCustomer(context.Background(), store.AdminChange{Actor: by}, zhidu.Customer{Name: name, Class: zhidu.ClassQualified,
		Phone: phone, Department: zhidu.DeptSales, Level: zhidu.Internal}, at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCustomerCrossingRace: salespeople racing to register the same phone
// number make exactly one file, whose registrant keeps the credit, and one
// crossing case per other registration; a company ID on file crosses too.
func TestCustomerCrossingRace(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	reps := []string{"rep.a", "rep.b", "rep.c", "rep.d"}
	customerUsers(t, s, reps...)
	for round := range 5 {
		phone := fmt.Sprintf("+86 139 0000 %04d", round)
		norm, _ := zhidu.NormalizePhone(phone)
		var wg sync.WaitGroup
		results := make([]store.Registration, len(reps))
		errs := make([]error, len(reps))
		start := make(chan struct{})
		for i, rep := range reps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = s.RegisterCustomer(ctx, store.AdminChange{Actor: rep}, zhidu.Customer{Name: "客户 " + rep,
					Class: zhidu.ClassVIP, Phone: norm, Department: zhidu.DeptSales, Level: zhidu.Internal}, t0.Add(time.Duration(i)*time.Second))
			}()
		}
		close(start)
		wg.Wait()
		created, crossed := 0, 0
		var winner string
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("%s: %v", reps[i], errs[i])
			}
			if r.Created {
				created++
				winner = reps[i]
			} else {
				crossed++
				if r.Crossing == nil || r.Crossing.Registrant != reps[i] || r.Crossing.Matched != "phone" {
					t.Errorf("%s's crossing case: %+v", reps[i], r.Crossing)
				}
			}
		}
		if created != 1 || crossed != len(reps)-1 {
			t.Fatalf("round %d: %d files created, %d crossings", round, created, crossed)
		}
		var files, credits, cases int
		if err := s.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE credit = $2 AND registered_by = $2 AND responsible = $2),
                (SELECT count(*) FROM crossing_cases x JOIN customers c ON c.id = x.customer_id WHERE c.phone = $1 AND x.credit = $2 AND x.state = 'open')
            FROM customers WHERE phone = $1`, norm, winner).Scan(&files, &credits, &cases); err != nil {
			t.Fatal(err)
		}
		if files != 1 || credits != 1 || cases != len(reps)-1 {
			t.Errorf("round %d: %d files, %d credited to %s, %d cases", round, files, credits, winner, cases)
		}
	}
	// A company ID on file crosses, whatever the phone number.
	co := "91330100MA27XXXX"
	first, err := s.RegisterCustomer(ctx, store.AdminChange{Actor: "rep.a"}, zhidu.Customer{Name: "杭州某公司", Class: zhidu.ClassPreferred,
		Phone: "057188880000", CompanyID: &co, Department: zhidu.DeptSales, Level: zhidu.Internal}, t0)
	if err != nil || !first.Created {
		t.Fatalf("%+v %v", first, err)
	}
	second, err := s.RegisterCustomer(ctx, store.AdminChange{Actor: "rep.b"}, zhidu.Customer{Name: "杭州某公司", Class: zhidu.ClassPreferred,
		Phone: "057188881111", CompanyID: &co, Department: zhidu.DeptSales, Level: zhidu.Internal}, t0.Add(time.Minute))
	if err != nil || second.Created || second.Crossing == nil || second.Crossing.Matched != "company_id" || second.Customer.ID != first.Customer.ID {
		t.Fatalf("a second registration of the company ID: %+v %v", second, err)
	}
	cases, err := s.CrossingCases(ctx, first.Customer.ID)
	if err != nil || len(cases) != 1 || cases[0].Registrant != "rep.b" || cases[0].Credit != "rep.a" {
		t.Fatalf("crossing cases %+v, %v", cases, err)
	}
	if n := countOf(t, s, `SELECT count(*) FROM audit WHERE action = 'customer.crossing' AND object = $1`, store.CustomerObject(first.Customer.ID)); n != 1 {
		t.Errorf("%d customer.crossing audit entries, want 1", n)
	}
}

// TestCustomerEdits: an edit records each changed field in the history and
// one audit entry, in one transaction; an edit that changes nothing writes
// nothing; a number on another file is a conflict that changes nothing;
// the history is append-only.
func TestCustomerEdits(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	customerUsers(t, s, "rep.a")
	c := register(t, s, "rep.a", "甲", "13800000001", t0).Customer
	register(t, s, "rep.a", "乙", "13800000002", t0)
	name, contact, lvl := "甲公司", "李经理 0571-1234567", zhidu.Secret
	got, changed, err := s.UpdateCustomer(ctx, store.AdminChange{Actor: "rep.a"}, c.ID, store.CustomerPatch{Name: &name, Contact: &contact,
		Level: &lvl, Class: &c.Class}, t0.Add(time.Hour))
	if err != nil || !changed || got.Name != name || got.Contact != contact || got.Level != zhidu.Secret {
		t.Fatalf("update: %+v %v %v", got, changed, err)
	}
	if _, changed, err := s.UpdateCustomer(ctx, store.AdminChange{Actor: "rep.a"}, c.ID, store.CustomerPatch{Name: &name}, t0.Add(2*time.Hour)); err != nil || changed {
		t.Fatalf("a no-op edit: %v %v", changed, err)
	}
	taken := "13800000002"
	if _, _, err := s.UpdateCustomer(ctx, store.AdminChange{Actor: "rep.a"}, c.ID, store.CustomerPatch{Phone: &taken, Name: new("x")}, t0); zhidu.ErrorCode(err) != zhidu.CodeConflict {
		t.Fatalf("a phone number on file: %v, want conflict", err)
	}
	h, err := s.CustomerHistory(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, e := range h {
		fields = append(fields, e.Field)
	}
	slices.Sort(fields)
	if !slices.Equal(fields, []string{"contact", "level", "name", "registered"}) {
		t.Errorf("history fields %v", fields)
	}
	for _, e := range h {
		if e.Field == "name" && (*e.Before != "甲" || *e.After != "甲公司" || e.Actor != "rep.a") {
			t.Errorf("name change %+v", e)
		}
	}
	if n := countOf(t, s, `SELECT count(*) FROM audit WHERE action = 'customer.update' AND object = $1`, store.CustomerObject(c.ID)); n != 1 {
		t.Errorf("%d customer.update entries, want 1", n)
	}
	if _, err := s.Pool.Exec(ctx, `UPDATE customer_history SET after = 'forged'`); err == nil {
		t.Error("the history was changed")
	}
	if _, err := s.Pool.Exec(ctx, `DELETE FROM customer_history`); err == nil {
		t.Error("the history was deleted")
	}
}

// TestCustomerBlacklist: a decision each way is recorded, a decision that
// changes nothing is a conflict, Blacklisted finds a listed customer by
// ID, name or phone.
func TestCustomerBlacklist(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	customerUsers(t, s, "rep.a")
	putUser(t, s, "mkt.head", zhidu.DeptMkt, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptMkt})
	c := register(t, s, "rep.a", "坏客户", "13800000009", t0).Customer
	mkt := store.AdminChange{Actor: "mkt.head"}
	e, err := s.SetBlacklist(ctx, mkt, c.ID, true, "拖欠货款造成重大损失", t0)
	if err != nil || e.Decision != zhidu.BlacklistAdded {
		t.Fatal(e, err)
	}
	if _, err := s.SetBlacklist(ctx, mkt, c.ID, true, "again", t0); zhidu.ErrorCode(err) != zhidu.CodeConflict {
		t.Errorf("blacklisting twice: %v", err)
	}
	for _, v := range []string{c.ID, "坏客户", "138-0000-0009"} {
		if got, err := s.Blacklisted(ctx, []string{v}); err != nil || len(got) != 1 || got[0].ID != e.ID {
			t.Errorf("Blacklisted(%q) = %+v, %v", v, got, err)
		}
	}
	list, err := s.Blacklist(ctx, zhidu.Internal)
	if err != nil || len(list) != 1 || list[0].Name != "坏客户" {
		t.Fatalf("blacklist %+v %v", list, err)
	}
	if _, err := s.SetBlacklist(ctx, mkt, c.ID, false, "已结清", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetBlacklist(ctx, mkt, c.ID, false, "again", t0); zhidu.ErrorCode(err) != zhidu.CodeConflict {
		t.Errorf("removing twice: %v", err)
	}
	if got, _ := s.Blacklisted(ctx, []string{c.ID}); len(got) != 0 {
		t.Errorf("still blacklisted: %+v", got)
	}
	ds, err := s.BlacklistDecisions(ctx, c.ID)
	if err != nil || len(ds) != 2 || ds[0].Decision != zhidu.BlacklistAdded || ds[1].Decision != zhidu.BlacklistRemoved || ds[1].Reason != "已结清" {
		t.Fatalf("decisions %+v %v", ds, err)
	}
	if n := countOf(t, s, `SELECT count(*) FROM audit WHERE action = 'customer.blacklist' AND actor = 'mkt.head'`); n != 2 {
		t.Errorf("%d customer.blacklist entries, want 2", n)
	}
}

// TestCustomerHandoverAtomic: a handover moves every file of the employee
// while edits of those files run concurrently: every edit lands (before
// the handover or after it), every file ends with the colleague with one
// handover entry, and none is left behind. A handover to a disabled
// colleague is refused and changes nothing.
func TestCustomerHandoverAtomic(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	customerUsers(t, s, "leaver", "colleague", "gone")
	exec(t, s, `UPDATE users SET disabled = true WHERE username = 'gone'`)
	var ids []string
	for i := range 20 {
		ids = append(ids, register(t, s, "leaver", fmt.Sprintf("客户%d", i), fmt.Sprintf("1370000%04d", i), t0).Customer.ID)
	}
	taskIn(t, s, "t-p1", "probation-1", nil, zhidu.Candidate{User: "leaver"})
	taskIn(t, s, "t-p2", "probation-2", nil, zhidu.Candidate{User: "leaver"})
	exec(t, s, `INSERT INTO customer_handovers (process_id, employee, colleague, at) VALUES ('probation-1', 'leaver', 'gone', $1)`, t0)
	if _, err := s.ApplyCustomerHandovers(ctx, "leaver", t0); zhidu.ErrorCode(err) != zhidu.CodeInvalid {
		t.Fatalf("a handover to a disabled user: %v, want invalid", err)
	}
	if n := countOf(t, s, `SELECT count(*) FROM customers WHERE responsible = 'leaver'`); n != 20 {
		t.Fatalf("a refused handover moved files: %d left", 20-n)
	}
	exec(t, s, `DELETE FROM customer_handovers`)
	exec(t, s, `INSERT INTO customer_handovers (process_id, employee, colleague, at) VALUES ('probation-2', 'leaver', 'colleague', $1)`, t0)

	var wg sync.WaitGroup
	edits := make(chan error, len(ids))
	start := make(chan struct{})
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			contact := fmt.Sprintf("edit %d", i)
			_, _, err := s.UpdateCustomer(ctx, store.AdminChange{Actor: "leaver"}, id, store.CustomerPatch{Contact: &contact}, t0.Add(time.Minute))
			edits <- err
		}()
	}
	var moved []string
	var herr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-start
		moved, herr = s.ApplyCustomerHandovers(ctx, "leaver", t0.Add(time.Minute))
	}()
	close(start)
	wg.Wait()
	close(edits)
	for err := range edits {
		if err != nil {
			t.Fatal(err)
		}
	}
	if herr != nil || len(moved) != len(ids) {
		t.Fatalf("handover moved %d files, %v", len(moved), herr)
	}
	for i, id := range ids {
		c, _, err := s.Customer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Responsible != "colleague" || c.Contact != fmt.Sprintf("edit %d", i) {
			t.Errorf("%s: responsible %s, contact %q", id, c.Responsible, c.Contact)
		}
		h, _ := s.CustomerHistory(ctx, id)
		var handovers, contacts int
		for _, e := range h {
			switch {
			case e.Via == "handover" && *e.Before == "leaver" && *e.After == "colleague":
				handovers++
			case e.Field == "contact":
				contacts++
			}
		}
		if handovers != 1 || contacts != 1 {
			t.Errorf("%s: %d handover entries, %d edits", id, handovers, contacts)
		}
	}
	if n := countOf(t, s, `SELECT count(*) FROM customer_handovers WHERE applied_at IS NULL`); n != 0 {
		t.Errorf("%d handovers pending", n)
	}
	if n := countOf(t, s, `SELECT count(*) FROM audit WHERE action = 'customer.handover' AND object = 'user:leaver'`); n != 1 {
		t.Errorf("%d customer.handover entries, want 1", n)
	}
	// Applying again moves nothing.
	if again, err := s.ApplyCustomerHandovers(ctx, "leaver", t0.Add(time.Hour)); err != nil || len(again) != 0 {
		t.Errorf("applied again: %v %v", again, err)
	}
}

// TestCustomerReport: the monthly figures per department and per
// salesperson are the rows inserted in the month, none of other months.
func TestCustomerReport(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	customerUsers(t, s, "rep.a", "rep.b")
	putUser(t, s, "mkt.head", zhidu.DeptMkt, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptMkt})
	nov, dec := time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	a := register(t, s, "rep.a", "甲", "13600000001", nov).Customer
	register(t, s, "rep.b", "乙", "13600000002", nov)
	register(t, s, "rep.b", "丙", "13600000003", dec)
	m, err := s.RegisterCustomer(ctx, store.AdminChange{Actor: "mkt.head"}, zhidu.Customer{Name: "丁", Class: zhidu.ClassVIP, Phone: "13600000004",
		Department: zhidu.DeptMkt, Level: zhidu.Internal}, nov)
	if err != nil {
		t.Fatal(err)
	}
	contact := func(by, id, kind, outcome string, at time.Time) {
		t.Helper()
		if _, err := s.RecordContact(ctx, store.AdminChange{Actor: by}, zhidu.CustomerContact{CustomerID: id, Kind: kind, Outcome: outcome, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	contact("rep.a", a.ID, zhidu.ContactVisit, zhidu.OutcomeFollowUp, nov)
	contact("rep.a", a.ID, zhidu.ContactTestDrive, zhidu.OutcomeDeal, nov)
	contact("rep.b", a.ID, zhidu.ContactCall, zhidu.OutcomeNoDeal, nov)
	contact("rep.b", a.ID, zhidu.ContactCall, zhidu.OutcomeDeal, dec)
	contact("mkt.head", m.Customer.ID, zhidu.ContactVisit, zhidu.OutcomeDeal, nov)
	from, to := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	all := store.Viewer{Leadership: true}
	got, err := s.CustomerReport(ctx, all, nil, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.CustomerFigures{
		{Department: "mkt", Visitors: 1, New: 1, Deals: 1},
		{Department: "mkt", Salesperson: "mkt.head", Visitors: 1, New: 1, Deals: 1},
		{Department: "sales", Visitors: 1, Calls: 1, TestDrives: 1, New: 2, Deals: 1},
		{Department: "sales", Salesperson: "rep.a", Visitors: 1, TestDrives: 1, New: 1, Deals: 1},
		{Department: "sales", Salesperson: "rep.b", Calls: 1, New: 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("report\n got %+v\nwant %+v", got, want)
	}
	got, err = s.CustomerReport(ctx, all, []string{"mkt"}, from, to)
	if err != nil || !slices.Equal(got, want[:2]) {
		t.Errorf("mkt's report %+v %v", got, err)
	}
	// A file above the reader's clearance counts for nobody below it.
	secret := zhidu.Secret
	if _, _, err := s.UpdateCustomer(ctx, store.AdminChange{Actor: "rep.a"}, a.ID, store.CustomerPatch{Level: &secret}, nov); err != nil {
		t.Fatal(err)
	}
	head := store.Viewer{Username: "head", Clearance: zhidu.Internal, Roles: []zhidu.RoleGrant{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptSales}}}
	got, err = s.CustomerReport(ctx, head, []string{"sales"}, from, to)
	want = []store.CustomerFigures{{Department: "sales", New: 1}, {Department: "sales", Salesperson: "rep.b", New: 1}}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("an internal reader's report %+v %v, want %+v", got, err, want)
	}
}

// TestSeparationHandsOverCustomers: a probation's separation hands the
// employee's files to the colleague in its own transaction, each file's
// history showing it; a file of someone else stays.
func TestSeparationHandsOverCustomers(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	customerUsers(t, s, "newhire", "sales.rep", "other")
	mine := register(t, s, "newhire", "甲", "13500000001", t0).Customer.ID
	theirs := register(t, s, "other", "乙", "13500000002", t0).Customer.ID
	taskIn(t, s, "t-probation", "probation-1", nil, zhidu.Candidate{User: "newhire"})
	at := t0.Add(time.Hour)
	if err := s.SeparateEmployee(ctx, zhidu.SeparationRecord{EventKey: "probation-1:separated", Employee: "newhire", Colleague: "sales.rep",
		ProcessID: "probation-1", Actor: "hr.head", Reason: "未完成销售任务者自动离职", At: at}); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{mine: "sales.rep", theirs: "other"} {
		if c, _, err := s.Customer(ctx, id); err != nil || c.Responsible != want {
			t.Errorf("%s: responsible %s, %v; want %s", id, c.Responsible, err, want)
		}
	}
	h, _ := s.CustomerHistory(ctx, mine)
	if last := h[len(h)-1]; last.Via != "handover" || *last.Before != "newhire" || *last.After != "sales.rep" || last.Reason != "probation-1" ||
		!last.At.Equal(at) {
		t.Errorf("history %+v", last)
	}
	if n := countOf(t, s, `SELECT count(*) FROM customer_handovers WHERE applied_at = $1`, at); n != 1 {
		t.Errorf("%d applied handovers", n)
	}
}

// TestMigrateAppliesPendingHandovers: handovers recorded but not applied
// (before customer files existed) are applied at the next migrate; one to
// a disabled colleague stays pending without failing the migration.
func TestMigrateAppliesPendingHandovers(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	customerUsers(t, s, "leaver", "colleague", "leaver2", "gone")
	exec(t, s, `UPDATE users SET disabled = true WHERE username = 'gone'`)
	a := register(t, s, "leaver", "甲", "13400000001", t0).Customer.ID
	b := register(t, s, "leaver2", "乙", "13400000002", t0).Customer.ID
	taskIn(t, s, "t-p1", "probation-1", nil, zhidu.Candidate{User: "leaver"})
	taskIn(t, s, "t-p2", "probation-2", nil, zhidu.Candidate{User: "leaver2"})
	exec(t, s, `INSERT INTO customer_handovers (process_id, employee, colleague, at) VALUES ('probation-1', 'leaver', 'colleague', $1),
        ('probation-2', 'leaver2', 'gone', $1)`, t0)
	if err := store.Migrate(ctx, s.Pool, nil); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{a: "colleague", b: "leaver2"} {
		if c, _, err := s.Customer(ctx, id); err != nil || c.Responsible != want {
			t.Errorf("%s: responsible %s, %v; want %s", id, c.Responsible, err, want)
		}
	}
	if hs, err := s.PendingHandovers(ctx); err != nil || len(hs) != 1 || hs[0].ProcessID != "probation-2" {
		t.Errorf("pending %+v %v", hs, err)
	}
}

// TestCrossingDecisions: a crossing case is contested, then decided once
// and for all; the file's credit follows the decision with a history
// entry; to the department (归部门) leaves the file without a credited
// person, and a later crossing of it records that.
func TestCrossingDecisions(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	customerUsers(t, s, "rep.a", "rep.b", "rep.c")
	putUser(t, s, "sales.head", zhidu.DeptSales, zhidu.Secret, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptSales})
	first := register(t, s, "rep.a", "甲", "13300000001", t0)
	second := register(t, s, "rep.b", "甲", "13300000001", t0.Add(time.Minute))
	third := register(t, s, "rep.c", "甲", "13300000001", t0.Add(2*time.Minute))
	id, cx := first.Customer.ID, second.Crossing.ID
	pid := "crossing-1"
	got, err := s.ContestCrossing(ctx, store.AdminChange{Actor: "rep.b"}, cx, &pid, t0.Add(time.Hour))
	if err != nil || got.State != zhidu.CrossingContested || *got.ContestedBy != "rep.b" || *got.ProcessID != pid {
		t.Fatalf("contest: %+v %v", got, err)
	}
	if _, err := s.ContestCrossing(ctx, store.AdminChange{Actor: "rep.b"}, cx, nil, t0); zhidu.ErrorCode(err) != zhidu.CodeConflict {
		t.Errorf("contesting twice: %v", err)
	}
	if _, err := s.DecideCrossing(ctx, store.AdminChange{Actor: "sales.head"}, cx, "both", "", t0); zhidu.ErrorCode(err) != zhidu.CodeInvalid {
		t.Errorf("an unknown decision: %v", err)
	}
	got, err = s.DecideCrossing(ctx, store.AdminChange{Actor: "sales.head"}, cx, zhidu.CrossingSecond, "首次接待为 rep.b", t0.Add(2*time.Hour))
	if err != nil || got.State != zhidu.CrossingDecided || *got.Decision != zhidu.CrossingSecond || got.Credit != "rep.b" || *got.DecidedBy != "sales.head" {
		t.Fatalf("decide: %+v %v", got, err)
	}
	if _, err := s.DecideCrossing(ctx, store.AdminChange{Actor: "sales.head"}, cx, zhidu.CrossingFirst, "", t0); zhidu.ErrorCode(err) != zhidu.CodeConflict {
		t.Errorf("deciding again: %v", err)
	}
	if _, err := s.DecideCrossing(ctx, store.AdminChange{Actor: "sales.head"}, "cx-none", zhidu.CrossingFirst, "", t0); zhidu.ErrorCode(err) != zhidu.CodeNotFound {
		t.Errorf("a missing case: %v", err)
	}
	if c, _, _ := s.Customer(ctx, id); c.Credit != "rep.b" || c.RegisteredBy != "rep.a" {
		t.Errorf("credit %s, registered by %s", c.Credit, c.RegisteredBy)
	}
	if _, err := s.DecideCrossing(ctx, store.AdminChange{Actor: "sales.head"}, third.Crossing.ID, zhidu.CrossingDepartment, "未能确认", t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	c, _, _ := s.Customer(ctx, id)
	if c.Credit != "" {
		t.Errorf("credit %q, want the department's", c.Credit)
	}
	if r := register(t, s, "rep.c", "甲", "13300000001", t0.Add(4*time.Hour)); r.Crossing == nil || r.Crossing.Credit != "" {
		t.Errorf("a crossing of a department's customer: %+v", r.Crossing)
	}
	if n := countOf(t, s, `SELECT count(*) FROM customer_history WHERE customer_id = $1 AND field = 'credit' AND via = 'crossing'`, id); n != 2 {
		t.Errorf("%d credit history entries, want 2", n)
	}
	if n := countOf(t, s, `SELECT count(*) FROM audit WHERE action IN ('customer.crossing.contest', 'customer.crossing.decide')`); n != 3 {
		t.Errorf("%d crossing decision audit entries, want 3", n)
	}
}
