package workflows

import "github.com/zhidu/zhidu"

var probationStages = []string{"probation", "evaluation", "conversion", "confirmation", "closed"}

var probationResults = []string{ResultConverted, ResultSeparated, ResultCancelled}

// probationRegister is the register of probations (试用期登记), newest
// first; a personnel file, so it lists only what the caller may read.
func probationRegister() *zhidu.Register {
	exact := func(n int) *zhidu.Filter { return &zhidu.Filter{Kind: zhidu.FilterExact, MaxLength: n} }
	return &zhidu.Register{
		Columns: []zhidu.Column{
			{Name: "process_id", Label: text("编号", "Process"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactID)},
			{Name: "state", Label: text("状态", "State"), Type: zhidu.ColumnState, From: fromFact(zhidu.FactState),
				Filter: &zhidu.Filter{Kind: zhidu.FilterAnyOf, Choices: stateChoices()}},
			{Name: "stage", Label: text("阶段", "Stage"), Type: zhidu.ColumnText, From: fromField("stage"), Default: probationStages[0],
				Filter: &zhidu.Filter{Kind: zhidu.FilterChoice, Choices: probationStages}},
			{Name: "level", Label: text("密级", "Level"), Type: zhidu.ColumnLevel, From: fromFact(zhidu.FactLevel)},
			{Name: "started_at", Label: text("登记时间", "Registered"), Type: zhidu.ColumnTime, From: fromFact(zhidu.FactStartedAt),
				Filter: &zhidu.Filter{Kind: zhidu.FilterRange, Param: "started"}},
			{Name: "employee", Label: text("员工", "Employee"), Type: zhidu.ColumnText, From: fromInput("employee"), Filter: exact(100)},
			{Name: "employee_department", Label: text("部门", "Department"), Type: zhidu.ColumnText, From: fromInput("department"), Filter: exact(32)},
			{Name: "mentor", Label: text("带教", "Mentor"), Type: zhidu.ColumnText, From: fromFieldOrInput("mentor")},
			{Name: "start_date", Label: text("开始日期", "Start date"), Type: zhidu.ColumnText, From: fromInput("start_date")},
			{Name: "ends_at", Label: text("期满", "Ends"), Type: zhidu.ColumnTime, From: fromFieldOrInput("ends_at")},
			{Name: "target", Label: text("销售任务", "Target"), Type: zhidu.ColumnNumber, From: fromInput("target")},
			{Name: "sales_count", Label: text("已完成销售", "Sales"), Type: zhidu.ColumnNumber, From: fromField("sales_count")},
			{Name: "test_score", Label: text("笔试成绩", "Test score"), Type: zhidu.ColumnNumber, From: fromField("test_score")},
			{Name: "extended", Label: text("已延期", "Extended"), Type: zhidu.ColumnBool, From: fromField("extended"), Default: false,
				Filter: &zhidu.Filter{Kind: zhidu.FilterBool}},
			{Name: "handed_over_to", Label: text("交接给", "Handed over to"), Type: zhidu.ColumnText, From: fromField("handed_over_to"), OmitEmpty: true},
			{Name: "result", Label: text("结果", "Result"), Type: zhidu.ColumnText, From: fromField("result"), OmitEmpty: true,
				Choices: probationResults},
			{Name: "overdue", Label: text("逾期", "Overdue"), Type: zhidu.ColumnBool, From: fromFact(zhidu.FactOverdue)},
		},
		File: "probations.csv",
		Sort: "-started_at",
	}
}
