package matrix

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zhidu/zhidu"
)

func TestSeedValidates(t *testing.T) {
	if errs := Seed().Validate(); errs != nil {
		t.Fatalf("the seed does not validate: %v", errs)
	}
}

// TestSeedRoutes routes every kind × department × level of the seed at
// the edges of its bands, against DOMAIN.md's defaults written out here by
// hand (not from Seed's own tables).
func TestSeedRoutes(t *testing.T) {
	m := Seed()
	// The band edges: ¥2,000 is still small, ¥2,000.01 is not; ¥50,000 is
	// not above ¥50,000, ¥50,000.01 is.
	amounts := []float64{0, 0.01, 2000, 2000.01, 50000, 50000.01, MaxAmount}
	want := func(kind string, amount float64, d zhidu.Department, l zhidu.Level) []string {
		head := "dept_head@" + string(d)
		var out []string
		switch kind {
		case KindTemporary, KindRegular:
			out = []string{head}
		default:
			out = []string{head, "project_lead"}
		}
		if l >= zhidu.Secret {
			out = append(out, "compliance@bmo") // 涉密采购: the confidentiality review
		}
		out = append(out, "staff@fin") // finance reviews every purchase
		switch {
		case amount > 50000:
			out = append(out, "dept_head@fin", "gm@gmo")
		case kind == KindRegular || kind == KindTemporary && amount > 2000:
			out = append(out, "gm@gmo")
		}
		return out
	}
	for _, kind := range Kinds() {
		for _, amount := range amounts {
			for _, d := range zhidu.Departments() {
				for _, l := range zhidu.Levels() {
					steps, rule, why := m.Route(kind, amount, d, l)
					got := make([]string, len(steps))
					for i, s := range steps {
						got[i] = s.String()
					}
					if w := want(kind, amount, d, l); !slices.Equal(got, w) {
						t.Errorf("%s ¥%v %s %s: steps %v, want %v (%s)", kind, amount, d, l, got, w, why)
					}
					if rule < 0 || why.Code != msgMatched || why.Params["rule"] != rule {
						t.Errorf("%s ¥%v %s %s: rule %d, why %+v", kind, amount, d, l, rule, why)
						continue
					}
					r := m.Rules[rule]
					lo, hi := r.band()
					if r.Kind != kind || fen(amount) < lo || fen(amount) >= hi {
						t.Errorf("%s ¥%v: rule %d is %s", kind, amount, rule, r.selector())
					}
				}
			}
		}
	}
	// The reason names the rule in the matrix's notation.
	_, rule, why := m.Route(KindRegular, 50000.01, zhidu.DeptSales, zhidu.Confidential)
	if got := why.String(); rule != 7 || got != "rules[7] matched: regular/*/secret+/[50000.01, ∞)" {
		t.Errorf("why = %d %q", rule, got)
	}
}

func TestRoute(t *testing.T) {
	m := Seed()
	// A narrower rule before the broader ones takes its requests: the
	// R&D department's important material goes to its VP first.
	rnd := []Rule{
		{Kind: KindImportant, Department: "rnd", Level: Any, MinAmount: 0, MaxAmount: nil,
			Steps: []Step{{Role: zhidu.RoleVP, Department: Requester}, {ProjectLead: true}, {Role: zhidu.RoleStaff, Department: "fin"}}},
	}
	m.Rules = append(rnd, m.Rules...)
	if errs := m.Validate(); errs != nil {
		t.Fatalf("validate: %v", errs)
	}
	steps, rule, _ := m.Route(KindImportant, 10, zhidu.DeptRnD, zhidu.TopSecret)
	if rule != 0 || len(steps) != 3 || steps[0] != (Step{Role: zhidu.RoleVP, Department: "rnd"}) {
		t.Errorf("rnd: rule %d, steps %v", rule, steps)
	}
	if _, rule, _ := m.Route(KindImportant, 10, zhidu.DeptWH, zhidu.Internal); rule != 13 {
		t.Errorf("wh: rule %d, want 13", rule)
	}
	// What no rule matches: an unknown kind, or a matrix without it.
	for _, k := range []string{"", "lavish"} {
		steps, rule, why := m.Route(k, 10, zhidu.DeptWH, zhidu.Internal)
		if steps != nil || rule != -1 || why.Code != msgUncovered {
			t.Errorf("kind %q: %v %d %+v", k, steps, rule, why)
		}
	}
	_, _, why := Matrix{}.Route(KindRegular, 1, zhidu.DeptCS, zhidu.Public)
	if got := why.String(); got != "no rule routes regular purchases of department cs at level public" {
		t.Errorf("why = %q", got)
	}
}

