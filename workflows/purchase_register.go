package workflows

import (
	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
)

// purchaseStages are where a requisition is, in order: the register's
// stage column and filter.
func purchaseStages() []string {
	out := []string{StepSourcing, "evaluation", StepSampleTest, StepTrialBatch}
	for _, r := range approvalRoles {
		out = append(out, approvalStep(r))
	}
	return append(out, StepApprovalProjectLead, StepPurchaseOrder, StepDelivery, StepReceiving, "supplier_return", StepPayment, "closed")
}

// purchaseResults are how a purchase ends: the register's result column.
var purchaseResults = []string{ResultPaid, ResultReturned, ResultRejected, ResultCancelled}

// purchaseRegister is the register of requisitions (申购登记): the
// requisition as submitted and routed, with what sourcing, approval, the
// order, receiving and payment recorded, newest first. A requisition is
// in it for those who may read it, as everywhere. It filters by state,
// stage, submission time, department, kind, project, the estimated total
// and the order amount (?total_min=&total_max=, ?amount_min=&amount_max=:
// at least min, below max, as the matrix's bands), the matrix version
// that routed it, whether the GM approves, and the supplier.
func purchaseRegister() *zhidu.Register {
	exact := func(n int) *zhidu.Filter { return &zhidu.Filter{Kind: zhidu.FilterExact, MaxLength: n} }
	amounts := &zhidu.Filter{Kind: zhidu.FilterNumberRange} // ?COLUMN_min=&COLUMN_max=
	return &zhidu.Register{
		Columns: []zhidu.Column{
			{Name: "process_id", Label: text("编号", "Process"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactID)},
			{Name: "title", Label: text("申购物品", "Items"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactTitle)},
			{Name: "state", Label: text("状态", "State"), Type: zhidu.ColumnState, From: fromFact(zhidu.FactState),
				Filter: &zhidu.Filter{Kind: zhidu.FilterAnyOf, Choices: stateChoices()}},
			{Name: "stage", Label: text("办理阶段", "Stage"), Type: zhidu.ColumnText, From: fromField("stage"), Default: StepSourcing,
				Filter: &zhidu.Filter{Kind: zhidu.FilterChoice, Choices: purchaseStages()}},
			{Name: "level", Label: text("密级", "Level"), Type: zhidu.ColumnLevel, From: fromFact(zhidu.FactLevel)},
			{Name: "submitted_at", Label: text("申购时间", "Submitted"), Type: zhidu.ColumnTime, From: fromFact(zhidu.FactStartedAt),
				Filter: &zhidu.Filter{Kind: zhidu.FilterRange, Param: "submitted"}},
			{Name: "requester", Label: text("申购人", "Requester"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactStartedBy)},
			{Name: "department", Label: text("申购部门", "Department"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactDepartment),
				Filter: exact(32)},
			{Name: "kind", Label: text("采购类别", "Kind"), Type: zhidu.ColumnText, From: fromInput("kind"),
				Filter: &zhidu.Filter{Kind: zhidu.FilterChoice, Choices: matrix.Kinds()}},
			{Name: "urgency", Label: text("紧急程度", "Urgency"), Type: zhidu.ColumnText, From: fromInput("urgency"), Choices: purchaseUrgencies},
			{Name: "project", Label: text("项目", "Project"), Type: zhidu.ColumnText, From: fromInput("project"), OmitEmpty: true, Filter: exact(100)},
			{Name: "total", Label: text("预估金额", "Estimated total"), Type: zhidu.ColumnNumber, From: fromInput("total"), Decimals: 2,
				Filter: amounts},
			{Name: "matrix_version", Label: text("审批矩阵版本", "Matrix version"), Type: zhidu.ColumnNumber, From: fromInput("matrix_version"),
				Filter: &zhidu.Filter{Kind: zhidu.FilterNumber}},
			{Name: "route", Label: text("审批路径", "Route"), Type: zhidu.ColumnText, From: fromFieldOrInput("route")},
			{Name: "gm_approval", Label: text("需总经理审批", "Needs the GM"), Type: zhidu.ColumnBool, From: fromFieldOrInput("gm_approval"),
				Default: false, Filter: &zhidu.Filter{Kind: zhidu.FilterBool}},
			{Name: "supplier", Label: text("供应商", "Supplier"), Type: zhidu.ColumnText, From: fromField("supplier"), OmitEmpty: true,
				Filter: exact(200)},
			{Name: "quote_count", Label: text("报价家数", "Quotes"), Type: zhidu.ColumnNumber, From: fromField("quote_count")},
			{Name: "amount", Label: text("订单金额", "Amount"), Type: zhidu.ColumnNumber, From: fromField("amount"), Decimals: 2,
				Filter: amounts},
			{Name: "order", Label: text("订单号", "Order"), Type: zhidu.ColumnText, From: fromField("order"), OmitEmpty: true},
			{Name: "delivery_date", Label: text("交货日期", "Delivery date"), Type: zhidu.ColumnText, From: fromField("delivery_date"), OmitEmpty: true},
			{Name: "received_by", Label: text("验收人", "Received by"), Type: zhidu.ColumnText, From: fromField("received_by"), OmitEmpty: true},
			{Name: "paid_amount", Label: text("付款金额", "Paid"), Type: zhidu.ColumnNumber, From: fromField("paid_amount"), Decimals: 2},
			{Name: "company_credit", Label: text("折扣（公司账户）", "Discount (company credit)"), Type: zhidu.ColumnNumber,
				From: fromField("company_credit"), Decimals: 2},
			{Name: "result", Label: text("结果", "Result"), Type: zhidu.ColumnText, From: fromField("result"), OmitEmpty: true,
				Choices: purchaseResults},
			{Name: "overdue", Label: text("逾期", "Overdue"), Type: zhidu.ColumnBool, From: fromFact(zhidu.FactOverdue)},
		},
		File: "purchases.csv",
		Sort: "-submitted_at",
		Details: []zhidu.Detail{{Name: "quotes", Label: text("报价比较", "Quotes"), Columns: []zhidu.DetailColumn{
			{Name: "supplier", Label: text("供应商", "Supplier"), Type: zhidu.ColumnText},
			{Name: "unit_price", Label: text("单价", "Unit price"), Type: zhidu.ColumnNumber},
			{Name: "amount", Label: text("总额", "Total"), Type: zhidu.ColumnNumber},
			{Name: "delivery_date", Label: text("交货日期", "Delivery date"), Type: zhidu.ColumnText},
			{Name: "terms", Label: text("条件", "Terms"), Type: zhidu.ColumnText},
		}}},
	}
}
