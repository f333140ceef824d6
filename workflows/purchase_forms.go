package workflows

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
)

// Outcomes of the purchase's steps (OutcomeApprove, OutcomeReject,
// OutcomeDone, OutcomePass and OutcomeFail are other processes' too).
const (
	OutcomeChoose    = "choose"    // sourcing
	OutcomeOrder     = "order"     // purchase_order
	OutcomeDelivered = "delivered" // delivery
	OutcomeAccept    = "accept"    // receiving: inspected and stocked
	OutcomePaid      = "paid"      // payment
)

// Settlements of a payment.
const (
	SettlementMonthly   = "monthly"   // 月结: preferred
	SettlementImmediate = "immediate" // 现结
)

var purchaseSettlements = []string{SettlementMonthly, SettlementImmediate}

// sourcingForm is 询价比价议价: the quotes, the supplier picked and why.
func sourcingForm(suppliers []string) zhidu.Form {
	return zhidu.Form{
		Fields: []zhidu.Field{
			{Name: "quotes", Type: zhidu.FieldRows, Label: text("报价", "Quotes"), Required: true, MinRows: 1, MaxRows: 20,
				Columns: []zhidu.Field{
					{Name: "supplier", Type: zhidu.FieldChoice, Label: text("供应商", "Supplier"), Required: true, Choices: suppliers},
					{Name: "unit_price", Type: zhidu.FieldNumber, Label: text("单价（元）", "Unit price (CNY)"), Required: true},
					{Name: "amount", Type: zhidu.FieldNumber, Label: text("报价总额（元，默认单价×数量）", "Total (CNY; default unit price × quantity)")},
					{Name: "delivery_date", Type: zhidu.FieldDate, Label: text("交货日期", "Delivery date"), Required: true},
					{Name: "terms", Type: zhidu.FieldText, Label: text("付款及其他条件", "Terms"), MaxLength: 500},
				}},
			{Name: "chosen", Type: zhidu.FieldChoice, Label: text("选定供应商", "Supplier chosen"), Required: true, Choices: suppliers},
			{Name: "reason", Type: zhidu.FieldText, Label: text("选定理由", "Why this supplier"), Required: true, MaxLength: 2000},
		},
		Outcomes: []string{OutcomeChoose},
	}
}

// sourcingResult is what the buyer records.
type sourcingResult struct {
	Quotes []Quote `json:"quotes"`
	Chosen string  `json:"chosen"`
	Reason string  `json:"reason"`
}

// checkSourcing: a supplier quotes once, a blacklisted one never; the
// pick is among the quotes and has not failed its first supply here;
// important material has MinQuotes quotes from qualified suppliers; and a
// buyer with a declared interest in a quoted supplier recuses (回避).
func (r *purchaseRun) checkSourcing(req zhidu.CompleteTaskRequest, d sourcingResult) map[string]zhidu.Message {
	errs := map[string]zhidu.Message{}
	seen := map[string]bool{}
	qualified := 0
	for i, q := range d.Quotes {
		path := fmt.Sprintf("data.quotes[%d].", i)
		s := r.suppliers[q.Supplier]
		switch {
		case seen[q.Supplier]:
			errs[path+"supplier"] = zhidu.Say(msgQuotedTwice, "supplier", s.Name)
		case s.Blacklisted:
			errs[path+"supplier"] = zhidu.Say(msgBlacklisted, "supplier", s.Name, "reason", s.BlacklistReason)
		case slices.Contains(s.Recused(), req.Actor.Username) || (req.OnBehalfOf != "" && slices.Contains(s.Recused(), req.OnBehalfOf)):
			errs[path+"supplier"] = zhidu.Say(msgRecuse, "supplier", s.Name)
		case s.Qualified:
			qualified++
		}
		seen[q.Supplier] = true
		if m := yuanFen(q.UnitPrice); !m.IsZero() {
			errs[path+"unit_price"] = m
		}
		if q.Amount != nil {
			if m := yuanFen(*q.Amount); !m.IsZero() {
				errs[path+"amount"] = m
			}
		}
		if !lineOnly(q.Terms) {
			errs[path+"terms"] = zhidu.CheckText(q.Terms, false)
		}
	}
	switch {
	case d.Chosen != "" && !seen[d.Chosen]:
		errs["data.chosen"] = zhidu.Say(msgChosenNotQuoted)
	case slices.Contains(r.failed, d.Chosen):
		errs["data.chosen"] = zhidu.Say(msgFailedFirstSupply, "supplier", r.suppliers[d.Chosen].Name)
	}
	if r.in.Requisition.Kind == matrix.KindImportant && qualified < r.cfg.MinQuotes && len(errs) == 0 {
		errs["data.quotes"] = zhidu.Say(msgThreeQuotes, "min", r.cfg.MinQuotes, "got", qualified)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// lineOnly reports whether a text is one line of allowed characters.
func lineOnly(s string) bool { return zhidu.CheckText(s, false).IsZero() }

// evaluationForm is Quality's sample test or trial batch.
var evaluationForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "findings", Type: zhidu.FieldText, Label: text("检验结论", "Findings"), RequiredFor: []string{OutcomeFail}, MaxLength: 4000},
	},
	Outcomes: []string{OutcomePass, OutcomeFail},
}