// seedWith returns the seed changed by f.
func seedWith(f func(m *Matrix)) Matrix {
	m := Seed()
	f(&m)
	return m
}

func amount(x float64) *float64 { return &x }

// TestValidate: every error, each from the seed with one change, answers
// exactly these paths and codes.
func TestValidate(t *testing.T) {
	broad := func(kind string, steps ...Step) Rule {
		return Rule{Kind: kind, Department: Any, Level: Any, Steps: steps}
	}
	head := Step{Role: zhidu.RoleDeptHead, Department: Requester}
	for _, tc := range []struct {
		name string
		m    Matrix
		want map[string]string // path → code
	}{
		{"no rules", Matrix{}, map[string]string{"rules": msgNoRules}},
		{"too many rules", Matrix{Rules: make([]Rule, MaxRules+1)}, map[string]string{"rules": msgAtMost}},
		{"unknown kind", seedWith(func(m *Matrix) { m.Rules[3].Kind = "lavish" }),
			// its band is missing from temporary/*/*, which is then uncovered below ¥2,000.01
			map[string]string{"rules[3].kind": "choice.one_of", "rules[4].min_amount": msgGap}},
		{"unknown department", seedWith(func(m *Matrix) { m.Rules[0].Department = "moon" }),
			map[string]string{"rules[0].department": msgRuleDepartment, "rules[1].min_amount": msgGap}},
		{"unknown level", seedWith(func(m *Matrix) { m.Rules[2].Level = "hush" }),
			map[string]string{"rules[2].level": "choice.one_of", "rules[1].max_amount": msgGapAbove}},
		{"negative min", seedWith(func(m *Matrix) { m.Rules[3].MinAmount = -1 }),
			map[string]string{"rules[3].min_amount": "number.negative", "rules[4].min_amount": msgGap}},
		{"negative max", seedWith(func(m *Matrix) { m.Rules[3].MaxAmount = amount(-5) }),
			map[string]string{"rules[3].max_amount": "number.negative", "rules[4].min_amount": msgGap}},
		{"fen", seedWith(func(m *Matrix) { m.Rules[3].MaxAmount = amount(2000.001) }),
			map[string]string{"rules[3].max_amount": msgYuanFen, "rules[4].min_amount": msgGap}},
		{"too large", seedWith(func(m *Matrix) { m.Rules[5].MinAmount = 1e13 }),
			map[string]string{"rules[5].min_amount": "number.max", "rules[4].max_amount": msgGapAbove}},
		{"max not above min", seedWith(func(m *Matrix) { m.Rules[4].MaxAmount = amount(2000.01) }),
			map[string]string{"rules[4].max_amount": msgMaxNotAboveMin, "rules[5].min_amount": msgGap}},
		{"no steps", seedWith(func(m *Matrix) { m.Rules[8].Steps = nil }), map[string]string{"rules[8].steps": msgNoSteps}},
		{"too many steps", seedWith(func(m *Matrix) {
			for _, r := range zhidu.Departments() {
				m.Rules[8].Steps = append(m.Rules[8].Steps, Step{Role: zhidu.RoleVP, Department: string(r)})
			}
		}), map[string]string{"rules[8].steps": msgAtMost}},
		{"unknown role", seedWith(func(m *Matrix) { m.Rules[8].Steps[1].Role = "boss" }),
			map[string]string{"rules[8].steps[1].role": "choice.one_of"}},
		{"administrator role", seedWith(func(m *Matrix) { m.Rules[8].Steps[1].Role = zhidu.RoleSecAdmin }),
			map[string]string{"rules[8].steps[1].role": "choice.one_of"}},
		{"no role", seedWith(func(m *Matrix) { m.Rules[8].Steps[1].Role = "" }),
			map[string]string{"rules[8].steps[1].role": "field.required"}},
		{"unknown step department", seedWith(func(m *Matrix) { m.Rules[8].Steps[0].Department = "*" }),
			map[string]string{"rules[8].steps[0].department": msgStepDepartment}},
		{"no step department", seedWith(func(m *Matrix) { m.Rules[8].Steps[0].Department = "" }),
			map[string]string{"rules[8].steps[0].department": "field.required"}},
		{"project lead with a role", seedWith(func(m *Matrix) { m.Rules[12].Steps[1].Role = zhidu.RoleGM }),
			map[string]string{"rules[12].steps[1]": msgStepEither}},
		{"project lead of a temporary purchase", seedWith(func(m *Matrix) { m.Rules[3].Steps[0] = Step{ProjectLead: true} }),
			map[string]string{"rules[3].steps[0].project_lead": msgProjectLeadKind}},
		{"repeated step", seedWith(func(m *Matrix) { m.Rules[9].Steps = append(m.Rules[9].Steps, head) }),
			map[string]string{"rules[9].steps[4]": msgStepRepeated}},
		{"gap", seedWith(func(m *Matrix) { m.Rules[4].MinAmount = 3000 }),
			map[string]string{"rules[4].min_amount": msgGap}},
		{"gap from zero", seedWith(func(m *Matrix) { m.Rules[8].MinAmount = 100 }),
			map[string]string{"rules[8].min_amount": msgGap}},
		{"last band closed", seedWith(func(m *Matrix) { m.Rules[9].MaxAmount = amount(1e9) }),
			map[string]string{"rules[9].max_amount": msgGapAbove}},
		{"overlap", seedWith(func(m *Matrix) { m.Rules[9].MinAmount = 40000 }),
			map[string]string{"rules[9].min_amount": msgOverlap}},
		{"shadowed by an earlier broader rule", seedWith(func(m *Matrix) {
			// a complete band set for R&D, after the broad rules that take all its requests
			m.Rules = append(m.Rules, Rule{Kind: KindRegular, Department: "rnd", Level: Any, Steps: []Step{head}})
		}), map[string]string{"rules[18]": msgUnreachable}},
		{"shadowed level", seedWith(func(m *Matrix) {
			// the broad regular rules first: the secret ones after them are never reached
			m.Rules[6], m.Rules[8] = m.Rules[8], m.Rules[6]
			m.Rules[7], m.Rules[9] = m.Rules[9], m.Rules[7]
		}), map[string]string{"rules[8]": msgUnreachable, "rules[9]": msgUnreachable}},
		{"kind uncovered", Matrix{Rules: []Rule{broad(KindRegular, head), broad(KindTemporary, head), broad(KindImportant, head)}},
			map[string]string{"rules": msgUncovered}},
		{"department uncovered", seedWith(func(m *Matrix) {
			for i := range m.Rules {
				if m.Rules[i].Kind == KindProject {
					m.Rules[i].Department = "rnd"
				}
			}
		}), map[string]string{"rules": msgUncovered}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := tc.m.Validate()
			got := map[string]string{}
			for p, m := range errs {
				got[p] = m.Code
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("errors = %v, want %v", errs, tc.want)
			}
			for p, m := range errs {
				if s := m.String(); s == "" || strings.Contains(s, "{") {
					t.Errorf("%s: %q does not render", p, s)
				}
			}
		})
	}
}

