package main

import (
	"context"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// More demo people, for returns.
var (
	salesHead    = actor("sales.head", zhidu.DeptSales, zhidu.Secret, zhidu.RoleDeptHead, zhidu.DeptSales)
	finClerk     = actor("fin.clerk", zhidu.DeptFin, zhidu.Internal, zhidu.RoleStaff, zhidu.DeptFin)
	qualitySuper = actor("quality.super", zhidu.DeptQuality, zhidu.Internal, zhidu.RoleSupervisor, zhidu.DeptQuality)
	purBuyer     = actor("pur.buyer", zhidu.DeptPur, zhidu.Internal, zhidu.RoleStaff, zhidu.DeptPur)
	purHead      = actor("pur.head", zhidu.DeptPur, zhidu.Secret, zhidu.RoleDeptHead, zhidu.DeptPur)
)

// returnScenarios drive the return and the supplier return.
func init() { scenarios = append(scenarios, returnScenarios...) }

var returnScenarios = []scenario{
	{name: "return-contract-two-rounds", start: returnStart(returnSlip(300, "credit", "HT-2026-017")), outcome: workflows.ResultCredited,
		drive: func(ctx context.Context, d *driver) error {
			// The manager may not approve a slip under a signed contract;
			// the GM overrides, and being the GM needs no second approval.
			// The warehouse counts short, finance finds the mismatch, the
			// recount settles it and round 2 matches.
			if err := d.refused(ctx, "manager_approval", salesHead, "approve", nil, zhidu.CodeInvalid); err != nil {
				return err
			}
			return d.moves(ctx, []move{
				{"manager_approval", gm, "approve", map[string]any{"override_reason": "长期客户，质量问题属实"}},
				{"receipt", whClerk, "received", map[string]any{"received_quantity": 298, "condition": "2 cartons missing"}},
				{"reconcile#1", finClerk, "mismatch", map[string]any{"notes": "298 of 300"}},
				{"discrepancy#1", whClerk, "recount", map[string]any{"received_quantity": 300}},
				{"reconcile#2", finClerk, "match", nil},
			})
		}},
	{name: "return-reprocessed", start: returnStart(returnSlip(100, "reprocess", "")), outcome: workflows.ResultReprocessed,
		drive: func(ctx context.Context, d *driver) error {
			return d.moves(ctx, []move{
				{"manager_approval", salesHead, "approve", nil},
				{"receipt", whClerk, "received", map[string]any{"received_quantity": 100, "condition": "intact"}},
				{"reconcile#1", finClerk, "match", nil},
				{"reprocess#1", qualityEng, "done", map[string]any{"actions": "recapped"}},
				{"reinspect#1", qualityHead, "fail", map[string]any{"findings": "3 caps loose"}},
				{"reprocess#2", qualityEng, "done", map[string]any{"actions": "torqued the caps"}},
				{"reinspect#2", qualitySuper, "pass", nil},
			})
		}},
	{name: "return-replace-cancelled", start: returnStart(returnSlip(100, "replace", "")), outcome: workflows.ResultCancelled,
		drive: func(ctx context.Context, d *driver) error {
			if err := d.moves(ctx, []move{
				{"manager_approval", salesHead, "approve", nil},
				{"receipt", whClerk, "received", map[string]any{"received_quantity": 100, "condition": "intact"}},
				{"reconcile#1", finClerk, "match", nil},
			}); err != nil {
				return err
			}
			if _, err := d.task(ctx, "ship", 0); err != nil {
				return err
			}
			return d.update(ctx, workflows.UpdateCancelProcess, zhidu.CancelProcessRequest{Actor: salesHead, Reason: "the customer took a credit"})
		}},
	{name: "supplier-return-breached", start: supplierReturnStart(3 * time.Second), outcome: workflows.ResultRefused,
		drive: func(ctx context.Context, d *driver) error {
			// The supplier misses the deadline: the purchasing head, added
			// when it passed, records the refusal.
			if err := d.moves(ctx, []move{
				{"quality_confirm", qualityHead, "confirm", nil},
				{"purchasing", purBuyer, "sent", map[string]any{"supplier_contact": "张经理"}},
			}); err != nil {
				return err
			}
			if _, err := d.task(ctx, "supplier_response", 1); err != nil {
				return err
			}
			return d.act(ctx, "supplier_response", purHead, "refuse", map[string]any{"notes": "the supplier disputes the test"})
		}},
}

// moves has each person complete their step in turn.
func (d *driver) moves(ctx context.Context, ms []move) error {
	for _, m := range ms {
		if err := d.act(ctx, m.step, m.by, m.outcome, m.data); err != nil {
			return err
		}
	}
	return nil
}

func returnSlip(quantity float64, handling, contract string) workflows.ReturnSlip {
	return workflows.ReturnSlip{Customer: "华联超市", Product: "Soy sauce 500 ml", Batch: "B2026-02-17", ProductionDate: "2026-02-17",
		ProductionUnit: "bottling line 2", Quantity: quantity, Unit: "箱", UnitPrice: 48.5, Reason: "leaking caps",
		Handling: handling, Basis: "quality report QR-2026-031", Contract: contract}
}

// returnStart opens a slip in sales with the default configuration, by
// sales.rep.
func returnStart(slip workflows.ReturnSlip) func(string) (string, any) {
	return func(id string) (string, any) {
		return workflows.WorkflowReturn, workflows.ReturnInput{
			Process: zhidu.ProcessInfo{ID: id, Kind: workflows.KindReturn, Title: slip.Product, Level: zhidu.Internal,
				Department: zhidu.DeptSales, StartedBy: salesRep.Username},
			Slip: slip, Config: workflows.DefaultReturnConfig(),
		}
	}
}

// supplierReturnStart opens a supplier return by quality.eng with the
// supplier's deadline given.
func supplierReturnStart(deadline time.Duration) func(string) (string, any) {
	return func(id string) (string, any) {
		cfg := workflows.DefaultSupplierReturnConfig()
		cfg.SupplierDeadline = deadline
		return workflows.WorkflowSupplierReturn, workflows.SupplierReturnInput{
			Process: zhidu.ProcessInfo{ID: id, Kind: workflows.KindSupplierReturn, Title: "Bottle caps C-2026-0211",
				Level: zhidu.Internal, Department: zhidu.DeptQuality, StartedBy: qualityEng.Username},
			Slip: workflows.SupplierReturnSlip{Supplier: "江南包装", Material: "500 ml bottle caps", Batch: "C-2026-0211",
				Quantity: 20000, Unit: "个", Defect: "threads cut too shallow"},
			Config: cfg,
		}
	}
}
