package zhidu

// The messages of customer files, in English (what the API says) and
// Chinese.
const (
	msgCustomerRegistered      = "customer.registered"
	msgCustomerRegisteredAs    = "customer.registered_as"
	msgCustomerBlacklisted     = "customer.blacklisted"
	msgCustomerBlacklistedAgn  = "customer.blacklisted_already"
	msgCustomerNotBlacklisted  = "customer.not_blacklisted"
	msgCustomerHandoverOff     = "customer.handover_disabled"
	msgCustomerPhone           = "customer.phone"
	msgCustomerCompanyID       = "customer.company_id"
	msgCustomerLevelLowered    = "customer.level_lowered"
	msgCustomerLevelAbove      = "customer.level_above_clearance"
	msgCustomerDepartmentOther = "customer.department_other"
	msgCustomerMonth           = "customer.month"
	msgBlacklistDenied         = "customer.blacklist_denied"
	msgBlacklistReadDenied     = "customer.blacklist_read_denied"
	msgCustomerReportDenied    = "customer.report_denied"
	msgCustomerCannotRegister  = "customer.cannot_register"
	msgCustomerCannotChange    = "customer.cannot_change"
	msgCrossingIs              = "customer.crossing_is"

	msgReasonCustomerMember = "decide.customer_member"
	msgReasonCustomerGrant  = "decide.customer_grant"
	msgReasonCustomerOther  = "decide.customer_other"
	msgReasonCustomerRead   = "decide.customer_read_only"
	msgReasonCustomerAction = "decide.customer_action"
)

var _ = DefineMessages(map[string]Text{
	msgCustomerRegistered: {En: "the customer is registered already: the first registration keeps the customer and the credit",
		Zh: "该客户已登记：以第一次登记为准，客户及业绩归首位登记人"},
	msgCustomerRegisteredAs: {En: "the customer is registered already as {id}: the first registration keeps the customer and the credit",
		Zh: "该客户已登记（{id}）：以第一次登记为准，客户及业绩归首位登记人"},
	msgCustomerBlacklisted: {En: "customer {customer} is on the company blacklist (entry {entry}: {reason})",
		Zh: "客户 {customer} 已列入公司黑名单（第 {entry} 条：{reason}）"},
	msgCustomerBlacklistedAgn: {En: "customer {id} is on the blacklist already", Zh: "客户 {id} 已在黑名单中"},
	msgCustomerNotBlacklisted: {En: "customer {id} is not on the blacklist", Zh: "客户 {id} 不在黑名单中"},
	msgCustomerHandoverOff: {En: "the colleague {user} is disabled: customer files go to an active user",
		Zh: "同事 {user} 的账号已停用：客户档案只能交接给在职用户"},
	msgCustomerPhone: {En: "must be a phone number: 7 to 15 digits, an optional + first, spaces or dashes between",
		Zh: "须为电话号码：7 至 15 位数字，可以「+」开头，可含空格或「-」"},
	msgCustomerCompanyID: {En: "must be 1 to 40 letters and digits (spaces and dashes are dropped)",
		Zh: "须为 1 至 40 位字母或数字（空格和「-」会被去掉）"},
	msgCustomerLevelLowered: {En: "a file's level is only raised, from {level:level}", Zh: "档案密级只能提高，当前为{level:level}"},
	msgCustomerLevelAbove:   {En: "above your clearance ({level:level})", Zh: "高于您的密级（{level:level}）"},
	msgCustomerDepartmentOther: {En: "you register customers for your own department only",
		Zh: "只能为本部门登记客户"},
	msgCustomerMonth:   {En: "must be a month, YYYY-MM", Zh: "须为月份，格式 YYYY-MM"},
	msgBlacklistDenied: {En: "only the Marketing Division puts a customer on the blacklist or takes it off", Zh: "只有市场部可以将客户列入或移出黑名单"},
	msgBlacklistReadDenied: {En: "the blacklist is for the employees of sales and marketing",
		Zh: "客户黑名单仅供销售部门和市场部员工查看"},
	msgCustomerReportDenied: {En: "the customer statistics are for department heads and the GM line",
		Zh: "客户统计仅供部门经理和总经理室查看"},
	msgCustomerCannotRegister: {En: "cannot register the customer", Zh: "无法登记客户"},
	msgCustomerCannotChange:   {En: "cannot change the customer file", Zh: "无法修改客户档案"},
	msgCrossingIs:             {En: "crossing case {id} is {state}", Zh: "客户交叉案 {id} 的状态为 {state}"},

	msgReasonCustomerMember: {En: "a member of {department:dept}, which owns the customer file",
		Zh: "客户档案所属部门{department:dept}的成员"},
	msgReasonCustomerGrant: {En: "access grant {grant} opens {target} until {until}",
		Zh: "查阅授权 {grant} 在 {until} 前开放 {target}"},
	msgReasonCustomerOther: {En: "customer files of {department:dept} are read by its members only, or with an access grant",
		Zh: "{department:dept}的客户档案仅限本部门成员查看，或凭查阅授权"},
	msgReasonCustomerRead: {En: "an access grant opens a customer file for reading only",
		Zh: "查阅授权只允许查看客户档案"},
	msgReasonCustomerAction: {En: "customer files are read and written, not {action}", Zh: "客户档案只能查看和修改，不能{action}"},
})