type evaluationResult struct {
	Findings string `json:"findings"`
}

// orderForm is the purchase order: the delivery date the supplier
// confirmed, and for secret procurement the NDA on record.
var orderForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "delivery_date", Type: zhidu.FieldDate, Label: text("确认交货日期", "Confirmed delivery date"), Required: true},
		{Name: "nda", Type: zhidu.FieldText, Label: text("保密协议编号（涉密采购必填）", "NDA reference (secret procurement)"), MaxLength: 100},
		{Name: "notes", Type: zhidu.FieldText, Label: text("备注", "Notes"), MaxLength: 4000},
	},
	Outcomes: []string{OutcomeOrder},
}

type orderResult struct {
	DeliveryDate string `json:"delivery_date"`
	NDA          string `json:"nda"`
	Notes        string `json:"notes"`
}

// checkOrder: the delivery date is not in the past, and secret
// procurement (涉密采购) records the supplier's NDA.
func (r *purchaseRun) checkOrder(_ string, d orderResult) map[string]zhidu.Message {
	errs := map[string]zhidu.Message{}
	if r.p.Info.Level >= zhidu.Secret && d.NDA == "" {
		errs["data.nda"] = zhidu.Say(msgNDARequired)
	}
	if !lineOnly(d.NDA) {
		errs["data.nda"] = zhidu.CheckText(d.NDA, false)
	}
	if !r.cfg.deliveryDateOK(d.DeliveryDate, r.orderAsked) {
		errs["data.delivery_date"] = zhidu.Say(msgDeliveryPast)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// deliveryForm: the buyer confirms the goods arrived at the warehouse.
var deliveryForm = zhidu.Form{
	Fields:   []zhidu.Field{{Name: "notes", Type: zhidu.FieldText, Label: text("到货说明", "Notes"), MaxLength: 2000}},
	Outcomes: []string{OutcomeDelivered},
}

type deliveryResult struct {
	Notes string `json:"notes"`
}

// receivingForm is 验收: the delivery note, each check against it, what
// was received; rejected goods' quantity and defect.
var receivingForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "delivery_note", Type: zhidu.FieldText, Label: text("送货单号", "Delivery note"), Required: true, MaxLength: 100},
		{Name: "name_ok", Type: zhidu.FieldBoolean, Label: text("品名相符", "Name matches"), Required: true},
		{Name: "spec_ok", Type: zhidu.FieldBoolean, Label: text("规格相符", "Specification matches"), Required: true},
		{Name: "quantity_ok", Type: zhidu.FieldBoolean, Label: text("数量相符", "Quantity matches"), Required: true},
		{Name: "unit_price_ok", Type: zhidu.FieldBoolean, Label: text("单价相符", "Unit price matches"), Required: true},
		{Name: "amount_ok", Type: zhidu.FieldBoolean, Label: text("金额相符", "Amount matches"), Required: true},
		{Name: "quality_ok", Type: zhidu.FieldBoolean, Label: text("质量合格", "Quality acceptable"), Required: true},
		{Name: "received_quantity", Type: zhidu.FieldNumber, Label: text("实收数量", "Quantity received"), Required: true},
		{Name: "rejected_quantity", Type: zhidu.FieldNumber, Label: text("拒收数量", "Quantity rejected"), RequiredFor: []string{OutcomeReject}},
		{Name: "defect", Type: zhidu.FieldText, Label: text("不合格描述", "Defect"), RequiredFor: []string{OutcomeReject}, MaxLength: 4000},
	},
	Outcomes: []string{OutcomeAccept, OutcomeReject},
}

