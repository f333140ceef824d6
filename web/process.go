package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

type startIndexView struct {
	Kinds []string
}

// startIndex lists the process kinds; whether the user may start one is
// the API's to say when they try.
func (s *server) startIndex(c *rc) {
	v := startIndexView{}
	for _, k := range startKinds() {
		v.Kinds = append(v.Kinds, k.Kind)
	}
	p := pageFor(c, "start", c.T("start.title"))
	p.Data = v
	c.render(http.StatusOK, "start_index", p)
}

type startView struct {
	Kind           string
	Form           formView
	IdempotencyKey string
}

func (s *server) startPage(c *rc) {
	k, ok := findStartKind(c.r.PathValue("kind"))
	if !ok {
		c.notFound()
		return
	}
	c.renderStart(http.StatusOK, k, nil, nil, "", store.RandomToken())
}

func (c *rc) renderStart(status int, k startKind, values map[string]any, errs map[string]zhidu.Message, msg, key string) {
	p := pageFor(c, "start", c.T("kind."+k.Kind)+" · "+c.T("start.title"))
	p.Error = msg
	p.Data = startView{Kind: k.Kind, Form: buildForm(c.lang, k.Form, values, errs, "", false, nil), IdempotencyKey: key}
	c.render(status, "start", p)
}

// start starts a process through the API. The form carries an
// idempotency key, so submitting it twice starts one process.
func (s *server) start(c *rc) {
	k, ok := findStartKind(c.r.PathValue("kind"))
	if !ok {
		c.notFound()
		return
	}
	flat := parseForm(k.Form, c.r.PostForm)
	key := c.r.PostFormValue("idempotency_key")
	if key == "" || len(key) > 100 {
		key = store.RandomToken()
	}
	var started struct {
		ID   string `json:"id"`
		Note string `json:"note"`
	}
	res := c.post("/api/v1/processes/"+url.PathEscape(k.Kind), nest(flat), &started, "Idempotency-Key", "web-"+key)
	switch {
	case res.ok() && started.Note != "":
		// Registered above the starter's clearance: it is no longer
		// theirs to see, so there is no page to go to.
		p := pageFor(c, "start", c.T("start.title"))
		p.Flash = c.T("start.registered_hidden")
		p.Data = startIndexView{Kinds: kindNames()}
		c.render(http.StatusCreated, "start_index", p)
	case res.ok():
		http.Redirect(c.w, c.r, "/processes/"+url.PathEscape(started.ID)+"?ok=started", http.StatusSeeOther)
	case res.Status == http.StatusBadRequest || res.Status == http.StatusForbidden || res.Status == http.StatusConflict:
		c.renderStart(res.Status, k, flat, res.fields(), c.errMessage(res), key)
	default:
		c.apiFail(res)
	}
}

// processView is the process page.
type processView struct {
	Process  processJSON
	Summary  []kv
	Open     []store.Task
	Done     []store.Task
	Timeline []timelineView
	// Copies are who holds the copies of a process confined to them.
	Copies []copyView
	// CopyOf and Made are a top-secret copy's lineage: its source, and
	// the copies made of this process (store.CopyLink), with links.
	CopyOf *lineageView
	Made   []lineageView
	// Entry is the process's register entry, if its kind keeps a register.
	Entry *entryView
	// Purchase: a requisition's cards (purchase.go), in place of the
	// summary.
	Purchase *purchaseView
	// Probation: a probation file's cards (probation.go), in place of the
	// summary.
	Probation *probationView
}

// kindPages fill the process page of a kind that shows cards of its own
// in place of the generic summary (a requisition's, a probation file's),
// by kind; each kind's file adds its own (purchase.go, probation.go), so
// this page names none.
var kindPages = map[string]func(c *rc, v *processView, in probationForms){}

func (s *server) processPage(c *rc) {
	c.renderProcess(c.r.PathValue("id"), probationForms{status: http.StatusOK})
}

