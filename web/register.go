package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// The registers (登记表) of every kind that keeps one, as its descriptor
// describes it (workflows.Descriptor.Register): a page with the register's
// table and filters, its CSV export, and on a process's page its entry.

// registerKinds lists the kinds that keep a register, in descriptor
// order.
func registerKinds() []string {
	var out []string
	for _, d := range workflows.Descriptors() {
		if d.Register != nil {
			out = append(out, d.Kind)
		}
	}
	return out
}

// registerOf returns a kind's register description.
func registerOf(kind string) (*zhidu.Register, bool) {
	d, ok := workflows.Lookup(kind)
	if !ok || d.Register == nil {
		return nil, false
	}
	return d.Register, true
}

// cellView is one value of a register row, an entry or a detail line, as
// shown; Link is the process's page, for a column that shows its ID.
// Short is a value that should not wrap: a number, a time, a word of a
// vocabulary.
type cellView struct {
	Name  string
	Label string
	Value string
	Link  string
	Short bool
}

// short reports whether values of a column are short: anything but free
// text.
func short(t zhidu.ColumnType, name string, vocab bool) bool {
	return t != zhidu.ColumnText || vocab || isDepartment(name)
}

// isDepartment reports whether a column holds department codes.
func isDepartment(name string) bool { return strings.HasSuffix(name, "department") }

// vocabulary labels a value of a column that holds one: departments and
// levels by their names, other values by the catalogue's vocabulary
// (choice values, outcomes, steps, states), else as recorded.
func vocabulary(lang, name, value string) string {
	switch {
	case isDepartment(name):
		return label(lang, "dept", value)
	case name == "level":
		return label(lang, "level", value)
	}
	for _, family := range []string{"value", "outcome", "step", "state"} {
		if s, ok := catalog[lang][family+"."+value]; ok {
			return s
		}
	}
	return value
}

// cellText shows a value of a column of type t as JSON carried it; ok is
// false when there is none (null, or an empty text).
func cellText(lang string, loc *time.Location, name string, t zhidu.ColumnType, decimals int, vocab bool, v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case bool:
		if x {
			return translate(lang, "common.yes"), true
		}
		return translate(lang, "common.no"), true
	case float64:
		prec := -1
		if decimals > 0 {
			prec = decimals
		}
		return strconv.FormatFloat(x, 'f', prec, 64), true
	case string:
		if x == "" {
			return "", false
		}
		switch {
		case t == zhidu.ColumnState:
			return label(lang, "state", x), true
		case t == zhidu.ColumnLevel:
			return label(lang, "level", x), true
		case t == zhidu.ColumnTime:
			if tm, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return tm.In(loc).Format("2006-01-02 15:04"), true
			}
		case vocab || isDepartment(name):
			return vocabulary(lang, name, x), true
		}
		return x, true
	}
	return "", false
}

// idColumn reports whether a column shows the process's ID.
func idColumn(c zhidu.Column) bool { return len(c.From) == 1 && c.From[0].Fact == zhidu.FactID }

// rowCells shows a register row's columns in order.
func (c *rc) rowCells(reg *zhidu.Register, row map[string]any) []cellView {
	out := make([]cellView, 0, len(reg.Columns))
	for _, col := range reg.Columns {
		vocab := col.Vocabulary() != nil
		cv := cellView{Name: col.Name, Label: localText(c.lang, col.Label), Short: short(col.Type, col.Name, vocab) || idColumn(col)}
		cv.Value, _ = cellText(c.lang, c.cfg.Location, col.Name, col.Type, col.Decimals, vocab, row[col.Name])
		if id, ok := row[col.Name].(string); ok && idColumn(col) && id != "" {
			cv.Link = "/processes/" + url.PathEscape(id)
		}
		out = append(out, cv)
	}
	return out
}

// filterView is one input of a register's filter form.
type filterView struct {
	Param   string // the query parameter
	ID      string
	Label   string
	Input   string // text, select, date or number
	Value   string
	Choices []choiceView
	Error   string
}

