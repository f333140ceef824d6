package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// Orders of customer files. Reading an order is reading its file; filing,
// editing and signing a draft is editing the file. A signed order's lines
// and payment terms change only through POST /orders/{id}/changes, the
// order-change process that the head or a team lead signs.

type orderStore interface {
	Order(ctx context.Context, id string) (zhidu.Order, zhidu.ObjectFacts, error)
	Orders(ctx context.Context, customer string) ([]zhidu.Order, error)
	CreateOrder(ctx context.Context, c store.AdminChange, customer string, t zhidu.OrderTerms, at time.Time) (zhidu.Order, error)
	UpdateDraft(ctx context.Context, c store.AdminChange, id string, t zhidu.OrderTerms, at time.Time) (zhidu.Order, error)
	SignOrder(ctx context.Context, c store.AdminChange, id string, at time.Time) (zhidu.Order, error)
}

// orderBody is the terms of an order, as POST and PATCH take them.
type orderBody struct {
	Lines        []orderLineBody `json:"lines"`
	PaymentTerms string          `json:"payment_terms"`
}

type orderLineBody struct {
	Item      string  `json:"item" text:"line"`
	Quantity  float64 `json:"quantity"`
	UnitPrice float64 `json:"unit_price"`
}

// MaxOrderLines bounds an order.
const MaxOrderLines = 100

// terms checks an order's terms: one to MaxOrderLines lines, each an item
// with a positive quantity and a unit price of at least zero in cents;
// payment terms given.
func (b orderBody) terms(errs map[string]zhidu.Message) zhidu.OrderTerms {
	t := zhidu.OrderTerms{PaymentTerms: b.PaymentTerms, Lines: []zhidu.OrderLine{}}
	switch {
	case len(b.Lines) == 0:
		errs["lines"] = zhidu.Required()
	case len(b.Lines) > MaxOrderLines:
		errs["lines"] = zhidu.RowsMax(MaxOrderLines)
	}
	for i, l := range b.Lines {
		at := fmt.Sprintf("lines[%d].", i)
		switch {
		case l.Item == "":
			errs[at+"item"] = zhidu.Required()
		case len([]rune(l.Item)) > 200:
			errs[at+"item"] = zhidu.MaxChars(200)
		}
		if l.Quantity <= 0 || l.Quantity > 1e9 {
			errs[at+"quantity"] = zhidu.OrderQuantity()
		}
		if l.UnitPrice < 0 || l.UnitPrice > 1e10 || math.Round(l.UnitPrice*100) != l.UnitPrice*100 {
			errs[at+"unit_price"] = zhidu.OrderPrice()
		}
		t.Lines = append(t.Lines, zhidu.OrderLine(l))
	}
	checkLongText(errs, "payment_terms", b.PaymentTerms, 500)
	return t
}

// valid checks the terms (terms) and answers 400 with every field's
// message when they are not; ok is false when an answer was written.
func (b orderBody) valid(c *gin.Context) (zhidu.OrderTerms, bool) {
	errs := map[string]zhidu.Message{}
	t := b.terms(errs)
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.CannotOrder(), errs))
		return t, false
	}
	return t, true
}

func (s *Server) createOrder(c *gin.Context) {
	ref := zhidu.ObjectRef{Type: zhidu.ObjectCustomer, ID: c.Param("id")}
	var b orderBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if _, ok := s.access(c, ref, zhidu.ActWrite, "order.create"); !ok {
		return
	}
	t, ok := b.valid(c)
	if !ok {
		return
	}
	o, err := s.Store.CreateOrder(c.Request.Context(), s.change(c), ref.ID, t, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, o)
}

func (s *Server) listOrders(c *gin.Context) {
	ref := zhidu.ObjectRef{Type: zhidu.ObjectCustomer, ID: c.Param("id")}
	if _, ok := s.access(c, ref, zhidu.ActRead, "order.list"); !ok {
		return
	}
	orders, err := s.Store.Orders(c.Request.Context(), ref.ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": orders})
}

// order reads the order of the route and decides action on it (its
// file's rule); ok is false when an answer was written.
func (s *Server) order(c *gin.Context, action string) (zhidu.Order, zhidu.ObjectFacts, bool) {
	ref := zhidu.ObjectRef{Type: "order", ID: c.Param("id")}
	o, f, err := s.Store.Order(c.Request.Context(), ref.ID)
	if err != nil {
		if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			err = notFound(ref)
		}
		fail(c, err)
		return o, f, false
	}
	// An order the caller may not read is missing to them, whatever its
	// file is called.
	read, err := s.Authz.Decide(currentUser(c).Actor(), f, zhidu.ActRead)
	if err != nil {
		fail(c, err)
		return o, f, false
	}
	if !read.Allowed {
		if err := s.auditDecision(c, "order."+action, store.OrderObject(ref.ID), read); err != nil {
			fail(c, err)
			return o, f, false
		}
		fail(c, notFound(ref))
		return o, f, false
	}
	f, ok := s.decide(c, f, nil, action, "order."+action)
	return o, f, ok
}

func (s *Server) getOrder(c *gin.Context) {
	if o, _, ok := s.order(c, zhidu.ActRead); ok {
		c.JSON(http.StatusOK, o)
	}
}

func (s *Server) updateOrder(c *gin.Context) {
	var b orderBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	o, _, ok := s.order(c, zhidu.ActWrite)
	if !ok {
		return
	}
	t, ok := b.valid(c)
	if !ok {
		return
	}
	o, err := s.Store.UpdateDraft(c.Request.Context(), s.change(c), o.ID, t, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

func (s *Server) signOrder(c *gin.Context) {
	o, _, ok := s.order(c, zhidu.ActWrite)
	if !ok {
		return
	}
	o, err := s.Store.SignOrder(c.Request.Context(), s.change(c), o.ID, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// orderChangeBody is POST /orders/{id}/changes: the new terms and why.
type orderChangeBody struct {
	orderBody
	Reason string `json:"reason"`
}

// changeOrder asks for a change of a signed order: whoever may edit the
// file asks, and the head or a team lead of its department signs it in
// the order-change process. A draft is edited directly (409 here); a
// change that changes nothing is 400; a change of the order under way 409.
func (s *Server) changeOrder(c *gin.Context) {
	var b orderChangeBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	o, _, ok := s.order(c, zhidu.ActWrite)
	if !ok {
		return
	}
	errs := map[string]zhidu.Message{}
	t := b.terms(errs)
	checkLongText(errs, "reason", b.Reason, 2000)
	if len(errs) == 0 && reflect.DeepEqual(t, o.OrderTerms) {
		errs["lines"] = zhidu.OrderUnchanged()
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.CannotOrder(), errs))
		return
	}
	if o.State != zhidu.OrderStateSigned {
		fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.OrderNotSigned(o.ID)))
		return
	}
	cust, _, err := s.Store.Customer(c.Request.Context(), o.CustomerID)
	if err != nil {
		fail(c, err)
		return
	}
	kind, _ := workflows.Lookup(workflows.KindOrderChange)
	id, ok := s.internalID(c, kind.Kind, "order", o.ID, func(running string) zhidu.Message {
		return zhidu.OrderChangeUnderway(o.ID, running)
	})
	if !ok {
		return
	}
	in := workflows.NewOrderChange(id, currentUser(c).Username, o, cust.Ref(), t, b.Reason, s.Config.Processes[kind.Kind])
	s.startInternal(c, kind, in, in.Process, map[string]any{"order": o.ID})
}
