package workflows

import (
	"github.com/zhidu/zhidu"
)

// Outcomes of the complaint's steps (OutcomeApprove is the approval
// steps' too).
const (
	OutcomeValid    = "valid"     // triage
	OutcomeInvalid  = "invalid"   // triage
	OutcomeSubmit   = "submit"    // investigation
	OutcomeSendBack = "send_back" // approval, GM approval
	OutcomeDone     = "done"      // remedy, receivables, follow-up, spot check
	OutcomeSent     = "sent"      // reply
	OutcomeUphold   = "uphold"    // superior review
	OutcomeReopen   = "reopen"    // superior review
)

// satisfactions are the answers of the follow-up visit (回访).
var satisfactions = []string{"very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"}

var triageForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "category", Type: zhidu.FieldChoice, Label: text("投诉类别", "Category"), Choices: ComplaintCategories},
		{Name: "responsible_department", Type: zhidu.FieldChoice, Label: text("责任部门", "Responsible department"),
			Choices: departmentCodes(), RequiredFor: []string{OutcomeValid}},
		{Name: "joint", Type: zhidu.FieldBoolean, Label: text("联合处理（研发部参与）", "Joint handling (with R&D)")},
		{Name: "deadline", Type: zhidu.FieldDate, Label: text("处理时效", "Handling deadline")},
		{Name: "important", Type: zhidu.FieldBoolean, Label: text("重要投诉（长期保存）", "Important (kept long-term)")},
		{Name: "reason", Type: zhidu.FieldText, Label: text("无效原因", "Why it is invalid"), RequiredFor: []string{OutcomeInvalid}, MaxLength: 2000},
	},
	Outcomes: []string{OutcomeValid, OutcomeInvalid},
}

// triageResult is what triage records.
type triageResult struct {
	Category              string `json:"category"`
	ResponsibleDepartment string `json:"responsible_department"`
	Joint                 bool   `json:"joint"`
	Deadline              string `json:"deadline"` // YYYY-MM-DD
	Important             bool   `json:"important"`
	Reason                string `json:"reason"`
}

// checkTriage: product quality goes to Quality; joint handling needs a
// deadline.
func (c *complaint) checkTriage(outcome string, d triageResult) map[string]zhidu.Message {
	if outcome != OutcomeValid {
		return nil
	}
	errs := map[string]zhidu.Message{}
	category := d.Category
	if category == "" {
		category = c.category
	}
	if category == "product_quality" && d.ResponsibleDepartment != string(zhidu.DeptQuality) {
		errs["data.responsible_department"] = zhidu.QualityDepartment()
	}
	if d.Joint && d.Deadline == "" {
		errs["data.deadline"] = zhidu.JointDeadline()
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

var investigationForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "cause", Type: zhidu.FieldText, Label: text("原因", "Cause"), Required: true, MaxLength: 4000},
		{Name: "responsibility", Type: zhidu.FieldText, Label: text("职责归属", "Responsibility"), Required: true, MaxLength: 2000},
		{Name: "remedy", Type: zhidu.FieldChoice, Label: text("处理方案", "Proposed remedy"), Required: true, Choices: ComplaintRemedies},
		{Name: "compensation_amount", Type: zhidu.FieldNumber, Label: text("赔偿金额（元）", "Compensation (CNY)")},
	},
	Outcomes: []string{OutcomeSubmit},
}

// investigationResult is what an investigation records.
type investigationResult struct {
	Cause              string   `json:"cause"`
	Responsibility     string   `json:"responsibility"`
	Remedy             string   `json:"remedy"`
	CompensationAmount *float64 `json:"compensation_amount"`
}

// compensation returns the amount, and whether one was given.
func (d investigationResult) compensation() (float64, bool) {
	if d.CompensationAmount == nil {
		return 0, false
	}
	return *d.CompensationAmount, true
}

// MaxCompensation is the largest compensation the complaint register
// holds (numeric(14, 2)): a larger one would fail the projection's write.
const MaxCompensation = 999_999_999_999.99

