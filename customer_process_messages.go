package zhidu

// The messages of the customer processes (downgrade, contested crossing).
const (
	msgCrossingNotParty   = "customer.crossing_not_party"
	msgCustomerNotVIP     = "customer.not_vip"
	msgCannotReport       = "customer.cannot_report"
	msgCannotContest      = "customer.cannot_contest"
	msgDowngradeUnderway  = "customer.downgrade_underway"
	msgCrossingUnderway   = "customer.crossing_underway"
	msgCustomerProblemBad = "customer.problem"
	msgOrderSigned        = "order.signed"
	msgOrderMoved         = "order.moved"
	msgOrderNotSigned     = "order.not_signed"
	msgOrderUnchanged     = "order.unchanged"
	msgCannotOrder        = "order.cannot"
	msgOrderChangeRunning = "order.change_underway"
	msgHandoverNeeded     = "customer.handover_needed"
	msgHandoverLeaving    = "customer.handover_leaving"
	msgOrderQuantity      = "order.quantity"
	msgOrderPrice         = "order.price"
)

var _ = DefineMessages(map[string]Text{
	msgCrossingNotParty:   {En: "only the registrants of a crossing case contest it", Zh: "只有交叉客户的登记人可以提出异议"},
	msgCustomerNotVIP:     {En: "customer {id} is not a VIP customer: only a VIP customer's problem is a downgrade", Zh: "客户 {id} 不是 VIP 客户：只有 VIP 客户出现问题才作降级处理"},
	msgCannotReport:       {En: "cannot report the problem", Zh: "无法报告问题"},
	msgCannotContest:      {En: "cannot contest the crossing", Zh: "无法提出交叉异议"},
	msgDowngradeUnderway:  {En: "a downgrade of customer {id} is under way: {process}", Zh: "客户 {id} 的降级处理正在进行：{process}"},
	msgCrossingUnderway:   {En: "crossing case {id} is contested already: {process}", Zh: "交叉客户案例 {id} 已提出异议：{process}"},
	msgCustomerProblemBad: {En: "must be contract, late_payment or crisis", Zh: "须为 contract（合同履行差）、late_payment（回款不及时）或 crisis（重大危机）"},
	msgOrderSigned: {En: "order {id} is signed: its lines and payment terms change only through a change signed by the department head or a team lead (POST /api/v1/orders/{id}/changes)",
		Zh: "订单 {id} 已签定：如需修改须经经理或组长签字同意（POST /api/v1/orders/{id}/changes）"},
	msgOrderMoved:         {En: "order {id} has changed since the change was asked for", Zh: "订单 {id} 在提出修改后已有变动"},
	msgOrderNotSigned:     {En: "order {id} is a draft: edit it directly", Zh: "订单 {id} 尚未签定：可直接修改"},
	msgOrderUnchanged:     {En: "the change changes nothing", Zh: "修改内容与现有订单相同"},
	msgCannotOrder:        {En: "cannot take the order", Zh: "无法保存订单"},
	msgOrderChangeRunning: {En: "a change of order {id} is under way: {process}", Zh: "订单 {id} 的修改正在审批：{process}"},
	msgHandoverNeeded:     {En: "{user} is responsible for customer files: name the colleague who takes them over", Zh: "{user} 负责客户档案：须指定接手的同事"},
	msgHandoverLeaving:    {En: "a handover goes with disabling the account", Zh: "交接只随停用账户进行"},
	msgOrderQuantity:      {En: "must be more than zero", Zh: "须大于零"},
	msgOrderPrice:         {En: "must be zero or more, in yuan and fen (at most 2 decimal places)", Zh: "须不小于零，以元、分计（最多两位小数）"},
})

// OrderSigned says a signed order changes only through a signed change.
func OrderSigned(id string) Message { return msg(msgOrderSigned, "id", id) }

// OrderMoved says the order changed since the change was asked for.
func OrderMoved(id string) Message { return msg(msgOrderMoved, "id", id) }

// OrderNotSigned says a draft is edited directly.
func OrderNotSigned(id string) Message { return msg(msgOrderNotSigned, "id", id) }

// OrderUnchanged says a change changes nothing.
func OrderUnchanged() Message { return msg(msgOrderUnchanged) }

// CannotOrder heads refused order input.
func CannotOrder() Message { return msg(msgCannotOrder) }

// OrderChangeUnderway says a change of the order is being signed.
func OrderChangeUnderway(id, process string) Message {
	return msg(msgOrderChangeRunning, "id", id, "process", process)
}

// CrossingNotParty says only a case's registrants contest it.
func CrossingNotParty() Message { return msg(msgCrossingNotParty) }

// CustomerNotVIP says only a VIP customer's problem is a downgrade.
func CustomerNotVIP(id string) Message { return msg(msgCustomerNotVIP, "id", id) }

// CannotReport heads a refused problem report.
func CannotReport() Message { return msg(msgCannotReport) }

// CannotContest heads a refused contest.
func CannotContest() Message { return msg(msgCannotContest) }

// DowngradeUnderway says a downgrade of the customer is running.
func DowngradeUnderway(id, process string) Message {
	return msg(msgDowngradeUnderway, "id", id, "process", process)
}

// CrossingUnderway says the case is contested in a process already.
func CrossingUnderway(id, process string) Message {
	return msg(msgCrossingUnderway, "id", id, "process", process)
}

// CustomerProblem says what a problem is.
func CustomerProblem() Message { return msg(msgCustomerProblemBad) }

// OrderQuantity says a quantity is more than zero.
func OrderQuantity() Message { return msg(msgOrderQuantity) }

// OrderPrice says a unit price is zero or more, in yuan and fen.
func OrderPrice() Message { return msg(msgOrderPrice) }

// HandoverNeeded says a user with customer files is not disabled without
// a colleague to take them over.
func HandoverNeeded(user string) Message { return msg(msgHandoverNeeded, "user", user) }

// HandoverOnlyLeaving says a handover goes with disabling the account.
func HandoverOnlyLeaving() Message { return msg(msgHandoverLeaving) }
