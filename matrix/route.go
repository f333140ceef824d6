package matrix

import (
	"github.com/zhidu/zhidu"
)

// Route finds the steps a request would take: the first rule that matches
// its kind, amount, department and level. The steps' Requester department
// is replaced by the request's department. rule is the rule's index, -1
// when none matches (a document that passed Validate routes every request
// of a known kind); why says which rule matched and what it matches, or
// that none did.
func (m Matrix) Route(kind string, amount float64, department zhidu.Department, level zhidu.Level) (steps []Step, rule int, why zhidu.Message) {
	f := fen(amount)
	for i, r := range m.Rules {
		lo, hi := r.band()
		if !r.matches(kind, department, level) || f < lo || f >= hi {
			continue
		}
		steps = make([]Step, len(r.Steps))
		for j, s := range r.Steps {
			if s.Department == Requester {
				s.Department = string(department)
			}
			steps[j] = s
		}
		return steps, i, matched(i, r.selector())
	}
	return nil, -1, uncovered(kind, string(department), level.String())
}
