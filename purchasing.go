package zhidu

import "time"

// Purchasing's master data (process 3 of DOMAIN.md): the suppliers a buyer
// may quote, the conflicts of interest people declared with them (回避),
// and the projects whose first responsible person approves important and
// project material. The store keeps them (migration 019); the purchase
// workflow reads them through activities and is told of changes by the
// SupplierFacts update.

// Supply states of a supplier (Supplier.SupplyState).
const (
	// SupplyNew: the supplier has not supplied yet; as the supplier of
	// important material it first passes Quality's sample test and trial
	// batch (首次供货).
	SupplyNew = "new"
	// SupplyApproved: it passed them (or supplied before zhidu).
	SupplyApproved = "approved"
)

// Supplier is one supplier on the company's list.
type Supplier struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Qualified bool   `json:"qualified"` // 合格供应商: may be quoted for important material
	// SupplyState is SupplyNew or SupplyApproved.
	SupplyState string `json:"supply_state"`
	// Documents name the quality documents on file (licences, test
	// reports).
	Documents []string `json:"documents"`
	// Blacklisted suppliers cannot be quoted.
	Blacklisted     bool   `json:"blacklisted"`
	BlacklistReason string `json:"blacklist_reason,omitempty"`
	// Conflicts are the conflicts of interest declared with it.
	Conflicts []Conflict `json:"conflicts"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Recused returns the users who declared a conflict with the supplier.
func (s Supplier) Recused() []string {
	out := make([]string, 0, len(s.Conflicts))
	for _, c := range s.Conflicts {
		out = append(out, c.User)
	}
	return out
}

// Conflict is one declared conflict of interest (利害关系): User has an
// interest in Supplier, and so recuses from the evaluation and approval
// steps of every request that quotes it.
type Conflict struct {
	User       string    `json:"user"`
	Supplier   string    `json:"supplier"`
	Reason     string    `json:"reason"`
	DeclaredBy string    `json:"declared_by"`
	DeclaredAt time.Time `json:"declared_at"`
}

// Project is a project whose material is bought as important or project
// material: its manager and its first responsible person (项目第一责任人),
// who approve such a request where the approval matrix names them.
type Project struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Department Department `json:"department"`
	Manager    string     `json:"manager"`
	Lead       string     `json:"lead"` // the first responsible person
}

// SupplierFacts is the argument of the purchase workflow's SupplierFacts
// update: a supplier as it now stands (blacklist, supply state, declared
// conflicts), sent by the API to every running purchase after a change.
type SupplierFacts struct {
	Supplier Supplier `json:"supplier"`
}
