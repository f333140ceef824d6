package workflows

import (
	"github.com/zhidu/zhidu"
)

// Outcomes of the return's steps (OutcomeApprove, OutcomeReject and
// OutcomeDone are the approval's and the complaint's too).
const (
	OutcomeReceived = "received" // receipt
	OutcomeMatch    = "match"    // reconcile
	OutcomeMismatch = "mismatch" // reconcile
	OutcomeRecount  = "recount"  // discrepancy
	OutcomeAmend    = "amend"    // discrepancy
	OutcomePass     = "pass"     // reinspect
	OutcomeFail     = "fail"     // reinspect
	OutcomeShipped  = "shipped"  // ship
)

// ruleFor is rule for a check that needs the whole request (who acts),
// not only the outcome and the data.
func ruleFor[T any](check func(req zhidu.CompleteTaskRequest, d T) map[string]zhidu.Message) func(zhidu.CompleteTaskRequest) map[string]zhidu.Message {
	return func(req zhidu.CompleteTaskRequest) map[string]zhidu.Message {
		return rule(func(_ string, d T) map[string]zhidu.Message { return check(req, d) })(req)
	}
}

// managerApprovalForm is 经(副)理批示: approve, or reject with an
// opinion; the GM's override of a signed contract gives its reason.
var managerApprovalForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "opinion", Type: zhidu.FieldText, Label: text("批示意见", "Opinion"), RequiredFor: []string{OutcomeReject}, MaxLength: 2000},
		{Name: "override_reason", Type: zhidu.FieldText, Label: text("合同退货特批理由（仅总经理）", "Reason to override the signed contract (GM only)"),
			MaxLength: 2000},
	},
	Outcomes: []string{OutcomeApprove, OutcomeReject},
}

// managerDecision is what the manager's approval records.
type managerDecision struct {
	Opinion        string `json:"opinion"`
	OverrideReason string `json:"override_reason"`
}

// checkManagerApproval: goods sold under a signed contract are not
// returned (签订合同后，坚决不退) unless the GM approves in this step, saying
// why; nobody else overrides.
func (r *returnRun) checkManagerApproval(req zhidu.CompleteTaskRequest, d managerDecision) map[string]zhidu.Message {
	contract := r.in.Slip.Contract
	gm := req.Actor.HasRole(zhidu.RoleGM)
	switch {
	case d.OverrideReason != "" && contract == "":
		return map[string]zhidu.Message{"data.override_reason": zhidu.Say(msgOverrideNoContract)}
	case d.OverrideReason != "" && req.Outcome != OutcomeApprove:
		return map[string]zhidu.Message{"data.override_reason": zhidu.Say(msgOverrideOnlyApproval)}
	case d.OverrideReason != "" && !gm:
		return map[string]zhidu.Message{"data.override_reason": zhidu.Say(msgOverrideOnlyGM)}
	case req.Outcome == OutcomeApprove && contract != "" && !gm:
		return map[string]zhidu.Message{"outcome": zhidu.Say(msgSignedContract, "contract", contract)}
	case req.Outcome == OutcomeApprove && contract != "" && d.OverrideReason == "":
		return map[string]zhidu.Message{"data.override_reason": zhidu.Say(msgOverrideReason)}
	}
	return nil
}

var receiptForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "received_quantity", Type: zhidu.FieldNumber, Label: text("实收数量", "Quantity received"), Required: true},
		{Name: "condition", Type: zhidu.FieldText, Label: text("货品状况", "Condition of the goods"), Required: true, MaxLength: 2000},
		{Name: "notes", Type: zhidu.FieldText, Label: text("备注", "Notes"), MaxLength: 4000},
	},
	Outcomes: []string{OutcomeReceived},
}

// receiptResult is what the warehouse records; whoever completes the task
// signs it.
type receiptResult struct {
	ReceivedQuantity *float64 `json:"received_quantity"`
	Condition        string   `json:"condition"`
	Notes            string   `json:"notes"`
}

func checkReceipt(_ string, d receiptResult) map[string]zhidu.Message {
	if d.ReceivedQuantity == nil {
		return nil // the form requires it
	}
	if m := wholeNumber(*d.ReceivedQuantity, 0); !m.IsZero() {
		return map[string]zhidu.Message{"data.received_quantity": m}
	}
	return nil
}

var reconcileForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "notes", Type: zhidu.FieldText, Label: text("核对说明", "Notes"), RequiredFor: []string{OutcomeMismatch}, MaxLength: 4000},
	},
	Outcomes: []string{OutcomeMatch, OutcomeMismatch},
}

// reconcileResult is what finance records at each reconciliation.
type reconcileResult struct {
	Notes string `json:"notes"`
}

