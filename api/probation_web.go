package api

import "github.com/zhidu/zhidu"

// MayActForEmployee reports whether the actor may record a sale of an
// employee of dept on probation and ask a change of their mentor, besides
// the employee themselves: HR and the head of the employee's department
// (the web's probation page asks, to offer the forms; the routes decide
// by the same rule).
func MayActForEmployee(u zhidu.Actor, dept zhidu.Department) bool {
	return inHR(u) || u.Has(zhidu.RoleDeptHead, dept)
}
