package workflows

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

var (
	mktHead   = person("mkt.head", zhidu.DeptMkt, zhidu.Secret, grant(zhidu.RoleDeptHead, zhidu.DeptMkt))
	vipClient = zhidu.CustomerRef{ID: "cus-1", Name: "华东汽车", Class: zhidu.ClassVIP, Department: zhidu.DeptSales,
		Level: zhidu.Internal, Responsible: "sales.rep"}
)

func downgradeInput(majorLoss bool) CustomerDowngradeInput {
	cfg := DefaultCustomerDowngradeConfig()
	return NewCustomerDowngrade(processID, "fin.clerk", vipClient, zhidu.ProblemLatePayment, "货款逾期 90 天", majorLoss, &cfg)
}

// TestCustomerDowngrade: the department head downgrades within the five
// days; a major loss goes to the Marketing Division, whose blacklisting
// tells every sales department's head; nobody else decides.
func TestCustomerDowngrade(t *testing.T) {
	h := newHarness[CustomerDowngradeInput, CustomerDowngradeResult](t, WorkflowCustomerDowngrade, CustomerDowngrade, processID)
	staff := h.try(time.Minute, "a salesperson decides", "downgrade", salesRep, OutcomeDowngrade,
		map[string]any{"class": zhidu.ClassPreferred, "reason": "逾期"})
	noClass := h.try(2*time.Minute, "a downgrade with no class", "downgrade", salesHead, OutcomeDowngrade, map[string]any{"reason": "逾期"})
	byHead := h.try(3*time.Hour, "the sales head decides on the blacklist", "blacklist_report", salesHead, OutcomeBlacklist,
		map[string]any{"reason": "x"})
	replies := h.play(
		act{time.Hour, "downgrade", salesHead, OutcomeDowngrade, map[string]any{"class": zhidu.ClassQualified, "reason": "逾期 90 天"}},
		act{4 * time.Hour, "blacklist_report", mktHead, OutcomeBlacklist, map[string]any{"reason": "造成重大损失"}},
	)
	var notice BlacklistNoticeInput
	h.env.RegisterWorkflowWithOptions(BlacklistNotice, workflow.RegisterOptions{Name: WorkflowBlacklistNotice})
	h.env.OnWorkflow(WorkflowBlacklistNotice, mock.Anything, mock.Anything).Return(
		func(_ workflow.Context, in BlacklistNoticeInput) (BlacklistNoticeResult, error) {
			notice = in
			return BlacklistNoticeResult{Outcome: OutcomeAcknowledged, Told: 1}, nil
		})
	res := h.run(downgradeInput(true))
	if notice.Entry != 7 || notice.Parent != processID || notice.Customer.ID != "cus-1" ||
		notice.Process.ID != ProcessID(KindBlacklistNotice, "cus-1", "7") {
		t.Errorf("the blacklist notice started with %+v", notice)
	}
	wantAllAccepted(t, replies)
	wantRejected(t, staff, zhidu.CodeForbidden)
	wantRejectedField(t, noClass, zhidu.CodeInvalid, "data.class")
	wantRejected(t, byHead, zhidu.CodeForbidden)
	if res != (CustomerDowngradeResult{Outcome: ResultBlacklisted, Class: zhidu.ClassQualified, Blacklisted: true}) {
		t.Errorf("result = %+v", res)
	}
	if c := h.classChanges; len(c) != 1 || c[0].CustomerID != "cus-1" || c[0].To != zhidu.ClassQualified || c[0].Actor != "sales.head" {
		t.Errorf("class changes = %+v", c)
	}
	if b := h.blacklistings; len(b) != 1 || b[0].Actor != "mkt.head" || b[0].Reason != "造成重大损失" {
		t.Errorf("blacklistings = %+v", b)
	}
	d := h.createdTask(t, "downgrade")
	if d.Spec.Due != 5*24*time.Hour || len(d.Spec.Escalations) != 2 || d.Spec.Escalations[0].After != 5*24*time.Hour {
		t.Errorf("the downgrade's SLA: due %v, escalations %+v", d.Spec.Due, d.Spec.Escalations)
	}
}

// TestCustomerDowngradeEscalates: nobody decides in five days; the VP in
// charge of sales is asked, and keeps the class.
func TestCustomerDowngradeEscalates(t *testing.T) {
	h := newHarness[CustomerDowngradeInput, CustomerDowngradeResult](t, WorkflowCustomerDowngrade, CustomerDowngrade, processID)
	vpSales := person("vp.sales", zhidu.DeptGMO, zhidu.Secret, grant(zhidu.RoleVP, zhidu.DeptSales))
	early := h.try(4*24*time.Hour, "the VP before the breach", "downgrade", vpSales, OutcomeKeep, map[string]any{"reason": "x"})
	replies := h.play(act{5*24*time.Hour + time.Hour, "downgrade", vpSales, OutcomeKeep, map[string]any{"reason": "已还款"}})
	res := h.run(downgradeInput(false))
	wantAllAccepted(t, replies)
	wantRejected(t, early, zhidu.CodeForbidden)
	if res != (CustomerDowngradeResult{Outcome: ResultKept}) || len(h.classChanges) != 0 || len(h.blacklistings) != 0 {
		t.Errorf("result = %+v, changes %+v, blacklistings %+v", res, h.classChanges, h.blacklistings)
	}
	if !slices.ContainsFunc(h.events, func(e zhidu.TaskEvent) bool {
		return e.Event == zhidu.EventEscalated && e.At.Equal(t0.Add(5*24*time.Hour))
	}) {
		t.Errorf("no escalation at five days: %+v", h.events)
	}
}

