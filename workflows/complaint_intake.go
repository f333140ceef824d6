package workflows

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/zhidu/zhidu"
)

// ComplaintConfig holds every duration and threshold of the complaint
// process (客户投诉处理); none is a literal in the workflow.
type ComplaintConfig struct {
	Triage        SLA `json:"triage"`        // the CS supervisor's triage
	Investigation SLA `json:"investigation"` // due 3 days after triage; escalates to the head, then the VP
	Approval      SLA `json:"approval"`      // the VP's (and the GM's) 批示
	Remedy        SLA `json:"remedy"`
	Reply         SLA `json:"reply"`
	Superior      SLA `json:"superior"` // a disputed invalid complaint goes to the superior (签呈)
	Receivables   SLA `json:"receivables"`
	// FollowUpAfter is how long after the reply (which follows the remedy)
	// the follow-up visit (回访) task is created.
	FollowUpAfter time.Duration `json:"follow_up_after"`
	FollowUp      SLA           `json:"follow_up"`
	SpotCheck     SLA           `json:"spot_check"`
	// CompensationThreshold: above it, the GM approves as well (核决权限).
	CompensationThreshold float64 `json:"compensation_threshold"`
	// SpotCheckPercent of closed complaints get a 营管办 spot check (抽查验证).
	SpotCheckPercent int `json:"spot_check_percent"`
	// Retention: closed complaints are kept this long; important ones for good.
	Retention time.Duration `json:"retention"`
}

// DefaultComplaintConfig returns the defaults of DOMAIN.md.
func DefaultComplaintConfig() ComplaintConfig {
	day := 24 * time.Hour
	return ComplaintConfig{
		Triage:                SLA{Due: day, Reminder: 12 * time.Hour, Escalate: []time.Duration{day}},
		Investigation:         SLA{Due: 3 * day, Reminder: 2 * day, Escalate: []time.Duration{3 * day, 4 * day}},
		Approval:              SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day, 3 * day}},
		Remedy:                SLA{Due: 7 * day, Reminder: 5 * day, Escalate: []time.Duration{7 * day}},
		Reply:                 SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day}},
		Superior:              SLA{Due: 3 * day, Escalate: []time.Duration{3 * day}},
		Receivables:           SLA{Due: 30 * day},
		FollowUpAfter:         7 * day,
		FollowUp:              SLA{Due: 3 * day, Escalate: []time.Duration{3 * day}},
		SpotCheck:             SLA{Due: 14 * day},
		CompensationThreshold: 5000,
		SpotCheckPercent:      10,
		Retention:             365 * day,
	}
}

// Complaint categories, channels and remedies (DOMAIN.md, process 1).
var (
	ComplaintCategories = []string{"product_quality", "service_quality", "misconduct", "fees", "other"}
	ComplaintChannels   = []string{"phone", "letter", "web", "visit"}
	ComplaintRemedies   = []string{"return", "reprocess", "replace", "compensate", "apologise", "discipline", "improvement", "none"}
)

// Complainant is who complained and how to reach them.
type Complainant struct {
	Name    string `json:"name" text:"line"`
	Contact string `json:"contact" text:"line"`
}

// ComplaintIntake is the register entry (受理) a complaint starts with.
type ComplaintIntake struct {
	Complainant    Complainant `json:"complainant"`
	Channel        string      `json:"channel"`
	Category       string      `json:"category"`
	Subject        string      `json:"subject" text:"line"`
	Content        string      `json:"content"`
	Product        string      `json:"product,omitempty" text:"line"`
	Batch          string      `json:"batch,omitempty" text:"line"`
	CourseOfEvents string      `json:"course_of_events,omitempty"`
	Witnesses      []string    `json:"witnesses,omitempty" text:"line"`
	Evidence       string      `json:"evidence,omitempty"`
	Signature      string      `json:"signature,omitempty" text:"line"`
	// Accused is the employee (a username) a misconduct complaint is about:
	// kept off every step and out of the complaint's read rule.
	Accused string `json:"accused,omitempty" text:"line"`
}

