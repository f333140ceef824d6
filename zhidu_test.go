package zhidu_test

import (
	"encoding/json"
	"testing"

	"github.com/zhidu/zhidu"
)

func TestLevels(t *testing.T) {
	for _, l := range zhidu.Levels() {
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		var back zhidu.Level
		if err := json.Unmarshal(b, &back); err != nil || back != l {
			t.Fatalf("%s round-trips to %s (%v)", l, back, err)
		}
	}
	if _, err := zhidu.ParseLevel("secretish"); err == nil {
		t.Fatal("an unknown level must not parse")
	}
	if zhidu.TopSecret.Zh() != "绝密" || zhidu.Public.Zh() != "公开" {
		t.Fatal("Chinese labels")
	}
	if _, err := json.Marshal(zhidu.Level(9)); err == nil {
		t.Fatal("an invalid level must not marshal")
	}
}

func TestCandidateMatches(t *testing.T) {
	head := zhidu.Actor{Username: "cs.head", Roles: []zhidu.RoleGrant{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}}}
	for _, tc := range []struct {
		c    zhidu.Candidate
		want bool
	}{
		{zhidu.Candidate{User: "cs.head"}, true},
		{zhidu.Candidate{User: "cs.super"}, false},
		{zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptCS}, true},
		{zhidu.Candidate{Role: zhidu.RoleDeptHead, Department: zhidu.DeptFin}, false},
		{zhidu.Candidate{Role: zhidu.RoleVP, Department: zhidu.DeptCS}, false},
	} {
		if got := tc.c.Matches(head); got != tc.want {
			t.Errorf("%s matches cs.head = %v, want %v", tc.c, got, tc.want)
		}
	}
}

func TestFormValidate(t *testing.T) {
	f := zhidu.Form{
		Fields: []zhidu.Field{
			{Name: "opinion", Type: zhidu.FieldText, RequiredFor: []string{"reject"}, MaxLength: 5},
			{Name: "amount", Type: zhidu.FieldNumber, Required: true},
			{Name: "ok", Type: zhidu.FieldBoolean},
			{Name: "on", Type: zhidu.FieldDate},
			{Name: "remedy", Type: zhidu.FieldChoice, Choices: []string{"return", "replace"}},
			{Name: "witnesses", Type: zhidu.FieldList},
		},
		Outcomes: []string{"approve", "reject"},
	}
	for _, tc := range []struct {
		name    string
		outcome string
		data    map[string]any
		bad     []string
	}{
		{"valid", "approve", map[string]any{"amount": 3.5}, nil},
		{"all types", "reject", map[string]any{"amount": 1.0, "opinion": "不行", "ok": true, "on": "2026-11-27",
			"remedy": "return", "witnesses": []any{"a", "b"}}, nil},
		{"bad outcome", "maybe", map[string]any{"amount": 1.0}, []string{"outcome"}},
		{"missing required", "approve", map[string]any{}, []string{"data.amount"}},
		{"required for outcome", "reject", map[string]any{"amount": 1.0}, []string{"data.opinion"}},
		{"too long", "approve", map[string]any{"amount": 1.0, "opinion": "六个字太长了"}, []string{"data.opinion"}},
		{"wrong types", "approve", map[string]any{"amount": "1", "ok": "yes", "on": "27/11/2026", "remedy": "refund",
			"witnesses": []any{1}}, []string{"data.amount", "data.ok", "data.on", "data.remedy", "data.witnesses"}},
		{"unknown field", "approve", map[string]any{"amount": 1.0, "colour": "red"}, []string{"data.colour"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := f.Validate(tc.outcome, tc.data)
			if len(errs) != len(tc.bad) {
				t.Fatalf("errors = %v, want exactly %v", errs, tc.bad)
			}
			for _, b := range tc.bad {
				if errs[b].IsZero() {
					t.Errorf("no error for %s in %v", b, errs)
				}
			}
		})
	}
}

