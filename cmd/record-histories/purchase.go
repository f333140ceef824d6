package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
	"github.com/zhidu/zhidu/workflows"
)

// More demo people, for purchases: a second head of sales, who works the
// department head's step when sales.head recuses.
var salesHead2 = actor("sales.head2", zhidu.DeptSales, zhidu.Secret, zhidu.RoleDeptHead, zhidu.DeptSales)

// purchaseScenarios drive the purchase.
func init() { scenarios = append(scenarios, purchaseScenarios...) }

var purchaseScenarios = []scenario{
	{name: "purchase-paid", start: purchaseStart(salesRep, paperPlan()), outcome: workflows.ResultPaid,
		drive: func(ctx context.Context, d *driver) error {
			// The seed's route of a regular plan under ¥50,000: the
			// department head, finance's review, the GM. The requester
			// never approves their own request.
			if err := d.act(ctx, "sourcing#1", purBuyer, workflows.OutcomeChoose,
				quotes("sup-huadong", quote("sup-huadong", 24.5), quote("sup-jincheng", 26))); err != nil {
				return err
			}
			if err := d.refused(ctx, "approval#1.1", also(salesRep, zhidu.RoleGrant{Role: zhidu.RoleDeptHead, Department: zhidu.DeptSales}),
				workflows.OutcomeApprove, nil, zhidu.CodeForbidden); err != nil {
				return fmt.Errorf("the requester approves: %w", err)
			}
			if err := d.moves(ctx, []move{
				{"approval#1.1", salesHead, workflows.OutcomeApprove, nil},
				{"approval#1.2", finClerk, workflows.OutcomeApprove, nil},
				{"approval#1.3", gm, workflows.OutcomeApprove, map[string]any{"opinion": "同意"}},
				{"order#1", purBuyer, workflows.OutcomeOrder, map[string]any{"delivery_date": deliveryDate()}},
				{"delivery", purBuyer, workflows.OutcomeDelivered, nil},
				{"receiving#1", whClerk, workflows.OutcomeAccept, inspected(100)},
			}); err != nil {
				return err
			}
			if err := d.refused(ctx, "payment", finClerk, workflows.OutcomePaid, map[string]any{"amount": 100,
				"settlement": workflows.SettlementMonthly}, zhidu.CodeInvalid); err != nil {
				return fmt.Errorf("paying too little: %w", err)
			}
			return d.act(ctx, "payment", finClerk, workflows.OutcomePaid, map[string]any{"amount": 2400, "discount": 50,
				"settlement": workflows.SettlementMonthly})
		}},
	{name: "purchase-rejected", start: purchaseStart(salesRep, paperPlan()), outcome: workflows.ResultRejected,
		drive: func(ctx context.Context, d *driver) error {
			return d.moves(ctx, []move{
				{"sourcing#1", purBuyer, workflows.OutcomeChoose, quotes("sup-huadong", quote("sup-huadong", 24.5))},
				{"approval#1.1", salesHead, workflows.OutcomeApprove, nil},
				{"approval#1.2", finClerk, workflows.OutcomeApprove, nil},
				{"approval#1.3", gm, workflows.OutcomeReject, map[string]any{"opinion": "预算已满"}},
			})
		}},
	{name: "purchase-recused", start: purchaseStart(salesRep, paperPlan()), outcome: workflows.ResultCancelled,
		drive: func(ctx context.Context, d *driver) error {
			// sales.head declares an interest in a quoted supplier while
			// their approval is open: they leave it at once, and the
			// other head of sales approves.
			if err := d.act(ctx, "sourcing#1", purBuyer, workflows.OutcomeChoose,
				quotes("sup-huadong", quote("sup-huadong", 24.5), quote("sup-jincheng", 26))); err != nil {
				return err
			}
			if _, err := d.task(ctx, "approval#1.1", 0); err != nil {
				return err
			}
			declared := demoSupplier("sup-jincheng")
			declared.Conflicts = []zhidu.Conflict{{User: salesHead.Username, Supplier: declared.ID, Reason: "配偶持股",
				DeclaredBy: salesHead.Username, DeclaredAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}
			if err := d.update(ctx, workflows.UpdateSupplierFacts, zhidu.SupplierFacts{Supplier: declared}); err != nil {
				return err
			}
			if err := d.refused(ctx, "approval#1.1", salesHead, workflows.OutcomeApprove, nil, zhidu.CodeForbidden); err != nil {
				return fmt.Errorf("the declarer approves: %w", err)
			}
			if err := d.moves(ctx, []move{
				{"approval#1.1", salesHead2, workflows.OutcomeApprove, nil},
				{"approval#1.2", finClerk, workflows.OutcomeApprove, nil},
			}); err != nil {
				return err
			}
			if _, err := d.task(ctx, "approval#1.3", 0); err != nil {
				return err
			}
			return d.update(ctx, workflows.UpdateCancelProcess, zhidu.CancelProcessRequest{Actor: salesRep, Reason: "bought elsewhere"})
		}},
	{name: "purchase-first-supply", start: purchaseStart(qualityEng, bearings()), outcome: workflows.ResultCancelled,
		drive: func(ctx context.Context, d *driver) error {
			// Important material needs three qualified quotes. Round 1
			// picks the new supplier, quoted beside the one quality.head
			// has an interest in (off the sample test); its sample test
			// fails. Round 2 may not pick it again and picks an approved
			// supplier; the route is the project manager's department
			// head, the project's first responsible person, finance.
			if err := d.refused(ctx, "sourcing#1", purBuyer, workflows.OutcomeChoose,
				quotes("sup-xinyuan", quote("sup-xinyuan", 80), quote("sup-huadong", 90)), zhidu.CodeInvalid); err != nil {
				return fmt.Errorf("two quotes: %w", err)
			}
			if err := d.moves(ctx, []move{
				{"sourcing#1", purBuyer, workflows.OutcomeChoose, quotes("sup-xinyuan", quote("sup-xinyuan", 80),
					quote("sup-huadong", 90), quote("sup-liantuo", 95), quote("sup-jincheng", 99))},
				{"sample#1", qualitySuper, workflows.OutcomeFail, map[string]any{"findings": "硬度不足"}},
			}); err != nil {
				return err
			}
			if err := d.refused(ctx, "sourcing#2", purBuyer, workflows.OutcomeChoose, quotes("sup-xinyuan", quote("sup-xinyuan", 80),
				quote("sup-huadong", 90), quote("sup-jincheng", 99)), zhidu.CodeInvalid); err != nil {
				return fmt.Errorf("the failed supplier again: %w", err)
			}
			if err := d.moves(ctx, []move{
				{"sourcing#2", purBuyer, workflows.OutcomeChoose, quotes("sup-huadong", quote("sup-huadong", 90),
					quote("sup-jincheng", 99), quote("sup-hengtong", 97))},
				{"approval#2.1", qualityHead, workflows.OutcomeApprove, nil},
				{"approval#2.2", vpOps, workflows.OutcomeApprove, nil},
				{"approval#2.3", finClerk, workflows.OutcomeApprove, nil},
			}); err != nil {
				return err
			}
			if _, err := d.task(ctx, "order#2", 0); err != nil {
				return err
			}
			return d.update(ctx, workflows.UpdateCancelProcess, zhidu.CancelProcessRequest{Actor: qualityEng, Reason: "the line's refit moved to next year"})
		}},
	{name: "purchase-returned", start: purchaseStart(qualityEng, bearings()), outcome: workflows.ResultReturned,
		drive: func(ctx context.Context, d *driver) error {
			// The new supplier passes its sample test and trial batch
			// (and is approved as a supplier); the warehouse rejects the
			// delivery, and the supplier return — the purchase's child —
			// ends with the supplier's credit.
			if err := d.moves(ctx, []move{
				{"sourcing#1", purBuyer, workflows.OutcomeChoose, quotes("sup-xinyuan", quote("sup-xinyuan", 80),
					quote("sup-huadong", 90), quote("sup-jincheng", 99))},
				{"sample#1", qualitySuper, workflows.OutcomePass, nil},
				{"trial#1", qualitySuper, workflows.OutcomePass, map[string]any{"findings": "试用 200 个无异常"}},
				{"approval#1.1", qualityHead, workflows.OutcomeApprove, nil},
				{"approval#1.2", vpOps, workflows.OutcomeApprove, nil},
				{"approval#1.3", finClerk, workflows.OutcomeApprove, nil},
				{"order#1", purBuyer, workflows.OutcomeOrder, map[string]any{"delivery_date": deliveryDate()}},
				{"delivery", purBuyer, workflows.OutcomeDelivered, nil},
			}); err != nil {
				return err
			}
			rejected := inspected(0)
			rejected["quality_ok"], rejected["rejected_quantity"], rejected["defect"] = false, 10, "内圈裂纹"
			if err := d.act(ctx, "receiving#1", whClerk, workflows.OutcomeReject, rejected); err != nil {
				return err
			}
			child := &driver{c: d.c, id: workflows.ProcessID(workflows.KindSupplierReturn, d.id, "child-1")}
			return child.moves(ctx, []move{
				{"quality_confirm", qualityHead, workflows.OutcomeConfirm, nil},
				{"purchasing", purBuyer, workflows.OutcomeSent, map[string]any{"supplier_contact": "新源 王经理"}},
				{"supplier_response", purBuyer, workflows.OutcomeCredit, map[string]any{"notes": "货款冲抵"}},
			})
		}},
}

// demoSuppliers are what LoadSuppliers answers, as the demo data has
// them: three qualified suppliers that have supplied before, one new,
// and one in which quality.head declared an interest.
func demoSuppliers() []zhidu.Supplier {
	ok := func(id, name string) zhidu.Supplier {
		return zhidu.Supplier{ID: id, Name: name, Qualified: true, SupplyState: zhidu.SupplyApproved}
	}
	newOne := ok("sup-xinyuan", "新源材料有限公司")
	newOne.SupplyState = zhidu.SupplyNew
	conflicted := ok("sup-liantuo", "联拓贸易有限公司")
	conflicted.Conflicts = []zhidu.Conflict{{User: qualityHead.Username, Supplier: conflicted.ID, Reason: "亲属任该公司销售经理",
		DeclaredBy: qualityHead.Username, DeclaredAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}}
	return []zhidu.Supplier{ok("sup-huadong", "华东精密机械有限公司"), ok("sup-jincheng", "金诚五金有限公司"),
		ok("sup-hengtong", "恒通轴承有限公司"), newOne, conflicted}
}

// demoSupplier is one of demoSuppliers.
func demoSupplier(id string) zhidu.Supplier {
	all := demoSuppliers()
	return all[slices.IndexFunc(all, func(s zhidu.Supplier) bool { return s.ID == id })]
}

// loadSuppliers answers with the demo suppliers asked for, or every one.
func (stubs) loadSuppliers(_ context.Context, ids []string) ([]zhidu.Supplier, error) {
	var out []zhidu.Supplier
	for _, s := range demoSuppliers() {
		if ids == nil || slices.Contains(ids, s.ID) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (stubs) approveSupplier(context.Context, zhidu.SupplyRecord) error { return nil }

func (stubs) excludeUsers(context.Context, zhidu.ExclusionRecord) error { return nil }

// line2 is the project the bearings are for; vp.ops is its first
// responsible person.
var line2 = zhidu.Project{ID: "line-2", Name: "二号生产线改造", Department: zhidu.DeptQuality, Manager: qualityHead.Username,
	Lead: vpOps.Username}

// seedSources route by the seed matrix (version 1) and know line-2.
type seedSources struct{}

func (seedSources) ApprovalMatrix(context.Context) (int, matrix.Matrix, error) {
	return 1, matrix.Seed(), nil
}

// Running and Holders answer as an organisation with nobody on probation
// and no role holders would (the purchase asks neither).
func (seedSources) Running(context.Context, string, string, string) ([]string, error) {
	return nil, nil
}

func (seedSources) Holders(context.Context, zhidu.Role, zhidu.Department) ([]string, error) {
	return nil, nil
}

func (seedSources) Project(_ context.Context, id string) (zhidu.Project, error) {
	if id != line2.ID {
		return zhidu.Project{}, zhidu.Fail(zhidu.CodeNotFound, zhidu.NotFound("project "+id))
	}
	return line2, nil
}

// paperPlan is a regular monthly plan of ¥2,500.
func paperPlan() map[string]any {
	return map[string]any{"items": []any{map[string]any{"name": "A4 复印纸", "spec": "70g 500张/包", "quantity": 100, "unit": "包",
		"unit_price": 25}}, "reason": "月度办公用品计划", "kind": matrix.KindRegular, "urgency": workflows.UrgencyNormal}
}

// bearings are important material for line-2: ¥1,000.
func bearings() map[string]any {
	return map[string]any{"items": []any{map[string]any{"name": "轴承 6204", "spec": "SKF", "quantity": 10, "unit": "个",
		"unit_price": 100}}, "reason": "二号线改造", "kind": matrix.KindImportant, "urgency": workflows.UrgencyNormal,
		"project": line2.ID}
}

// purchaseStart prepares a requisition as the API does — the start body
// decoded, validated and routed by the seed matrix — with the default
// configuration. The bodies are the scenarios' own: one that does not
// prepare is a bug here, so it panics.
func purchaseStart(starter zhidu.Actor, body map[string]any) func(string) (string, any) {
	return func(id string) (string, any) {
		d, ok := workflows.Lookup(workflows.KindPurchase)
		if !ok {
			panic("no purchase descriptor")
		}
		b := d.Body()
		raw, err := json.Marshal(body)
		if err == nil {
			err = json.Unmarshal(raw, b)
		}
		if err != nil {
			panic(fmt.Sprintf("purchase start body: %v", err))
		}
		info := zhidu.ProcessInfo{ID: id, Kind: workflows.KindPurchase, Department: d.Owner(starter), StartedBy: starter.Username}
		in, err := d.Prepare(context.Background(), b, workflows.StartContext{Starter: starter, Process: &info,
			Config: d.NewConfig(), Data: seedSources{}, Now: time.Now()})
		if err != nil {
			panic(fmt.Sprintf("prepare the purchase: %v", err))
		}
		return workflows.WorkflowPurchase, in
	}
}

func quote(supplier string, price float64) map[string]any {
	return map[string]any{"supplier": supplier, "unit_price": price, "delivery_date": deliveryDate()}
}

func quotes(chosen string, qs ...map[string]any) map[string]any {
	rows := make([]any, len(qs))
	for i, q := range qs {
		rows[i] = q
	}
	return map[string]any{"quotes": rows, "chosen": chosen, "reason": "价格最低"}
}

// deliveryDate is a week from today in the company's time zone: a date
// the order accepts whenever the fixtures are recorded.
func deliveryDate() string {
	loc, err := time.LoadLocation(workflows.DefaultPurchaseConfig().TimeZone)
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	return time.Now().In(loc).AddDate(0, 0, 7).Format(time.DateOnly)
}

// inspected is a receiving inspection where every check passed.
func inspected(received int) map[string]any {
	return map[string]any{"delivery_note": "SH-0001", "name_ok": true, "spec_ok": true, "quantity_ok": true, "unit_price_ok": true,
		"amount_ok": true, "quality_ok": true, "received_quantity": received}
}
