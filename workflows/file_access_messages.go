package workflows

import "github.com/zhidu/zhidu"

// The file-access request's own messages.
const (
	msgCannotAskAccess       = "file_access.cannot_ask"
	msgBadDuration           = "file_access.bad_duration"
	msgDurationRange         = "file_access.duration_range"
	msgBadTarget             = "file_access.bad_target"
	msgUnknownTarget         = "file_access.unknown_target"
	msgAlreadyReadable       = "file_access.already_readable"
	msgNotGranted            = "file_access.not_granted"
	msgGrantEnded            = "file_access.grant_ended"
	msgOnlyGranteeReturns    = "file_access.only_grantee_returns"
	msgOnlyLeadershipRevokes = "file_access.only_leadership_revokes"
	msgCannotEndGrant        = "file_access.cannot_end"
)

var _ = zhidu.DefineMessages(map[string]zhidu.Text{
	msgCannotAskAccess:       {En: "cannot ask for access", Zh: "无法提交查阅申请"},
	msgBadDuration:           {En: "must be a duration such as 72h", Zh: "须为期限，如 72h"},
	msgDurationRange:         {En: "must be above zero and at most {max}", Zh: "须大于零且不超过 {max}"},
	msgBadTarget:             {En: "must be department:D, customer:ID or process:ID", Zh: "须为 department:部门、customer:编号或 process:编号"},
	msgUnknownTarget:         {En: "no such target you may ask for", Zh: "没有可申请查阅的此对象"},
	msgAlreadyReadable:       {En: "you may read {target} already", Zh: "您已可以查阅 {target}"},
	msgNotGranted:            {En: "the request is not granted (yet)", Zh: "该申请尚未获得授权"},
	msgGrantEnded:            {En: "the grant has ended", Zh: "该授权已结束"},
	msgOnlyGranteeReturns:    {En: "only the grantee returns a grant", Zh: "只有被授权人可以交还授权"},
	msgOnlyLeadershipRevokes: {En: "only the GM or a deputy GM revokes a grant", Zh: "只有总经理或副总经理可以收回授权"},
	msgCannotEndGrant:        {En: "cannot end the grant", Zh: "无法结束该授权"},
})

// AlreadyReadable is the start's refusal of a target the requester reads
// already (a conflict), for the API's own checks.
func AlreadyReadable(target string) zhidu.Message {
	return zhidu.Say(msgAlreadyReadable, "target", target)
}

// GrantEnded: the grant was taken back already (a conflict).
func GrantEnded() zhidu.Message { return zhidu.Say(msgGrantEnded) }