func crossingInput() CustomerCrossingInput {
	cfg := DefaultCustomerCrossingConfig()
	cc := zhidu.CrossingCase{ID: "cx-1", CustomerID: "cus-1", Registrant: "sales.super", Credit: "sales.rep", Name: "华东汽车"}
	return NewCustomerCrossing(processID, "sales.super", cc, vipClient, "我先接触的客户", &cfg)
}

// TestCustomerCrossing: the department head decides, finally; neither
// party decides their own case.
func TestCustomerCrossing(t *testing.T) {
	h := newHarness[CustomerCrossingInput, CustomerCrossingResult](t, WorkflowCustomerCrossing, CustomerCrossing, processID)
	party := h.try(time.Minute, "a party decides", "crossing_decision", salesSuper, zhidu.CrossingSecond, map[string]any{"note": "mine"})
	replies := h.play(act{time.Hour, "crossing_decision", salesHead, zhidu.CrossingSecond, map[string]any{"note": "首次接待记录在先"}})
	res := h.run(crossingInput())
	wantAllAccepted(t, replies)
	wantRejected(t, party, zhidu.CodeForbidden)
	if res != (CustomerCrossingResult{Outcome: zhidu.CrossingSecond, DecidedBy: "sales.head"}) {
		t.Errorf("result = %+v", res)
	}
	if c := h.crossings; len(c) != 2 || c[0].Decision != "" || c[0].Actor != "sales.super" || c[1].Decision != zhidu.CrossingSecond ||
		c[1].Actor != "sales.head" || c[1].CaseID != "cx-1" {
		t.Errorf("crossing records = %+v", c)
	}
}

// TestCustomerCrossingUnresolved: with no decision in time the credit goes
// to the department (归部门), by the system.
func TestCustomerCrossingUnresolved(t *testing.T) {
	h := newHarness[CustomerCrossingInput, CustomerCrossingResult](t, WorkflowCustomerCrossing, CustomerCrossing, processID)
	res := h.run(crossingInput())
	if res.Outcome != zhidu.CrossingDepartment || res.DecidedBy != zhidu.SystemActor {
		t.Errorf("result = %+v", res)
	}
	if c := h.completions; len(c) != 1 || c[0].Actor != zhidu.SystemActor || !c[0].At.Equal(t0.Add(7*24*time.Hour)) {
		t.Errorf("completions = %+v", c)
	}
}

// TestCustomerHandover: one notice per customer handed over, for the
// colleague, at the file's level; the colleague completes them.
func TestCustomerHandover(t *testing.T) {
	h := newHarness[CustomerHandoverInput, CustomerHandoverResult](t, WorkflowCustomerHandover, CustomerHandover, processID)
	secretClient := vipClient
	secretClient.ID, secretClient.Level = "cus-2", zhidu.Secret
	h.handed = []zhidu.CustomerRef{vipClient, secretClient}
	in := newCustomerHandover(zhidu.ProcessInfo{ID: "probation-1"}, zhidu.SeparationRecord{ProcessID: "probation-1", Employee: "newhire",
		Colleague: "sales.rep", Actor: "hr.head"}, zhidu.DeptSales)
	in.Process.ID, in.Parent = processID, ""
	other := h.try(time.Minute, "someone else", "notify_customer#cus-1", salesSuper, OutcomeNotified, map[string]any{"method": "phone"})
	replies := h.play(
		act{time.Hour, "notify_customer#cus-1", salesRep, OutcomeNotified, map[string]any{"method": "phone"}},
		act{time.Hour, "notify_customer#cus-2", salesRepSecret, OutcomeNotified, map[string]any{"method": "visit"}},
	)
	res := h.run(in)
	wantAllAccepted(t, replies)
	wantRejected(t, other, zhidu.CodeForbidden)
	if res != (CustomerHandoverResult{Outcome: OutcomeNotified, Customers: 2}) {
		t.Errorf("result = %+v", res)
	}
	if lv := h.createdTask(t, "notify_customer#cus-2").Spec.Level; lv != zhidu.Secret {
		t.Errorf("the secret customer's notice is at %v", lv)
	}
}

var salesRepSecret = also(person("sales.rep", zhidu.DeptSales, zhidu.Secret), grant(zhidu.RoleStaff, zhidu.DeptSales))

// TestBlacklistNotice: each sales department's head takes note of a
// blacklisting; nobody else does it for them.
func TestBlacklistNotice(t *testing.T) {
	h := newHarness[BlacklistNoticeInput, BlacklistNoticeResult](t, WorkflowBlacklistNotice, BlacklistNotice, processID)
	cfg := DefaultBlacklistNoticeConfig()
	cfg.SalesDepartments = []zhidu.Department{zhidu.DeptSales, zhidu.DeptCS}
	in := NewBlacklistNotice(zhidu.BlacklistEntry{ID: 3, CustomerID: "cus-1", Decision: zhidu.BlacklistAdded, Reason: "拖欠货款",
		By: "mkt.head"}, vipClient, &cfg)
	in.Process.ID = processID
	other := h.try(time.Minute, "staff takes note", "blacklist_notice#sales", salesRep, OutcomeAcknowledged, nil)
	replies := h.play(
		act{time.Hour, "blacklist_notice#sales", salesHead, OutcomeAcknowledged, nil},
		act{2 * time.Hour, "blacklist_notice#cs", csHead, OutcomeAcknowledged, map[string]any{"notes": "已通知客服"}},
	)
	res := h.run(in)
	wantAllAccepted(t, replies)
	wantRejected(t, other, zhidu.CodeForbidden)
	if res != (BlacklistNoticeResult{Outcome: OutcomeAcknowledged, Told: 2}) {
		t.Errorf("result = %+v", res)
	}
}