// registerFilters are the inputs of a register's filters, with what the
// query holds: a range is two dates (from, until), a number range two
// numbers (at least, below), a bool a yes/no choice.
func (c *rc) registerFilters(reg *zhidu.Register, q url.Values) []filterView {
	var out []filterView
	for _, col := range reg.Columns {
		f := col.Filter
		if f == nil {
			continue
		}
		p, lbl := f.Parameter(col), localText(c.lang, col.Label)
		fv := filterView{Param: p, ID: "rf-" + p, Label: lbl, Input: "select", Value: q.Get(p)}
		switch f.Kind {
		case zhidu.FilterExact:
			fv.Input = "text"
			if isDepartment(col.Name) {
				fv.Input = "select"
				for _, d := range zhidu.Departments() {
					fv.Choices = append(fv.Choices, choiceView{Value: string(d), Label: label(c.lang, "dept", string(d)), Selected: fv.Value == string(d)})
				}
			}
		case zhidu.FilterChoice, zhidu.FilterAnyOf:
			for _, ch := range f.Choices {
				l := vocabulary(c.lang, col.Name, ch)
				if col.Type == zhidu.ColumnState {
					l = label(c.lang, "state", ch)
				}
				fv.Choices = append(fv.Choices, choiceView{Value: ch, Label: l, Selected: fv.Value == ch})
			}
		case zhidu.FilterBool:
			fv.Choices = []choiceView{{Value: "true", Label: c.T("common.yes"), Selected: fv.Value == "true"},
				{Value: "false", Label: c.T("common.no"), Selected: fv.Value == "false"}}
		case zhidu.FilterNumber:
			fv.Input = "number"
		case zhidu.FilterRange, zhidu.FilterNumberRange:
			input, ends := "date", []string{"after", "before"}
			if f.Kind == zhidu.FilterNumberRange {
				input, ends = "number", []string{"min", "max"}
			}
			for i, pe := range f.Parameters(col) {
				out = append(out, filterView{Param: pe, ID: "rf-" + pe, Label: c.T("registers.range."+ends[i], lbl), Input: input, Value: q.Get(pe)})
			}
			continue
		}
		out = append(out, fv)
	}
	return out
}

// registerQuery is the API's query for a register page's filters: dates
// become the start of that day (_after) or of the next (_before, so the
// day is included) in the display time zone; other values go as typed.
func (c *rc) registerQuery(filters []filterView) url.Values {
	out := url.Values{}
	for _, f := range filters {
		if f.Value == "" {
			continue
		}
		out.Set(f.Param, f.Value)
		if f.Input != "date" {
			continue
		}
		if d, err := time.ParseInLocation(time.DateOnly, f.Value, c.cfg.Location); err == nil {
			if strings.HasSuffix(f.Param, "_before") {
				d = d.AddDate(0, 0, 1)
			}
			out.Set(f.Param, d.Format(time.RFC3339))
		}
	}
	return out
}

// registerView is a register's page.
type registerView struct {
	Kind       string
	Kinds      []string // every kind with a register: the tabs
	Columns    []string // the columns' labels
	Rows       [][]cellView
	Total      int
	NextURL    string
	CSVURL     string
	Filters    []filterView
	FilterOpen bool
}

// registers sends /registers to the first register.
func (s *server) registers(c *rc) {
	kinds := registerKinds()
	if len(kinds) == 0 {
		c.notFound()
		return
	}
	http.Redirect(c.w, c.r, "/registers/"+url.PathEscape(kinds[0]), http.StatusSeeOther)
}

// registerPage shows a kind's register through GET /api/v1/registers/{kind}:
// the rows the user may read, filtered as the form asks, 50 a page.
func (s *server) registerPage(c *rc) {
	kind := c.r.PathValue("kind")
	reg, ok := registerOf(kind)
	if !ok {
		c.notFound()
		return
	}
	q := c.r.URL.Query()
	v := registerView{Kind: kind, Kinds: registerKinds(), Filters: c.registerFilters(reg, q)}
	for _, col := range reg.Columns {
		v.Columns = append(v.Columns, localText(c.lang, col.Label))
	}
	query := c.registerQuery(v.Filters)
	link := url.Values{}
	for _, f := range v.Filters {
		if f.Value != "" {
			link.Set(f.Param, f.Value)
			v.FilterOpen = true
		}
	}
	v.CSVURL = "/registers/" + url.PathEscape(kind) + "/csv"
	if len(link) > 0 {
		v.CSVURL += "?" + link.Encode()
	}
	query.Set("limit", "50")
	if cur := q.Get("cursor"); cur != "" {
		query.Set("cursor", cur)
	}
	var page struct {
		Items      []map[string]any `json:"items"`
		Total      int              `json:"total"`
		NextCursor string           `json:"next_cursor"`
	}
	res := c.get("/api/v1/registers/"+url.PathEscape(kind), query, &page)
	p := pageFor(c, "registers", c.T("kind."+kind)+" · "+c.T("registers.title"))
	status := http.StatusOK
	if !res.ok() {
		if res.Status != http.StatusBadRequest {
			c.apiFail(res)
			return
		}
		status, p.Error = res.Status, c.errMessage(res)
		fields := res.fields()
		for i := range v.Filters {
			if m, ok := fields[v.Filters[i].Param]; ok {
				v.Filters[i].Error = translateMessage(c.lang, m)
			}
		}
	}
	for _, row := range page.Items {
		v.Rows = append(v.Rows, c.rowCells(reg, row))
	}
	v.Total = page.Total
	if page.NextCursor != "" {
		next := url.Values{"cursor": {page.NextCursor}}
		for k, vs := range link {
			next[k] = vs
		}
		v.NextURL = "/registers/" + url.PathEscape(kind) + "?" + next.Encode()
	}
	p.Data = v
	c.render(status, "register", p)
}

