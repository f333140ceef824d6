package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/metrics"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// The routes that start the customer processes, which only zhidu starts
// (Descriptor.Internal): a problem reported with a VIP customer starts its
// downgrade; a registrant contesting a crossing case starts the
// department head's decision.

// customerProcessStore reads what those starts check.
type customerProcessStore interface {
	Responsible(ctx context.Context, username string) (bool, error)
	Customer(ctx context.Context, id string) (zhidu.Customer, zhidu.ObjectFacts, error)
	CrossingCase(ctx context.Context, id string) (zhidu.CrossingCase, error)
	CrossingCasesOf(ctx context.Context, username string) ([]zhidu.CrossingCase, error)
}

// listCrossings answers the crossing cases the caller is a party to — the
// second registrant, who may not read the file, learns its case (to
// contest it) and nothing of the file: the file's ID and who holds the
// credit are left out unless the caller may read the file.
func (s *Server) listCrossings(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	cases, err := s.Store.CrossingCasesOf(ctx, u.Username)
	if err != nil {
		fail(c, err)
		return
	}
	for i, cc := range cases {
		_, f, err := s.Store.Customer(ctx, cc.CustomerID)
		if err != nil {
			fail(c, err)
			return
		}
		if d, err := s.Authz.Decide(u.Actor(), f, zhidu.ActRead); err != nil || !d.Allowed {
			cases[i].CustomerID, cases[i].Credit = "", ""
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": cases})
}

// problemBody is POST /customers/{id}/problems.
type problemBody struct {
	Problem     string `json:"problem" text:"line"`
	Description string `json:"description"`
	MajorLoss   bool   `json:"major_loss"`
}

// reportProblem reports a problem with a VIP customer (合同履行差、回款不及时、
// 重大危机): whoever may read the file reports it, and its department's
// head decides the downgrade within five days. A customer who is not VIP
// is a conflict; so is a downgrade of the customer under way (the same
// report retried with its Idempotency-Key answers the same process).
func (s *Server) reportProblem(c *gin.Context) {
	ref := zhidu.ObjectRef{Type: zhidu.ObjectCustomer, ID: c.Param("id")}
	var b problemBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if _, ok := s.access(c, ref, zhidu.ActRead, "customer.report_problem"); !ok {
		return
	}
	errs := map[string]zhidu.Message{}
	if !slices.Contains(zhidu.CustomerProblems(), b.Problem) {
		errs["problem"] = zhidu.CustomerProblem()
	}
	checkLongText(errs, "description", b.Description, 4000)
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.CannotReport(), errs))
		return
	}
	ctx := c.Request.Context()
	cust, _, err := s.Store.Customer(ctx, ref.ID)
	if err != nil {
		fail(c, err)
		return
	}
	if cust.Class != zhidu.ClassVIP {
		fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.CustomerNotVIP(cust.ID)))
		return
	}
	kind, _ := workflows.Lookup(workflows.KindCustomerDowngrade)
	u := currentUser(c)
	id, ok := s.internalID(c, kind.Kind, "customer", cust.ID, func(running string) zhidu.Message {
		return zhidu.DowngradeUnderway(cust.ID, running)
	})
	if !ok {
		return
	}
	in := workflows.NewCustomerDowngrade(id, u.Username, cust.Ref(), b.Problem, b.Description, b.MajorLoss, s.Config.Processes[kind.Kind])
	s.startInternal(c, kind, in, in.Process, map[string]any{"customer": cust.ID, "problem": b.Problem, "major_loss": b.MajorLoss})
}

// contestBody is POST /crossings/{id}/contest.
type contestBody struct {
	Reason string `json:"reason"`
}

