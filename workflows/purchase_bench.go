package workflows

import (
	"fmt"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
)

// benchSupplier is the demo supplier the bench's buyer picks (demo.go).
const benchSupplier = "sup-huadong"

// purchaseBench: a regular monthly plan of the sales department under
// ¥50,000, routed by the seed matrix — sourcing, the department head,
// finance's review, the GM, the order, the delivery, receiving and
// payment (eight human steps).
func purchaseBench() *BenchScenario {
	return &BenchScenario{
		Starter: "sales.rep",
		Start: func(i int) map[string]any {
			return map[string]any{
				"items": []any{map[string]any{"name": "A4 复印纸", "spec": fmt.Sprintf("70g 500张/包 #%d", i), "quantity": 100,
					"unit": "包", "unit_price": 25}},
				"reason": "月度办公用品计划", "kind": matrix.KindRegular, "urgency": UrgencyNormal,
			}
		},
		Input: func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error) {
			req, err := benchBody[Requisition](body)
			if err != nil {
				return nil, err
			}
			cfg, ok := config.(PurchaseConfig)
			if !ok {
				return nil, fmt.Errorf("purchase configuration is a %T, want a PurchaseConfig", config)
			}
			route, err := routePurchase(matrix.Seed(), 1, req, info.Department, zhidu.Internal, nil)
			if err != nil {
				return nil, err
			}
			info.Title, info.Level, info.Readers = req.Items[0].Name, zhidu.Internal, []zhidu.Department{info.Department}
			return PurchaseInput{Process: info, Requisition: req, Route: route, Config: cfg}, nil
		},
		// The raw baseline has no suppliers' table: LoadSuppliers answers
		// the one the buyer picks, as the demo organisation has it.
		Answers: map[string]any{ActivityLoadSuppliers: []zhidu.Supplier{{ID: benchSupplier, Name: "华东精密机械有限公司",
			Qualified: true, SupplyState: zhidu.SupplyApproved}}},
		Steps: []BenchStep{
			{Step: StepSourcing, User: "pur.buyer", Outcome: OutcomeChoose, Data: map[string]any{
				"quotes": []any{map[string]any{"supplier": benchSupplier, "unit_price": 24.5, "delivery_date": "2099-01-10"}},
				"chosen": benchSupplier, "reason": "价格最低"}},
			{Step: approvalStep(zhidu.RoleDeptHead), User: "sales.head", Outcome: OutcomeApprove, Data: map[string]any{}},
			{Step: approvalStep(zhidu.RoleStaff), User: "fin.clerk", Outcome: OutcomeApprove, Data: map[string]any{}},
			{Step: approvalStep(zhidu.RoleGM), User: "gm", Outcome: OutcomeApprove, Data: map[string]any{}},
			{Step: StepPurchaseOrder, User: "pur.buyer", Outcome: OutcomeOrder, Data: map[string]any{"delivery_date": "2099-01-10"}},
			{Step: StepDelivery, User: "pur.buyer", Outcome: OutcomeDelivered, Data: map[string]any{}},
			{Step: StepReceiving, User: "wh.clerk", Outcome: OutcomeAccept, Data: map[string]any{"delivery_note": "SH-0001",
				"name_ok": true, "spec_ok": true, "quantity_ok": true, "unit_price_ok": true, "amount_ok": true, "quality_ok": true,
				"received_quantity": 100}},
			{Step: StepPayment, User: "fin.clerk", Outcome: OutcomePaid, Data: map[string]any{"amount": 2450, "settlement": SettlementMonthly}},
		},
	}
}