// registerCSV passes a register's CSV export (GET
// /api/v1/registers/{kind}?format=csv, every row the user may read that
// matches the filters) through to the browser, which holds a session and
// no bearer token.
func (s *server) registerCSV(c *rc) {
	kind := c.r.PathValue("kind")
	reg, ok := registerOf(kind)
	if !ok {
		c.notFound()
		return
	}
	query := c.registerQuery(c.registerFilters(reg, c.r.URL.Query()))
	query.Set("format", "csv")
	res := c.call(http.MethodGet, "/api/v1/registers/"+url.PathEscape(kind), query, nil)
	if !res.ok() {
		c.apiFail(res)
		return
	}
	for _, h := range []string{"Content-Type", "Content-Disposition"} {
		c.w.Header().Set(h, res.Header.Get(h))
	}
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(res.Body)
}

// entryView is a process's register entry on its page: the columns the
// page's head and the process's input do not show already, and the
// details as tables.
type entryView struct {
	Kind    string
	Fields  []cellView
	Details []detailView
	Row     map[string]any // the row as the API answered it
}

// detailView is one detail of an entry: a table.
type detailView struct {
	Name    string
	Label   string
	Columns []string
	Lines   [][]cellView
}

// headFacts are what a process page's head shows of the process itself.
var headFacts = []zhidu.Fact{zhidu.FactID, zhidu.FactTitle, zhidu.FactState, zhidu.FactLevel, zhidu.FactDepartment,
	zhidu.FactStartedAt, zhidu.FactStartedBy, zhidu.FactEndedAt}

// shownElsewhere reports whether a process page shows a column's value
// already: in its head (the process's facts) or its summary (the input).
func shownElsewhere(col zhidu.Column) bool {
	for _, src := range col.From {
		if src.Field != "" || src.Fact != "" && !slices.Contains(headFacts, src.Fact) {
			return false
		}
	}
	return true
}

// registerEntry reads a process's register entry (GET
// /api/v1/registers/{kind}/{id}); nil when the kind keeps no register or
// the API does not answer it.
func (c *rc) registerEntry(kind, id string) *entryView {
	reg, ok := registerOf(kind)
	if !ok {
		return nil
	}
	var e struct {
		Row     map[string]any              `json:"row"`
		Details map[string][]map[string]any `json:"details"`
	}
	if res := c.get("/api/v1/registers/"+url.PathEscape(kind)+"/"+url.PathEscape(id), nil, &e); !res.ok() {
		return nil
	}
	v := &entryView{Kind: kind, Row: e.Row}
	for i, cell := range c.rowCells(reg, e.Row) {
		if cell.Value != "" && !shownElsewhere(reg.Columns[i]) {
			v.Fields = append(v.Fields, cell)
		}
	}
	for _, d := range reg.Details {
		dv := detailView{Name: d.Name, Label: localText(c.lang, d.Label)}
		for _, col := range d.Columns {
			dv.Columns = append(dv.Columns, localText(c.lang, col.Label))
		}
		for _, line := range e.Details[d.Name] {
			var cells []cellView
			for _, col := range d.Columns {
				vocab := col.Choices != nil
				cv := cellView{Name: col.Name, Label: localText(c.lang, col.Label), Short: short(col.Type, col.Name, vocab)}
				cv.Value, _ = cellText(c.lang, c.cfg.Location, col.Name, col.Type, 0, vocab, line[col.Name])
				cells = append(cells, cv)
			}
			dv.Lines = append(dv.Lines, cells)
		}
		if len(dv.Lines) > 0 {
			v.Details = append(v.Details, dv)
		}
	}
	return v
}

// copyView is one copy of a process whose readers are confined to the
// departments holding its copies (a return slip's four copies).
type copyView struct {
	N      int
	Dept   string
	Origin bool // copy 1: the originating department
}

// copies lists who holds a confined process's copies: copy 1 the owning
// department, then the departments it was shared with, in order (the
// timeline's process_shared entries; the readers when it has none).
func copies(p store.Process) []copyView {
	if len(p.Readers) == 0 {
		return nil
	}
	depts := []string{p.Department}
	shared := false
	for _, e := range p.Timeline {
		if e.Action != "process_shared" {
			continue
		}
		ds, _ := e.Detail["departments"].([]any)
		for _, d := range ds {
			if s, ok := d.(string); ok {
				depts, shared = append(depts, s), true
			}
		}
	}
	if !shared {
		for _, d := range p.Readers {
			if string(d) != p.Department {
				depts = append(depts, string(d))
			}
		}
	}
	out := make([]copyView, len(depts))
	for i, d := range depts {
		out[i] = copyView{N: i + 1, Dept: d, Origin: i == 0}
	}
	return out
}
