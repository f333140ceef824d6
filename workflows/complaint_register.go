package workflows

import (
	"encoding/json"
	"time"

	"github.com/zhidu/zhidu"
)

// complaintStages are where a complaint is (处理阶段), in order: the
// register's stage column and filter.
var complaintStages = []string{"triage", "investigation", "approval", "remedy", "reply", "superior_review", "follow_up", "closed"}

// complaintRegister is the complaint register (《申诉和投诉处理登记表》): the
// intake (the process's input) joined with what the steps decided
// (ComplaintRecord, recorded by RecordComplaint), newest first. Its JSON
// rows, filters and CSV export are those of GET /api/v1/complaints before
// registers were generic, which the alias keeps serving.
func complaintRegister() *zhidu.Register {
	return &zhidu.Register{
		Columns: []zhidu.Column{
			{Name: "process_id", Label: text("编号", "Process"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactID)},
			{Name: "state", Label: text("状态", "State"), Type: zhidu.ColumnState, From: fromFact(zhidu.FactState),
				Filter: &zhidu.Filter{Kind: zhidu.FilterAnyOf, Choices: stateChoices()}},
			{Name: "stage", Label: text("处理阶段", "Stage"), Type: zhidu.ColumnText, From: fromField("stage"), Default: complaintStages[0],
				Filter: &zhidu.Filter{Kind: zhidu.FilterChoice, Choices: complaintStages}},
			{Name: "level", Label: text("密级", "Level"), Type: zhidu.ColumnLevel, From: fromFact(zhidu.FactLevel)},
			{Name: "received_at", Label: text("受理时间", "Received"), Type: zhidu.ColumnTime, From: fromFact(zhidu.FactStartedAt),
				Filter: &zhidu.Filter{Kind: zhidu.FilterRange, Param: "received"}},
			{Name: "received_by", Label: text("受理人", "Received by"), Type: zhidu.ColumnText, From: fromFact(zhidu.FactStartedBy)},
			{Name: "complainant", Label: text("投诉人", "Complainant"), Type: zhidu.ColumnText, From: fromInput("complainant.name")},
			{Name: "contact", Label: text("联系方式", "Contact"), Type: zhidu.ColumnText, From: fromInput("complainant.contact")},
			{Name: "channel", Label: text("受理渠道", "Channel"), Type: zhidu.ColumnText, From: fromInput("channel")},
			// triage may correct the category registered
			{Name: "category", Label: text("投诉类别", "Category"), Type: zhidu.ColumnText,
				From:   []zhidu.Source{{Field: "category"}, {Input: "category"}},
				Filter: &zhidu.Filter{Kind: zhidu.FilterChoice, Choices: ComplaintCategories}},
			{Name: "subject", Label: text("投诉主题", "Subject"), Type: zhidu.ColumnText, From: fromInput("subject")},
			{Name: "product", Label: text("产品", "Product"), Type: zhidu.ColumnText, From: fromInput("product"), OmitEmpty: true},
			{Name: "batch", Label: text("批号", "Batch"), Type: zhidu.ColumnText, From: fromInput("batch"), OmitEmpty: true},
			{Name: "valid", Label: text("有效投诉", "Valid"), Type: zhidu.ColumnBool, From: fromField("valid")},
			{Name: "responsible_department", Label: text("责任部门", "Responsible department"), Type: zhidu.ColumnText,
				From: fromField("responsible_department"), OmitEmpty: true,
				Filter: &zhidu.Filter{Kind: zhidu.FilterExact, Param: "department", MaxLength: 32}},
			{Name: "remedy", Label: text("处理方式", "Remedy"), Type: zhidu.ColumnText, From: fromField("remedy"), OmitEmpty: true},
			{Name: "compensation", Label: text("赔偿金额", "Compensation"), Type: zhidu.ColumnNumber, From: fromField("compensation"), Decimals: 2},
			{Name: "satisfaction", Label: text("回访满意度", "Satisfaction"), Type: zhidu.ColumnText, From: fromField("satisfaction"), OmitEmpty: true},
			{Name: "overdue", Label: text("超时", "Overdue"), Type: zhidu.ColumnBool, From: fromFact(zhidu.FactOverdue),
				Filter: &zhidu.Filter{Kind: zhidu.FilterBool}},
			{Name: "important", Label: text("重要投诉", "Important"), Type: zhidu.ColumnBool, From: fromField("important"), Default: false},
			{Name: "closed_at", Label: text("结案时间", "Closed"), Type: zhidu.ColumnTime, From: fromFact(zhidu.FactClosedAt)},
			{Name: "retain_until", Label: text("保存至", "Kept until"), Type: zhidu.ColumnTime, From: fromFact(zhidu.FactRetainUntil)},
		},
		CSV: []string{"process_id", "received_at", "received_by", "complainant", "contact", "channel", "category",
			"subject", "product", "batch", "level", "state", "stage", "valid", "responsible_department", "remedy",
			"compensation", "satisfaction", "overdue", "important", "closed_at", "retain_until"},
		File:  "complaints.csv",
		Sort:  "-received_at",
		Alias: "complaints",
	}
}

// ComplaintEntry is a complaint step's record as a register entry: every
// field it sets, the closing time and the retention (an important
// complaint is kept for good). RecordComplaint, which running complaints
// call, writes it with the generic register writer.
func ComplaintEntry(r zhidu.ComplaintRecord) zhidu.RegisterRecord {
	e := zhidu.RegisterRecord{ProcessID: r.ProcessID, Kind: KindComplaint, ClosedAt: r.ClosedAt, RetainUntil: r.RetainUntil,
		KeepForGood: r.Important, At: r.At}
	if r.RepliedAt != nil {
		// as a timestamptz column kept it: to the microsecond
		at := r.RepliedAt.Truncate(time.Microsecond)
		r.RepliedAt = &at
	}
	r.ProcessID, r.ClosedAt, r.RetainUntil, r.At = "", nil, nil, time.Time{}
	b, _ := json.Marshal(r)
	_ = json.Unmarshal(b, &e.Fields)
	delete(e.Fields, "process_id")
	delete(e.Fields, "at")
	if len(e.Fields) == 0 {
		e.Fields = nil
	}
	return e
}