type receivingResult struct {
	DeliveryNote     string  `json:"delivery_note"`
	NameOK           bool    `json:"name_ok"`
	SpecOK           bool    `json:"spec_ok"`
	QuantityOK       bool    `json:"quantity_ok"`
	UnitPriceOK      bool    `json:"unit_price_ok"`
	AmountOK         bool    `json:"amount_ok"`
	QualityOK        bool    `json:"quality_ok"`
	ReceivedQuantity float64 `json:"received_quantity"`
	RejectedQuantity float64 `json:"rejected_quantity"`
	Defect           string  `json:"defect"`
}

// checkReceiving: goods are stocked only when every check against the
// delivery note passed; a rejection names a check that failed.
func checkReceiving(outcome string, d receivingResult) map[string]zhidu.Message {
	checks := []struct {
		name string
		ok   bool
	}{{"name_ok", d.NameOK}, {"spec_ok", d.SpecOK}, {"quantity_ok", d.QuantityOK}, {"unit_price_ok", d.UnitPriceOK},
		{"amount_ok", d.AmountOK}, {"quality_ok", d.QualityOK}}
	errs := map[string]zhidu.Message{}
	failed := 0
	for _, c := range checks {
		if !c.ok {
			failed++
			if outcome == OutcomeAccept {
				errs["data."+c.name] = zhidu.Say(msgCheckFailed)
			}
		}
	}
	if outcome == OutcomeReject && failed == 0 {
		errs["outcome"] = zhidu.Say(msgNothingToReject)
	}
	if m := wholeNumber(d.ReceivedQuantity, 0); !m.IsZero() {
		errs["data.received_quantity"] = m
	}
	if outcome == OutcomeReject {
		if m := wholeNumber(d.RejectedQuantity, 1); !m.IsZero() {
			errs["data.rejected_quantity"] = m
		}
	}
	if !lineOnly(d.DeliveryNote) {
		errs["data.delivery_note"] = zhidu.CheckText(d.DeliveryNote, false)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// paymentForm is finance's payment: the amount, the settlement, any
// discount (the company's credit, never a staff item).
var paymentForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "amount", Type: zhidu.FieldNumber, Label: text("付款金额（元）", "Amount paid (CNY)"), Required: true},
		{Name: "settlement", Type: zhidu.FieldChoice, Label: text("结算方式（月结优先）", "Settlement (monthly preferred)"), Required: true,
			Choices: purchaseSettlements},
		{Name: "discount", Type: zhidu.FieldNumber, Label: text("折扣（计入公司账户）", "Discount (the company's credit)")},
		{Name: "notes", Type: zhidu.FieldText, Label: text("备注", "Notes"), MaxLength: 2000},
	},
	Outcomes: []string{OutcomePaid},
}

type paymentResult struct {
	Amount     float64  `json:"amount"`
	Settlement string   `json:"settlement"`
	Discount   *float64 `json:"discount"`
	Notes      string   `json:"notes"`
}

