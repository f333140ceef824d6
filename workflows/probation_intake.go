package workflows

import (
	"context"
	"time"

	"github.com/zhidu/zhidu"
)

// ProbationConfig holds every duration and rule of the probation (试用期);
// none is a literal in the workflow.
type ProbationConfig struct {
	// TimeZone is the company's: the written test is at TestHour there.
	TimeZone string `json:"time_zone"`
	TestHour int    `json:"test_hour"` // 17: the day-1 written test
	// Months is the default length, MaxMonths the longest (an extension
	// included).
	Months    int `json:"months"`
	MaxMonths int `json:"max_months"`
	Target    int `json:"target"` // sales that earn the conversion (DOMAIN.md: 5)
	// NoLeaveMonths: no leave in the first months (试用期内一个月不允许休息).
	NoLeaveMonths int `json:"no_leave_months"`
	MaxLeaveDays  int `json:"max_leave_days"`
	// EvaluationDay is the day of the learning-progress evaluation (15).
	EvaluationDay int `json:"evaluation_day"`
	// Level is the file's (a personnel file: secret).
	Level        zhidu.Level `json:"level"`
	Induction    SLA         `json:"induction"`
	WrittenTest  SLA         `json:"written_test"`
	Evaluation   SLA         `json:"evaluation"`
	Leave        SLA         `json:"leave"`
	MentorChange SLA         `json:"mentor_change"`
	Conversion   SLA         `json:"conversion"`
	Confirmation SLA         `json:"confirmation"`
	// DayLength and MonthLength, when set, replace the calendar: for
	// tests, bench runs and demonstrations (--probation-day-length,
	// --probation-month-length), never for real probations. A day and a month of the
	// probation last that long, counted from its registration, with no
	// weekends; the written test comes TestHour/24 of a day after the
	// start, the evaluation at 09:00 of a day's length. An extension's
	// new end stays a calendar date. Zero: calendar days and months in the
	// company's time zone.
	DayLength   time.Duration `json:"day_length,omitempty"`
	MonthLength time.Duration `json:"month_length,omitempty"`
}

// Location is the company's time zone.
func (c ProbationConfig) Location() *time.Location { return companyZone(c.TimeZone) }

// addMonths is t plus n of the probation's months.
func (c ProbationConfig) addMonths(t time.Time, n int) time.Time {
	if c.MonthLength > 0 {
		return t.Add(time.Duration(n) * c.MonthLength)
	}
	return t.AddDate(0, n, 0)
}

// addDays is t plus n of the probation's days.
func (c ProbationConfig) addDays(t time.Time, n int) time.Time {
	if c.DayLength > 0 {
		return t.Add(time.Duration(n) * c.DayLength)
	}
	return t.AddDate(0, 0, n)
}

// atHour is hour h of the day that begins at day.
func (c ProbationConfig) atHour(day time.Time, h int) time.Time {
	if c.DayLength > 0 {
		return day.Add(time.Duration(h) * c.DayLength / 24)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, day.Location())
}

// DefaultProbationConfig returns the defaults of DOMAIN.md.
func DefaultProbationConfig() ProbationConfig {
	day := 24 * time.Hour
	return ProbationConfig{
		TimeZone: "Asia/Shanghai", TestHour: 17, Months: 2, MaxMonths: 6, Target: 5, NoLeaveMonths: 1, MaxLeaveDays: 15,
		EvaluationDay: 15, Level: zhidu.Secret,
		Induction:    SLA{Due: day, Reminder: 4 * time.Hour, Escalate: []time.Duration{day}},
		WrittenTest:  SLA{Due: day, Reminder: 4 * time.Hour, Escalate: []time.Duration{day}},
		Evaluation:   SLA{Due: 3 * day, Reminder: 2 * day, Escalate: []time.Duration{3 * day}},
		Leave:        SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day}},
		MentorChange: SLA{Due: 3 * day, Reminder: 2 * day, Escalate: []time.Duration{3 * day}},
		Conversion:   SLA{Due: 3 * day, Reminder: 2 * day, Escalate: []time.Duration{3 * day}},
		Confirmation: SLA{Due: 3 * day, Reminder: 2 * day, Escalate: []time.Duration{3 * day}},
	}
}

