package workflows

import (
	"fmt"

	"github.com/zhidu/zhidu"
)

// returnBench: a slip of sales returned for credit, under the GM
// threshold — the manager's approval, the copies, the warehouse receipt,
// finance's reconciliation and the voucher (three human steps).
func returnBench() *BenchScenario {
	return &BenchScenario{
		Starter: "sales.rep",
		Start: func(i int) map[string]any {
			return map[string]any{
				"customer": "华联超市 Hualian", "product": "生抽 500ml", "batch": fmt.Sprintf("B-bench-%d", i),
				"production_date": "2026-11-03", "production_unit": "二车间", "quantity": 10, "unit": "箱", "unit_price": 48.5,
				"reason": "包装破损", "handling": HandlingCredit, "basis": "客户验收记录",
			}
		},
		Input: func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error) {
			s, err := benchBody[ReturnSlip](body)
			if err != nil {
				return nil, err
			}
			cfg, ok := config.(ReturnConfig)
			if !ok {
				return nil, fmt.Errorf("return configuration is a %T, want a ReturnConfig", config)
			}
			info.Title, info.Level, info.Readers = s.Product+", "+s.Customer, zhidu.Internal, []zhidu.Department{info.Department}
			return ReturnInput{Process: info, Slip: s, Config: cfg}, nil
		},
		Steps: []BenchStep{
			{Step: StepManagerApproval, User: "sales.head", Outcome: OutcomeApprove, Data: map[string]any{}},
			{Step: StepReceipt, User: "wh.clerk", Outcome: OutcomeReceived, Data: map[string]any{"received_quantity": 10, "condition": "完好"}},
			{Step: StepReconcile, User: "fin.clerk", Outcome: OutcomeMatch, Data: map[string]any{}},
		},
	}
}

// supplierReturnBench: defective material Quality returns to its
// supplier, who credits it in time (three human steps).
func supplierReturnBench() *BenchScenario {
	return &BenchScenario{
		Starter: "quality.eng",
		Start: func(i int) map[string]any {
			return map[string]any{"supplier": "金源包装", "material": "500 ml PET 瓶", "batch": fmt.Sprintf("JY-bench-%d", i),
				"quantity": 2000, "unit": "个", "defect": "瓶口变形"}
		},
		Input: func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error) {
			s, err := benchBody[SupplierReturnSlip](body)
			if err != nil {
				return nil, err
			}
			cfg, ok := config.(SupplierReturnConfig)
			if !ok {
				return nil, fmt.Errorf("supplier return configuration is a %T, want a SupplierReturnConfig", config)
			}
			info.Title, info.Level = s.Material+", "+s.Supplier, zhidu.Internal
			return SupplierReturnInput{Process: info, Slip: s, Config: cfg}, nil
		},
		Steps: []BenchStep{
			{Step: StepQualityConfirm, User: "quality.head", Outcome: OutcomeConfirm, Data: map[string]any{"findings": "瓶口变形"}},
			{Step: StepPurchasing, User: "pur.buyer", Outcome: OutcomeSent, Data: map[string]any{"supplier_contact": "张经理 138-0000-1111"}},
			{Step: StepSupplierResponse, User: "pur.buyer", Outcome: OutcomeCredit, Data: map[string]any{"notes": "供应商同意退款"}},
		},
	}
}