// contestCrossing contests a crossing case: either registrant may, while
// the case is open; the head of the department owning the file decides.
// Someone who is neither a registrant nor a reader of the file learns
// nothing of the case (404).
func (s *Server) contestCrossing(c *gin.Context) {
	var b contestBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	u := currentUser(c)
	caseRef := zhidu.ObjectRef{Type: "crossing", ID: c.Param("id")}
	cc, err := s.Store.CrossingCase(ctx, caseRef.ID)
	if err != nil {
		if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			err = notFound(caseRef)
		}
		fail(c, err)
		return
	}
	cust, f, err := s.Store.Customer(ctx, cc.CustomerID)
	if err != nil {
		fail(c, err)
		return
	}
	if u.Username != cc.Registrant && u.Username != cc.Credit {
		if d, err := s.Authz.Decide(u.Actor(), f, zhidu.ActRead); err != nil || !d.Allowed {
			fail(c, notFound(caseRef))
			return
		}
		s.deny(c, "customer.crossing_contest", store.CustomerObject(cust.ID), zhidu.CrossingNotParty())
		return
	}
	errs := map[string]zhidu.Message{}
	checkLongText(errs, "reason", b.Reason, 2000)
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.CannotContest(), errs))
		return
	}
	kind, _ := workflows.Lookup(workflows.KindCustomerCrossing)
	id, ok := s.internalID(c, kind.Kind, "case", cc.ID, func(running string) zhidu.Message {
		return zhidu.CrossingUnderway(cc.ID, running)
	})
	if !ok {
		return
	}
	if cc.State != zhidu.CrossingOpen && (cc.ProcessID == nil || *cc.ProcessID != id) {
		fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.CrossingIs(cc.ID, cc.State)))
		return
	}
	in := workflows.NewCustomerCrossing(id, u.Username, cc, cust.Ref(), b.Reason, s.Config.Processes[kind.Kind])
	s.startInternal(c, kind, in, in.Process, map[string]any{"case": cc.ID})
}

// checkLongText requires a text of at most max characters (line breaks
// allowed; decode refused control characters already).
func checkLongText(errs map[string]zhidu.Message, field, v string, max int) {
	switch {
	case len([]rune(v)) == 0:
		errs[field] = zhidu.Required()
	case len([]rune(v)) > max:
		errs[field] = zhidu.MaxChars(max)
	}
}

// internalID is the ID of a process that zhidu starts about one object
// (the running processes of kind whose input has field = value): stable
// for the caller and their Idempotency-Key, so that a retried start finds
// its process. Another such process running is a conflict (underway says
// so); ok is false when an answer was written.
func (s *Server) internalID(c *gin.Context, kind, field, value string, underway func(running string) zhidu.Message) (string, bool) {
	key := c.GetHeader("Idempotency-Key")
	if len(key) > 200 {
		fail(c, invalid("Idempotency-Key", zhidu.MaxChars(200)))
		return "", false
	}
	id := workflows.ProcessID(kind, currentUser(c).Username, key)
	running, err := s.Store.RunningWith(c.Request.Context(), kind, field, value)
	if err != nil {
		fail(c, err)
		return "", false
	}
	for _, r := range running {
		if r != id {
			fail(c, zhidu.Fail(zhidu.CodeConflict, underway(r)))
			return "", false
		}
	}
	return id, true
}

// startInternal starts a process only zhidu starts (the start and the
// process row are idempotent by the process ID: a retry finds both) and
// answers with the process as the caller may see it: 201 when it was
// started, 200 when it ran already with the same input, 409 with another.
func (s *Server) startInternal(c *gin.Context, kind workflows.Descriptor, in any, info zhidu.ProcessInfo, detail map[string]any) {
	status, ok := s.startInternalProcess(c, kind, in, info, detail)
	if ok {
		s.respondProcessNow(c, status, info.ID)
	}
}

// startInternalProcess is startInternal without the answer: the status
// the answer should have, and false when an error was written.
func (s *Server) startInternalProcess(c *gin.Context, kind workflows.Descriptor, in any, info zhidu.ProcessInfo, detail map[string]any) (int, bool) {
	ctx := c.Request.Context()
	runID, err := s.Engine.Start(ctx, kind.Workflow, info.ID, in)
	if err != nil {
		fail(c, err)
		return 0, false
	}
	d := map[string]any{"kind": info.Kind, "level": info.Level.String()}
	for k, v := range detail {
		d[k] = v
	}
	created, err := s.Store.PutProcess(ctx, store.Process{ID: info.ID, Kind: info.Kind, Title: info.Title, Level: info.Level,
		Department: string(info.Department), StartedBy: info.StartedBy, StartedAt: s.Now(), Input: kind.Record(in),
		Barred: info.Barred, Readers: info.Readers, Members: info.Members}, runID,
		store.AuditEntry{Actor: currentUser(c).Username, Action: "process.start", Object: "process:" + info.ID, Decision: "allowed",
			Address: c.ClientIP(), Detail: d})
	if err != nil {
		fail(c, err)
		return 0, false
	}
	if !created {
		if err := s.sameRequest(ctx, info.ID, c.GetHeader("Idempotency-Key"), kind.Record(in)); err != nil {
			fail(c, err)
			return 0, false
		}
		return http.StatusOK, true
	}
	metrics.ProcessStarts.WithLabelValues(info.Kind).Inc()
	return http.StatusCreated, true
}
