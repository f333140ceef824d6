package workflows

import (
	"reflect"
	"strings"
	"testing"

	"github.com/zhidu/zhidu"
)

func TestDecode(t *testing.T) {
	amount := 1234.5
	tests := []struct {
		name string
		data map[string]any
		want investigationResult
	}{
		{"no data", nil, investigationResult{}},
		{"every field", map[string]any{"cause": "a seal", "responsibility": "line 2", "remedy": "compensate",
			"compensation_amount": 1234.5}, investigationResult{Cause: "a seal", Responsibility: "line 2",
			Remedy: "compensate", CompensationAmount: &amount}},
		// The form takes null and "" as empty: they decode as absent, even
		// into a number.
		{"empty values", map[string]any{"cause": "", "remedy": nil, "compensation_amount": ""}, investigationResult{}},
		{"null amount", map[string]any{"compensation_amount": nil}, investigationResult{}},
		{"fields of no form", map[string]any{"cause": "x", "other": true}, investigationResult{Cause: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decode[investigationResult](tt.data)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	t.Run("booleans", func(t *testing.T) {
		got, err := decode[triageResult](map[string]any{"joint": true, "important": "", "deadline": "2026-03-05"})
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if want := (triageResult{Joint: true, Deadline: "2026-03-05"}); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("rows", func(t *testing.T) {
		type quote struct {
			Supplier  string   `json:"supplier"`
			UnitPrice *float64 `json:"unit_price"`
		}
		type sourcing struct {
			Quotes []quote `json:"quotes"`
		}
		price := 12.5
		got, err := decode[sourcing](map[string]any{"quotes": []any{
			map[string]any{"supplier": "甲", "unit_price": 12.5},
			map[string]any{"supplier": "乙", "unit_price": ""}, // empty to the form: absent here too
			map[string]any{"supplier": "", "unit_price": nil},
		}})
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if want := (sourcing{Quotes: []quote{{"甲", &price}, {"乙", nil}, {}}}); !reflect.DeepEqual(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("wrong type is an error, not a panic", func(t *testing.T) {
		if _, err := decode[triageResult](map[string]any{"responsible_department": 7.0}); err == nil {
			t.Error("decoding a number into a string field: got no error")
		}
	})
}

func TestRule(t *testing.T) {
	type counted struct {
		N int `json:"n"`
	}
	var seen []int
	check := rule(func(outcome string, d counted) map[string]zhidu.Message {
		seen = append(seen, d.N)
		if outcome != "ok" {
			return map[string]zhidu.Message{"outcome": zhidu.MustBe("ok")}
		}
		return nil
	})
	if errs := check(zhidu.CompleteTaskRequest{Outcome: "ok", Data: map[string]any{"n": 3.0}}); errs != nil {
		t.Errorf("decodable data: got %v, want no errors", errs)
	}
	if errs := check(zhidu.CompleteTaskRequest{Outcome: "no", Data: map[string]any{"n": 4.0}}); errs["outcome"].IsZero() {
		t.Errorf("the check's own errors: got %v", errs)
	}
	if errs := check(zhidu.CompleteTaskRequest{Outcome: "ok", Data: map[string]any{"n": 1.5}}); errs["data"].IsZero() {
		t.Errorf("data that does not decode: got %v, want an error on data", errs)
	}
	if want := []int{3, 4}; !reflect.DeepEqual(seen, want) {
		t.Errorf("the check saw %v, want %v (never undecodable data)", seen, want)
	}
	if errs := rule[counted](nil)(zhidu.CompleteTaskRequest{Data: map[string]any{"n": 2.0}}); errs != nil {
		t.Errorf("nil check: got %v, want no errors", errs)
	}
}

// TestStepResultsFitTheirForms keeps each step's result struct and its form
// in step: one struct field per form field, under the field's name, of the
// Go type the form's values decode into.
func TestStepResultsFitTheirForms(t *testing.T) {
	goType := map[zhidu.FieldType]reflect.Type{
		zhidu.FieldText:    reflect.TypeFor[string](),
		zhidu.FieldChoice:  reflect.TypeFor[string](),
		zhidu.FieldDate:    reflect.TypeFor[string](),
		zhidu.FieldBoolean: reflect.TypeFor[bool](),
		zhidu.FieldNumber:  reflect.TypeFor[*float64](), // nil: no amount given
	}
	tests := []struct {
		name   string
		form   zhidu.Form
		result any
	}{
		{StepTriage, triageForm, triageResult{}},
		{StepInvestigation, investigationForm, investigationResult{}},
		{StepApproval, approvalStepForm, decisionResult{}},
		{StepReply, replyForm, replyResult{}},
		{StepFollowUp, followUpForm, followUpResult{}},
		{StepSuperior, superiorForm, superiorResult{}},
		{StepSpotCheck, spotCheckForm, spotCheckResult{}},
		{StepManagerApproval, managerApprovalForm, managerDecision{}},
		{StepReceipt, receiptForm, receiptResult{}},
		{StepReconcile, reconcileForm, reconcileResult{}},
		{StepDiscrepancy, discrepancyForm, discrepancyResult{}},
		{StepReprocess, reprocessForm, reprocessResult{}},
		{StepReinspect, reinspectForm, reinspectResult{}},
		{StepShip, shipForm, shipResult{}},
		{StepQualityConfirm, qualityConfirmForm, qualityConfirmResult{}},
		{StepPurchasing, purchasingForm, purchasingResult{}},
		{StepSupplierResponse, supplierResponseForm, supplierResponseResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]reflect.Type{}
			rt := reflect.TypeOf(tt.result)
			for i := range rt.NumField() {
				name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
				fields[name] = rt.Field(i).Type
			}
			for _, f := range tt.form.Fields {
				got, ok := fields[f.Name]
				switch {
				case !ok:
					t.Errorf("%s has no field %q", rt.Name(), f.Name)
				case got != goType[f.Type]:
					t.Errorf("%s.%s is %v, want %v for a %s field", rt.Name(), f.Name, got, goType[f.Type], f.Type)
				}
				delete(fields, f.Name)
			}
			for name := range fields {
				t.Errorf("%s.%s is not a field of the form", rt.Name(), name)
			}
		})
	}
}
