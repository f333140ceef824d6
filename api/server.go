// Package api serves zhidu's HTTP API with Gin: the inbox, processes,
// health and metrics. Every access decision goes through the Authorizer;
// reads come from the PostgreSQL projection; writes that change a process
// go to the workflow engine.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/authz"
	"github.com/zhidu/zhidu/metrics"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// Store is what the API reads and writes in PostgreSQL.
type Store interface {
	Ping(ctx context.Context) error
	UserByToken(ctx context.Context, token string) (store.User, error)
	User(ctx context.Context, username string) (store.User, error)
	Users(ctx context.Context) ([]store.User, error)
	Tasks(ctx context.Context, v store.Viewer, f store.TaskFilter, now time.Time) (store.Page[store.Task], error)
	TaskDetail(ctx context.Context, id string, now time.Time) (store.TaskDetail, error)
	Claim(ctx context.Context, v store.Viewer, d store.TaskDetail, now time.Time) (store.TaskDetail, error)
	ClaimFor(ctx context.Context, v store.Viewer, forUser string, d store.TaskDetail, now time.Time) (store.TaskDetail, error)
	SetSubstitution(ctx context.Context, w zhidu.Substitution, replace bool, by, address string, now time.Time) (zhidu.Substitution, error)
	EndSubstitutions(ctx context.Context, absent, by, address string, now time.Time) error
	Substitutions(ctx context.Context, username string, now time.Time) (away, covering []zhidu.Substitution, err error)
	Unclaim(ctx context.Context, v store.Viewer, t store.Task, now time.Time) error
	AddComment(ctx context.Context, v store.Viewer, t store.Task, body string, asCompliance bool, now time.Time) (store.Comment, error)
	PutProcess(ctx context.Context, p store.Process, runID string, audit store.AuditEntry) (bool, error)
	Processes(ctx context.Context, v store.Viewer, f store.ProcessFilter) (store.Page[store.Process], error)
	Process(ctx context.Context, v store.Viewer, id string, now time.Time) (store.Process, zhidu.ObjectFacts, error)
	ProcessInternal(ctx context.Context, id string) (store.Process, error)
	registerStore
	matrixStore
	purchasingStore
	probationStore
	customerProcessStore
	orderStore
	customerStore
	grantStore
	viewStore
	idempotencyStore
	ComplaintReply(ctx context.Context, processID string) (store.Reply, error)
	ObjectFacts(ctx context.Context, ref zhidu.ObjectRef) (zhidu.ObjectFacts, error)
	Audit(ctx context.Context, e store.AuditEntry) error
	AuditEntries(ctx context.Context, v store.Viewer, f store.AuditFilter) ([]store.AuditEntry, error)
	VerifyAudit(ctx context.Context) (store.AuditVerification, error)
	Designate(ctx context.Context, d store.Designation, address string) (store.Designation, error)
	Revoke(ctx context.Context, username, object, by, address string, at time.Time) error
	Designations(ctx context.Context, v store.Viewer, object string, all bool) ([]store.Designation, error)
	CreateUser(ctx context.Context, c store.AdminChange, u store.User, token string) error
	UpdateUser(ctx context.Context, c store.AdminChange, username string, up store.UserUpdate) error
	SetRoles(ctx context.Context, c store.AdminChange, username string, roles []zhidu.RoleGrant) error
	RotateToken(ctx context.Context, c store.AdminChange, username, token string) error
	SetPasswordAudited(ctx context.Context, c store.AdminChange, username, password string) error
	Unlock(ctx context.Context, c store.AdminChange, username string, now time.Time) (bool, error)
	Policy(ctx context.Context) ([]store.PolicyLine, error)
	AddPolicyLine(ctx context.Context, c store.AdminChange, l store.PolicyLine) error
	RemovePolicyLine(ctx context.Context, c store.AdminChange, l store.PolicyLine) error
	RequestCredentialReset(ctx context.Context, c store.AdminChange, username, kind string, now, expires time.Time) (store.CredentialReset, error)
	CredentialResets(ctx context.Context, username string, approver bool, now time.Time) ([]store.CredentialReset, error)
	CredentialResetByID(ctx context.Context, id string) (store.CredentialReset, error)
	DecideCredentialReset(ctx context.Context, d store.CredentialDecision) (store.CredentialReset, error)
}

