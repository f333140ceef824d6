package workflows

// The purchase's kind, workflow name and the names of what only it uses.
const (
	KindPurchase     = "purchase"
	WorkflowPurchase = "Purchase"

	// UpdateSupplierFacts tells a running purchase how a supplier now
	// stands (zhidu.SupplierFacts): the API sends it after a blacklisting,
	// a supply state change or a declared conflict of interest.
	UpdateSupplierFacts = "SupplierFacts"
)
