package workflows

import "github.com/zhidu/zhidu"

// The messages of the purchase process, in English (what the API says)
// and Chinese.
const (
	msgCannotRequisition = "purchase.cannot_requisition"
	msgTooManyItems      = "purchase.too_many_items"
	msgPositiveNumber    = "number.positive"
	msgNoSuchProject     = "purchase.no_such_project"
	msgProjectLeadNeeded = "purchase.project_lead_needed"
	msgNotRouted         = "purchase.not_routed"
	msgQuotedTwice       = "purchase.quoted_twice"
	msgBlacklisted       = "purchase.blacklisted"
	msgRecuse            = "purchase.recuse"
	msgChosenNotQuoted   = "purchase.chosen_not_quoted"
	msgFailedFirstSupply = "purchase.failed_first_supply"
	msgThreeQuotes       = "purchase.min_quotes"
	msgNDARequired       = "purchase.nda_required"
	msgDeliveryPast      = "purchase.delivery_past"
	msgCheckFailed       = "purchase.check_failed"
	msgNothingToReject   = "purchase.nothing_to_reject"
	msgPaymentMismatch   = "purchase.payment_mismatch"
	msgNotApproved       = "purchase.not_approved"
	msgSupplierFacts     = "purchase.supplier_facts"
)

var _ = zhidu.DefineMessages(map[string]zhidu.Text{
	msgCannotRequisition: {En: "cannot submit the requisition", Zh: "无法提交申购单"},
	msgTooManyItems:      {En: "has more than {max} lines", Zh: "明细超过 {max} 行"},
	msgPositiveNumber:    {En: "must be more than 0", Zh: "须大于 0"},
	msgNoSuchProject:     {En: "no project {project}", Zh: "没有项目 {project}"},
	msgProjectLeadNeeded: {En: "the approval matrix routes this request to the project's first responsible person: name a project that has one",
		Zh: "审批矩阵要求项目第一责任人审批：请填写设有第一责任人的项目"},
	msgNotRouted:       {En: "the approval matrix has no rule for this request: {why}", Zh: "审批矩阵没有适用于该申请的规则：{why}"},
	msgQuotedTwice:     {En: "{supplier} is quoted twice", Zh: "{supplier} 重复报价"},
	msgBlacklisted:     {En: "{supplier} is blacklisted and cannot be quoted: {reason}", Zh: "{supplier} 已列入黑名单，不能报价：{reason}"},
	msgRecuse:          {En: "you declared an interest in {supplier}: recuse (回避) and leave this request to another buyer", Zh: "您已申报与 {supplier} 存在利害关系，须回避，由其他采购员办理"},
	msgChosenNotQuoted: {En: "must be one of the suppliers quoted", Zh: "须为已报价的供应商之一"},
	msgFailedFirstSupply: {En: "{supplier} failed its first-supply sample test or trial batch on this request",
		Zh: "{supplier} 本次首次供货样品检验或小批量试用未通过"},
	msgThreeQuotes:     {En: "important material needs quotes from at least {min} qualified suppliers (got {got})", Zh: "重要物资须至少有 {min} 家合格供应商报价（现有 {got} 家）"},
	msgNDARequired:     {En: "secret procurement (涉密采购) records the supplier's NDA", Zh: "涉密采购须登记供应商保密协议"},
	msgDeliveryPast:    {En: "must not be in the past", Zh: "不能早于今天"},
	msgCheckFailed:     {En: "failed: the goods cannot be stocked; reject them", Zh: "不符：货物不能入库，请拒收"},
	msgNothingToReject: {En: "every check passed: accept the goods", Zh: "各项均相符，请验收入库"},
	msgPaymentMismatch: {En: "the amount paid and the discount must make the order's amount ({amount})", Zh: "付款金额加折扣须等于订单金额（{amount}）"},
	msgNotApproved:     {En: "an unapproved purchase is not paid", Zh: "未经审批的采购不予付款"},
	msgSupplierFacts:   {En: "the supplier's facts need its ID", Zh: "供应商信息须有编号"},
})