// Authorizer decides who may do what (see package authz).
type Authorizer interface {
	Can(user string, dept zhidu.Department, obj, act string) (bool, error)
	Decide(u zhidu.Actor, o zhidu.ObjectFacts, action string) (zhidu.Decision, error)
	ReadScope(u zhidu.Actor) (authz.ReadScope, error)
	WhoCan(users []zhidu.Actor, o zhidu.ObjectFacts, action string) ([]authz.Permitted, error)
	WhatCan(u zhidu.Actor, kinds map[string]zhidu.Department) ([]authz.Capability, error)
	Reload() error
}

// Engine runs processes (see TemporalEngine).
type Engine interface {
	Start(ctx context.Context, workflow, id string, input any) (runID string, err error)
	Update(ctx context.Context, processID, name string, arg, result any) error
	// Settle waits until the process has nothing in hand — no workflow
	// task, activity or child start pending: it waits on a person, a
	// timer or another process — or ctx ends.
	Settle(ctx context.Context, processID string) error
	// Signal sends a signal to a running process.
	Signal(ctx context.Context, processID, name string, arg any) error
	Ping(ctx context.Context) error
}

// Config holds the API's settings.
type Config struct {
	MaxBodyBytes   int64         // larger request bodies get 413
	RequestTimeout time.Duration // every request's deadline
	// TrustedProxies may set X-Forwarded-For (addresses or CIDRs); none by default.
	TrustedProxies []string
	// Processes holds each process kind's configuration (SLAs,
	// thresholds), keyed by kind: a pointer as its descriptor's NewConfig
	// makes it, passed to the kind's Prepare at every start. A kind
	// missing here runs with its defaults.
	Processes map[string]any
	// UserCacheTTL is how long a resolved caller is remembered (see
	// ForgetUsers); 0 asks PostgreSQL on every request.
	UserCacheTTL time.Duration
	// CredentialResetTTL is how long a reset of a sensitive account's token
	// or password waits for confirmation before it expires.
	CredentialResetTTL time.Duration
	// RatePerAddress limits the requests of each client address (as
	// TrustedProxies lets it be known), RatePerUser those of each signed-in
	// caller; over either the answer is 429 with Retry-After. The zero
	// Rate is no limit. Each replica counts its own requests.
	RatePerAddress, RatePerUser Rate
	// Namespace is the Temporal namespace zhidu's processes run in; the
	// codec endpoint decodes payloads of that namespace only.
	Namespace string
	// IdempotencyTTL is how long the answer to a call sent with an
	// Idempotency-Key is kept for its retries (see idempotent); 0 keeps
	// none.
	IdempotencyTTL time.Duration
	// CodecOrigins are the origins (scheme://host:port) of the Temporal
	// Web UIs that may call the codec endpoint from a browser.
	CodecOrigins []string
	// FirstTaskWait bounds how long a start waits for its process to
	// settle before answering, so that it can answer with the first task
	// the starter may work (first_task); 0 answers at once, without it.
	FirstTaskWait time.Duration
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{MaxBodyBytes: 1 << 20, RequestTimeout: 15 * time.Second, Processes: workflows.Configs(),
		UserCacheTTL: 10 * time.Second, CredentialResetTTL: 24 * time.Hour, IdempotencyTTL: 24 * time.Hour, FirstTaskWait: 2 * time.Second,
		RatePerAddress: Rate{N: 1200, Per: time.Minute}, RatePerUser: Rate{N: 600, Per: time.Minute}, Namespace: "default"}
}

