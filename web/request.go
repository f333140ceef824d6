package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/store"
)

// rc is one web request: the response, the language, and, once signed in,
// the session and who the user is according to the API.
type rc struct {
	*server
	w    http.ResponseWriter
	r    *http.Request
	lang string
	sess *store.Session
	me   *me
}

// me is GET /api/v1/me.
type me struct {
	Username   string            `json:"username"`
	Name       string            `json:"name"`
	NameEn     string            `json:"name_en"`
	Department string            `json:"department"`
	Clearance  zhidu.Level       `json:"clearance"`
	Roles      []zhidu.RoleGrant `json:"roles"`
}

// compliance reports whether the compliance pages are for this user; the
// API decides regardless.
func (m *me) compliance() bool {
	for _, g := range m.Roles {
		// The security auditor reads the administrators' part of the audit
		// trail there (and nothing else).
		if g.Role == zhidu.RoleCompliance || g.Role == zhidu.RoleGM || g.Role == zhidu.RoleDeputyGM || g.Role == zhidu.RoleSecAudit {
			return true
		}
	}
	return false
}

// maxFormBytes bounds a posted form, like the API bounds its bodies.
const maxFormBytes = 1 << 20

// public wraps a handler that needs no session.
func (s *server) public(h func(*rc)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header())
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		h(&rc{server: s, w: w, r: r, lang: language(r)})
	}
}

// authed wraps a handler that needs a signed-in user: without a session
// it sends the browser to the sign-in page; every POST must carry the
// session's CSRF token, or it is refused with 403 and changes nothing.
func (s *server) authed(h func(*rc)) http.HandlerFunc {
	return s.public(func(c *rc) {
		se, ok := c.session()
		if !ok {
			if c.r.Method == http.MethodGet {
				http.Redirect(c.w, c.r, "/signin?next="+url.QueryEscape(c.r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.fail(http.StatusForbidden, c.T("error.session_expired"))
			return
		}
		c.sess = &se
		if c.r.Method == http.MethodPost && !tokensEqual(c.r.PostFormValue(csrfField), se.CSRF) {
			c.fail(http.StatusForbidden, c.T("error.csrf"))
			return
		}
		var m me
		res := c.get("/api/v1/me", nil, &m)
		if res.Status == http.StatusUnauthorized {
			// The account was disabled or removed since signing in.
			_ = s.st.DeleteSession(c.r.Context(), se.ID)
			clearCookie(c.w, c.r, sessionCookie)
			http.Redirect(c.w, c.r, "/signin", http.StatusSeeOther)
			return
		}
		if res.Status != http.StatusOK {
			c.apiFail(res)
			return
		}
		c.me = &m
		h(c)
	})
}

// apiResult is the API's answer to an in-process request.
type apiResult struct {
	Status int
	Header http.Header
	Body   []byte
	Err    *zhidu.Error // the error body of a 4xx/5xx answer
}

func (a apiResult) ok() bool { return a.Status >= 200 && a.Status < 300 }

// fields returns the API's field errors as codes (nil when there are none).
func (a apiResult) fields() map[string]zhidu.Message {
	if a.Err == nil {
		return nil
	}
	return a.Err.FieldMessages()
}

// recorder collects the API handler's response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

// call sends a request to the API on behalf of the signed-in user and
// returns its answer. The client's address travels along, so audit
// entries record where the request really came from.
func (c *rc) call(method, path string, query url.Values, body any, headers ...string) apiResult {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			logErr(c.r, "encode API request", err)
			return apiResult{Status: http.StatusInternalServerError}
		}
		rd = bytes.NewReader(b)
	}
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	ctx := c.r.Context()
	if c.sess != nil {
		ctx = api.AsUser(ctx, c.sess.Username)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		logErr(c.r, "build API request", err)
		return apiResult{Status: http.StatusInternalServerError}
	}
	req.RemoteAddr = c.r.RemoteAddr
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip"} {
		if v := c.r.Header.Values(h); len(v) > 0 {
			req.Header[h] = v
		}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := &recorder{header: http.Header{}}
	c.api.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	res := apiResult{Status: rec.status, Header: rec.header, Body: rec.body.Bytes()}
	if !res.ok() {
		var e struct {
			Error *zhidu.Error `json:"error"`
		}
		if json.Unmarshal(res.Body, &e) == nil && e.Error != nil {
			res.Err = e.Error
		} else {
			res.Err = zhidu.Errorf(zhidu.CodeInternal, "%s", strings.TrimSpace(string(res.Body)))
		}
	}
	return res
}

// get calls a GET route and decodes a successful answer into v.
func (c *rc) get(path string, query url.Values, v any) apiResult {
	res := c.call(http.MethodGet, path, query, nil)
	if res.ok() && v != nil {
		if err := json.Unmarshal(res.Body, v); err != nil {
			logErr(c.r, "decode API answer", err)
			return apiResult{Status: http.StatusInternalServerError, Err: zhidu.Errorf(zhidu.CodeInternal, "internal error")}
		}
	}
	return res
}

// post calls a POST route with a JSON body and decodes a successful answer
// into v.
func (c *rc) post(path string, body, v any, headers ...string) apiResult {
	res := c.call(http.MethodPost, path, nil, body, headers...)
	if res.ok() && v != nil {
		if err := json.Unmarshal(res.Body, v); err != nil {
			logErr(c.r, "decode API answer", err)
			return apiResult{Status: http.StatusInternalServerError, Err: zhidu.Errorf(zhidu.CodeInternal, "internal error")}
		}
	}
	return res
}

// localPath returns next when it is a path on this site, else "/": a
// sign-in or language link must never send the browser elsewhere.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}