func TestFormValidateRows(t *testing.T) {
	quotes := zhidu.Field{Name: "quotes", Type: zhidu.FieldRows, Required: true, MinRows: 2, MaxRows: 3, Columns: []zhidu.Field{
		{Name: "supplier", Type: zhidu.FieldText, Required: true, MaxLength: 10},
		{Name: "unit_price", Type: zhidu.FieldNumber, Required: true},
		{Name: "delivery_date", Type: zhidu.FieldDate},
		{Name: "terms", Type: zhidu.FieldChoice, Choices: []string{"monthly", "cash"}, RequiredFor: []string{"approve"}},
		{Name: "sample", Type: zhidu.FieldBoolean},
	}}
	f := zhidu.Form{Fields: []zhidu.Field{quotes, {Name: "chosen", Type: zhidu.FieldText}}, Outcomes: []string{"approve", "reject"}}
	row := func(supplier string, price any) map[string]any {
		return map[string]any{"supplier": supplier, "unit_price": price, "terms": "cash"}
	}
	many := make([]any, 101)
	for i := range many {
		many[i] = row("s", 1.0)
	}
	for _, tc := range []struct {
		name    string
		form    zhidu.Form
		outcome string
		data    map[string]any
		want    map[string]string // path → code
	}{
		{"valid", f, "approve", map[string]any{"chosen": "甲", "quotes": []any{
			map[string]any{"supplier": "甲", "unit_price": 12.5, "delivery_date": "2026-12-20", "terms": "monthly", "sample": true},
			map[string]any{"supplier": "乙", "unit_price": 13.0, "terms": "cash", "delivery_date": "", "sample": nil},
		}}, nil},
		{"not a list", f, "approve", map[string]any{"quotes": map[string]any{"supplier": "甲"}},
			map[string]string{"data.quotes": "value.list"}},
		{"absent", f, "approve", map[string]any{}, map[string]string{"data.quotes": "field.required"}},
		{"no rows", f, "approve", map[string]any{"quotes": []any{}}, map[string]string{"data.quotes": "field.required"}},
		{"too few", f, "approve", map[string]any{"quotes": []any{row("甲", 1.0)}}, map[string]string{"data.quotes": "rows.min"}},
		{"too many", f, "approve", map[string]any{"quotes": []any{row("甲", 1.0), row("乙", 2.0), row("丙", 3.0), row("丁", 4.0)}},
			map[string]string{"data.quotes": "rows.max"}},
		{"row by row", f, "approve", map[string]any{"quotes": []any{
			"甲",
			map[string]any{"supplier": "乙", "unit_price": "12", "extra": 1.0},
			map[string]any{"unit_price": 1.0, "delivery_date": "20/12/2026", "terms": "later", "sample": "yes"},
		}}, map[string]string{
			"data.quotes[0]":               "value.object",
			"data.quotes[1].unit_price":    "value.number",
			"data.quotes[1].extra":         "field.not_in_form",
			"data.quotes[1].terms":         "field.required", // required for approve
			"data.quotes[2].supplier":      "field.required",
			"data.quotes[2].delivery_date": "value.date",
			"data.quotes[2].terms":         "choice.one_of_list",
			"data.quotes[2].sample":        "value.boolean",
		}},
		{"too few, and a bad row", f, "reject", map[string]any{"quotes": []any{row("十一个字的供应商名称啊", 1.0)}},
			map[string]string{"data.quotes": "rows.min", "data.quotes[0].supplier": "text.max"}},
		{"a column required for another outcome", f, "reject", map[string]any{"quotes": []any{
			map[string]any{"supplier": "甲", "unit_price": 1.0}, map[string]any{"supplier": "乙", "unit_price": 2.0}}}, nil},
		{"default bound", zhidu.Form{Fields: []zhidu.Field{{Name: "items", Type: zhidu.FieldRows, Columns: quotes.Columns}}, Outcomes: []string{"approve"}},
			"approve", map[string]any{"items": many}, map[string]string{"data.items": "rows.max"}},
		{"optional, absent", zhidu.Form{Fields: []zhidu.Field{{Name: "items", Type: zhidu.FieldRows, MinRows: 1, Columns: quotes.Columns}}, Outcomes: []string{"approve"}},
			"approve", map[string]any{}, nil},
		{"nested rows column", zhidu.Form{Fields: []zhidu.Field{{Name: "items", Type: zhidu.FieldRows, Columns: []zhidu.Field{
			{Name: "sub", Type: zhidu.FieldRows, Columns: quotes.Columns}}}}, Outcomes: []string{"approve"}},
			"approve", map[string]any{"items": []any{map[string]any{}}}, map[string]string{"data.items": "field.unknown_type"}},
		{"list column", zhidu.Form{Fields: []zhidu.Field{{Name: "items", Type: zhidu.FieldRows, Columns: []zhidu.Field{
			{Name: "names", Type: zhidu.FieldList}}}}, Outcomes: []string{"approve"}},
			"approve", map[string]any{"items": []any{}}, map[string]string{"data.items": "field.unknown_type"}},
		{"no columns", zhidu.Form{Fields: []zhidu.Field{{Name: "items", Type: zhidu.FieldRows}}, Outcomes: []string{"approve"}},
			"approve", map[string]any{"items": []any{}}, map[string]string{"data.items": "field.unknown_type"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.form.Validate(tc.outcome, tc.data)
			got := map[string]string{}
			for k, m := range errs {
				got[k] = m.Code
			}
			if len(got) != len(tc.want) {
				t.Fatalf("errors = %v, want %v", got, tc.want)
			}
			for k, code := range tc.want {
				if got[k] != code {
					t.Errorf("%s = %q, want %q (all: %v)", k, got[k], code, got)
				}
			}
		})
	}
	if got := zhidu.RowPath("items", 1, "unit_price"); got != "items[1].unit_price" {
		t.Errorf("RowPath = %q", got)
	}
	if got := zhidu.RowPath("data.quotes", 0, ""); got != "data.quotes[0]" {
		t.Errorf("RowPath of a row = %q", got)
	}
}

func TestErrorCode(t *testing.T) {
	err := zhidu.Errorf(zhidu.CodeConflict, "taken")
	if zhidu.ErrorCode(err) != zhidu.CodeConflict {
		t.Fatal("code of a domain error")
	}
	if zhidu.ErrorCode(json.Unmarshal([]byte("{"), new(any))) != zhidu.CodeInternal {
		t.Fatal("code of any other error is internal")
	}
}
