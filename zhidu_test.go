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

func TestErrorCode(t *testing.T) {
	err := zhidu.Errorf(zhidu.CodeConflict, "taken")
	if zhidu.ErrorCode(err) != zhidu.CodeConflict {
		t.Fatal("code of a domain error")
	}
	if zhidu.ErrorCode(json.Unmarshal([]byte("{"), new(any))) != zhidu.CodeInternal {
		t.Fatal("code of any other error is internal")
	}
}
