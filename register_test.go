package zhidu_test

import (
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
