package workflows

import "github.com/zhidu/zhidu"

// The messages of the probation process, in English and Chinese.
const (
	msgCannotStartProbation = "probation.cannot_start"
	msgNoSuchUser           = "probation.no_such_user"
	msgOnProbation          = "probation.on_probation"
	msgEmployeeDepartment   = "probation.employee_department"
	msgOwnMentor            = "probation.own_mentor"
	msgSameMentor           = "probation.same_mentor"
	msgMentorCleared        = "probation.mentor_cleared"
	msgMonths               = "probation.months"
	msgTarget               = "probation.target"
	msgStartDate            = "probation.start_date"
	msgScore                = "probation.score"
	msgExtendedOnce         = "probation.extended_once"
	msgEndAfter             = "probation.end_after"
	msgEndWithin            = "probation.end_within"
	msgCannotRecordSale     = "probation.cannot_record_sale"
	msgProbationLeave       = "probation.cannot_request_leave"
	msgProbationLeaveDays   = "probation.leave_days"
	msgNoLeaveFirstMonth    = "probation.no_leave_first_month"
	msgCannotChangeMentor   = "probation.cannot_change_mentor"
)

var _ = zhidu.DefineMessages(map[string]zhidu.Text{
	msgCannotStartProbation: {En: "cannot start the probation", Zh: "无法开始试用期"},
	msgNoSuchUser:           {En: "no user {user}", Zh: "没有用户 {user}"},
	msgOnProbation:          {En: "{employee} is on probation already ({process})", Zh: "{employee} 已在试用期中（{process}）"},
	msgEmployeeDepartment:   {En: "must be the employee's department ({department})", Zh: "须为员工所在部门（{department}）"},
	msgOwnMentor:            {En: "the employee cannot be their own mentor", Zh: "员工不能担任自己的带教"},
	msgSameMentor:           {En: "is the mentor already", Zh: "已是现任带教"},
	msgMentorCleared:        {En: "the mentor must be cleared for the file's level ({level})", Zh: "带教须具有该档案密级（{level}）的知悉权限"},
	msgMonths:               {En: "must be 1 to {max} months", Zh: "须为 1 至 {max} 个月"},
	msgTarget:               {En: "must be 1 to 1000 sales", Zh: "须为 1 至 1000 单"},
	msgStartDate:            {En: "must be within a week before and three months after today", Zh: "须在今天之前一周至之后三个月内"},
	msgScore:                {En: "must be 0 to 100", Zh: "须为 0 至 100"},
	msgExtendedOnce:         {En: "a probation is extended once only", Zh: "试用期只能延期一次"},
	msgEndAfter:             {En: "must be after the period's last day ({end})", Zh: "须晚于试用期最后一天（{end}）"},
	msgEndWithin:            {En: "must be within {months} months of the start", Zh: "须在开始后 {months} 个月内"},
	msgCannotRecordSale:     {En: "cannot record the sale", Zh: "无法登记该笔销售"},
	msgProbationLeave:       {En: "cannot request the leave", Zh: "无法提交请假申请"},
	msgProbationLeaveDays:   {En: "must be 1 to {max} days", Zh: "须为 1 至 {max} 天"},
	msgNoLeaveFirstMonth: {En: "试用期内一个月不允许休息: no leave in the first month of probation; leave may start on {from}",
		Zh: "试用期内一个月不允许休息：{from} 起方可请假"},
	msgCannotChangeMentor: {En: "cannot change the mentor", Zh: "无法更换带教"},
})

// CannotRecordSale says a sale was refused (the API's checks say it too).
func CannotRecordSale() zhidu.Message { return zhidu.Say(msgCannotRecordSale) }

// CannotChangeMentor says a mentor change was refused.
func CannotChangeMentor() zhidu.Message { return zhidu.Say(msgCannotChangeMentor) }
