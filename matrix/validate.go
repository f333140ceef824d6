package matrix

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/zhidu/zhidu"
)

// Validate returns what is wrong with the document, keyed by the path of
// the offending field ("rules[2].max_amount", "rules[0].steps[1].role"),
// or nil. Beside each field's own checks (known kind, department, level
// and role, amounts in yuan and fen, not negative, a non-empty step list)
// it checks the rules together:
//
//   - the rules of one kind × department × level partition the amounts:
//     from 0, without gaps or overlaps, the last one open-ended;
//   - every rule is reachable: some request it matches is not taken by an
//     earlier rule (a broader rule first shadows a narrower one after it);
//   - every request is routed: each kind has a rule for every department
//     and level.
func (m Matrix) Validate() map[string]zhidu.Message {
	errs := map[string]zhidu.Message{}
	set := func(path string, msg zhidu.Message) {
		if _, ok := errs[path]; !ok {
			errs[path] = msg
		}
	}
	switch {
	case len(m.Rules) == 0:
		set("rules", noRules())
		return errs
	case len(m.Rules) > MaxRules:
		set("rules", atMost(MaxRules))
		return errs
	}
	ok := make([]bool, len(m.Rules)) // the rule's selector is sound: the checks across rules use it
	for i, r := range m.Rules {
		ok[i] = checkRule(rulePath(i), r, set)
	}
	checkBands(m.Rules, ok, set)
	checkReachable(m.Rules, ok, set)
	checkCovered(m.Rules, ok, set)
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func rulePath(i int) string { return fmt.Sprintf("rules[%d]", i) }

// checkRule checks one rule's fields and reports whether its selector
// (kind, department, level, amounts) is sound.
func checkRule(p string, r Rule, set func(string, zhidu.Message)) bool {
	ok := true
	if !slices.Contains(Kinds(), r.Kind) {
		set(p+".kind", zhidu.OneOf(Kinds()))
		ok = false
	}
	if r.Department != Any && !zhidu.Department(r.Department).Valid() {
		set(p+".department", notRuleDepartment())
		ok = false
	}
	if _, valid := lowestLevel(r.Level); !valid {
		set(p+".level", zhidu.OneOf(levelChoices()))
		ok = false
	}
	if msg := CheckAmount(r.MinAmount); !msg.IsZero() {
		set(p+".min_amount", msg)
		ok = false
	}
	if r.MaxAmount != nil {
		switch msg := CheckAmount(*r.MaxAmount); {
		case !msg.IsZero():
			set(p+".max_amount", msg)
			ok = false
		case ok && fen(*r.MaxAmount) <= fen(r.MinAmount):
			set(p+".max_amount", maxNotAboveMin(yuan(fen(r.MinAmount))))
			ok = false
		}
	}
	checkSteps(p, r, set)
	return ok
}

// CheckAmount says what is wrong with an amount in CNY, or nothing: it
// must not be negative, must be in yuan and fen, at most MaxAmount.
func CheckAmount(x float64) zhidu.Message {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return zhidu.NotNumber()
	case x < 0:
		return zhidu.Negative()
	case x > MaxAmount:
		return zhidu.NumberMax(MaxAmount)
	case math.Round(x*100)/100 != x:
		return yuanFen()
	}
	return zhidu.Message{}
}

func checkSteps(p string, r Rule, set func(string, zhidu.Message)) {
	switch {
	case len(r.Steps) == 0:
		set(p+".steps", noSteps())
		return
	case len(r.Steps) > MaxSteps:
		set(p+".steps", atMost(MaxSteps))
		return
	}
	for j, s := range r.Steps {
		sp := fmt.Sprintf("%s.steps[%d]", p, j)
		if k := slices.Index(r.Steps[:j], s); k >= 0 {
			set(sp, stepRepeated(k))
			continue
		}
		if s.ProjectLead {
			switch {
			case s.Role != "" || s.Department != "":
				set(sp, stepEither())
			case r.Kind != KindImportant && r.Kind != KindProject && slices.Contains(Kinds(), r.Kind):
				set(sp+".project_lead", projectLeadKind())
			}
			continue
		}
		switch {
		case s.Role == "":
			set(sp+".role", zhidu.Required())
		case !slices.Contains(approverRoles, s.Role):
			set(sp+".role", zhidu.OneOf(roleNames()))
		}
		switch {
		case s.Department == "":
			set(sp+".department", zhidu.Required())
		case s.Department != Requester && !zhidu.Department(s.Department).Valid():
			set(sp+".department", notStepDepartment())
		}
	}
}

