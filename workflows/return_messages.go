package workflows

import "github.com/zhidu/zhidu"

// The messages of the return and supplier-return processes, in English
// (what the API says) and Chinese.
const (
	msgCannotOpenReturn         = "return.cannot_open"
	msgCannotOpenSupplierReturn = "supplier_return.cannot_open"
	msgFutureDate               = "return.future_date"
	msgYuanFen                  = "return.yuan_fen"
	msgAmountAbove              = "return.amount_above"
	msgPositiveWhole            = "number.positive_whole"
	msgWholeNotNegative         = "number.whole_not_negative"
	msgOverrideNoContract       = "return.override_no_contract"
	msgOverrideOnlyApproval     = "return.override_only_approval"
	msgOverrideOnlyGM           = "return.override_only_gm"
	msgSignedContract           = "return.signed_contract"
	msgOverrideReason           = "return.override_reason"
	msgQuantitiesDiffer         = "return.quantities_differ"
	msgQuantitiesAgree          = "return.quantities_agree"
	msgOnlyAmendment            = "return.only_amendment"
	msgOnlyRecount              = "return.only_recount"
	msgAmendAbove               = "return.amend_above"
)

var _ = zhidu.DefineMessages(map[string]zhidu.Text{
	msgCannotOpenReturn:         {En: "cannot open the return slip", Zh: "无法开具退货单"},
	msgCannotOpenSupplierReturn: {En: "cannot open the supplier return", Zh: "无法开具供应商退货单"},
	msgFutureDate:               {En: "must not be in the future", Zh: "不能晚于今天"},
	msgYuanFen:                  {En: "must be in yuan and fen (at most 2 decimal places)", Zh: "须以元、分计（最多两位小数）"},
	msgAmountAbove:              {En: "makes the amount more than {max}", Zh: "金额超过 {max}"},
	msgPositiveWhole:            {En: "must be a positive whole number", Zh: "须为正整数"},
	msgWholeNotNegative:         {En: "must be a whole number, not negative", Zh: "须为非负整数"},
	msgOverrideNoContract:       {En: "only a slip under a signed contract is overridden", Zh: "只有已签合同的退货单才需特批"},
	msgOverrideOnlyApproval:     {En: "only an approval overrides the signed contract", Zh: "只有批准才能特批已签合同的退货"},
	msgOverrideOnlyGM:           {En: "only the GM overrides a signed contract", Zh: "只有总经理可以特批已签合同的退货"},
	msgSignedContract: {
		En: "签订合同后，坚决不退: the goods were sold under signed contract {contract} and are returned only on the GM's override",
		Zh: "签订合同后，坚决不退：该批货物按已签合同 {contract} 售出，只有总经理特批才能退货"},
	msgOverrideReason:   {En: "is required to override a signed contract", Zh: "特批已签合同的退货须说明理由"},
	msgQuantitiesDiffer: {En: "the approved quantity ({approved}) and the received quantity ({received}) differ: record a mismatch", Zh: "批准数量（{approved}）与实收数量（{received}）不符，请记录为不符"},
	msgQuantitiesAgree:  {En: "the approved and the received quantity agree ({quantity}): record a match", Zh: "批准数量与实收数量相符（{quantity}），请记录为相符"},
	msgOnlyAmendment:    {En: "only an amendment changes the approved quantity", Zh: "只有更正退货单才能改变批准数量"},
	msgOnlyRecount:      {En: "only a recount changes the received quantity", Zh: "只有复点才能改变实收数量"},
	msgAmendAbove:       {En: "must not exceed the approved quantity ({approved}): a larger return needs a new slip", Zh: "不能超过批准数量（{approved}）：退货更多须另开退货单"},
})