// DefaultLevel is a complaint's level unless its starter raises it:
// misconduct complaints are secret, others internal.
func (c ComplaintIntake) DefaultLevel() zhidu.Level {
	if c.Category == "misconduct" {
		return zhidu.Secret
	}
	return zhidu.Internal
}

// Validate returns the intake's field errors, or nil.
func (c ComplaintIntake) Validate() map[string]zhidu.Message {
	errs := map[string]zhidu.Message{}
	text := func(field, v string, required bool, max int) {
		n := len([]rune(strings.TrimSpace(v)))
		switch {
		case required && n == 0:
			errs[field] = zhidu.Required()
		case len([]rune(v)) > max:
			errs[field] = zhidu.MaxChars(max)
		}
	}
	text("complainant.name", c.Complainant.Name, true, 100)
	text("complainant.contact", c.Complainant.Contact, true, 200)
	text("subject", c.Subject, true, 200)
	text("content", c.Content, true, 10000)
	text("product", c.Product, c.Category == "product_quality", 200)
	text("batch", c.Batch, false, 100)
	misconduct := c.Category == "misconduct"
	text("course_of_events", c.CourseOfEvents, misconduct, 10000)
	text("evidence", c.Evidence, false, 10000)
	text("signature", c.Signature, misconduct, 200)
	if !slices.Contains(ComplaintChannels, c.Channel) {
		errs["channel"] = zhidu.OneOf(ComplaintChannels)
	}
	if !slices.Contains(ComplaintCategories, c.Category) {
		errs["category"] = zhidu.OneOf(ComplaintCategories)
	}
	switch {
	case c.Accused != "" && !misconduct:
		errs["accused"] = zhidu.AccusedMisconduct()
	case len(c.Accused) > 40:
		errs["accused"] = zhidu.NotAUsername()
	}
	if len(c.Witnesses) > 20 {
		errs["witnesses"] = zhidu.MaxPeople(20)
	}
	for _, w := range c.Witnesses {
		if strings.TrimSpace(w) == "" || len([]rune(w)) > 100 {
			errs["witnesses"] = zhidu.WitnessLength()
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ComplaintInput starts a complaint.
type ComplaintInput struct {
	Process zhidu.ProcessInfo `json:"process"`
	Intake  ComplaintIntake   `json:"intake"`
	Config  ComplaintConfig   `json:"config"`
	// Return configures the return slips the complaint opens (its child
	// processes); nil: the return's defaults.
	Return *ReturnConfig `json:"return,omitempty"`
}

// complaintDescriptor: customer service registers complaints (受理), so may
// its VP and the GM's office; every complaint is owned by customer service.
func complaintDescriptor() Descriptor {
	return Descriptor{
		Kind: KindComplaint, Workflow: WorkflowComplaint, Func: Complaint,
		Label: text("客户投诉", "Customer complaint"),
		Description: text("登记客户投诉（申诉和投诉处理登记表）：客服主任受理审核，责任部门调查，分管副总批示。",
			"Register a customer complaint: the CS supervisor triages, the responsible department investigates, the VP in charge approves."),
		Submit: text("登记投诉", "Register complaint"),
		Steps: []Step{
			{StepTriage, text("受理审核", "Triage")},
			{StepInvestigation, text("调查", "Investigation")},
			{StepApproval, text("批示", "Approval")},
			{StepGMApproval, text("总经理批示", "GM approval")},
			{StepRemedy, text("处理", "Remedy")},
			{StepReply, text("答复客户", "Reply to the customer")},
			{StepReceivables, text("收回应收账款", "Collect receivables")},
			{StepSuperior, text("签呈复核", "Superior review")},
			{StepFollowUp, text("回访", "Follow-up visit")},
			{StepSpotCheck, text("抽查验证", "Spot check")},
			{StepReturnSlip, text("开具退货单", "Return slip")},
		},
		StartForm: complaintStartForm,
		Starters: []Starter{
			{Roles: []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP}, Department: string(zhidu.DeptCS)},
			{Roles: leadershipRoles, Department: AnyDepartment},
		},
		Owner:    func(zhidu.Actor) zhidu.Department { return zhidu.DeptCS },
		Defaults: func() any { return DefaultComplaintConfig() },
		Settings: complaintSettings,
		Body:     func() any { return new(complaintStart) },
		Prepare: func(ctx context.Context, b any, s StartContext) (any, error) {
			return prepareComplaint(ctx, *b.(*complaintStart), s)
		},
		Register: complaintRegister(),
		Record: func(input any) map[string]any {
			in, _ := input.(ComplaintInput)
			var m map[string]any
			b, _ := json.Marshal(in.Intake)
			_ = json.Unmarshal(b, &m)
			m["level"] = in.Process.Level.String()
			return m
		},
		PublicReply: true,
		Bench:       complaintBench(),
		// A blacklisted customer gets no remedy with compensation.
		Customer: []string{"complainant.name", "complainant.contact"},
		RefusesBlacklisted: func(step string, data map[string]any) bool {
			return step == StepInvestigation && data["remedy"] == "compensate"
		},
	}
}

// complaintSettings are the complaint's configuration values operators set.
var complaintSettings = []Setting{
	{Flag: "complaint-triage-due", Env: "ZHIDU_COMPLAINT_TRIAGE_DUE", Field: "Triage.Due",
		Usage: "complaint: triage is due after"},
	{Flag: "complaint-investigation-due", Env: "ZHIDU_COMPLAINT_INVESTIGATION_DUE", Field: "Investigation.Due",
		Usage: "complaint: the investigation report is due after (3 days)"},
	{Flag: "complaint-investigation-reminder", Env: "ZHIDU_COMPLAINT_INVESTIGATION_REMINDER", Field: "Investigation.Reminder",
		Usage: "complaint: remind the investigators after"},
	{Flag: "complaint-investigation-escalate", Env: "ZHIDU_COMPLAINT_INVESTIGATION_ESCALATE", Field: "Investigation.Escalate",
		Usage: "complaint: escalate to the department head, then the VP, after"},
	{Flag: "complaint-approval-due", Env: "ZHIDU_COMPLAINT_APPROVAL_DUE", Field: "Approval.Due",
		Usage: "complaint: approval is due after"},
	{Flag: "complaint-reply-due", Env: "ZHIDU_COMPLAINT_REPLY_DUE", Field: "Reply.Due",
		Usage: "complaint: the reply is due after"},
	{Flag: "complaint-follow-up-after", Env: "ZHIDU_COMPLAINT_FOLLOW_UP_AFTER", Field: "FollowUpAfter",
		Usage: "complaint: the follow-up visit is due after the remedy"},
	{Flag: "complaint-compensation-threshold", Env: "ZHIDU_COMPLAINT_COMPENSATION_THRESHOLD", Field: "CompensationThreshold",
		Usage: "complaint: compensation above this (CNY) needs the GM"},
	{Flag: "complaint-spot-check-percent", Env: "ZHIDU_COMPLAINT_SPOT_CHECK_PERCENT", Field: "SpotCheckPercent",
		Usage: "complaint: percent of closed complaints spot-checked"},
	{Flag: "complaint-retention", Env: "ZHIDU_COMPLAINT_RETENTION", Field: "Retention",
		Usage: "complaint: closed complaints are kept for"},
}

// complaintStart is a complaint's start body: the register entry and an
// optional level.
type complaintStart struct {
	ComplaintIntake
	Level *zhidu.Level `json:"level"`
}

// prepareComplaint validates a complaint's register entry. Misconduct
// defaults to secret, others to internal; the starter may raise the level
// (never above their clearance, unless it is the default). The accused
// must be a user other than the starter.
func prepareComplaint(ctx context.Context, b complaintStart, s StartContext) (any, error) {
	errs := b.Validate()
	if errs == nil {
		errs = map[string]zhidu.Message{}
	}
	info := s.Process
	info.Level = b.DefaultLevel()
	if b.Level != nil {
		switch {
		case *b.Level < info.Level:
			errs["level"] = zhidu.LevelAtLeast(info.Level)
		case *b.Level > info.Level && *b.Level > s.Starter.Clearance:
			errs["level"] = zhidu.AboveClearance()
		}
		info.Level = max(info.Level, *b.Level)
	}
	if a := b.Accused; a != "" && errs["accused"].IsZero() {
		switch _, err := s.Users.User(ctx, a); {
		case zhidu.ErrorCode(err) == zhidu.CodeNotFound:
			errs["accused"] = zhidu.NotAUser()
		case err != nil:
			return nil, err
		case a == s.Starter.Username:
			errs["accused"] = zhidu.AccusedSelf()
		}
		info.Barred = []string{a}
	}
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.CannotRegisterComplaint(), errs)
	}
	info.Title = b.Subject
	in := ComplaintInput{Process: *info, Intake: b.ComplaintIntake, Config: *s.Config.(*ComplaintConfig)}
	if rc, ok := s.Configs[KindReturn].(*ReturnConfig); ok {
		copied := *rc
		in.Return = &copied
	}
	return in, nil
}

