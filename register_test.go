package zhidu_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/zhidu/zhidu"
)

// TestRegisterValidate: a register description that would break its SQL,
// its JSON or its query parameters is refused, with the reason.
func TestRegisterValidate(t *testing.T) {
	label := zhidu.Text{Zh: "列", En: "Column"}
	good := func() *zhidu.Register {
		return &zhidu.Register{Columns: []zhidu.Column{
			{Name: "id", Label: label, Type: zhidu.ColumnText, From: []zhidu.Source{{Fact: zhidu.FactID}}},
			{Name: "started", Label: label, Type: zhidu.ColumnTime, From: []zhidu.Source{{Fact: zhidu.FactStartedAt}},
				Filter: &zhidu.Filter{Kind: zhidu.FilterRange}},
			{Name: "note", Label: label, Type: zhidu.ColumnText, From: []zhidu.Source{{Field: "note"}, {Input: "a.note"}},
				Filter: &zhidu.Filter{Kind: zhidu.FilterExact, MaxLength: 10}},
			{Name: "amount", Label: label, Type: zhidu.ColumnNumber, From: []zhidu.Source{{Field: "amount"}}, Decimals: 2,
				Filter: &zhidu.Filter{Kind: zhidu.FilterNumberRange}},
			{Name: "version", Label: label, Type: zhidu.ColumnNumber, From: []zhidu.Source{{Input: "version"}},
				Filter: &zhidu.Filter{Kind: zhidu.FilterNumber, Param: "v"}},
		}, File: "r.csv", Sort: "-started",
			Details: []zhidu.Detail{{Name: "rounds", Label: label, Columns: []zhidu.DetailColumn{
				{Name: "round", Label: label, Type: zhidu.ColumnNumber}, {Name: "at", Label: label, Type: zhidu.ColumnTime}}}}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("a good register: %v", err)
	}
	for _, c := range []struct {
		want   string
		change func(r *zhidu.Register)
	}{
		{"no columns", func(r *zhidu.Register) { r.Columns = nil }},
		{"file name", func(r *zhidu.Register) { r.File = `a"b.csv` }},
		{"bad name", func(r *zhidu.Register) { r.Columns[0].Name = "Id; DROP" }},
		{"twice", func(r *zhidu.Register) { r.Columns[2].Name = "id" }},
		{"label missing", func(r *zhidu.Register) { r.Columns[0].Label.En = "" }},
		{"no source", func(r *zhidu.Register) { r.Columns[0].From = nil }},
		{"unknown type", func(r *zhidu.Register) { r.Columns[0].Type = "money" }},
		{"want one", func(r *zhidu.Register) { r.Columns[0].From[0].Field = "x" }},
		{"unknown fact", func(r *zhidu.Register) { r.Columns[0].From[0].Fact = "salary" }},
		{"fact started_at is time", func(r *zhidu.Register) { r.Columns[0].From[0].Fact = zhidu.FactStartedAt }},
		{"bad input path", func(r *zhidu.Register) { r.Columns[2].From[1].Input = "a.'x" }},
		{"bad field name", func(r *zhidu.Register) { r.Columns[2].From[0].Field = "no'te" }},
		{"process's level only", func(r *zhidu.Register) {
			r.Columns[0].Type, r.Columns[0].From = zhidu.ColumnLevel, []zhidu.Source{{Field: "level"}}
		}},
		{"a bool default for a text column", func(r *zhidu.Register) { r.Columns[2].Default = true }},
		{"want a string or a bool", func(r *zhidu.Register) { r.Columns[2].Default = 3 }},
		{"omit_empty is for text", func(r *zhidu.Register) { r.Columns[1].OmitEmpty = true }},
		{"decimals are for number", func(r *zhidu.Register) { r.Columns[0].Decimals = 2 }},
		{"a range filter on a text column", func(r *zhidu.Register) { r.Columns[2].Filter.Kind = zhidu.FilterRange }},
		{"unknown filter kind", func(r *zhidu.Register) { r.Columns[2].Filter.Kind = "like" }},
		{"need them", func(r *zhidu.Register) { r.Columns[2].Filter = &zhidu.Filter{Kind: zhidu.FilterChoice} }},
		{"max_length is for exact", func(r *zhidu.Register) { r.Columns[2].Filter.MaxLength = 0 }},
		{"query parameter \"limit\" taken", func(r *zhidu.Register) { r.Columns[2].Filter.Param = "limit" }},
		{"query parameter \"started_after\" taken", func(r *zhidu.Register) { r.Columns[2].Filter.Param = "started_after" }},
		{"bad filter parameter", func(r *zhidu.Register) { r.Columns[2].Filter.Param = "a b" }},
		{"a number_range filter on a time column", func(r *zhidu.Register) { r.Columns[1].Filter.Kind = zhidu.FilterNumberRange }},
		{"a number filter on a text column", func(r *zhidu.Register) { r.Columns[2].Filter.Kind = zhidu.FilterNumber }},
		{"a range filter on a number column", func(r *zhidu.Register) { r.Columns[3].Filter.Kind = zhidu.FilterRange }},
		{"exact filter on a number column", func(r *zhidu.Register) {
			r.Columns[4].Filter.Kind, r.Columns[4].Filter.MaxLength = zhidu.FilterExact, 5
		}},
		{"max_length is for exact", func(r *zhidu.Register) { r.Columns[3].Filter.MaxLength = 5 }},
		{"choices are for choice and any_of", func(r *zhidu.Register) { r.Columns[4].Filter.Choices = []string{"1"} }},
		{"query parameter \"amount_max\" taken", func(r *zhidu.Register) { r.Columns[4].Filter.Param = "amount_max" }},
		{"query parameter \"v_min\" taken", func(r *zhidu.Register) { r.Columns[3].Filter.Param = "v"; r.Columns[4].Filter.Param = "v_min" }},
		{"which is no column", func(r *zhidu.Register) { r.CSV = []string{"id", "nope"} }},
		{"register sort", func(r *zhidu.Register) { r.Sort = "note" }},
		{"register sort", func(r *zhidu.Register) { r.Sort = "" }},
		{"detail \"x y\": bad name", func(r *zhidu.Register) { r.Details[0].Name = "x y" }},
		{"detail \"rounds\" twice", func(r *zhidu.Register) { r.Details = append(r.Details, r.Details[0]) }},
		{"detail \"rounds\": label missing", func(r *zhidu.Register) { r.Details[0].Label.Zh = "" }},
		{"detail \"rounds\": no columns", func(r *zhidu.Register) { r.Details[0].Columns = nil }},
		{"column \"at\" twice", func(r *zhidu.Register) { r.Details[0].Columns[0].Name = "at" }},
		{"column \"round\": label missing", func(r *zhidu.Register) { r.Details[0].Columns[0].Label.En = "" }},
		{"column \"r'\": bad name", func(r *zhidu.Register) { r.Details[0].Columns[0].Name = "r'" }},
		{"choices are for text columns", func(r *zhidu.Register) { r.Details[0].Columns[0].Choices = []string{"a"} }},
		{"choices are for text columns", func(r *zhidu.Register) { r.Columns[1].Choices = []string{"a"} }},
		{"choices are for text columns", func(r *zhidu.Register) { r.Columns[2].Choices = []string{} }},
		{"want text, number, bool or time", func(r *zhidu.Register) { r.Details[0].Columns[0].Type = zhidu.ColumnLevel }},
	} {
		r := good()
		c.change(r)
		if err := r.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Validate() = %v", c.want, err)
		}
	}
}