// Server holds the API's dependencies.
type Server struct {
	Store  Store
	Authz  Authorizer
	Engine Engine
	Config Config
	Now    func() time.Time
	// Payloads decrypts for the codec endpoint; nil: no codec (404).
	Payloads PayloadOpener

	ready atomic.Bool
	users *userCache // nil: no cache

	perAddress, perUser *Limiter     // nil: no limit
	addresses           *gin.Engine  // knows the trusted proxies, for ClientAddress
	purgedKeys          atomic.Int64 // when expired idempotency keys were last purged (Unix ns)
}

// New returns a server; call Router for its handler. Config.UserCacheTTL is
// read here only. It panics if a kind's configuration in Config.Processes
// is not of the type its descriptor makes.
func New(st Store, az Authorizer, en Engine, cfg Config) *Server {
	cfg.Processes = processConfigs(cfg.Processes)
	s := &Server{Store: st, Authz: az, Engine: en, Config: cfg, Now: time.Now, users: newUserCache(cfg.UserCacheTTL),
		perAddress: NewLimiter(cfg.RatePerAddress), perUser: NewLimiter(cfg.RatePerUser)}
	gin.SetMode(gin.ReleaseMode)
	s.addresses = gin.New()
	s.trustProxies(s.addresses)
	s.ready.Store(true)
	return s
}

