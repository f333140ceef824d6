package workflows

import "github.com/zhidu/zhidu"

// returnStages are where a return slip is, in order: the register's stage
// column and filter.
var returnStages = []string{"approval", "gm_approval", "receipt", "reconcile", "discrepancy", "reprocess", "reinspect", "ship", "closed"}

// returnResults are how a return ends: the register's result column.
var returnResults = []string{ResultCredited, ResultReprocessed, ResultReplaced, ResultRejected, ResultCancelled}

// returnRegister is the register of return slips (成品退货单登记): the slip
// as opened, with what approval, receipt and reconciliation recorded,
// newest first.
func returnRegister() *zhidu.Register {
	exact := func(n int) *zhidu.Filter { return &zhidu.Filter{Kind: zhidu.FilterExact, MaxLength: n} }
	return &zhidu.Register{
		Columns: []zhidu.Column{
			{Name: "process_id", Label: text("编号", "Process"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactID)},
			{Name: "state", Label: text("状态", "State"), Type: zhidu.ColumnState, From: fromFact(zhidu.FactState),
				Filter: &zhidu.Filter{Kind: zhidu.FilterAnyOf, Choices: stateChoices()}},
			{Name: "stage", Label: text("办理阶段", "Stage"), Type: zhidu.ColumnText, From: fromField("stage"), Default: returnStages[0],
				Filter: &zhidu.Filter{Kind: zhidu.FilterChoice, Choices: returnStages}},
			{Name: "level", Label: text("密级", "Level"), Type: zhidu.ColumnLevel, From: fromFact(zhidu.FactLevel)},
			{Name: "opened_at", Label: text("开单时间", "Opened"), Type: zhidu.ColumnTime, From: fromFact(zhidu.FactStartedAt),
				Filter: &zhidu.Filter{Kind: zhidu.FilterRange, Param: "opened"}},
			{Name: "opened_by", Label: text("开单人", "Opened by"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactStartedBy)},
			{Name: "department", Label: text("开单部门", "Department"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactDepartment),
				Filter: exact(32)},
			{Name: "customer", Label: text("客户", "Customer"), Type: zhidu.ColumnText, From: fromInput("customer"), Filter: exact(200)},
			{Name: "product", Label: text("产品", "Product"), Type: zhidu.ColumnText, From: fromInput("product"), Filter: exact(200)},
			{Name: "batch", Label: text("批号", "Batch"), Type: zhidu.ColumnText, From: fromInput("batch"), Filter: exact(100)},
			{Name: "production_date", Label: text("生产日期", "Production date"), Type: zhidu.ColumnText, From: fromInput("production_date")},
			{Name: "quantity", Label: text("数量", "Quantity"), Type: zhidu.ColumnNumber, From: fromInput("quantity")},
			{Name: "unit", Label: text("单位", "Unit"), Type: zhidu.ColumnText, From: fromInput("unit")},
			{Name: "unit_price", Label: text("单价", "Unit price"), Type: zhidu.ColumnNumber, From: fromInput("unit_price"), Decimals: 2},
			{Name: "amount", Label: text("金额", "Amount"), Type: zhidu.ColumnNumber, From: fromFieldOrInput("amount"), Decimals: 2},
			{Name: "handling", Label: text("处理方式", "Handling"), Type: zhidu.ColumnText, From: fromInput("handling"),
				Filter: &zhidu.Filter{Kind: zhidu.FilterChoice, Choices: ReturnHandlings}},
			{Name: "contract", Label: text("已签合同", "Contract"), Type: zhidu.ColumnText, From: fromInput("contract"), OmitEmpty: true},
			{Name: "complaint", Label: text("来源投诉", "Complaint"), Type: zhidu.ColumnText, From: fromInput("complaint"), OmitEmpty: true},
			{Name: "approved_quantity", Label: text("批准数量", "Approved quantity"), Type: zhidu.ColumnNumber, From: fromField("approved_quantity")},
			{Name: "received_quantity", Label: text("实收数量", "Received quantity"), Type: zhidu.ColumnNumber, From: fromField("received_quantity")},
			{Name: "received_by", Label: text("验收人", "Received by"), Type: zhidu.ColumnText, From: fromField("received_by"), OmitEmpty: true},
			{Name: "rounds", Label: text("核对轮次", "Reconciliation rounds"), Type: zhidu.ColumnNumber, From: fromField("rounds")},
			{Name: "has_discrepancy", Label: text("有差异", "Had a discrepancy"), Type: zhidu.ColumnBool, From: fromField("has_discrepancy"),
				Default: false, Filter: &zhidu.Filter{Kind: zhidu.FilterBool}},
			{Name: "voucher", Label: text("传票号", "Voucher"), Type: zhidu.ColumnText, From: fromField("voucher"), OmitEmpty: true},
			{Name: "override_reason", Label: text("合同退货特批理由", "Contract override"), Type: zhidu.ColumnText, From: fromField("override_reason"), OmitEmpty: true},
			{Name: "result", Label: text("结果", "Result"), Type: zhidu.ColumnText, From: fromField("result"), OmitEmpty: true,
				Choices: returnResults},
			{Name: "overdue", Label: text("逾期", "Overdue"), Type: zhidu.ColumnBool, From: fromFact(zhidu.FactOverdue)},
		},
		File: "returns.csv",
		Sort: "-opened_at",
		Details: []zhidu.Detail{{Name: "reconciliations", Label: text("核对记录", "Reconciliation rounds"), Columns: []zhidu.DetailColumn{
			{Name: "round", Label: text("轮次", "Round"), Type: zhidu.ColumnNumber},
			{Name: "approved_quantity", Label: text("批准数量", "Approved"), Type: zhidu.ColumnNumber},
			{Name: "received_quantity", Label: text("实收数量", "Received"), Type: zhidu.ColumnNumber},
			{Name: "outcome", Label: text("核对结果", "Result"), Type: zhidu.ColumnText, Choices: []string{OutcomeMatch, OutcomeMismatch}},
			{Name: "by", Label: text("核对人", "Reconciled by"), Type: zhidu.ColumnText},
			{Name: "notes", Label: text("核对说明", "Notes"), Type: zhidu.ColumnText},
			{Name: "resolution", Label: text("差异处理", "Settlement"), Type: zhidu.ColumnText, Choices: []string{OutcomeRecount, OutcomeAmend}},
			{Name: "resolved_by", Label: text("差异处理人", "Settled by"), Type: zhidu.ColumnText},
			{Name: "reason", Label: text("更正理由", "Reason"), Type: zhidu.ColumnText},
			{Name: "at", Label: text("核对时间", "At"), Type: zhidu.ColumnTime},
		}}},
	}
}