// checkPayment: what is paid and the discount make the order's amount;
// only an approved purchase is paid (the route's every step approved).
func (r *purchaseRun) checkPayment(_ string, d paymentResult) map[string]zhidu.Message {
	errs := map[string]zhidu.Message{}
	if m := yuanFen(d.Amount); !m.IsZero() {
		errs["data.amount"] = m
	}
	discount := 0.0
	if d.Discount != nil {
		discount = *d.Discount
		if m := yuanFen(discount); !m.IsZero() {
			errs["data.discount"] = m
		}
	}
	owed := r.amountOf(r.chosenQuote())
	if len(errs) == 0 && math.Round((d.Amount+discount)*100) != math.Round(owed*100) {
		errs["data.amount"] = zhidu.Say(msgPaymentMismatch, "amount", fmt.Sprintf("%.2f", owed))
	}
	if !r.routeApproved() {
		errs["outcome"] = zhidu.Say(msgNotApproved)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// routeApproved reports whether every step of the route was approved in
// the current round.
func (r *purchaseRun) routeApproved() bool {
	for _, st := range r.in.Route.Steps {
		if !slices.ContainsFunc(r.p.Approved, func(a approval) bool { return a.Step == st.Name }) {
			return false
		}
	}
	return true
}

// deliveryDateOK says whether a date is today or later in the company's
// time zone.
func (c PurchaseConfig) deliveryDateOK(date string, now time.Time) bool {
	return date >= now.In(c.location()).Format(time.DateOnly)
}

// purchaseLabels are the web's labels of the purchase's own words.
var purchaseLabels = map[string]zhidu.Text{
	"outcome." + OutcomeChoose:      text("选定", "Choose"),
	"outcome." + OutcomeOrder:       text("下单", "Place the order"),
	"outcome." + OutcomeDelivered:   text("已到货", "Delivered"),
	"outcome." + OutcomeAccept:      text("验收合格入库", "Accept and stock"),
	"outcome." + OutcomePaid:        text("已付款", "Paid"),
	"outcome." + ResultReturned:     text("已退回供应商", "Returned to the supplier"),
	"value.evaluation":              text("评审", "Evaluation"),
	"value.supplier_return":         text("退货给供应商", "Supplier return"),
	"value." + SettlementMonthly:    text("月结", "Monthly settlement"),
	"value." + SettlementImmediate:  text("现结", "Immediate payment"),
	"value." + UrgencyNormal:        text("一般", "Normal"),
	"value." + UrgencyUrgent:        text("紧急", "Urgent"),
	"value." + matrix.KindRegular:   text("月度计划采购", "Regular monthly plan"),
	"value." + matrix.KindTemporary: text("临时小额采购", "Temporary small purchase"),
	"value." + matrix.KindImportant: text("重要物资", "Important material"),
	"value." + matrix.KindProject:   text("项目物资", "Project material"),
	// what the stored input and the steps' contexts hold (the web shows
	// most of them in the requisition's own cards)
	"field.total":              text("预估金额（元）", "Estimated total (CNY)"),
	"field.project":            text("项目", "Project"),
	"field.matrix_rule":        text("审批矩阵规则", "Approval matrix rule"),
	"field.matrix_why":         text("规则匹配原因", "Why the rule matched"),
	"field.route":              text("审批路径", "Route"),
	"field.route_steps":        text("审批步骤", "Route steps"),
	"field.requisition":        text("申购单", "Requisition"),
	"field.quotes":             text("报价", "Quotes"),
	"field.chosen":             text("选定供应商", "Supplier chosen"),
	"field.chosen_name":        text("选定供应商名称", "Name of the supplier chosen"),
	"field.suppliers":          text("供应商", "Suppliers"),
	"field.min_quotes":         text("最少报价家数", "Quotes needed"),
	"field.failed":             text("首次供货未通过的供应商", "Suppliers that failed their first supply"),
	"field.supplier":           text("供应商", "Supplier"),
	"field.recused":            text("回避人员", "Recused"),
	"field.step":               text("审批步骤", "Approval step"),
	"field.steps":              text("审批步骤数", "Approval steps"),
	"field.secret_procurement": text("涉密采购", "Secret procurement"),
	"field.order":              text("订单号", "Order number"),
	"field.delivery_date":      text("确认交货日期", "Confirmed delivery date"),
	"field.deadline":           text("到货期限", "Delivery deadline"),
	"field.users":              text("人员", "People"), // the recused, in the timeline
}
