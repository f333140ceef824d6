package matrix

import (
	"fmt"
	"slices"
)

// The operations of a Change.
const (
	OpAdded   = "added"
	OpRemoved = "removed"
	OpChanged = "changed" // same kind, department, level and band; other steps
	OpMoved   = "moved"   // same rule, another place in the order
)

// Change is one difference between two versions. Rules are matched by
// what they select (kind, department, level, band): a rule whose steps
// differ is changed, one that only changed places among the others is
// moved (the order decides which of two overlapping rules takes a request).
type Change struct {
	Op string `json:"op"`
	// Rule is the rule's index in the new version (in the old one when it
	// was removed); From its index in the old one, for a changed or moved
	// rule.
	Rule   int   `json:"rule"`
	From   *int  `json:"from,omitempty"`
	Before *Rule `json:"before,omitempty"`
	After  *Rule `json:"after,omitempty"`
}

// String says the change on one line, in the matrix's own notation (the
// same in every language): "+ rules[3] regular/*/secret+/[0, 50000.01):
// dept_head@requester → compliance@bmo".
func (c Change) String() string {
	switch c.Op {
	case OpAdded:
		return fmt.Sprintf("+ rules[%d] %s: %s", c.Rule, c.After.selector(), stepsText(c.After.Steps))
	case OpRemoved:
		return fmt.Sprintf("- rules[%d] %s: %s", c.Rule, c.Before.selector(), stepsText(c.Before.Steps))
	case OpChanged:
		return fmt.Sprintf("~ rules[%d]%s %s: %s ⇒ %s", c.Rule, c.was(), c.After.selector(), stepsText(c.Before.Steps), stepsText(c.After.Steps))
	}
	return fmt.Sprintf("↕ rules[%d]%s %s: %s", c.Rule, c.was(), c.After.selector(), stepsText(c.After.Steps))
}

func (c Change) was() string {
	if c.From == nil || *c.From == c.Rule {
		return ""
	}
	return fmt.Sprintf(" (was rules[%d])", *c.From)
}

// Diff lists the changes from old to new: the new version's rules in
// order (added, changed, moved), then the removed ones. Equal documents
// have none.
func Diff(old, new Matrix) []Change {
	key := func(r Rule) string { return r.selector() }
	unmatched := map[string][]int{} // old rules by key, in order
	for i, r := range old.Rules {
		unmatched[key(r)] = append(unmatched[key(r)], i)
	}
	from := make([]int, len(new.Rules)) // the old index of each new rule, -1 for none
	for i, r := range new.Rules {
		from[i] = -1
		if q := unmatched[key(r)]; len(q) > 0 {
			from[i], unmatched[key(r)] = q[0], q[1:]
		}
	}
	stay := inOrder(from)
	var out []Change
	for i := range new.Rules {
		after := &new.Rules[i]
		if from[i] < 0 {
			out = append(out, Change{Op: OpAdded, Rule: i, After: after})
			continue
		}
		o := from[i]
		before := &old.Rules[o]
		switch {
		case !slices.Equal(before.Steps, after.Steps):
			out = append(out, Change{Op: OpChanged, Rule: i, From: &o, Before: before, After: after})
		case !stay[i]:
			out = append(out, Change{Op: OpMoved, Rule: i, From: &o, Before: before, After: after})
		}
	}
	matched := map[int]bool{}
	for _, o := range from {
		matched[o] = true
	}
	for i := range old.Rules {
		if !matched[i] {
			out = append(out, Change{Op: OpRemoved, Rule: i, Before: &old.Rules[i]})
		}
	}
	return out
}

// inOrder marks the matched rules that keep their order: a longest
// increasing run of old indices; the others moved.
func inOrder(from []int) []bool {
	n := len(from)
	length, prev := make([]int, n), make([]int, n)
	best := -1
	for i := range n {
		prev[i] = -1
		if from[i] < 0 {
			continue
		}
		length[i] = 1
		for j := range i {
			if from[j] >= 0 && from[j] < from[i] && length[j]+1 > length[i] {
				length[i], prev[i] = length[j]+1, j
			}
		}
		if best < 0 || length[i] > length[best] {
			best = i
		}
	}
	stay := make([]bool, n)
	for i := best; i >= 0; i = prev[i] {
		stay[i] = true
	}
	return stay
}

// Lines says each change on one line.
func Lines(changes []Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.String()
	}
	return out
}
