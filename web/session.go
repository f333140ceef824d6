package web

import (
	"crypto/subtle"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/demo"
	"github.com/zhidu/zhidu/store"
)

const (
	sessionCookie = "zhidu_session"
	// signinCookie carries the pre-session CSRF token of the sign-in
	// forms (double submit: the form field must equal the cookie).
	signinCookie = "zhidu_signin"
	langCookie   = "lang"
	csrfField    = "csrf"
)

// tokensEqual compares a submitted token with the expected one in
// constant time; an empty token never matches.
func tokensEqual(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// isTLS reports whether the browser reached zhidu over TLS, directly or
// through a proxy that terminates it.
func isTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// setCookie sets an HttpOnly, SameSite=Strict cookie on path /, Secure
// when the request came over TLS.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: isTLS(r), SameSite: http.SameSiteStrictMode})
}

func clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: isTLS(r), SameSite: http.SameSiteStrictMode})
}

// session returns the request's unexpired session.
func (c *rc) session() (store.Session, bool) {
	ck, err := c.r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return store.Session{}, false
	}
	se, err := c.st.Session(c.r.Context(), ck.Value, c.now())
	if err != nil {
		if zhidu.ErrorCode(err) != zhidu.CodeNotFound {
			logErr(c.r, "load session", err)
		}
		return store.Session{}, false
	}
	return se, true
}

// signinView is the sign-in page.
type signinView struct {
	Next     string
	Username string
	Error    string
	Demo     []demoUser
}

type demoUser struct {
	Username   string
	Name       string
	Department zhidu.Department
	Roles      []zhidu.RoleGrant
	Clearance  zhidu.Level
}

// signinToken returns the pre-session CSRF token, setting its cookie when
// the browser has none yet.
func (c *rc) signinToken() string {
	if ck, err := c.r.Cookie(signinCookie); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 100 {
		return ck.Value
	}
	t := store.RandomToken()
	setCookie(c.w, c.r, signinCookie, t, time.Hour)
	return t
}

