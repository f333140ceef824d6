package web

import (
	"net/http"
	"net/url"
	"path"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// The read grants page (查阅授权, /grants): the user's own grants from GET
// /api/v1/grants — everyone's for compliance and the GM's office, as the
// API answers —, a return button on the user's open grants and, for the
// GM and deputy GMs, a revocation with its reason on every open one. The
// API and the grant's workflow decide; the page only offers what works.

const grantsPath = "/grants"

type grantRow struct {
	store.GrantRow
	Process   string // the granting request's page
	Ended     string // how it ended, labelled
	CanReturn bool
	CanRevoke bool
}

type grantsView struct {
	Rows []grantRow
}

func (s *server) grantsPage(c *rc) {
	var list struct {
		Items []store.GrantRow `json:"items"`
	}
	if res := c.get("/api/v1/grants", nil, &list); !res.ok() {
		c.apiFail(res)
		return
	}
	lead := c.me.actor().IsLeadership()
	v := grantsView{}
	for _, g := range list.Items {
		r := grantRow{GrantRow: g, Process: "/processes/" + url.PathEscape(g.ID)}
		if g.Ending != "" {
			r.Ended = label(c.lang, "grant", g.Ending)
		}
		r.CanReturn = g.Active && g.Grantee == c.me.Username
		r.CanRevoke = g.Active && lead
		v.Rows = append(v.Rows, r)
	}
	pg := pageFor(c, "grants", c.T("grants.title"))
	pg.Data = v
	c.render(http.StatusOK, "grants", pg)
}

// grantAction returns or revokes a grant through the API, then shows the
// page again.
func (s *server) grantAction(c *rc) {
	action := path.Base(c.r.URL.Path) // the route's last segment: return or revoke
	body := map[string]any{"reason": c.r.PostFormValue("reason")}
	res := c.post("/api/v1/grants/"+url.PathEscape(c.r.PathValue("id"))+"/"+action, body, nil)
	if !res.ok() {
		c.apiFail(res)
		return
	}
	http.Redirect(c.w, c.r, grantsPath+"?ok=grant_"+action, http.StatusSeeOther)
}

// grantPageLabels are the grants page's labels, Chinese and English side
// by side; init (i18n.go) adds them to the catalogue.
var grantPageLabels = map[string]zhidu.Text{
	"nav.grants":           {Zh: "查阅授权", En: "Grants"},
	"grants.title":         {Zh: "查阅授权", En: "Read grants"},
	"grants.lead":          {Zh: "经总经理批准的限时查阅授权：到期自动收回，也可提前交还。", En: "Time-boxed read grants the GM approved: taken back when they expire, or returned early."},
	"grants.none":          {Zh: "没有查阅授权。", En: "No read grants."},
	"grants.grantee":       {Zh: "被授权人", En: "Grantee"},
	"grants.target":        {Zh: "查阅对象", En: "Target"},
	"grants.granted_at":    {Zh: "授权时间", En: "Granted"},
	"grants.expires_at":    {Zh: "到期时间", En: "Expires"},
	"grants.approved_by":   {Zh: "批准人", En: "Approved by"},
	"grants.state":         {Zh: "状态", En: "State"},
	"grants.active":        {Zh: "有效", En: "Open"},
	"grants.return":        {Zh: "提前交还", En: "Return"},
	"grants.revoke":        {Zh: "收回", En: "Revoke"},
	"grants.revoke_reason": {Zh: "收回理由", En: "Why"},
	"grant.expired":        {Zh: "已到期", En: "Expired"},
	"grant.returned":       {Zh: "已交还", En: "Returned"},
	"grant.revoked":        {Zh: "已收回", En: "Revoked"},
	"grant.cancelled":      {Zh: "已撤销", En: "Cancelled"},
	"flash.grant_return":   {Zh: "授权已交还。", En: "The grant is returned."},
	"flash.grant_revoke":   {Zh: "授权已收回。", En: "The grant is revoked."},
}
