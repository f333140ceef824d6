package matrix

import "github.com/zhidu/zhidu"

// The matrix's messages, in English (what the API says) and Chinese.
const (
	msgCannotPropose   = "matrix.cannot_propose"
	msgNoRules         = "matrix.no_rules"
	msgAtMost          = "matrix.at_most"
	msgRuleDepartment  = "matrix.rule_department"
	msgStepDepartment  = "matrix.step_department"
	msgYuanFen         = "matrix.yuan_fen"
	msgMaxNotAboveMin  = "matrix.max_not_above_min"
	msgNoSteps         = "matrix.no_steps"
	msgStepRepeated    = "matrix.step_repeated"
	msgStepEither      = "matrix.step_either"
	msgProjectLeadKind = "matrix.project_lead_kind"
	msgGap             = "matrix.gap"
	msgGapAbove        = "matrix.gap_above"
	msgOverlap         = "matrix.overlap"
	msgUnreachable     = "matrix.unreachable"
	msgUncovered       = "matrix.uncovered"
	msgUnchanged       = "matrix.unchanged"
	msgPending         = "matrix.pending"
	msgBaseChanged     = "matrix.base_changed"
	msgMatched         = "matrix.matched"
	msgRouteDenied     = "matrix.route_denied"
)

var _ = zhidu.DefineMessages(map[string]zhidu.Text{
	msgCannotPropose:  {En: "cannot propose the approval matrix", Zh: "无法提交审批矩阵"},
	msgNoRules:        {En: "must list at least one rule", Zh: "至少须有一条规则"},
	msgAtMost:         {En: "must list at most {max}", Zh: "最多 {max} 项"},
	msgRuleDepartment: {En: "must be a department code or *", Zh: "须为部门代码或 *"},
	msgStepDepartment: {En: "must be a department code or requester (the requester's department)", Zh: "须为部门代码或 requester（申请人所在部门）"},
	msgYuanFen:        {En: "must be in yuan and fen (at most 2 decimal places)", Zh: "须以元、分计（最多两位小数）"},
	msgMaxNotAboveMin: {En: "must be more than min_amount ({min})", Zh: "须大于 min_amount（{min}）"},
	msgNoSteps:        {En: "must list at least one approver", Zh: "至少须有一个审批步骤"},
	msgStepRepeated:   {En: "repeats steps[{step}]: one person approves at most one step", Zh: "与 steps[{step}] 重复：一人最多审批一步"},
	msgStepEither: {En: "must name a role and a department, or be the project lead, not both",
		Zh: "须指定角色和部门，或为项目第一责任人，不能兼有"},
	msgProjectLeadKind: {En: "only important and project purchases have a project", Zh: "只有重要物资和项目物资采购才有项目"},
	msgGap: {En: "leaves amounts from {from} to below {to} of this kind, department and level to no rule",
		Zh: "同一类别、部门和密级中，金额 {from} 至 {to}（不含）没有规则"},
	msgGapAbove: {En: "leaves amounts from {from} up of this kind, department and level to no rule (the last band has no upper limit: null)",
		Zh: "同一类别、部门和密级中，金额 {from} 及以上没有规则（最后一档不设上限：null）"},
	msgOverlap: {En: "overlaps rules[{rule}] {band} of the same kind, department and level",
		Zh: "与同一类别、部门和密级的 rules[{rule}] {band} 重叠"},
	msgUnreachable: {En: "no request reaches this rule: {rules} before it take every request it matches",
		Zh: "没有申请会用到此规则：它匹配的申请都已被之前的 {rules} 处理"},
	msgUncovered: {En: "no rule routes {kind} purchases of department {department} at level {level}",
		Zh: "没有规则处理{department:dept}密级为{level:level}的{kind:matrix.kind}"},
	msgUnchanged:   {En: "is the active version's: propose a change", Zh: "与现行版本相同，请提出修改"},
	msgPending:     {En: "version {version} awaits the GM's decision: propose again once it is decided", Zh: "第 {version} 版正待总经理决定，决定后再提交"},
	msgBaseChanged: {En: "the active version changed meanwhile: propose again", Zh: "现行版本已变更，请重新提交"},
	msgMatched:     {En: "rules[{rule}] matched: {selector}", Zh: "匹配规则 rules[{rule}]：{selector}"},
	msgRouteDenied: {En: "only holders of a business role and the security administrator ask the approval matrix",
		Zh: "只有业务角色和安全保密管理员可以查询审批矩阵"},
})

// CannotPropose says a proposed document was refused.
func CannotPropose() zhidu.Message { return zhidu.Say(msgCannotPropose) }

// Unchanged says a proposal is the active version's document.
func Unchanged() zhidu.Message { return zhidu.Say(msgUnchanged) }

// Pending says a version awaits the GM's decision, so no other is proposed.
func Pending(version int) zhidu.Message { return zhidu.Say(msgPending, "version", version) }

// BaseChanged says the active version changed while a proposal was made.
func BaseChanged() zhidu.Message { return zhidu.Say(msgBaseChanged) }

// RouteDenied says who may ask the matrix for a route.
func RouteDenied() zhidu.Message { return zhidu.Say(msgRouteDenied) }

func noRules() zhidu.Message           { return zhidu.Say(msgNoRules) }
func atMost(max int) zhidu.Message     { return zhidu.Say(msgAtMost, "max", max) }
func notRuleDepartment() zhidu.Message { return zhidu.Say(msgRuleDepartment) }
func notStepDepartment() zhidu.Message { return zhidu.Say(msgStepDepartment) }
func yuanFen() zhidu.Message           { return zhidu.Say(msgYuanFen) }
func maxNotAboveMin(min string) zhidu.Message {
	return zhidu.Say(msgMaxNotAboveMin, "min", min)
}
func noSteps() zhidu.Message              { return zhidu.Say(msgNoSteps) }
func stepRepeated(step int) zhidu.Message { return zhidu.Say(msgStepRepeated, "step", step) }
func stepEither() zhidu.Message           { return zhidu.Say(msgStepEither) }
func projectLeadKind() zhidu.Message      { return zhidu.Say(msgProjectLeadKind) }
func gap(from, to string) zhidu.Message   { return zhidu.Say(msgGap, "from", from, "to", to) }
func gapAbove(from string) zhidu.Message  { return zhidu.Say(msgGapAbove, "from", from) }
func overlap(rule int, band string) zhidu.Message {
	return zhidu.Say(msgOverlap, "rule", rule, "band", band)
}
func unreachable(rules []string) zhidu.Message { return zhidu.Say(msgUnreachable, "rules", rules) }
func uncovered(kind, department, level string) zhidu.Message {
	return zhidu.Say(msgUncovered, "kind", kind, "department", department, "level", level)
}
func matched(rule int, selector string) zhidu.Message {
	return zhidu.Say(msgMatched, "rule", rule, "selector", selector)
}
