package web

import (
	"net/http"
	"net/url"

	"github.com/zhidu/zhidu/store"
)

// Credential resets waiting for the signed-in user: their own (to confirm
// or reject) and, for the GM, other accounts' (to approve or reject). The
// inbox lists them; the new credential is shown once, on its own page.

// pendingResets asks the API for the pending requests the user may decide.
func (c *rc) pendingResets() []store.CredentialReset {
	var r struct {
		Items []store.CredentialReset `json:"items"`
	}
	if res := c.get("/api/v1/me/credential-resets", nil, &r); !res.ok() {
		return nil
	}
	var out []store.CredentialReset
	for _, it := range r.Items {
		if it.State == store.ResetPending {
			out = append(out, it)
		}
	}
	return out
}

// credentialView is the page that shows a new credential once.
type credentialView struct {
	User   string
	Kind   string
	Secret string
}

// resetAction confirms (or, for the GM, approves) or rejects a pending
// reset.
func (s *server) resetAction(c *rc) {
	id := c.r.PathValue("id")
	apiPath := "/api/v1/me/credential-resets/" + url.PathEscape(id)
	var out struct {
		Reset    store.CredentialReset `json:"reset"`
		Token    string                `json:"token"`
		Password string                `json:"password"`
	}
	var res apiResult
	switch action := c.r.PathValue("action"); action {
	case "confirm":
		body := map[string]any{}
		if pw := c.r.PostFormValue("password"); pw != "" {
			body["password"] = pw
		}
		res = c.post(apiPath+"/confirm", body, &out)
	case "reject":
		res = c.post(apiPath+"/reject", nil, &out)
	default:
		c.notFound()
		return
	}
	if !res.ok() {
		c.apiFail(res)
		return
	}
	secret := out.Token
	if secret == "" {
		secret = out.Password
	}
	if secret == "" {
		http.Redirect(c.w, c.r, "/?ok=reset_"+out.Reset.State, http.StatusSeeOther)
		return
	}
	c.w.Header().Set("Cache-Control", "no-store")
	c.render(http.StatusOK, "credential", page{Title: c.T("reset.new_title"),
		Data: credentialView{User: out.Reset.Username, Kind: out.Reset.Kind, Secret: secret}})
}
