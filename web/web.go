// Package web serves the web inbox: server-rendered pages (html/template,
// embedded with go:embed) for the people who work zhidu's tasks, start
// processes and answer compliance questions, in Chinese and English.
//
// The web layer is a client of the JSON API inside the same process: every
// page and action is an *http.Request to the API handler, made on behalf
// of the signed-in user with api.AsUser and served into a recorder, and the
// page renders the JSON answer. Authorisation, validation and the audit
// trail therefore stay in one place: a page shows "not found" exactly when
// the API answers 404, and a form shows the API's field errors. The web
// layer itself keeps only what the API has no notion of: passwords,
// sessions (in PostgreSQL, so every replica serves every session), CSRF
// tokens and the language.
package web

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/store"
)

//go:embed assets
var assets embed.FS

// Config holds the web inbox's settings.
type Config struct {
	// DemoSignIn lists the demo users on the sign-in page for one-click
	// sign-in (zhidu dev only: it needs no password).
	DemoSignIn bool
	// SessionTTL is how long a sign-in lasts (default 12 h).
	SessionTTL time.Duration
	// Location is the time zone times are shown in (default time.Local).
	Location *time.Location
	// ClientAddress is where a request came from, for the sign-in audit
	// and limits: api.Server.ClientAddress, which believes X-Forwarded-For
	// only from the API's trusted proxies. Default: the peer's address.
	ClientAddress func(*http.Request) string
	// SigninPerAddress and SigninPerAccount limit sign-in attempts per
	// client address and per username (429 with Retry-After); the zero
	// Rate is no limit.
	SigninPerAddress, SigninPerAccount api.Rate
	// LockoutAfter failed password sign-ins in a row lock the account (0:
	// never), for LockoutFor (0: until an administrator unlocks it).
	LockoutAfter int
	LockoutFor   time.Duration
}

// DefaultConfig returns the defaults of zhidu serve.
func DefaultConfig() Config {
	return Config{SessionTTL: 12 * time.Hour,
		SigninPerAddress: api.Rate{N: 20, Per: time.Minute}, SigninPerAccount: api.Rate{N: 5, Per: time.Minute},
		LockoutAfter: 10, LockoutFor: 15 * time.Minute}
}

// Store is what the web layer keeps in PostgreSQL itself: passwords,
// sessions, and the audit entries of sign-ins; and whether a user is on
// probation, for the navigation.
type Store interface {
	CheckPassword(ctx context.Context, username, password string) (store.User, error)
	UserByToken(ctx context.Context, token string) (store.User, error)
	User(ctx context.Context, username string) (store.User, error)
	CreateSession(ctx context.Context, username string, ttl time.Duration, now time.Time) (store.Session, error)
	Session(ctx context.Context, id string, now time.Time) (store.Session, error)
	DeleteSession(ctx context.Context, id string) error
	Audit(ctx context.Context, e store.AuditEntry) error
	SigninLock(ctx context.Context, username string, now time.Time) (store.Lockout, bool, error)
	SigninFailed(ctx context.Context, f store.SigninFailure) (store.Lockout, bool, error)
	SigninSucceeded(ctx context.Context, username string) error
	// OnProbation says whether to link the user's own probation page in
	// the navigation (the page itself asks the API).
	OnProbation(ctx context.Context, username string) (bool, error)
}

// server is the web inbox.
type server struct {
	cfg   Config
	api   http.Handler
	st    Store
	now   func() time.Time
	pages map[string]map[string]*template.Template // language → page → template

	perAddress, perAccount *api.Limiter // sign-in attempts; nil: no limit
}