// Router builds the Gin engine with every route.
func (s *Server) Router() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.ContextWithFallback = true
	s.trustProxies(r)
	r.Use(gin.Recovery(), s.observe, s.limitAddress, s.limitBody, refuseControl)
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)

	v1 := r.Group("/api/v1")
	v1.GET("/openapi.json", serveOpenAPI)
	// The Temporal Web UI's remote codec: the browser preflights, then
	// posts with the user's cookie (the web inbox turns it into the
	// user) or a bearer token.
	v1.POST("/codec/decode", s.codecCORS, s.gate, s.authenticate, s.limitUser, s.decodePayloads)
	a := v1.Group("", s.gate, s.authenticate, s.limitUser, s.idempotent)
	a.GET("/me", s.me)
	a.GET("/me/credential-resets", s.listCredentialResets)
	a.GET("/me/probation", s.ownProbation)
	a.GET("/me/substitute", s.getSubstitute)
	a.PUT("/me/substitute", s.setOwnSubstitute)
	a.DELETE("/me/substitute", s.endSubstitute)
	a.PUT("/users/:username/substitute", s.setUserSubstitute)
	a.POST("/me/credential-resets/:id/confirm", s.confirmCredentialReset)
	a.POST("/me/credential-resets/:id/reject", s.rejectCredentialReset)
	a.GET("/me/views", s.listViews)
	a.POST("/me/views", s.createView)
	a.DELETE("/me/views/:id", s.deleteView)
	a.GET("/tasks", s.listTasks)
	a.GET("/tasks/:id", s.getTask)
	a.POST("/tasks/bulk", s.bulkTasks)
	a.POST("/tasks/:id/claim", s.claimTask)
	a.POST("/tasks/:id/unclaim", s.unclaimTask)
	a.POST("/tasks/:id/complete", s.completeTask)
	a.POST("/tasks/:id/delegate", s.delegateTask)
	a.POST("/tasks/:id/reassign", s.reassignTask)
	a.GET("/tasks/:id/comments", s.listComments)
	a.POST("/tasks/:id/comments", s.addComment)
	a.GET("/process-kinds", s.listProcessKinds)
	a.GET("/processes", s.listProcesses)
	// One start route per kind: a static segment beside the process ID's
	// wildcard, which Gin's tree allows (a wildcard :kind there would
	// have to share the name :id).
	for _, d := range workflows.Descriptors() {
		if !d.Internal { // started by zhidu itself, never by this route
			a.POST("/processes/"+d.Kind, s.startProcess(d))
			if d.Alias != "" {
				a.POST("/"+d.Alias, s.startProcess(d))
			}
		}
	}
	a.GET("/processes/:id", s.getProcess)
	a.GET("/processes/:id/reply", s.complaintReply)
	a.GET("/registers/:kind", s.listRegister)
	a.GET("/registers/:kind/:id", s.getRegisterEntry)
	for _, d := range workflows.Descriptors() {
		if d.Register != nil && d.Register.Alias != "" {
			a.GET("/"+d.Register.Alias, s.registerOf(d.Kind))
		}
	}
	a.POST("/processes/:id/cancel", s.cancelProcess)
	a.POST("/processes/:id/level", s.setProcessLevel)
	a.POST("/processes/:id/mentor", s.changeMentor)
	a.POST("/employees/:username/sales", s.recordSale)
	a.POST("/employees/:username/leave", s.requestLeave)
	a.GET("/reports/probation", s.probationReport)
	a.POST("/customers/:id/problems", s.reportProblem)
	a.GET("/crossings", s.listCrossings)
	a.POST("/crossings/:id/contest", s.contestCrossing)
	a.GET("/customers/:id/orders", s.listOrders)
	a.POST("/customers/:id/orders", s.createOrder)
	a.GET("/orders/:id", s.getOrder)
	a.PATCH("/orders/:id", s.updateOrder)
	a.POST("/orders/:id/sign", s.signOrder)
	a.POST("/orders/:id/changes", s.changeOrder)
	a.GET("/grants", s.listGrants)
	a.GET("/grants/:id", s.getGrant)
	a.POST("/grants/:id/return", s.returnGrant)
	a.POST("/grants/:id/revoke", s.revokeGrant)
	a.GET("/authz/explain", s.explain)
	a.GET("/authz/who-can", s.whoCan)
	a.GET("/authz/what-can", s.whatCan)
	a.GET("/audit", s.listAudit)
	a.GET("/audit/verify", s.verifyAudit)
	a.GET("/designations", s.listDesignations)
	a.POST("/designations", s.designate)
	a.DELETE("/designations", s.revokeDesignation)
	a.GET("/admin/users", s.listUsers)
	a.POST("/admin/users", s.createUser)
	a.PATCH("/admin/users/:username", s.updateUser)
	a.PUT("/admin/users/:username/roles", s.setRoles)
	a.POST("/admin/users/:username/token", s.rotateToken)
	a.POST("/admin/users/:username/password", s.setPassword)
	a.POST("/admin/users/:username/unlock", s.unlockUser)
	a.GET("/admin/policy", s.listPolicy)
	a.POST("/admin/policy", s.addPolicy)
	a.DELETE("/admin/policy", s.removePolicy)
	a.GET("/admin/approval-matrix", s.getMatrix)
	a.PUT("/admin/approval-matrix", s.proposeMatrix)
	a.GET("/approval-matrix/route", s.routeMatrix)
	a.GET("/suppliers", s.listSuppliers)
	a.POST("/suppliers", s.createSupplier)
	a.GET("/suppliers/:id", s.getSupplier)
	a.PATCH("/suppliers/:id", s.updateSupplier)
	a.GET("/suppliers/:id/conflicts", s.listConflicts)
	a.POST("/suppliers/:id/conflicts", s.declareConflict)
	a.GET("/projects", s.listProjects)
	a.POST("/projects", s.createProject)
	a.GET("/projects/:id", s.getProject)
	a.GET("/customers", s.listCustomers)
	a.POST("/customers", s.createCustomer)
	a.GET("/customers/:id", s.getCustomer)
	a.PATCH("/customers/:id", s.updateCustomer)
	a.POST("/customers/:id/blacklist", s.blacklistCustomer)
	a.DELETE("/customers/:id/blacklist", s.blacklistCustomer)
	a.POST("/customers/:id/contacts", s.recordContact)
	a.GET("/blacklist", s.listBlacklist)
	a.GET("/reports/customers", s.customerReport)
	r.NoRoute(s.codecPreflight, func(c *gin.Context) { fail(c, zhidu.Errorf(zhidu.CodeNotFound, "no such route")) })
	return r
}

