package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// The compliance pages ask the API's compliance routes; the API decides
// who may (compliance, the GM, deputy GMs) and audits refusals.

type complianceForm struct {
	Values  map[string]string
	Errors  map[string]string
	Actions []string
	Asked   bool
}

func newComplianceForm(c *rc, names ...string) complianceForm {
	f := complianceForm{Values: map[string]string{}, Errors: map[string]string{}, Actions: zhidu.Actions()}
	for _, n := range names {
		if v := c.r.URL.Query().Get(n); v != "" {
			f.Values[n], f.Asked = v, true
		}
	}
	return f
}

// ask calls a compliance route; on 400 it keeps the field errors for the
// form, on 403 and the rest it renders the error page. ok is false when
// there is nothing to show.
func (c *rc) ask(f *complianceForm, p *page, path string, q url.Values, v any) (status int, ok bool) {
	res := c.get(path, q, v)
	switch {
	case res.ok():
		return http.StatusOK, true
	case res.Status == http.StatusBadRequest || res.Status == http.StatusNotFound:
		for k, m := range res.fields() {
			f.Errors[k] = translateMessage(c.lang, m)
		}
		p.Error = c.errMessage(res)
		if res.Status == http.StatusNotFound {
			p.Error = c.T("compliance.no_object")
		}
		return res.Status, false
	default:
		c.apiFail(res)
		return res.Status, false
	}
}

type explainView struct {
	Form   complianceForm
	Result *explainResult
}

type explainResult struct {
	User       string      `json:"user"`
	Action     string      `json:"action"`
	Object     string      `json:"object"`
	Level      zhidu.Level `json:"level"`
	Department string      `json:"department"`
	Allowed    bool        `json:"allowed"`
	// ReasonCodes are the reasons as codes, said in the page's language.
	ReasonCodes []zhidu.Message `json:"reason_codes"`
}

// explain answers whether a user may take an action on an object, and why.
func (s *server) explain(c *rc) {
	p := pageFor(c, "compliance", c.T("explain.title"))
	v := explainView{Form: newComplianceForm(c, "user", "action", "object")}
	status := http.StatusOK
	if v.Form.Asked {
		var r explainResult
		q := url.Values{"user": {v.Form.Values["user"]}, "action": {v.Form.Values["action"]}, "object": {v.Form.Values["object"]}}
		var ok bool
		if status, ok = c.ask(&v.Form, &p, "/api/v1/authz/explain", q, &r); ok {
			v.Result = &r
		} else if status != http.StatusBadRequest && status != http.StatusNotFound {
			return
		}
	} else if !c.allowedCompliance() {
		return
	}
	p.Data = v
	c.render(status, "explain", p)
}

// allowedCompliance asks the API once whether the user may use the
// compliance pages at all, so a page with an empty form is refused like a
// question would be.
func (c *rc) allowedCompliance() bool {
	res := c.get("/api/v1/audit", url.Values{"limit": {"1"}}, nil)
	if !res.ok() {
		c.apiFail(res)
		return false
	}
	return true
}

type whoCanView struct {
	Form   complianceForm
	Result *whoCanResult
}

type whoCanResult struct {
	Action     string      `json:"action"`
	Object     string      `json:"object"`
	Level      zhidu.Level `json:"level"`
	Department string      `json:"department"`
	Users      []struct {
		Username    string          `json:"username"`
		ReasonCodes []zhidu.Message `json:"reason_codes"`
	} `json:"users"`
}

// whoCan lists who may take an action (default: read) on an object.
func (s *server) whoCan(c *rc) {
	p := pageFor(c, "compliance", c.T("whocan.title"))
	v := whoCanView{Form: newComplianceForm(c, "action", "object")}
	status := http.StatusOK
	if v.Form.Values["object"] != "" {
		action := v.Form.Values["action"]
		if action == "" {
			action = zhidu.ActRead
			v.Form.Values["action"] = action
		}
		var r whoCanResult
		var ok bool
		if status, ok = c.ask(&v.Form, &p, "/api/v1/authz/who-can", url.Values{"action": {action}, "object": {v.Form.Values["object"]}}, &r); ok {
			v.Result = &r
		} else if status != http.StatusBadRequest && status != http.StatusNotFound {
			return
		}
	} else if !c.allowedCompliance() {
		return
	}
	p.Data = v
	c.render(status, "who_can", p)
}

type auditView struct {
	Form    complianceForm
	Items   []store.AuditEntry
	NextURL string
}

// audit shows the audit trail with the API's filters, oldest first, a
// page at a time.
func (s *server) audit(c *rc) {
	p := pageFor(c, "compliance", c.T("audit.title"))
	v := auditView{Form: newComplianceForm(c, "user", "object", "action", "decision", "since", "until")}
	q := url.Values{"limit": {"100"}}
	for k, val := range v.Form.Values {
		q.Set(k, val)
	}
	for _, k := range []string{"since", "until"} {
		if d, err := time.ParseInLocation(time.DateOnly, v.Form.Values[k], c.cfg.Location); err == nil {
			if k == "until" {
				d = d.AddDate(0, 0, 1)
			}
			q.Set(k, d.Format(time.RFC3339))
		}
	}
	if after := c.r.URL.Query().Get("after"); after != "" {
		q.Set("after", after)
	}
	var r struct {
		Items     []store.AuditEntry `json:"items"`
		NextAfter int64              `json:"next_after"`
	}
	status, ok := c.ask(&v.Form, &p, "/api/v1/audit", q, &r)
	if !ok && status != http.StatusBadRequest {
		return
	}
	v.Items = r.Items
	if r.NextAfter > 0 {
		next := url.Values{"after": {strconv.FormatInt(r.NextAfter, 10)}}
		for k, val := range v.Form.Values {
			next.Set(k, val)
		}
		v.NextURL = "/compliance/audit?" + next.Encode()
	}
	p.Data = v
	c.render(status, "audit", p)
}

// verify shows whether the audit trail's hash chain is intact.
func (s *server) verify(c *rc) {
	p := pageFor(c, "compliance", c.T("verify.title"))
	var r store.AuditVerification
	if res := c.get("/api/v1/audit/verify", nil, &r); !res.ok() {
		c.apiFail(res)
		return
	}
	if r.ProblemCode != nil {
		r.Problem = translateMessage(c.lang, *r.ProblemCode)
	} else if r.Problem != "" {
		r.Problem = translateMessage(c.lang, zhidu.Plain(r.Problem))
	}
	p.Data = r
	c.render(http.StatusOK, "verify", p)
}