// TestFilterParameters: each filter kind names the query parameters it
// reads, from Param or the column's name, as the register's JSON form
// describes them to a client.
func TestFilterParameters(t *testing.T) {
	for _, c := range []struct {
		f    zhidu.Filter
		want []string
	}{
		{zhidu.Filter{Kind: zhidu.FilterExact, MaxLength: 5}, []string{"amount"}},
		{zhidu.Filter{Kind: zhidu.FilterChoice, Param: "a"}, []string{"a"}},
		{zhidu.Filter{Kind: zhidu.FilterAnyOf}, []string{"amount"}},
		{zhidu.Filter{Kind: zhidu.FilterBool}, []string{"amount"}},
		{zhidu.Filter{Kind: zhidu.FilterRange, Param: "paid"}, []string{"paid_after", "paid_before"}},
		{zhidu.Filter{Kind: zhidu.FilterNumber}, []string{"amount"}},
		{zhidu.Filter{Kind: zhidu.FilterNumberRange}, []string{"amount_min", "amount_max"}},
		{zhidu.Filter{Kind: zhidu.FilterNumberRange, Param: "total"}, []string{"total_min", "total_max"}},
	} {
		if got := c.f.Parameters(zhidu.Column{Name: "amount"}); !slices.Equal(got, c.want) {
			t.Errorf("%s filter, param %q: parameters %v, want %v", c.f.Kind, c.f.Param, got, c.want)
		}
	}
	if got := len(zhidu.FilterKinds()); got != 7 {
		t.Errorf("%d filter kinds, want 7", got)
	}
	b, err := json.Marshal(zhidu.Column{Name: "amount", Label: zhidu.Text{Zh: "金额", En: "Amount"}, Type: zhidu.ColumnNumber,
		Decimals: 2, Filter: &zhidu.Filter{Kind: zhidu.FilterNumberRange}})
	if want := `{"name":"amount","label":{"zh":"金额","en":"Amount"},"type":"number","decimals":2,"filter":{"kind":"number_range","param":""}}`; err != nil || string(b) != want {
		t.Errorf("JSON = %s (%v), want %s", b, err, want)
	}
}
