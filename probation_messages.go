package zhidu

// The messages of the probation's routes (the employee's sales and leave,
// the mentor, the status and the report), in English (what the API says)
// and Chinese.
const (
	msgNoProbation           = "probation.none"
	msgProbationSaleDenied   = "probation.sale_denied"
	msgProbationLeaveDenied  = "probation.leave_denied"
	msgProbationMentorDenied = "probation.mentor_denied"
	msgProbationReportDenied = "probation.report_denied"
	msgBadReportWindow       = "probation.report_window"
	msgWindowOrder           = "probation.window_order"
)

var _ = DefineMessages(map[string]Text{
	msgNoProbation:           {En: "no probation of {user}", Zh: "{user} 没有试用期"},
	msgProbationSaleDenied:   {En: "only the employee, their department head or HR records the employee's sales", Zh: "只有员工本人、其部门经理或人事部可以登记该员工的销售"},
	msgProbationLeaveDenied:  {En: "only the employee or HR asks for the employee's leave", Zh: "只有员工本人或人事部可以为该员工申请请假"},
	msgProbationMentorDenied: {En: "only HR or the employee's department head changes the mentor", Zh: "只有人事部或员工的部门经理可以更换带教"},
	msgProbationReportDenied: {En: "only HR and the GM's office read the probation report", Zh: "只有人事部和总经理办公室可以查看试用期报表"},
	msgBadReportWindow:       {En: "bad report window", Zh: "报表时间范围有误"},
	msgWindowOrder:           {En: "must not be before from", Zh: "不得早于开始日期"},
})

// NoProbation: the user has no running probation (or no such user: the
// same answer).
func NoProbation(user string) Message { return msg(msgNoProbation, "user", user) }

// ProbationSaleDenied says who records an employee's sales.
func ProbationSaleDenied() Message { return msg(msgProbationSaleDenied) }

// ProbationLeaveDenied says who asks for an employee's leave.
func ProbationLeaveDenied() Message { return msg(msgProbationLeaveDenied) }

// ProbationMentorDenied says who changes a probation's mentor.
func ProbationMentorDenied() Message { return msg(msgProbationMentorDenied) }

// ProbationReportDenied says who reads the probation report.
func ProbationReportDenied() Message { return msg(msgProbationReportDenied) }

// BadReportWindow says a report's from or to is wrong.
func BadReportWindow() Message { return msg(msgBadReportWindow) }

// WindowOrder: a window's end before its start.
func WindowOrder() Message { return msg(msgWindowOrder) }
