package zhidu

import "time"

// GrantRecord is an approved file-access request's grant as its workflow
// writes it (access_grants, with its timeline and audit entries): the
// grant, why it was asked and the process's level.
type GrantRecord struct {
	Grant
	Reason string `json:"reason"`
}

// How a grant ended (GrantRevocation.Ending).
const (
	GrantExpired   = "expired"   // its expiry passed: the workflow's timer
	GrantReturned  = "returned"  // the grantee gave it back early
	GrantRevoked   = "revoked"   // the GM line took it back
	GrantCancelled = "cancelled" // its process was cancelled
)

// GrantRevocation takes a grant back: who (or "system" for an expiry),
// how it ended, why, and when.
type GrantRevocation struct {
	ID     string    `json:"id"` // the grant's (its file-access process's) ID
	By     string    `json:"by"`
	Ending string    `json:"ending"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// GrantEndRequest is the grantee's return (ReturnGrant) or the GM line's
// revocation (RevokeGrant) of a grant, sent to its workflow.
type GrantEndRequest struct {
	Actor  Actor  `json:"actor"`
	Reason string `json:"reason,omitempty"`
}

// GrantEndResult is the grant's state after a return or revocation.
type GrantEndResult struct {
	ID        string    `json:"id"`
	Ending    string    `json:"ending"`
	RevokedAt time.Time `json:"revoked_at"`
}

// The messages of grants (查阅审批) outside their workflow: the read
// rule's reason and the routes' refusals.
const (
	msgReasonGranted   = "decide.granted"
	msgNoGrant         = "grant.none"
	msgGrantListDenied = "grant.list_denied"
)

var _ = DefineMessages(map[string]Text{
	msgReasonGranted:   {En: "read grant {grant} approved by {approved_by}, expires {expires_at}", Zh: "查阅授权 {grant}（{approved_by} 批准，{expires_at} 到期）"},
	msgNoGrant:         {En: "no grant {grant}", Zh: "没有授权 {grant}"},
	msgGrantListDenied: {En: "only compliance and the GM's office list other people's grants", Zh: "只有营管办和总经理办公室可以查看他人的授权"},
})

// ReasonGranted: an open read grant admits the reader (rule 5).
func ReasonGranted(g Grant) Message {
	return msg(msgReasonGranted, "grant", g.ID, "approved_by", g.ApprovedBy, "expires_at", g.ExpiresAt.UTC().Format(time.RFC3339))
}

// NoGrant: no such grant, or one the caller may not see (the same answer).
func NoGrant(id string) Message { return msg(msgNoGrant, "grant", id) }

// GrantListDenied says who lists other people's grants.
func GrantListDenied() Message { return msg(msgGrantListDenied) }

// Copy modes (CopyRecord.Mode).
const (
	CopyWhole   = "copy"    // 复制
	CopyExcerpt = "excerpt" // 摘抄
)

// CopyRecord registers an approved top-secret copy or excerpt: the copy
// is its secret-copy process (ID), at its source's level; Readers are
// designated for it by the approver.
type CopyRecord struct {
	ID         string    `json:"id"`
	Source     string    `json:"source"`
	Mode       string    `json:"mode"`
	Level      Level     `json:"level"`
	Reason     string    `json:"reason"`
	MadeBy     string    `json:"made_by"`
	ApprovedBy string    `json:"approved_by"`
	Readers    []string  `json:"readers"`
	At         time.Time `json:"at"`
}