func (s *server) signinPage(c *rc) {
	if _, ok := c.session(); ok {
		http.Redirect(c.w, c.r, localPath(c.r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	c.renderSignin(http.StatusOK, signinView{Next: localPath(c.r.URL.Query().Get("next"))})
}

func (c *rc) renderSignin(status int, v signinView) {
	if c.cfg.DemoSignIn {
		for _, u := range demo.Users() {
			v.Demo = append(v.Demo, demoUser{Username: u.Username, Name: u.Name, Department: u.Department, Roles: u.Roles, Clearance: u.Clearance})
			if c.lang == "en" {
				v.Demo[len(v.Demo)-1].Name = u.NameEn
			}
		}
	}
	c.render(status, "signin", page{Title: c.T("signin.title"), CSRF: c.signinToken(), Data: v})
}

// signin signs in with a username and password, or with a bearer token.
// Attempts are limited per address and per username (429 with
// Retry-After), and enough failed passwords in a row lock the account
// (SigninFailed; recorded in the audit trail) until the lock expires or an
// administrator lifts it; a locked account's password is not even checked.
func (s *server) signin(c *rc) {
	next := localPath(c.r.PostFormValue("next"))
	if !c.signinCSRF() {
		return
	}
	username := strings.TrimSpace(c.r.PostFormValue("username"))
	token := strings.TrimSpace(c.r.PostFormValue("token"))
	if !zhidu.CheckText(username, false).IsZero() || !zhidu.CheckText(token, false).IsZero() {
		// No account is named so (NUL once reached PostgreSQL as a 500).
		c.renderSignin(http.StatusBadRequest, signinView{Next: next, Error: c.T("signin.wrong_password")})
		return
	}
	view := signinView{Next: next, Username: username}
	now := s.now()
	addr := s.cfg.ClientAddress(c.r)
	if ok, wait := s.perAddress.Allow(addr, now); !ok {
		c.throttled(view, wait)
		return
	}
	if token == "" && username != "" && len(username) <= 64 {
		if ok, wait := s.perAccount.Allow(strings.ToLower(username), now); !ok {
			c.throttled(view, wait)
			return
		}
	}
	var u store.User
	var err error
	method := "password"
	switch {
	case token != "":
		method = "token"
		u, err = s.st.UserByToken(c.r.Context(), token)
	case username != "" && len(username) <= 64:
		var lock store.Lockout
		var locked bool
		if lock, locked, err = s.st.SigninLock(c.r.Context(), username, now); err == nil && locked {
			s.auditSignin(c, username, method, "denied", "the account is locked")
			c.locked(view, lock, now)
			return
		}
		if err == nil {
			u, err = s.st.CheckPassword(c.r.Context(), username, c.r.PostFormValue("password"))
		}
	default:
		err = zhidu.Errorf(zhidu.CodeUnauthenticated, "no credentials")
	}
	if err != nil {
		if code := zhidu.ErrorCode(err); code != zhidu.CodeUnauthenticated && code != zhidu.CodeNotFound {
			logErr(c.r, "sign in", err)
			c.fail(http.StatusInternalServerError, c.T("error.internal"))
			return
		}
		if username != "" {
			s.auditSignin(c, username, method, "denied", "")
		}
		if method == "password" && username != "" && s.cfg.LockoutAfter > 0 {
			lock, locked, err := s.st.SigninFailed(c.r.Context(), store.SigninFailure{Username: username, Address: addr, At: now,
				LockAfter: s.cfg.LockoutAfter, LockFor: s.cfg.LockoutFor})
			if err != nil {
				logErr(c.r, "count a failed sign-in", err)
			} else if locked {
				c.locked(view, lock, now)
				return
			}
		}
		key := "signin.wrong_password"
		if method == "token" {
			key = "signin.wrong_token"
		}
		view.Error = c.T(key)
		c.renderSignin(http.StatusUnauthorized, view)
		return
	}
	if method == "password" {
		if err := s.st.SigninSucceeded(c.r.Context(), u.Username); err != nil {
			logErr(c.r, "forget failed sign-ins", err)
		}
	}
	s.startSession(c, u.Username, method, next)
}

// throttled answers a sign-in over its limits: 429, and when to retry.
func (c *rc) throttled(v signinView, wait time.Duration) {
	api.RetryAfter(c.w.Header(), wait)
	v.Error = c.T("signin.throttled")
	c.renderSignin(http.StatusTooManyRequests, v)
}

// locked answers a sign-in to a locked account: 429, with Retry-After when
// the lock expires by itself.
func (c *rc) locked(v signinView, l store.Lockout, now time.Time) {
	v.Error = c.T("signin.locked_admin")
	if l.Until != nil {
		api.RetryAfter(c.w.Header(), l.Until.Sub(now))
		v.Error = c.T("signin.locked")
	}
	c.renderSignin(http.StatusTooManyRequests, v)
}

// demoSignin signs in as a demo user with one click (zhidu dev only).
func (s *server) demoSignin(c *rc) {
	if !s.cfg.DemoSignIn {
		c.notFound()
		return
	}
	if !c.signinCSRF() {
		return
	}
	name := c.r.PostFormValue("username")
	if !slices.ContainsFunc(demo.Users(), func(u store.User) bool { return u.Username == name }) {
		c.renderSignin(http.StatusUnauthorized, signinView{Error: c.T("signin.wrong_password")})
		return
	}
	if u, err := s.st.User(c.r.Context(), name); err != nil || u.Disabled {
		c.renderSignin(http.StatusUnauthorized, signinView{Error: c.T("signin.wrong_password")})
		return
	}
	s.startSession(c, name, "demo", localPath(c.r.PostFormValue("next")))
}

// signinCSRF checks the sign-in forms' double-submit token.
func (c *rc) signinCSRF() bool {
	ck, err := c.r.Cookie(signinCookie)
	if err != nil || !tokensEqual(c.r.PostFormValue(csrfField), ck.Value) {
		c.fail(http.StatusForbidden, c.T("error.csrf"))
		return false
	}
	return true
}

func (s *server) startSession(c *rc, username, method, next string) {
	// A sign-in replaces whatever session this browser had.
	if old, ok := c.session(); ok {
		if err := s.st.DeleteSession(c.r.Context(), old.ID); err != nil {
			logErr(c.r, "end the previous session", err)
		}
	}
	se, err := s.st.CreateSession(c.r.Context(), username, s.cfg.SessionTTL, s.now())
	if err != nil {
		logErr(c.r, "create session", err)
		c.fail(http.StatusInternalServerError, c.T("error.internal"))
		return
	}
	s.auditSignin(c, username, method, "allowed", "")
	clearCookie(c.w, c.r, signinCookie)
	setCookie(c.w, c.r, sessionCookie, se.ID, s.cfg.SessionTTL)
	http.Redirect(c.w, c.r, next, http.StatusSeeOther)
}

// auditSignin records a sign-in attempt, so compliance sees who signed in
// from where, and every failed attempt (why, when it is not the
// credentials).
func (s *server) auditSignin(c *rc, username, method, decision, reason string) {
	detail := map[string]any{"method": method}
	if reason != "" {
		detail["reason"] = reason
	}
	if err := s.st.Audit(c.r.Context(), store.AuditEntry{Actor: username, Action: "session.signin", Object: "user:" + username,
		Decision: decision, Address: s.cfg.ClientAddress(c.r), Detail: detail}); err != nil {
		logErr(c.r, "audit sign-in", err)
	}
}

// peerAddress is the address of the connection's peer: X-Forwarded-For is
// believed only through Config.ClientAddress, which knows the trusted
// proxies.
func peerAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// signout ends the session.
func (s *server) signout(c *rc) {
	if err := s.st.DeleteSession(c.r.Context(), c.sess.ID); err != nil {
		logErr(c.r, "sign out", err)
	}
	if err := s.st.Audit(c.r.Context(), store.AuditEntry{Actor: c.sess.Username, Action: "session.signout", Object: "user:" + c.sess.Username,
		Decision: "allowed", Address: s.cfg.ClientAddress(c.r)}); err != nil {
		logErr(c.r, "audit sign-out", err)
	}
	clearCookie(c.w, c.r, sessionCookie)
	http.Redirect(c.w, c.r, "/signin", http.StatusSeeOther)
}

// setLang switches the language and returns to the page the link was on.
func (s *server) setLang(c *rc) {
	l := c.r.URL.Query().Get("set")
	if _, ok := catalog[l]; !ok {
		l = "zh"
	}
	http.SetCookie(c.w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: isTLS(c.r), SameSite: http.SameSiteLaxMode})
	http.Redirect(c.w, c.r, localPath(c.r.URL.Query().Get("next")), http.StatusSeeOther)
}