// ProbationInput starts a probation. The times are computed at the start
// in the company's time zone: Start is the start date's midnight, TestAt
// the written test (17:00 on day 1, the next working day's if the
// probation starts later), EvaluationAt day 15's 09:00, End the end of
// the period (midnight after its last day).
type ProbationInput struct {
	Process      zhidu.ProcessInfo `json:"process"`
	Employee     string            `json:"employee"`
	Department   zhidu.Department  `json:"department"`
	Mentor       string            `json:"mentor"`
	StartDate    string            `json:"start_date"`
	Months       int               `json:"months"`
	Target       int               `json:"target"`
	Start        time.Time         `json:"start"`
	TestAt       time.Time         `json:"test_at"`
	EvaluationAt time.Time         `json:"evaluation_at"`
	End          time.Time         `json:"end"`
	Config       ProbationConfig   `json:"config"`
}

// probationTimes computes a probation's times from its start date, the
// time it is registered and its length.
func probationTimes(cfg ProbationConfig, start time.Time, now time.Time, months int) (test, evaluation, end time.Time) {
	test = cfg.atHour(start, cfg.TestHour)
	weekend := func(t time.Time) bool {
		return cfg.DayLength == 0 && (t.Weekday() == time.Saturday || t.Weekday() == time.Sunday)
	}
	for !test.After(now) || weekend(test) { // registered after 17:00: the next working day's
		test = cfg.addDays(test, 1)
	}
	evaluation = cfg.atHour(cfg.addDays(start, cfg.EvaluationDay-1), 9)
	end = cfg.addMonths(start, months)
	return test, evaluation, end
}

// probationStart is a probation's start body.
type probationStart struct {
	Employee   string `json:"employee" text:"line"`
	Department string `json:"department" text:"line"` // the employee's; optional
	Mentor     string `json:"mentor" text:"line"`
	StartDate  string `json:"start_date"` // YYYY-MM-DD; default today
	Months     *int   `json:"months"`
	Target     *int   `json:"target"`
}

