package workflows

import (
	"fmt"

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
func ruleFor[T any](check func(req zhidu.CompleteTaskRequest, d T) map[string]string) func(zhidu.CompleteTaskRequest) map[string]string {
	return func(req zhidu.CompleteTaskRequest) map[string]string {
		return rule(func(_ string, d T) map[string]string { return check(req, d) })(req)
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
func (r *returnRun) checkManagerApproval(req zhidu.CompleteTaskRequest, d managerDecision) map[string]string {
	contract := r.in.Slip.Contract
	gm := req.Actor.HasRole(zhidu.RoleGM)
	switch {
	case d.OverrideReason != "" && contract == "":
		return map[string]string{"data.override_reason": "only a slip under a signed contract is overridden"}
	case d.OverrideReason != "" && req.Outcome != OutcomeApprove:
		return map[string]string{"data.override_reason": "only an approval overrides the signed contract"}
	case d.OverrideReason != "" && !gm:
		return map[string]string{"data.override_reason": "only the GM overrides a signed contract"}
	case req.Outcome == OutcomeApprove && contract != "" && !gm:
		return map[string]string{"outcome": fmt.Sprintf(
			"签订合同后，坚决不退: the goods were sold under signed contract %s and are returned only on the GM's override", contract)}
	case req.Outcome == OutcomeApprove && contract != "" && d.OverrideReason == "":
		return map[string]string{"data.override_reason": "is required to override a signed contract"}
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

func checkReceipt(_ string, d receiptResult) map[string]string {
	if d.ReceivedQuantity == nil {
		return nil // the form requires it
	}
	if msg := wholeNumber(*d.ReceivedQuantity, 0); msg != "" {
		return map[string]string{"data.received_quantity": msg}
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
func (r *returnRun) checkReconcile(outcome string, _ reconcileResult) map[string]string {
	switch {
	case outcome == OutcomeMatch && r.approved != r.received:
		return map[string]string{"outcome": fmt.Sprintf(
			"the approved quantity (%d) and the received quantity (%d) differ: record a mismatch", r.approved, r.received)}
	case outcome == OutcomeMismatch && r.approved == r.received:
		return map[string]string{"outcome": fmt.Sprintf(
			"the approved and the received quantity agree (%d): record a match", r.approved)}
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
func (r *returnRun) checkDiscrepancy(outcome string, d discrepancyResult) map[string]string {
	errs := map[string]string{}
	switch outcome {
	case OutcomeRecount:
		if d.ApprovedQuantity != nil {
			errs["data.approved_quantity"] = "only an amendment changes the approved quantity"
		}
		if d.ReceivedQuantity != nil {
			if msg := wholeNumber(*d.ReceivedQuantity, 0); msg != "" {
				errs["data.received_quantity"] = msg
			}
		}
	case OutcomeAmend:
		if d.ReceivedQuantity != nil {
			errs["data.received_quantity"] = "only a recount changes the received quantity"
		}
		if d.ApprovedQuantity != nil {
			if msg := wholeNumber(*d.ApprovedQuantity, 1); msg != "" {
				errs["data.approved_quantity"] = msg
			} else if int64(*d.ApprovedQuantity) > r.approved {
				errs["data.approved_quantity"] = fmt.Sprintf("must not exceed the approved quantity (%d): a larger return needs a new slip", r.approved)
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
func checkShipment(_ string, d shipResult) map[string]string { return lineText("shipment", d.Shipment) }

// lineText refuses line breaks and control characters in a step's
// one-line field (the form allows them in every text).
func lineText(field, v string) map[string]string {
	if msg := zhidu.CheckText(v, false); msg != "" {
		return map[string]string{"data." + field: msg}
	}
	return nil
}
