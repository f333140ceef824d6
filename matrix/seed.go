package matrix

import "github.com/zhidu/zhidu"

// Band edges of the seed, in CNY. max_amount is exclusive and amounts are
// in fen, so "up to ¥2,000" ends below 2000.01 and "above ¥50,000" starts
// at 50000.01.
const (
	SmallPurchaseLimit = 2000.01  // a temporary small purchase is up to ¥2,000
	LargePurchase      = 50000.01 // above ¥50,000 the finance head and the GM approve too
)

// Seed is the first version of the matrix: DOMAIN.md's defaults.
//
//   - Temporary small purchases up to ¥2,000: the department head.
//   - Regular monthly plans: the department head, then the GM.
//   - Important and project material: the project manager (the requesting
//     department's head until projects name their own managers), then the
//     project's first responsible person.
//   - Above ¥50,000 also the finance head and the GM (a temporary purchase
//     above ¥2,000 is approved as a regular one: department head, GM).
//   - Finance reviews every purchase (a finance staff member, before the
//     finance head and the GM).
//   - Secret procurement (涉密采购, level secret and above) adds a
//     confidentiality review by compliance (营管办) before finance.
//
// For each kind the secret rules come first, so that they take the
// secret requests and the rules for any level take the rest.
func Seed() Matrix {
	var (
		head    = Step{Role: zhidu.RoleDeptHead, Department: Requester}
		lead    = Step{ProjectLead: true}
		secrecy = Step{Role: zhidu.RoleCompliance, Department: string(zhidu.DeptBMO)}
		review  = Step{Role: zhidu.RoleStaff, Department: string(zhidu.DeptFin)}
		finHead = Step{Role: zhidu.RoleDeptHead, Department: string(zhidu.DeptFin)}
		gm      = Step{Role: zhidu.RoleGM, Department: string(zhidu.DeptGMO)}
	)
	small, large := SmallPurchaseLimit, LargePurchase
	type band struct {
		min       float64
		max       *float64
		approvers []Step // before the reviews
		after     []Step // after finance's review
	}
	kinds := []struct {
		kind  string
		bands []band
	}{
		{KindTemporary, []band{
			{0, &small, []Step{head}, nil},
			{small, &large, []Step{head}, []Step{gm}},
			{large, nil, []Step{head}, []Step{finHead, gm}},
		}},
		{KindRegular, []band{
			{0, &large, []Step{head}, []Step{gm}},
			{large, nil, []Step{head}, []Step{finHead, gm}},
		}},
		{KindImportant, []band{
			{0, &large, []Step{head, lead}, nil},
			{large, nil, []Step{head, lead}, []Step{finHead, gm}},
		}},
		{KindProject, []band{
			{0, &large, []Step{head, lead}, nil},
			{large, nil, []Step{head, lead}, []Step{finHead, gm}},
		}},
	}
	var m Matrix
	for _, k := range kinds {
		for _, secret := range []bool{true, false} {
			for _, b := range k.bands {
				r := Rule{Kind: k.kind, Department: Any, Level: Any, MinAmount: b.min, MaxAmount: b.max}
				r.Steps = append(r.Steps, b.approvers...)
				if secret {
					r.Level = zhidu.Secret.String()
					r.Steps = append(r.Steps, secrecy)
				}
				r.Steps = append(append(r.Steps, review), b.after...)
				m.Rules = append(m.Rules, r)
			}
		}
	}
	return m
}