// prepareProbation checks the employee, the mentor, the dates and the
// numbers. The file is HR's, at the configured level (secret); it is read
// by HR, the GM's office and its named readers: the employee's department
// heads and the mentor (who must be cleared for it). The employee reads
// only their own tasks and status.
func prepareProbation(ctx context.Context, b probationStart, s StartContext) (any, error) {
	cfg := *s.Config.(*ProbationConfig)
	errs := map[string]zhidu.Message{}
	checkText(errs, "employee", b.Employee, true, false, 100)
	checkText(errs, "mentor", b.Mentor, true, false, 100)
	lookup := func(field, name string) (zhidu.Actor, bool, error) {
		if !errs[field].IsZero() {
			return zhidu.Actor{}, false, nil
		}
		u, err := s.Users.User(ctx, name)
		switch {
		case err != nil && zhidu.ErrorCode(err) == zhidu.CodeNotFound:
			errs[field] = zhidu.Say(msgNoSuchUser, "user", name)
			return u, false, nil
		case err != nil:
			return u, false, err
		}
		return u, true, nil
	}
	employee, okE, err := lookup("employee", b.Employee)
	if err != nil {
		return nil, err
	}
	mentor, okM, err := lookup("mentor", b.Mentor)
	if err != nil {
		return nil, err
	}
	if okE {
		running, err := s.Data.Running(ctx, KindProbation, "employee", employee.Username)
		if err != nil {
			return nil, err
		}
		if len(running) > 0 {
			errs["employee"] = zhidu.Say(msgOnProbation, "employee", employee.Username, "process", running[0])
		}
		if b.Department != "" && b.Department != string(employee.Department) {
			errs["department"] = zhidu.Say(msgEmployeeDepartment, "department", string(employee.Department))
		}
	}
	if okM {
		switch {
		case mentor.Username == b.Employee:
			errs["mentor"] = zhidu.Say(msgOwnMentor)
		case mentor.Clearance < cfg.Level:
			errs["mentor"] = zhidu.Say(msgMentorCleared, "level", cfg.Level.String())
		}
	}
	months, target := cfg.Months, cfg.Target
	if b.Months != nil {
		months = *b.Months
	}
	if b.Target != nil {
		target = *b.Target
	}
	if months < 1 || months > cfg.MaxMonths {
		errs["months"] = zhidu.Say(msgMonths, "max", cfg.MaxMonths)
	}
	if target < 1 || target > 1000 {
		errs["target"] = zhidu.Say(msgTarget)
	}
	loc := companyZone(cfg.TimeZone)
	now := s.Now.In(loc)
	date := b.StartDate
	if date == "" {
		date = now.Format(time.DateOnly)
	}
	start, err := time.ParseInLocation(time.DateOnly, date, loc)
	switch {
	case err != nil:
		errs["start_date"] = zhidu.NotDate()
	case start.Before(now.AddDate(0, 0, -7)) || start.After(now.AddDate(0, 3, 0)):
		errs["start_date"] = zhidu.Say(msgStartDate)
	case cfg.DayLength > 0 && start.Before(now):
		start = now // a compressed clock counts from the registration
	}
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.Say(msgCannotStartProbation), errs)
	}
	heads, err := s.Data.Holders(ctx, zhidu.RoleDeptHead, employee.Department)
	if err != nil {
		return nil, err
	}
	info := s.Process
	info.Level = cfg.Level
	info.Title = employee.Username
	if employee.Name != "" {
		info.Title = employee.Name + " (" + employee.Username + ")"
	}
	info.Readers = []zhidu.Department{zhidu.DeptHR}
	info.Members = append([]string{mentor.Username}, heads...)
	test, evaluation, end := probationTimes(cfg, start, s.Now, months)
	return ProbationInput{Process: *info, Employee: employee.Username, Department: employee.Department, Mentor: mentor.Username,
		StartDate: date, Months: months, Target: target, Start: start, TestAt: test, EvaluationAt: evaluation, End: end,
		Config: cfg}, nil
}

// probationStartForm is the probation's start form.
var probationStartForm = zhidu.Form{Fields: []zhidu.Field{
	{Name: "employee", Type: zhidu.FieldText, Label: text("试用员工（用户名）", "Employee (username)"), Required: true, MaxLength: 100},
	{Name: "department", Type: zhidu.FieldChoice, Label: text("部门（默认员工所在部门）", "Department (default: the employee's)"), Choices: departmentCodes()},
	{Name: "mentor", Type: zhidu.FieldText, Label: text("带教（用户名）", "Mentor (username)"), Required: true, MaxLength: 100},
	{Name: "start_date", Type: zhidu.FieldDate, Label: text("开始日期（默认今天）", "Start date (default today)")},
	{Name: "months", Type: zhidu.FieldNumber, Label: text("试用期（月，默认 2）", "Length in months (default 2)")},
	{Name: "target", Type: zhidu.FieldNumber, Label: text("销售任务（单，默认 5）", "Sales target (default 5)")},
}}

