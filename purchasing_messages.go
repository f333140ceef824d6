package zhidu

// The messages of purchasing's master data (suppliers, conflicts of
// interest, projects), in English (what the API says) and Chinese.
const (
	msgSupplierExists        = "supplier.exists"
	msgProjectExists         = "project.exists"
	msgCannotAddSupplier     = "supplier.cannot_add"
	msgCannotChangeSupplier  = "supplier.cannot_change"
	msgCannotDeclareConflict = "conflict.cannot_declare"
	msgCannotAddProject      = "project.cannot_add"
	msgNothingToChange       = "supplier.nothing_to_change"
	msgWithBlacklisted       = "supplier.with_blacklisted"
	msgProjectID             = "project.id"
	msgPurchasingReadDenied  = "purchasing.read_denied"
	msgSupplierAddDenied     = "supplier.add_denied"
	msgSupplierQualifyDenied = "supplier.qualify_denied"
	msgSupplierBlacklistDeny = "supplier.blacklist_denied"
	msgSupplierChangeDenied  = "supplier.change_denied"
	msgSupplierDocsDenied    = "supplier.documents_denied"
	msgConflictOtherDenied   = "conflict.other_denied"
	msgProjectAddDenied      = "project.add_denied"
)

var _ = DefineMessages(map[string]Text{
	msgSupplierExists:        {En: "a supplier named {name} exists already", Zh: "已有名为「{name}」的供应商"},
	msgProjectExists:         {En: "project {id} exists already", Zh: "项目 {id} 已存在"},
	msgCannotAddSupplier:     {En: "cannot add the supplier", Zh: "无法添加供应商"},
	msgCannotChangeSupplier:  {En: "cannot change the supplier", Zh: "无法修改供应商"},
	msgCannotDeclareConflict: {En: "cannot record the conflict of interest", Zh: "无法登记利害关系"},
	msgCannotAddProject:      {En: "cannot add the project", Zh: "无法添加项目"},
	msgNothingToChange:       {En: "nothing to change: give at least one of {fields}", Zh: "没有要修改的内容：请至少提供 {fields} 之一"},
	msgWithBlacklisted:       {En: "goes only with blacklisted", Zh: "只能与 blacklisted 一同提供"},
	msgProjectID: {En: "must be 1 to 40 of a-z, 0-9, '.', '_', '-', starting with a letter or digit",
		Zh: "须为 1 至 40 个 a-z、0-9、「.」「_」「-」，以字母或数字开头"},
	msgPurchasingReadDenied: {En: "only holders of a business role read suppliers and projects",
		Zh: "只有业务角色可以查看供应商和项目"},
	msgSupplierAddDenied: {En: "only the purchasing department adds suppliers", Zh: "只有采购部可以添加供应商"},
	msgSupplierQualifyDenied: {En: "only the purchasing head qualifies a supplier or approves its supply",
		Zh: "只有采购部经理可以认定合格供应商或批准其供货"},
	msgSupplierBlacklistDeny: {En: "only the purchasing head or compliance puts a supplier on the blacklist or takes it off",
		Zh: "只有采购部经理或营管办可以将供应商列入或移出黑名单"},
	msgSupplierChangeDenied: {En: "only the purchasing department and compliance change suppliers",
		Zh: "只有采购部和营管办可以修改供应商"},
	msgSupplierDocsDenied: {En: "only the purchasing department changes a supplier's documents",
		Zh: "只有采购部可以修改供应商的质量文件"},
	msgConflictOtherDenied: {En: "only compliance records a conflict of interest for someone else",
		Zh: "只有营管办可以为他人登记利害关系"},
	msgProjectAddDenied: {En: "only the GM or a deputy GM adds projects", Zh: "只有总经理或副总经理可以添加项目"},
})

// SupplierExists says a supplier's name is taken.
func SupplierExists(name string) Message { return msg(msgSupplierExists, "name", name) }

// ProjectExists says a project ID is taken.
func ProjectExists(id string) Message { return msg(msgProjectExists, "id", id) }

// CannotAddSupplier says a new supplier was refused.
func CannotAddSupplier() Message { return msg(msgCannotAddSupplier) }

// CannotChangeSupplier says a change to a supplier was refused.
func CannotChangeSupplier() Message { return msg(msgCannotChangeSupplier) }

// CannotDeclareConflict says a declaration of a conflict of interest was
// refused.
func CannotDeclareConflict() Message { return msg(msgCannotDeclareConflict) }

// CannotAddProject says a new project was refused.
func CannotAddProject() Message { return msg(msgCannotAddProject) }

// NothingToChange says a change named none of the fields it may change.
func NothingToChange(fields []string) Message { return msg(msgNothingToChange, "fields", fields) }

// WithBlacklisted says a field is given only together with blacklisted.
func WithBlacklisted() Message { return msg(msgWithBlacklisted) }

// NotAProjectID says what a project ID looks like.
func NotAProjectID() Message { return msg(msgProjectID) }

// PurchasingReadDenied says who reads purchasing's master data.
func PurchasingReadDenied() Message { return msg(msgPurchasingReadDenied) }

// SupplierAddDenied says who adds suppliers.
func SupplierAddDenied() Message { return msg(msgSupplierAddDenied) }

// SupplierQualifyDenied says who qualifies suppliers and approves their
// supply.
func SupplierQualifyDenied() Message { return msg(msgSupplierQualifyDenied) }

// SupplierBlacklistDenied says who blacklists suppliers.
func SupplierBlacklistDenied() Message { return msg(msgSupplierBlacklistDeny) }

// SupplierChangeDenied says who changes suppliers.
func SupplierChangeDenied() Message { return msg(msgSupplierChangeDenied) }

// SupplierDocumentsDenied says who changes a supplier's documents.
func SupplierDocumentsDenied() Message { return msg(msgSupplierDocsDenied) }

// ConflictOtherDenied says who records another person's conflict of
// interest.
func ConflictOtherDenied() Message { return msg(msgConflictOtherDenied) }

// ProjectAddDenied says who adds projects.
func ProjectAddDenied() Message { return msg(msgProjectAddDenied) }