// supplierReturnRegister is the register of supplier returns.
func supplierReturnRegister() *zhidu.Register {
	exact := func(n int) *zhidu.Filter { return &zhidu.Filter{Kind: zhidu.FilterExact, MaxLength: n} }
	return &zhidu.Register{
		Columns: []zhidu.Column{
			{Name: "process_id", Label: text("编号", "Process"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactID)},
			{Name: "state", Label: text("状态", "State"), Type: zhidu.ColumnState, From: fromFact(zhidu.FactState),
				Filter: &zhidu.Filter{Kind: zhidu.FilterAnyOf, Choices: stateChoices()}},
			{Name: "stage", Label: text("办理阶段", "Stage"), Type: zhidu.ColumnText, From: fromField("stage"), Default: "quality_confirm"},
			{Name: "level", Label: text("密级", "Level"), Type: zhidu.ColumnLevel, From: fromFact(zhidu.FactLevel)},
			{Name: "opened_at", Label: text("开单时间", "Opened"), Type: zhidu.ColumnTime, From: fromFact(zhidu.FactStartedAt),
				Filter: &zhidu.Filter{Kind: zhidu.FilterRange, Param: "opened"}},
			{Name: "supplier", Label: text("供应商", "Supplier"), Type: zhidu.ColumnText, From: fromInput("supplier"), Filter: exact(200)},
			{Name: "material", Label: text("物料", "Material"), Type: zhidu.ColumnText, From: fromInput("material"), Filter: exact(200)},
			{Name: "batch", Label: text("批号", "Batch"), Type: zhidu.ColumnText, From: fromInput("batch"), Filter: exact(100)},
			{Name: "quantity", Label: text("数量", "Quantity"), Type: zhidu.ColumnNumber, From: fromInput("quantity")},
			{Name: "deadline", Label: text("答复期限", "Deadline"), Type: zhidu.ColumnTime, From: fromField("deadline")},
			{Name: "response", Label: text("供应商答复", "Response"), Type: zhidu.ColumnText, From: fromField("response"), OmitEmpty: true},
			{Name: "deadline_breached", Label: text("逾期未复", "Deadline breached"), Type: zhidu.ColumnBool, From: fromField("deadline_breached"),
				Default: false, Filter: &zhidu.Filter{Kind: zhidu.FilterBool}},
			{Name: "result", Label: text("结果", "Result"), Type: zhidu.ColumnText, From: fromField("result"), OmitEmpty: true},
		},
		File: "supplier-returns.csv",
		Sort: "-opened_at",
	}
}