// probationSettings are the probation's configuration values operators set.
var probationSettings = []Setting{
	{Flag: "probation-months", Env: "ZHIDU_PROBATION_MONTHS", Field: "Months", Usage: "probation: default length in months"},
	{Flag: "probation-max-months", Env: "ZHIDU_PROBATION_MAX_MONTHS", Field: "MaxMonths", Usage: "probation: the longest, an extension included"},
	{Flag: "probation-target", Env: "ZHIDU_PROBATION_TARGET", Field: "Target", Usage: "probation: sales that earn the conversion"},
	{Flag: "probation-time-zone", Env: "ZHIDU_PROBATION_TIME_ZONE", Field: "TimeZone", Usage: "probation: the company's time zone (the day-1 test at 17:00 there)"},
	{Flag: "probation-test-hour", Env: "ZHIDU_PROBATION_TEST_HOUR", Field: "TestHour", Usage: "probation: the hour of the day-1 written test"},
	{Flag: "probation-day-length", Env: "ZHIDU_PROBATION_DAY_LENGTH", Field: "DayLength", Usage: "probation: tests and demonstrations only: a probation day lasts this long (0: calendar days)"},
	{Flag: "probation-month-length", Env: "ZHIDU_PROBATION_MONTH_LENGTH", Field: "MonthLength", Usage: "probation: tests and demonstrations only: a probation month lasts this long (0: calendar months)"},
}

// probationDescriptor: HR starts a probation; the file is HR's.
func probationDescriptor() Descriptor {
	return Descriptor{
		Kind: KindProbation, Workflow: WorkflowProbation, Func: Probation,
		Label: text("试用期", "Probation"),
		Description: text("新员工试用期：第1天入职培训和17:00笔试；第一个月不允许休息；第15天部门经理和带教评估学习进度；销售逐单登记，完成任务者提出转正申请，销售经理签字，人事部备案；期满未完成任务者经人事部确认自动离职（可延期一次）。带教负全责。",
			"A new hire's probation: induction and a 17:00 written test on day 1; no leave in the first month; on day 15 the department head and the mentor evaluate; sales recorded as they happen; at the target the employee applies for conversion, the sales manager signs and HR files it; at the end without the target HR confirms the separation (or extends once). The mentor is accountable."),
		Submit: text("开始试用期", "Start the probation"),
		Steps: []Step{
			{StepInduction, text("入职培训", "Induction")},
			{StepWrittenTest, text("入职笔试", "Written test")},
			{StepEvaluationHead, text("第15天评估（部门经理）", "Day-15 evaluation (head)")},
			{StepEvaluationMentor, text("第15天评估（带教）", "Day-15 evaluation (mentor)")},
			{StepLeaveApproval, text("请假审批", "Leave approval")},
			{StepMentorChange, text("更换带教", "Change of mentor")},
			{StepConversionApply, text("转正申请", "Conversion application")},
			{StepConversionSign, text("转正审批", "Conversion sign-off")},
			{StepConversionFile, text("转正归档", "Conversion filed")},
			{StepSeparation, text("离职确认", "Separation confirmation")},
		},
		StartForm: probationStartForm,
		Starters:  []Starter{{Roles: []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead}, Department: string(zhidu.DeptHR)}},
		Owner:     func(zhidu.Actor) zhidu.Department { return zhidu.DeptHR },
		Defaults:  func() any { return DefaultProbationConfig() },
		Settings:  probationSettings,
		Register:  probationRegister(),
		Bench:     probationBench(),
		Labels:    probationLabels,
		Takes:     []string{UpdateRecordSale, UpdateRequestLeave, UpdateChangeMentor},
		Subject:   "employee",
		Body:      func() any { return new(probationStart) },
		Prepare: func(ctx context.Context, b any, s StartContext) (any, error) {
			return prepareProbation(ctx, *b.(*probationStart), s)
		},
		Record: func(input any) map[string]any {
			in, _ := input.(ProbationInput)
			return map[string]any{"employee": in.Employee, "department": string(in.Department), "mentor": in.Mentor,
				"start_date": in.StartDate, "months": in.Months, "target": in.Target, "test_at": in.TestAt,
				"evaluation_at": in.EvaluationAt, "ends_at": in.End, "level": in.Process.Level.String()}
		},
	}
}