// TestValidateSays: what the errors say, with their parameters.
func TestValidateSays(t *testing.T) {
	for _, tc := range []struct {
		m          Matrix
		path, want string
	}{
		{seedWith(func(m *Matrix) { m.Rules[4].MinAmount = 3000 }), "rules[4].min_amount",
			"leaves amounts from 2000.01 to below 3000 of this kind, department and level to no rule"},
		{seedWith(func(m *Matrix) { m.Rules[9].MinAmount = 40000 }), "rules[9].min_amount",
			"overlaps rules[8] [0, 50000.01) of the same kind, department and level"},
		{seedWith(func(m *Matrix) { m.Rules[9].MaxAmount = amount(1e9) }), "rules[9].max_amount",
			"leaves amounts from 1000000000 up of this kind, department and level to no rule (the last band has no upper limit: null)"},
		{seedWith(func(m *Matrix) { m.Rules[6], m.Rules[8] = m.Rules[8], m.Rules[6] }), "rules[8]",
			"no request reaches this rule: rules[6] before it take every request it matches"},
		{seedWith(func(m *Matrix) {
			m.Rules = append(m.Rules, Rule{Kind: KindRegular, Department: "rnd", Level: Any,
				Steps: []Step{{Role: zhidu.RoleDeptHead, Department: Requester}}})
		}), "rules[18]", "no request reaches this rule: rules[6], rules[7], rules[8], rules[9] before it take every request it matches"},
		{seedWith(func(m *Matrix) { m.Rules = m.Rules[:16] }), "rules",
			"no rule routes project purchases of department cs at level public"},
		{seedWith(func(m *Matrix) { m.Rules[4].MaxAmount = amount(2000.01) }), "rules[4].max_amount",
			"must be more than min_amount (2000.01)"},
		{seedWith(func(m *Matrix) { m.Rules[9].Steps = append(m.Rules[9].Steps, m.Rules[9].Steps[1]) }), "rules[9].steps[4]",
			"repeats steps[1]: one person approves at most one step"},
	} {
		if got := tc.m.Validate()[tc.path].String(); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestCheckAmount(t *testing.T) {
	for x, code := range map[float64]string{0: "", 0.01: "", 2000.01: "", MaxAmount: "", -0.01: "number.negative",
		MaxAmount + 1: "number.max", 1.005: msgYuanFen, 0.001: msgYuanFen} {
		if got := CheckAmount(x); got.Code != code {
			t.Errorf("CheckAmount(%v) = %+v, want %q", x, got, code)
		}
	}
}

func TestDiff(t *testing.T) {
	old := Seed()
	if d := Diff(old, Seed()); len(d) != 0 {
		t.Errorf("equal versions differ: %v", d)
	}
	m := Seed()
	m.Rules[8].Steps = append(m.Rules[8].Steps[:1], m.Rules[8].Steps[2:]...) // regular below ¥50,000.01: no finance review
	m.Rules[0], m.Rules[1] = m.Rules[1], m.Rules[0]                          // two disjoint temporary rules swap places
	m.Rules = append(m.Rules[:17], Rule{Kind: KindProject, Department: Any, Level: Any, MinAmount: LargePurchase, MaxAmount: amount(1e6),
		Steps: []Step{{Role: zhidu.RoleGM, Department: "gmo"}}}, Rule{Kind: KindProject, Department: Any, Level: Any, MinAmount: 1e6,
		Steps: []Step{{Role: zhidu.RoleGM, Department: "gmo"}, {Role: zhidu.RoleDeptHead, Department: "fin"}}})
	if errs := m.Validate(); errs != nil {
		t.Fatalf("validate: %v", errs)
	}
	got := Lines(Diff(old, m))
	want := []string{
		"↕ rules[1] (was rules[0]) temporary/*/secret+/[0, 2000.01): dept_head@requester → compliance@bmo → staff@fin",
		"~ rules[8] regular/*/*/[0, 50000.01): dept_head@requester → staff@fin → gm@gmo ⇒ dept_head@requester → gm@gmo",
		"+ rules[17] project/*/*/[50000.01, 1000000): gm@gmo",
		"+ rules[18] project/*/*/[1000000, ∞): gm@gmo → dept_head@fin",
		"- rules[17] project/*/*/[50000.01, ∞): dept_head@requester → project_lead → staff@fin → dept_head@fin → gm@gmo",
	}
	if !slices.Equal(got, want) {
		t.Errorf("diff =\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
	d := Diff(old, m)
	if d[0].Op != OpMoved || *d[0].From != 0 || d[1].Op != OpChanged || d[1].Before == nil || d[4].Op != OpRemoved || d[4].After != nil {
		t.Errorf("changes = %+v", d)
	}
	b, err := json.Marshal(d[1])
	if err != nil || !strings.Contains(string(b), `"op":"changed","rule":8,"from":8,"before":{"kind":"regular"`) {
		t.Errorf("JSON = %s, %v", b, err)
	}
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal(Seed())
	if err != nil {
		t.Fatal(err)
	}
	var back Matrix
	if err := json.Unmarshal(b, &back); err != nil || !Equal(back, Seed()) || !reflect.DeepEqual(back, Seed()) {
		t.Fatalf("round trip: %v %v", err, back)
	}
	if !strings.Contains(string(b), `{"kind":"temporary","department":"*","level":"secret","min_amount":0,"max_amount":2000.01,"steps":[{"role":"dept_head","department":"requester"},`) ||
		!strings.Contains(string(b), `"max_amount":null`) || !strings.Contains(string(b), `{"project_lead":true}`) {
		t.Errorf("JSON = %s", b)
	}
	other := Seed()
	other.Rules[3].Steps[0].Department = "cs"
	if Equal(other, Seed()) {
		t.Error("different documents are equal")
	}
}

// Every message of the matrix renders in English and has a Chinese
// template with the same parameters.
func TestMessages(t *testing.T) {
	codes := []string{msgCannotPropose, msgNoRules, msgAtMost, msgRuleDepartment, msgStepDepartment, msgYuanFen, msgMaxNotAboveMin,
		msgNoSteps, msgStepRepeated, msgStepEither, msgProjectLeadKind, msgGap, msgGapAbove, msgOverlap, msgUnreachable,
		msgUncovered, msgUnchanged, msgPending, msgBaseChanged, msgMatched, msgRouteDenied}
	for _, c := range codes {
		en, ok := zhidu.EnglishTemplate(c)
		zh, zok := zhidu.DefinedChinese(c)
		if !ok || !zok {
			t.Errorf("%s: English %v, Chinese %v", c, ok, zok)
			continue
		}
		if p, q := placeholders(en), placeholders(zh); !slices.Equal(p, q) {
			t.Errorf("%s: English says %v, Chinese %v", c, p, q)
		}
	}
	if got := Pending(3).String(); got != "version 3 awaits the GM's decision: propose again once it is decided" {
		t.Errorf("Pending = %q", got)
	}
	for _, m := range []zhidu.Message{CannotPropose(), Unchanged(), BaseChanged(), RouteDenied()} {
		if b, _ := json.Marshal(m); !strings.HasPrefix(string(b), `{"code":"matrix.`) {
			t.Errorf("message JSON = %s", b)
		}
	}
}

func placeholders(tmpl string) []string {
	var out []string
	for _, part := range strings.Split(tmpl, "{")[1:] {
		name, _, _ := strings.Cut(part, "}")
		name, _, _ = strings.Cut(name, ":") // a vocabulary to label it by is no other parameter
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func ExampleMatrix_Route() {
	steps, rule, why := Seed().Route(KindTemporary, 1800, zhidu.DeptSales, zhidu.Internal)
	fmt.Println(steps, rule, why)
	// Output: [dept_head@sales staff@fin] 3 rules[3] matched: temporary/*/*/[0, 2000.01)
}