// renderProcess renders a process page as the API shows the process to
// the user now, with what a failed form of a probation's page left to
// show.
func (c *rc) renderProcess(id string, in probationForms) {
	var p processJSON
	if res := c.get("/api/v1/processes/"+url.PathEscape(id), nil, &p); !res.ok() {
		c.apiFail(res)
		return
	}
	v := processView{Process: p, Summary: describeWith(c.lang, startFormOf(p.Kind), p.Input), Timeline: timeline(c.lang, p.Timeline),
		Copies: copies(p.Process), Entry: c.registerEntry(p.Kind, p.ID)}
	if l := p.CopyOf; l != nil {
		v.CopyOf = &lineageView{CopyLink: *l, Ref: l.Source, Href: objectHref(l.Source)}
	}
	for _, l := range p.Copies {
		v.Made = append(v.Made, lineageView{CopyLink: l, Ref: l.Copy, Href: objectHref(l.Copy)})
	}
	if page := kindPages[p.Kind]; page != nil {
		page(c, &v, in)
	}
	for _, t := range p.Tasks {
		if t.State == zhidu.TaskOpen || t.State == zhidu.TaskClaimed {
			v.Open = append(v.Open, t)
		} else {
			v.Done = append(v.Done, t)
		}
	}
	pg := pageFor(c, "processes", p.Title)
	if in.form != "" && (v.Probation == nil || v.Probation.SaleForm == nil) {
		pg.Error = in.msg // the form is gone: the probation has ended
	}
	if p.Level == zhidu.TopSecret {
		pg.Watermark = c.watermark()
	}
	pg.Data = v
	c.render(in.status, "process", pg)
}

type processListView struct {
	Items   []store.Process
	Total   int
	NextURL string
	Filter  map[string]string
	Kinds   []string
	States  []string
	// Register is the filtered kind, when it keeps a register.
	Register string
}

// processList lists the processes the user may read.
func (s *server) processList(c *rc) {
	q := c.r.URL.Query()
	v := processListView{Filter: map[string]string{}, Kinds: kindNames(),
		States: []string{string(zhidu.ProcessRunning), string(zhidu.ProcessCompleted), string(zhidu.ProcessCancelled), string(zhidu.ProcessFailed)}}
	query := url.Values{"limit": {"50"}}
	for _, f := range []string{"kind", "state", "q", "started_by"} {
		if val := q.Get(f); val != "" {
			v.Filter[f] = val
			query.Set(f, val)
		}
	}
	if cur := q.Get("cursor"); cur != "" {
		query.Set("cursor", cur)
	}
	if _, ok := registerOf(v.Filter["kind"]); ok {
		v.Register = v.Filter["kind"]
	}
	var page store.Page[store.Process]
	res := c.get("/api/v1/processes", query, &page)
	p := pageFor(c, "processes", c.T("processes.title"))
	status := http.StatusOK
	if !res.ok() {
		if res.Status != http.StatusBadRequest {
			c.apiFail(res)
			return
		}
		status, p.Error = res.Status, c.errMessage(res)
	}
	v.Items, v.Total = page.Items, page.Total
	if page.NextCursor != "" {
		next := url.Values{"cursor": {page.NextCursor}}
		for k, val := range v.Filter {
			next.Set(k, val)
		}
		v.NextURL = "/processes?" + next.Encode()
	}
	p.Data = v
	c.render(status, "processes", p)
}

// lineageView is one side of a copy's lineage: the object linked (Ref,
// its page at Href) and how the copy was made.
type lineageView struct {
	store.CopyLink
	Ref, Href string
}

// objectHref is the page of an object named TYPE:ID.
func objectHref(ref string) string {
	typ, id, _ := strings.Cut(ref, ":")
	if typ == zhidu.ObjectTask {
		return "/tasks/" + url.PathEscape(id)
	}
	return "/processes/" + url.PathEscape(id)
}