// processConfigs returns every kind's configuration: the one given, or
// the kind's defaults.
func processConfigs(given map[string]any) map[string]any {
	out := map[string]any{}
	for _, d := range workflows.Descriptors() {
		want := d.NewConfig()
		cfg, ok := given[d.Kind]
		switch {
		case !ok:
			cfg = want
		case reflect.TypeOf(cfg) != reflect.TypeOf(want):
			panic(fmt.Sprintf("api: the configuration of process kind %s is a %T, want a %T", d.Kind, cfg, want))
		}
		out[d.Kind] = cfg
	}
	return out
}

// trustProxies makes e believe X-Forwarded-For only from the proxies
// configured as trusted: client addresses go into the audit trail and key
// the rate limits.
func (s *Server) trustProxies(e *gin.Engine) {
	if err := e.SetTrustedProxies(s.Config.TrustedProxies); err != nil {
		slog.Error("bad trusted proxies: trusting none", "proxies", s.Config.TrustedProxies, "error", err)
		_ = e.SetTrustedProxies(nil)
	}
}

// ClientAddress is the address of the client that sent r as the API sees
// it (Gin's ClientIP under the trusted proxies), for in-process callers
// that audit or limit requests themselves, as the web inbox's sign-in does.
func (s *Server) ClientAddress(r *http.Request) string {
	c := gin.CreateTestContextOnly(nil, s.addresses)
	c.Request = r
	return c.ClientIP()
}

// MetricsHandler serves the Prometheus metrics. It is not on the API's
// router: the metrics name routes, rates and process kinds, which are no
// business of anyone who can reach the API, so cmd serves them on their
// own address (--metrics-addr, loopback by default).
func MetricsHandler() http.Handler { return promhttp.Handler() }

// observe records request latency by route.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	metrics.RequestDuration.WithLabelValues(c.Request.Method, route, statusClass(c.Writer.Status())).Observe(time.Since(start).Seconds())
}

func statusClass(code int) string { return string("12345"[code/100-1]) + "xx" }

// limitBody caps request bodies; decoding past the cap fails with 413.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.Config.MaxBodyBytes)
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), s.Config.RequestTimeout)
	defer cancel()
	c.Request = c.Request.WithContext(ctx)
	c.Next()
}

// gate answers 503 at once while a dependency is down, instead of letting
// requests hang.
func (s *Server) gate(c *gin.Context) {
	if !s.ready.Load() {
		fail(c, zhidu.Errorf(zhidu.CodeUnavailable, "zhidu is not ready: a dependency is unreachable"))
	}
}

type asUserKey struct{}

// AsUser marks a request context as made on behalf of a signed-in user, for
// in-process callers (the web inbox) that authenticated the user
// themselves. Only code in this process can set it: it is never read from
// the request.
func AsUser(ctx context.Context, username string) context.Context {
	return context.WithValue(ctx, asUserKey{}, username)
}

// authenticate resolves the bearer token (or an in-process AsUser) to a
// user, from the user cache when it can.
func (s *Server) authenticate(c *gin.Context) {
	ctx := c.Request.Context()
	if name, ok := ctx.Value(asUserKey{}).(string); ok {
		u, err := s.users.user(nameKey(name), func() (store.User, error) { return s.Store.User(ctx, name) })
		if err == nil && u.Disabled {
			err = zhidu.Errorf(zhidu.CodeUnauthenticated, "the account is disabled")
		}
		if err != nil {
			if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
				err = zhidu.Errorf(zhidu.CodeUnauthenticated, "unknown user")
			}
			fail(c, err)
			return
		}
		c.Set(userKey, u)
		return
	}
	h := c.GetHeader("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		c.Header("WWW-Authenticate", `Bearer realm="zhidu"`)
		fail(c, zhidu.Errorf(zhidu.CodeUnauthenticated, "missing bearer token"))
		return
	}
	u, err := s.users.user(tokenKey(token), func() (store.User, error) { return s.Store.UserByToken(ctx, token) })
	if err != nil {
		if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			c.Header("WWW-Authenticate", `Bearer realm="zhidu", error="invalid_token"`)
			err = zhidu.Errorf(zhidu.CodeUnauthenticated, "unknown or revoked token")
		}
		fail(c, err)
		return
	}
	c.Set(userKey, u)
}