// checkReconcile: finance matches only equal quantities, and finds a
// mismatch only where they differ.
func (r *returnRun) checkReconcile(outcome string, _ reconcileResult) map[string]zhidu.Message {
	switch {
	case outcome == OutcomeMatch && r.approved != r.received:
		return map[string]zhidu.Message{"outcome": zhidu.Say(msgQuantitiesDiffer, "approved", r.approved, "received", r.received)}
	case outcome == OutcomeMismatch && r.approved == r.received:
		return map[string]zhidu.Message{"outcome": zhidu.Say(msgQuantitiesAgree, "quantity", r.approved)}
	}
	return nil
}

var discrepancyForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "received_quantity", Type: zhidu.FieldNumber, Label: text("复点数量", "Quantity recounted"), RequiredFor: []string{OutcomeRecount}},
		{Name: "approved_quantity", Type: zhidu.FieldNumber, Label: text("更正后的退货数量", "Amended quantity"), RequiredFor: []string{OutcomeAmend}},
		{Name: "reason", Type: zhidu.FieldText, Label: text("更正理由", "Reason for the amendment"), RequiredFor: []string{OutcomeAmend}, MaxLength: 4000},
		{Name: "notes", Type: zhidu.FieldText, Label: text("备注", "Notes"), MaxLength: 4000},
	},
	Outcomes: []string{OutcomeRecount, OutcomeAmend},
}

// discrepancyResult is what sales and the warehouse record for a
// discrepancy: a recount of the goods, or an amendment of the slip.
type discrepancyResult struct {
	ReceivedQuantity *float64 `json:"received_quantity"`
	ApprovedQuantity *float64 `json:"approved_quantity"`
	Reason           string   `json:"reason"`
	Notes            string   `json:"notes"`
}

// checkDiscrepancy: a recount gives the new count, an amendment the new
// quantity, which never exceeds what was approved (a larger return is a
// new slip, approved as such).
func (r *returnRun) checkDiscrepancy(outcome string, d discrepancyResult) map[string]zhidu.Message {
	errs := map[string]zhidu.Message{}
	switch outcome {
	case OutcomeRecount:
		if d.ApprovedQuantity != nil {
			errs["data.approved_quantity"] = zhidu.Say(msgOnlyAmendment)
		}
		if d.ReceivedQuantity != nil {
			if m := wholeNumber(*d.ReceivedQuantity, 0); !m.IsZero() {
				errs["data.received_quantity"] = m
			}
		}
	case OutcomeAmend:
		if d.ReceivedQuantity != nil {
			errs["data.received_quantity"] = zhidu.Say(msgOnlyRecount)
		}
		if d.ApprovedQuantity != nil {
			if m := wholeNumber(*d.ApprovedQuantity, 1); !m.IsZero() {
				errs["data.approved_quantity"] = m
			} else if int64(*d.ApprovedQuantity) > r.approved {
				errs["data.approved_quantity"] = zhidu.Say(msgAmendAbove, "approved", r.approved)
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

var reprocessForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "actions", Type: zhidu.FieldText, Label: text("处理措施", "Actions taken"), Required: true, MaxLength: 4000},
	},
	Outcomes: []string{OutcomeDone},
}

// reprocessResult is what Quality records of a reprocessing.
type reprocessResult struct {
	Actions string `json:"actions"`
}

var reinspectForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "findings", Type: zhidu.FieldText, Label: text("复检结论", "Findings"), RequiredFor: []string{OutcomeFail}, MaxLength: 4000},
	},
	Outcomes: []string{OutcomePass, OutcomeFail},
}

// reinspectResult is what the re-inspection records.
type reinspectResult struct {
	Findings string `json:"findings"`
}

var shipForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "shipment", Type: zhidu.FieldText, Label: text("发货单号", "Shipment reference"), Required: true, MaxLength: 100},
		{Name: "notes", Type: zhidu.FieldText, Label: text("备注", "Notes"), MaxLength: 4000},
	},
	Outcomes: []string{OutcomeShipped},
}

// shipResult is what the warehouse records of the replacement's shipment.
type shipResult struct {
	Shipment string `json:"shipment"`
	Notes    string `json:"notes"`
}

// checkShipment: the reference is one line.
func checkShipment(_ string, d shipResult) map[string]zhidu.Message {
	return lineText("shipment", d.Shipment)
}

// lineText refuses line breaks and control characters in a step's
// one-line field (the form allows them in every text).
func lineText(field, v string) map[string]zhidu.Message {
	if m := zhidu.CheckText(v, false); !m.IsZero() {
		return map[string]zhidu.Message{"data." + field: m}
	}
	return nil
}
