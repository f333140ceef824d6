package zhidu

import "time"

// Grant targets: what a file-access request (查阅审批) may open.
const (
	GrantDepartment = "department" // department:D — that department's customer files
	GrantCustomer   = "customer"   // customer:ID — one customer file
	GrantProcess    = "process"    // process:ID — one process and its tasks
)

// Grant is a time-boxed permission to read a target, written when a
// file-access request is approved (access_grants) and taken back by the
// request's workflow when it expires. A read rule honours it only while
// it is unrevoked (revoked grants are never loaded) and before its stored
// expiry, whatever the workflow has done by then.
type Grant struct {
	ID         string    `json:"id"` // the file-access process that granted it
	Grantee    string    `json:"grantee"`
	Target     string    `json:"target"`
	GrantedAt  time.Time `json:"granted_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	ApprovedBy string    `json:"approved_by"`
}

// Opens reports whether the grant lets user read at t.
func (g Grant) Opens(user string, t time.Time) bool {
	return g.Grantee == user && t.Before(g.ExpiresAt) && !t.Before(g.GrantedAt)
}