// userKey is where authenticate leaves the caller in the Gin context.
const userKey = "zhidu.user"

func currentUser(c *gin.Context) store.User {
	return c.MustGet(userKey).(store.User)
}

// actor returns the current user's facts for the workflows.
func actor(c *gin.Context) zhidu.Actor {
	a := currentUser(c).Actor()
	a.Address = c.ClientIP()
	return a
}

// viewer returns what the read queries need to know about the caller.
func (s *Server) viewer(c *gin.Context) (store.Viewer, error) {
	u := currentUser(c)
	v, err := s.viewerOf(u.Actor(), c.ClientIP())
	v.Designations = u.Designations
	return v, err
}

// viewerOf is what the read queries need to know about a user (without
// their designations).
func (s *Server) viewerOf(a zhidu.Actor, address string) (store.Viewer, error) {
	sc, err := s.Authz.ReadScope(a)
	if err != nil {
		return store.Viewer{}, err
	}
	return store.Viewer{Username: a.Username, Clearance: a.Clearance, Roles: a.Roles, Address: address,
		Leadership: sc.Leadership, Now: s.Now(),
		Global: sc.Global, Member: sc.Member, ConfidentialAll: sc.ConfidentialAll, Confidential: sc.Confidential}, nil
}

// deny records a refused action in the audit trail and answers 403.
func (s *Server) deny(c *gin.Context, action, object string, why zhidu.Message) {
	s.denyErr(c, action, object, zhidu.Fail(zhidu.CodeForbidden, why))
}

// denyErr is deny for a forbidden error as it came (a workflow's
// rejection): the audit trail records its English as sent.
func (s *Server) denyErr(c *gin.Context, action, object string, e *zhidu.Error) {
	u := currentUser(c)
	if err := s.Store.Audit(c.Request.Context(), store.AuditEntry{Actor: u.Username, Action: action, Object: object,
		Decision: "denied", Address: c.ClientIP(), Detail: map[string]any{"reason": e.Message}}); err != nil {
		fail(c, err)
		return
	}
	fail(c, e)
}

func (s *Server) me(c *gin.Context) { c.JSON(http.StatusOK, currentUser(c)) }

func (s *Server) healthz(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }

// readyz checks PostgreSQL and Temporal now, with a short deadline.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	status := gin.H{"postgres": "ok", "temporal": "ok"}
	ok := true
	if err := s.Store.Ping(ctx); err != nil {
		slog.Warn("readiness: PostgreSQL unreachable", "error", err)
		status["postgres"], ok = "unreachable", false
	}
	if err := s.Engine.Ping(ctx); err != nil {
		slog.Warn("readiness: Temporal unreachable", "error", err)
		status["temporal"], ok = "unreachable", false
	}
	s.ready.Store(ok)
	if !ok {
		c.JSON(http.StatusServiceUnavailable, status)
		return
	}
	c.JSON(http.StatusOK, status)
}

// Watch checks the dependencies every interval until ctx ends, so that
// requests fail fast with 503 while one is down.
func (s *Server) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.ready.Store(s.check(ctx) == nil)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Server) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	return errors.Join(s.Store.Ping(ctx), s.Engine.Ping(ctx))
}