// CustomerRegistered says the phone number or company ID is on a file
// already, naming no file.
func CustomerRegistered() Message { return msg(msgCustomerRegistered) }

// CustomerRegisteredAs says the customer is on file id (for a caller who
// may read it).
func CustomerRegisteredAs(id string) Message { return msg(msgCustomerRegisteredAs, "id", id) }

// CustomerBlacklisted says a customer is on the blacklist, naming the
// entry and its reason.
func CustomerBlacklisted(customer string, entry int64, reason string) Message {
	return msg(msgCustomerBlacklisted, "customer", customer, "entry", entry, "reason", reason)
}

// CustomerBlacklistedAlready says the customer is on the blacklist.
func CustomerBlacklistedAlready(id string) Message { return msg(msgCustomerBlacklistedAgn, "id", id) }

// CustomerNotBlacklisted says the customer is not on the blacklist.
func CustomerNotBlacklisted(id string) Message { return msg(msgCustomerNotBlacklisted, "id", id) }

// HandoverToDisabled says a handover names a disabled colleague.
func HandoverToDisabled(user string) Message { return msg(msgCustomerHandoverOff, "user", user) }

// NotAPhone says what a phone number looks like.
func NotAPhone() Message { return msg(msgCustomerPhone) }

// NotACompanyID says what a company ID looks like.
func NotACompanyID() Message { return msg(msgCustomerCompanyID) }

// LevelLowered says a file's level is only raised.
func LevelLowered(level Level) Message { return msg(msgCustomerLevelLowered, "level", level.String()) }

// LevelAboveClearance says a level is above the caller's clearance.
func LevelAboveClearance(clearance Level) Message {
	return msg(msgCustomerLevelAbove, "level", clearance.String())
}

// CustomerOtherDepartment says customers are registered for one's own
// department.
func CustomerOtherDepartment() Message { return msg(msgCustomerDepartmentOther) }

// NotAMonth says what a month looks like.
func NotAMonth() Message { return msg(msgCustomerMonth) }

// BlacklistDenied says who decides about the blacklist.
func BlacklistDenied() Message { return msg(msgBlacklistDenied) }

// BlacklistReadDenied says who reads the blacklist.
func BlacklistReadDenied() Message { return msg(msgBlacklistReadDenied) }

// CustomerReportDenied says who reads the customer statistics.
func CustomerReportDenied() Message { return msg(msgCustomerReportDenied) }

// CannotRegisterCustomer says a registration was refused.
func CannotRegisterCustomer() Message { return msg(msgCustomerCannotRegister) }

// CannotChangeCustomer says an edit of a file was refused.
func CannotChangeCustomer() Message { return msg(msgCustomerCannotChange) }

// CrossingIs says a crossing case's state does not allow the change.
func CrossingIs(id, state string) Message { return msg(msgCrossingIs, "id", id, "state", state) }

// ReasonCustomerMember: a member of the department owning the file.
func ReasonCustomerMember(dept Department) Message {
	return msg(msgReasonCustomerMember, "department", string(dept))
}

// ReasonCustomerGrant: an access grant opens the file.
func ReasonCustomerGrant(g Grant) Message {
	return msg(msgReasonCustomerGrant, "grant", g.ID, "target", g.Target, "until", g.ExpiresAt.UTC().Format("2006-01-02 15:04 MST"))
}

// ReasonCustomerOther: another department's file, no grant opening it.
func ReasonCustomerOther(dept Department) Message {
	return msg(msgReasonCustomerOther, "department", string(dept))
}

// ReasonCustomerReadOnly: a grant opens a file for reading only.
func ReasonCustomerReadOnly() Message { return msg(msgReasonCustomerRead) }

// ReasonCustomerAction: customer files are read and written only.
func ReasonCustomerAction(action string) Message {
	return msg(msgReasonCustomerAction, "action", action)
}