// checkInvestigation: compensation needs a positive amount (at most
// MaxCompensation); no amount without compensation.
func checkInvestigation(_ string, d investigationResult) map[string]zhidu.Message {
	amount, has := d.compensation()
	switch {
	case has && amount < 0:
		return map[string]zhidu.Message{"data.compensation_amount": zhidu.Negative()}
	case has && amount > MaxCompensation:
		return map[string]zhidu.Message{"data.compensation_amount": zhidu.NumberMax(MaxCompensation)}
	case d.Remedy == "compensate" && (!has || amount <= 0):
		return map[string]zhidu.Message{"data.compensation_amount": zhidu.CompensationAmount()}
	case d.Remedy != "compensate" && has && amount > 0:
		return map[string]zhidu.Message{"data.compensation_amount": zhidu.AmountWithoutRemedy()}
	}
	return nil
}

var approvalStepForm = zhidu.Form{
	Fields: []zhidu.Field{{Name: "comments", Type: zhidu.FieldText, Label: text("批示意见", "Comments"),
		RequiredFor: []string{OutcomeSendBack}, MaxLength: 4000}},
	Outcomes: []string{OutcomeApprove, OutcomeSendBack},
}

// decisionResult is what an approval step (批示) records.
type decisionResult struct {
	Comments string `json:"comments"`
}

var remedyForm = zhidu.Form{
	Fields:   []zhidu.Field{{Name: "actions", Type: zhidu.FieldText, Label: text("处理措施", "Actions taken"), Required: true, MaxLength: 4000}},
	Outcomes: []string{OutcomeDone},
}

var replyForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "method", Type: zhidu.FieldChoice, Label: text("答复方式", "Reply by"), Required: true, Choices: []string{"letter", "phone"}},
		{Name: "reply", Type: zhidu.FieldText, Label: text("给客户的答复（公开）", "Reply to the customer (public)"), Required: true, MaxLength: 4000},
		{Name: "feedback", Type: zhidu.FieldText, Label: text("客户反馈", "Customer feedback"), MaxLength: 4000},
		{Name: "disputed", Type: zhidu.FieldBoolean, Label: text("客户有异议", "The customer disputes it")},
	},
	Outcomes: []string{OutcomeSent},
}

// replyResult is what the reply to the customer records.
type replyResult struct {
	Method   string `json:"method"`
	Reply    string `json:"reply"`
	Feedback string `json:"feedback"`
	Disputed bool   `json:"disputed"`
}

var followUpForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "satisfaction", Type: zhidu.FieldChoice, Label: text("满意度", "Satisfaction"), Required: true, Choices: satisfactions},
		{Name: "notes", Type: zhidu.FieldText, Label: text("回访记录", "Notes"), MaxLength: 4000},
	},
	Outcomes: []string{OutcomeDone},
}

// followUpResult is what the follow-up visit records.
type followUpResult struct {
	Satisfaction string `json:"satisfaction"`
	Notes        string `json:"notes"`
}

var notesForm = zhidu.Form{
	Fields:   []zhidu.Field{{Name: "notes", Type: zhidu.FieldText, Label: text("记录", "Notes"), MaxLength: 4000}},
	Outcomes: []string{OutcomeDone},
}

var superiorForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "responsible_department", Type: zhidu.FieldChoice, Label: text("责任部门", "Responsible department"),
			Choices: departmentCodes(), RequiredFor: []string{OutcomeReopen}},
		{Name: "comments", Type: zhidu.FieldText, Label: text("签呈意见", "Comments"), Required: true, MaxLength: 4000},
	},
	Outcomes: []string{OutcomeUphold, OutcomeReopen},
}

// superiorResult is what the superior's review (签呈) records.
type superiorResult struct {
	ResponsibleDepartment string `json:"responsible_department"`
	Comments              string `json:"comments"`
}

// checkReopen applies triage's rule to a re-opened complaint: product
// quality goes to Quality.
func (c *complaint) checkReopen(outcome string, d superiorResult) map[string]zhidu.Message {
	if outcome == OutcomeReopen && c.category == "product_quality" && d.ResponsibleDepartment != string(zhidu.DeptQuality) {
		return map[string]zhidu.Message{"data.responsible_department": zhidu.QualityDepartment()}
	}
	return nil
}

var spotCheckForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "verified", Type: zhidu.FieldBoolean, Label: text("核实无误", "Verified"), Required: true},
		{Name: "findings", Type: zhidu.FieldText, Label: text("抽查意见", "Findings"), MaxLength: 4000},
	},
	Outcomes: []string{OutcomeDone},
}

// spotCheckResult is what the 营管办 spot check records.
type spotCheckResult struct {
	Verified bool   `json:"verified"`
	Findings string `json:"findings"`
}
