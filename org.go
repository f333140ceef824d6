package zhidu

import "slices"

// Role is a business or system role held within a department.
type Role string

// The roles of DOMAIN.md.
const (
	RoleStaff      Role = "staff"
	RoleSupervisor Role = "supervisor" // 主管/主任
	RoleDeptHead   Role = "dept_head"  // 部门经理
	RoleVP         Role = "vp"         // 分管副总经理, held in each department in charge
	RoleDeputyGM   Role = "deputy_gm"  // 副总经理
	RoleGM         Role = "gm"         // 总经理
	RoleCompliance Role = "compliance" // 营管办: audits the business

	// The three administrators (三员分立), who check one another and read
	// no business data. Their authority is the role itself (api/admin.go),
	// never a policy line.
	RoleSysAdmin Role = "sysadmin" // 系统管理员: accounts, tokens, passwords
	RoleSecAdmin Role = "secadmin" // 安全保密管理员: clearances, roles, policy
	RoleSecAudit Role = "secaudit" // 安全审计员: reads what the administrators did
)

// Roles lists every role.
func Roles() []Role {
	return []Role{RoleStaff, RoleSupervisor, RoleDeptHead, RoleVP, RoleDeputyGM, RoleGM, RoleCompliance,
		RoleSysAdmin, RoleSecAdmin, RoleSecAudit}
}

// AdminRoles lists the administrator roles.
func AdminRoles() []Role { return []Role{RoleSysAdmin, RoleSecAdmin, RoleSecAudit} }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Administrative reports whether r is one of the three administrator roles.
func (r Role) Administrative() bool { return slices.Contains(AdminRoles(), r) }

// Department is a department code (a Casbin domain).
type Department string

// The departments of DOMAIN.md.
const (
	DeptCS      Department = "cs"
	DeptSales   Department = "sales"
	DeptMkt     Department = "mkt"
	DeptQuality Department = "quality"
	DeptRnD     Department = "rnd"
	DeptWH      Department = "wh"
	DeptFin     Department = "fin"
	DeptPur     Department = "pur"
	DeptHR      Department = "hr"
	DeptBMO     Department = "bmo"
	DeptGMO     Department = "gmo"
)

// Departments lists every department.
func Departments() []Department {
	return []Department{DeptCS, DeptSales, DeptMkt, DeptQuality, DeptRnD, DeptWH, DeptFin, DeptPur, DeptHR, DeptBMO, DeptGMO}
}

// Valid reports whether d is a known department.
func (d Department) Valid() bool { return slices.Contains(Departments(), d) }

// RoleGrant is one role held within one department.
type RoleGrant struct {
	Role       Role       `json:"role"`
	Department Department `json:"department"`
}

// Actor is a person acting on the system, with the facts the workflows
// need to enforce their own rules (candidates, separation of duties).
type Actor struct {
	Username   string      `json:"username"`
	Name       string      `json:"name,omitempty"`
	Department Department  `json:"department"`
	Roles      []RoleGrant `json:"roles"`
	Clearance  Level       `json:"clearance"`
	// Address is where the request came from, for the audit trail.
	Address string `json:"address,omitempty"`
	// Substituting are the out-of-office windows in which this user is
	// the substitute (see Substitution); the absent users' own windows
	// are never included (substitution does not cascade).
	Substituting []Substitution `json:"substituting,omitempty"`
}

// Has reports whether the actor holds role in dept.
func (a Actor) Has(role Role, dept Department) bool {
	return slices.Contains(a.Roles, RoleGrant{Role: role, Department: dept})
}

// HasRole reports whether the actor holds role in any department.
func (a Actor) HasRole(role Role) bool {
	return slices.ContainsFunc(a.Roles, func(g RoleGrant) bool { return g.Role == role })
}

// IsAdministrator reports whether the actor holds an administrator role.
func (a Actor) IsAdministrator() bool {
	return slices.ContainsFunc(a.Roles, func(g RoleGrant) bool { return g.Role.Administrative() })
}

// IsLeadership reports whether the actor is the GM or a deputy GM, who may
// know everything.
func (a Actor) IsLeadership() bool { return a.HasRole(RoleGM) || a.HasRole(RoleDeputyGM) }
