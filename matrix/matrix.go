// Package matrix is the purchase approval matrix (采购审批矩阵) as data:
// rules that route a purchase request by its kind, amount, department and
// level to an ordered list of approver steps. The company keeps it as
// versions that the security administrator proposes and the GM approves
// (store/matrix.go, api/matrix.go, workflows/matrix_change.go); a request
// records the version that routed it. This package is the model — its
// validation, routing and the difference between two versions — and
// imports neither pgx, Gin nor Temporal.
package matrix

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/zhidu/zhidu"
)

// The purchase kinds a rule names (DOMAIN.md, process 3).
const (
	KindRegular   = "regular"   // 月度计划采购: a regular monthly plan
	KindTemporary = "temporary" // 临时小额采购: a temporary small purchase
	KindImportant = "important" // 重要物资: important material
	KindProject   = "project"   // 项目物资: project material
)

// Kinds lists the purchase kinds.
func Kinds() []string { return []string{KindRegular, KindTemporary, KindImportant, KindProject} }

// Any is a rule's department or level that matches every request.
const Any = "*"

// Requester is a step's department meaning the requester's own.
const Requester = "requester"

// Bounds of a matrix.
const (
	MaxRules  = 500
	MaxSteps  = 10
	MaxAmount = 999_999_999_999.99 // CNY, as the registers' numeric columns hold
)

// Matrix is one version's document: its rules, in order. A request takes
// the first rule that matches it.
type Matrix struct {
	Rules []Rule `json:"rules"`
}

// Rule routes the requests of one kind whose amount is in [MinAmount,
// MaxAmount), whose department is Department (a code, or Any) and whose
// level is Level or above (a level name, or Any for every level), to its
// steps, in order.
type Rule struct {
	Kind       string `json:"kind"`
	Department string `json:"department"`
	Level      string `json:"level"`
	// MinAmount is inclusive, MaxAmount exclusive; nil: no upper limit.
	// CNY, at most two decimal places.
	MinAmount float64  `json:"min_amount"`
	MaxAmount *float64 `json:"max_amount"`
	Steps     []Step   `json:"steps"`
}

// Step is one approver step: everyone holding Role in Department (a
// code, or Requester: the requester's department), or, with ProjectLead,
// the project's first responsible person (项目第一责任人), whom the
// request's project names.
type Step struct {
	Role        zhidu.Role `json:"role,omitempty"`
	Department  string     `json:"department,omitempty"`
	ProjectLead bool       `json:"project_lead,omitempty"`
}

// String says the step compactly: dept_head@requester, project_lead.
func (s Step) String() string {
	if s.ProjectLead {
		return "project_lead"
	}
	return string(s.Role) + "@" + s.Department
}

// approverRoles are the roles a step may name: the business roles.
var approverRoles = []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead, zhidu.RoleVP,
	zhidu.RoleDeputyGM, zhidu.RoleGM, zhidu.RoleCompliance}

// ApproverRoles lists the roles a step may name.
func ApproverRoles() []zhidu.Role { return slices.Clone(approverRoles) }

func roleNames() []string {
	out := make([]string, len(approverRoles))
	for i, r := range approverRoles {
		out[i] = string(r)
	}
	return out
}

// levelChoices are the values of a rule's level.
func levelChoices() []string {
	out := []string{Any}
	for _, l := range zhidu.Levels() {
		out = append(out, l.String())
	}
	return out
}

// lowestLevel is the lowest level a rule's level matches.
func lowestLevel(s string) (zhidu.Level, bool) {
	if s == Any {
		return zhidu.Public, true
	}
	l, err := zhidu.ParseLevel(s)
	return l, err == nil
}

// unlimited is an open band's upper end, in fen.
const unlimited = math.MaxInt64

// fen is an amount in fen (分), as bands are compared.
func fen(yuan float64) int64 { return int64(math.Round(yuan * 100)) }

// band is a rule's amount range in fen: [lo, hi).
func (r Rule) band() (lo, hi int64) {
	lo, hi = fen(r.MinAmount), unlimited
	if r.MaxAmount != nil {
		hi = fen(*r.MaxAmount)
	}
	return lo, hi
}

// yuan renders an amount in fen as yuan: 2000, 2000.01.
func yuan(f int64) string {
	s := strconv.FormatInt(f/100, 10)
	if c := f % 100; c != 0 {
		s += "." + strings.TrimRight(strconv.FormatInt(100+c, 10)[1:], "0")
	}
	return s
}

// bandText says a band, the lower end in, the upper one out: "[0,
// 2000.01)", "[50000.01, ∞)".
func bandText(lo, hi int64) string {
	end := "∞"
	if hi != unlimited {
		end = yuan(hi)
	}
	return "[" + yuan(lo) + ", " + end + ")"
}

// selector says what a rule matches: kind/department/level/band, the level
// as "secret+" (secret and above).
func (r Rule) selector() string {
	lvl := r.Level
	if lvl != Any {
		lvl += "+"
	}
	return r.Kind + "/" + r.Department + "/" + lvl + "/" + bandText(r.band())
}

// stepsText says a rule's steps in order.
func stepsText(steps []Step) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = s.String()
	}
	return strings.Join(parts, " → ")
}

// matches reports whether the rule takes a request of this kind,
// department and level, whatever its amount.
func (r Rule) matches(kind string, d zhidu.Department, l zhidu.Level) bool {
	low, ok := lowestLevel(r.Level)
	return ok && r.Kind == kind && (r.Department == Any || r.Department == string(d)) && l >= low
}

// Equal reports whether two documents are the same rules in the same
// order.
func Equal(a, b Matrix) bool {
	return slices.EqualFunc(a.Rules, b.Rules, func(x, y Rule) bool {
		return x.Kind == y.Kind && x.Department == y.Department && x.Level == y.Level && fen(x.MinAmount) == fen(y.MinAmount) &&
			sameMax(x.MaxAmount, y.MaxAmount) && slices.Equal(x.Steps, y.Steps)
	})
}

func sameMax(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return fen(*a) == fen(*b)
}