// New returns the web inbox. It serves the pages and passes every request
// under /api/, /healthz and /readyz through to apiHandler (metrics have
// their own listener: see api.MetricsHandler).
func New(cfg Config, apiHandler http.Handler, st Store) http.Handler {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.ClientAddress == nil {
		cfg.ClientAddress = peerAddress
	}
	s := &server{cfg: cfg, api: apiHandler, st: st, now: time.Now,
		perAddress: api.NewLimiter(cfg.SigninPerAddress), perAccount: api.NewLimiter(cfg.SigninPerAccount)}
	s.pages = mustParsePages(cfg.Location)
	return s.routes()
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", s.api)
	mux.HandleFunc("/api/v1/codec/", s.codec)
	mux.Handle("/healthz", s.api)
	mux.Handle("/readyz", s.api)
	static, _ := fs.Sub(assets, "assets/static")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", cacheStatic(http.FileServerFS(static))))

	mux.HandleFunc("GET /signin", s.public(s.signinPage))
	mux.HandleFunc("POST /signin", s.public(s.signin))
	mux.HandleFunc("POST /signin/demo", s.public(s.demoSignin))
	mux.HandleFunc("GET /lang", s.public(s.setLang))
	mux.HandleFunc("POST /signout", s.authed(s.signout))

	mux.HandleFunc("GET /{$}", s.authed(s.inbox))
	mux.HandleFunc("GET /tasks/{id}", s.authed(s.taskPage))
	mux.HandleFunc("POST /tasks/bulk", s.authed(s.bulkAction))
	mux.HandleFunc("POST /tasks/{id}/{action}", s.authed(s.taskAction))
	mux.HandleFunc("POST /credential-resets/{id}/{action}", s.authed(s.resetAction))
	mux.HandleFunc("POST /views", s.authed(s.saveView))
	mux.HandleFunc("POST /views/{id}/delete", s.authed(s.deleteView))
	mux.HandleFunc("GET /start", s.authed(s.startIndex))
	mux.HandleFunc("GET /start/{kind}", s.authed(s.startPage))
	mux.HandleFunc("POST /start/{kind}", s.authed(s.start))
	mux.HandleFunc("GET /processes", s.authed(s.processList))
	mux.HandleFunc("GET /processes/{id}", s.authed(s.processPage))
	mux.HandleFunc("POST /processes/{id}/sales", s.authed(s.probationSale))
	mux.HandleFunc("POST /processes/{id}/mentor", s.authed(s.probationMentor))
	mux.HandleFunc("GET "+grantsPath, s.authed(s.grantsPage))
	mux.HandleFunc("POST "+grantsPath+"/{id}/return", s.authed(s.grantAction))
	mux.HandleFunc("POST "+grantsPath+"/{id}/revoke", s.authed(s.grantAction))
	mux.HandleFunc("GET "+myProbationPath, s.authed(s.myProbation))
	mux.HandleFunc("POST "+myProbationPath+"/sales", s.authed(s.mySale))
	mux.HandleFunc("POST "+myProbationPath+"/leave", s.authed(s.myLeave))
	mux.HandleFunc("GET /registers", s.authed(s.registers))
	mux.HandleFunc("GET /registers/{kind}", s.authed(s.registerPage))
	mux.HandleFunc("GET /registers/{kind}/csv", s.authed(s.registerCSV))
	mux.HandleFunc("GET /customers", s.authed(s.customers))
	mux.HandleFunc("POST /customers", s.authed(s.registerCustomer))
	mux.HandleFunc("GET /customers/{id}", s.authed(s.customerPage))
	mux.HandleFunc("POST /customers/{id}/edit", s.authed(s.editCustomer))
	mux.HandleFunc("POST /customers/{id}/contacts", s.authed(s.customerContact))
	mux.HandleFunc("POST /customers/{id}/problems", s.authed(s.customerProblem))
	mux.HandleFunc("POST /customers/{id}/orders", s.authed(s.customerOrder))
	mux.HandleFunc("POST /customers/{id}/orders/{order}/sign", s.authed(s.orderSign))
	mux.HandleFunc("POST /customers/{id}/orders/{order}/edit", s.authed(s.orderEdit))
	mux.HandleFunc("POST /customers/{id}/orders/{order}/changes", s.authed(s.orderChange))
	mux.HandleFunc("POST /customers/{id}/crossings/{case}/contest", s.authed(s.crossingContest))
	mux.HandleFunc("POST /crossings/{case}/contest", s.authed(s.myCrossingContest))
	mux.HandleFunc("POST /customers/{id}/blacklist/{op}", s.authed(s.customerBlacklist))
	mux.HandleFunc("GET /blacklist", s.authed(s.blacklistPage))
	mux.HandleFunc("GET /reports/customers", s.authed(s.customerReport))
	mux.HandleFunc("GET /reports/customers/csv", s.authed(s.customerReportCSV))
	mux.HandleFunc("GET /admin/approval-matrix", s.authed(s.matrixPage))
	mux.HandleFunc("POST /admin/approval-matrix", s.authed(s.matrixEdit))
	mux.HandleFunc("GET /approval-matrix/route", s.authed(s.matrixRoute))
	mux.HandleFunc("GET /compliance", s.authed(func(c *rc) {
		http.Redirect(c.w, c.r, "/compliance/audit", http.StatusSeeOther)
	}))
	mux.HandleFunc("GET /compliance/explain", s.authed(s.explain))
	mux.HandleFunc("GET /compliance/who-can", s.authed(s.whoCan))
	mux.HandleFunc("GET /compliance/audit", s.authed(s.audit))
	mux.HandleFunc("GET /compliance/verify", s.authed(s.verify))
	mux.HandleFunc("/", s.public(func(c *rc) { c.notFound() }))
	return mux
}

// cacheStatic lets browsers keep the embedded CSS and JS for an hour.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// securityHeaders keeps pages out of caches (they may show secret
// material), out of frames, and limited to this origin's scripts.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}

func logErr(r *http.Request, what string, err error) {
	slog.Error("web: "+what, "method", r.Method, "path", r.URL.Path, "error", err)
}