// checkBands checks that the rules of each kind × department × level
// partition the amounts from 0 up.
func checkBands(rules []Rule, ok []bool, set func(string, zhidu.Message)) {
	groups := map[[3]string][]int{}
	var keys [][3]string
	for i, r := range rules {
		if !ok[i] {
			continue
		}
		k := [3]string{r.Kind, r.Department, r.Level}
		if _, seen := groups[k]; !seen {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range keys {
		g := groups[k]
		sort.SliceStable(g, func(a, b int) bool {
			la, _ := rules[g[a]].band()
			lb, _ := rules[g[b]].band()
			return la < lb
		})
		var reached int64 // the amounts below are routed by the rules so far
		widest := -1      // the rule that reaches furthest so far
		for _, i := range g {
			lo, hi := rules[i].band()
			switch {
			case lo > reached:
				set(rulePath(i)+".min_amount", gap(yuan(reached), yuan(lo)))
			case lo < reached:
				wl, wh := rules[widest].band()
				set(rulePath(i)+".min_amount", overlap(widest, bandText(wl, wh)))
			}
			if hi > reached {
				reached, widest = hi, i
			}
		}
		if reached != unlimited {
			set(rulePath(widest)+".max_amount", gapAbove(yuan(reached)))
		}
	}
}

// span is a half-open amount range in fen.
type span struct{ lo, hi int64 }

// minus removes [lo, hi) from spans.
func minus(spans []span, lo, hi int64) []span {
	var out []span
	for _, s := range spans {
		if hi <= s.lo || lo >= s.hi {
			out = append(out, s)
			continue
		}
		if s.lo < lo {
			out = append(out, span{s.lo, lo})
		}
		if hi < s.hi {
			out = append(out, span{hi, s.hi})
		}
	}
	return out
}

func overlaps(spans []span, lo, hi int64) bool {
	return slices.ContainsFunc(spans, func(s span) bool { return lo < s.hi && s.lo < hi })
}

// cells are the departments and levels a rule's department and level
// match.
func cells(r Rule) (depts []zhidu.Department, levels []zhidu.Level) {
	if r.Department == Any {
		depts = zhidu.Departments()
	} else {
		depts = []zhidu.Department{zhidu.Department(r.Department)}
	}
	low, _ := lowestLevel(r.Level)
	for _, l := range zhidu.Levels() {
		if l >= low {
			levels = append(levels, l)
		}
	}
	return depts, levels
}

// checkReachable finds the rules no request reaches: for every department
// and level the rule matches, the rules before it take its whole band.
func checkReachable(rules []Rule, ok []bool, set func(string, zhidu.Message)) {
	for i, r := range rules {
		if !ok[i] {
			continue
		}
		depts, levels := cells(r)
		reachable, by := false, []int{}
	cells:
		for _, d := range depts {
			for _, l := range levels {
				lo, hi := r.band()
				left := []span{{lo, hi}}
				for j := range i {
					if !ok[j] || !rules[j].matches(r.Kind, d, l) {
						continue
					}
					jl, jh := rules[j].band()
					if overlaps(left, jl, jh) {
						if !slices.Contains(by, j) {
							by = append(by, j)
						}
						left = minus(left, jl, jh)
					}
				}
				if len(left) > 0 {
					reachable = true
					break cells
				}
			}
		}
		if !reachable {
			slices.Sort(by)
			names := make([]string, len(by))
			for k, j := range by {
				names[k] = rulePath(j)
			}
			set(rulePath(i), unreachable(names))
		}
	}
}

// checkCovered finds the first kind, department and level no rule routes.
func checkCovered(rules []Rule, ok []bool, set func(string, zhidu.Message)) {
	for _, k := range Kinds() {
		for _, d := range zhidu.Departments() {
			for _, l := range zhidu.Levels() {
				found := false
				for i, r := range rules {
					if ok[i] && r.matches(k, d, l) {
						found = true
						break
					}
				}
				if !found {
					set("rules", uncovered(k, string(d), l.String()))
					return
				}
			}
		}
	}
}
