package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// inboxTabs are the inbox's tabs, each a query of GET /api/v1/tasks.
var inboxTabs = []struct {
	Name  string
	Query url.Values
}{
	{"mine", url.Values{"scope": {store.ScopeMine}}},
	{"claimable", url.Values{"scope": {store.ScopeClaimable}}},
	{"overdue", url.Values{"overdue": {"true"}}},
	{"completed", url.Values{"scope": {store.ScopeCompleted}}},
}

// inboxFilters are the API's task filters the inbox form offers.
var inboxFilters = []string{"kind", "department", "priority", "due_after", "due_before", "q", "sort"}

type tabView struct {
	Name   string
	URL    string
	Count  int
	Active bool
}

type inboxView struct {
	Tabs        []tabView
	Tab         string
	Tasks       []store.Task
	Total       int
	NextURL     string
	Filter      map[string]string
	FilterOpen  bool
	FieldErrors map[string]string
	Kinds       []string
	Departments []string
	Priorities  []int
	Sorts       []string
	Me          string
	// Resets are the credential resets waiting for the user's decision.
	Resets []store.CredentialReset
}

// inbox serves "/": the signed-in user's tasks by tab, with counts.
func (s *server) inbox(c *rc) {
	q := c.r.URL.Query()
	tab := q.Get("tab")
	found := false
	for _, t := range inboxTabs {
		found = found || t.Name == tab
	}
	if !found {
		tab = "mine"
	}
	v := inboxView{Tab: tab, Filter: map[string]string{}, Kinds: kindNames(),
		Priorities: []int{zhidu.PriorityUrgent, zhidu.PriorityHigh, zhidu.PriorityNormal, zhidu.PriorityLow},
		Sorts:      []string{"-created_at", "created_at", "due_at", "-due_at", "-priority"}, Me: c.me.Username}
	for _, d := range zhidu.Departments() {
		v.Departments = append(v.Departments, string(d))
	}
	filters := url.Values{}
	for _, f := range inboxFilters {
		if val := q.Get(f); val != "" {
			v.Filter[f] = val
			v.FilterOpen = true
			filters.Set(f, val)
		}
	}
	apiFilters := c.apiTaskFilters(filters)
	var page store.Page[store.Task]
	var listErr apiResult
	for _, t := range inboxTabs {
		query := url.Values{}
		for k, vs := range apiFilters {
			query[k] = vs
		}
		for k, vs := range t.Query {
			query[k] = vs
		}
		link := url.Values{"tab": {t.Name}}
		for k, vs := range filters {
			link[k] = vs
		}
		tv := tabView{Name: t.Name, URL: "/?" + link.Encode(), Active: t.Name == tab}
		if t.Name == tab {
			query.Set("limit", "50")
			if cur := q.Get("cursor"); cur != "" {
				query.Set("cursor", cur)
			}
			res := c.get("/api/v1/tasks", query, &page)
			if !res.ok() {
				listErr = res
			}
			tv.Count = page.Total
		} else {
			query.Set("limit", "1")
			var counted store.Page[store.Task]
			if res := c.get("/api/v1/tasks", query, &counted); res.ok() {
				tv.Count = counted.Total
			}
		}
		v.Tabs = append(v.Tabs, tv)
	}
	p := pageFor(c, "inbox", c.T("inbox.title"))
	status := http.StatusOK
	if listErr.Status != 0 {
		if listErr.Status != http.StatusBadRequest {
			c.apiFail(listErr)
			return
		}
		status = http.StatusBadRequest
		v.FieldErrors = map[string]string{}
		for k, m := range listErr.fields() {
			v.FieldErrors[k] = translateMessage(c.lang, m)
		}
		p.Error = c.errMessage(listErr)
	}
	v.Tasks, v.Total = page.Items, page.Total
	v.Resets = c.pendingResets()
	if page.NextCursor != "" {
		next := url.Values{"tab": {tab}, "cursor": {page.NextCursor}}
		for k, vs := range filters {
			next[k] = vs
		}
		v.NextURL = "/?" + next.Encode()
	}
	if p.Flash == "" {
		p.Flash = c.bulkSummary(q)
	}
	p.Data = v
	c.render(status, "inbox", p)
}

// apiTaskFilters turns the inbox form's values into the API's: dates
// become the start of that day (due_after) or of the next day
// (due_before, so the day itself is included) in the display time zone.
func (c *rc) apiTaskFilters(f url.Values) url.Values {
	out := url.Values{}
	for k, vs := range f {
		out[k] = vs
	}
	for _, k := range []string{"due_after", "due_before"} {
		val := f.Get(k)
		if val == "" {
			continue
		}
		d, err := time.ParseInLocation(time.DateOnly, val, c.cfg.Location)
		if err != nil {
			continue // sent as typed: the API says what is wrong
		}
		if k == "due_before" {
			d = d.AddDate(0, 0, 1)
		}
		out.Set(k, d.Format(time.RFC3339))
	}
	return out
}

func pageFor(c *rc, nav, title string) page {
	return page{Nav: nav, Title: title}
}