// complaintStartForm is the register entry's form (ComplaintIntake, plus
// the level); ComplaintIntake.Validate holds the rules across fields.
var complaintStartForm = zhidu.Form{Fields: []zhidu.Field{
	{Name: "complainant.name", Type: zhidu.FieldText, Label: text("投诉人", "Complainant"), Required: true, MaxLength: 100},
	{Name: "complainant.contact", Type: zhidu.FieldText, Label: text("联系方式", "Contact"), Required: true, MaxLength: 200},
	{Name: "channel", Type: zhidu.FieldChoice, Label: text("受理渠道", "Channel"), Required: true, Choices: ComplaintChannels},
	{Name: "category", Type: zhidu.FieldChoice, Label: text("投诉类别", "Category"), Required: true, Choices: ComplaintCategories},
	{Name: "subject", Type: zhidu.FieldText, Label: text("投诉主题", "Subject"), Required: true, MaxLength: 200},
	{Name: "content", Type: zhidu.FieldText, Label: text("投诉内容", "Content"), Required: true, MaxLength: 10000},
	{Name: "product", Type: zhidu.FieldText, Label: text("产品（产品质量投诉必填）", "Product (required for product quality)"), MaxLength: 200},
	{Name: "batch", Type: zhidu.FieldText, Label: text("批号", "Batch"), MaxLength: 100},
	{Name: "course_of_events", Type: zhidu.FieldText, Label: text("事情经过（违纪投诉必填）", "Course of events (required for misconduct)"), MaxLength: 10000},
	{Name: "witnesses", Type: zhidu.FieldList, Label: text("证人", "Witnesses")},
	{Name: "evidence", Type: zhidu.FieldText, Label: text("证据", "Evidence"), MaxLength: 10000},
	{Name: "signature", Type: zhidu.FieldText, Label: text("投诉人签名（违纪投诉必填）", "Complainant's signature (required for misconduct)"), MaxLength: 200},
	{Name: "accused", Type: zhidu.FieldText, Label: text("被投诉员工（用户名，仅违纪投诉）", "Employee complained about (username, misconduct only)"), MaxLength: 40},
	{Name: "level", Type: zhidu.FieldChoice, Label: text("密级（默认：违纪为秘密，其余为内部）", "Level (default: secret for misconduct, else internal)"), Choices: levelChoices()},
}}
