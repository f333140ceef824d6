package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/zhidu/zhidu"
)

// Customer files' pages (客户档案, issue 16): the list with the
// registration form (/customers), a file's page (/customers/{id}) with its
// history, crossing cases, blacklist decisions, orders and the forms its
// reader may use, the company blacklist (/blacklist) and the monthly
// statistics (/reports/customers, web/customer_report.go). Every answer is
// the API's: a file the user may not read is the API's 404, so the page's;
// the web only chooses which forms to offer (the API decides each post).

// customerFile is GET /api/v1/customers/{id}.
type customerFile struct {
	zhidu.Customer
	History       []zhidu.CustomerChange  `json:"history"`
	CrossingCases []zhidu.CrossingCase    `json:"crossing_cases"`
	Blacklisting  []zhidu.BlacklistEntry  `json:"blacklisting"`
	Contacts      []zhidu.CustomerContact `json:"contacts"`
	Permissions   map[string]bool         `json:"permissions"`
}

// The forms' fields: the API's bodies, labelled.
var (
	customerNameField  = zhidu.Field{Name: "name", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "客户名称", En: "Name"}, Required: true, MaxLength: 200}
	customerClassField = zhidu.Field{Name: "class", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "客户分类", En: "Class"}, Required: true,
		Choices: zhidu.CustomerClasses()}
	customerPhoneField   = zhidu.Field{Name: "phone", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "电话", En: "Phone"}, Required: true, MaxLength: 40}
	customerCompanyField = zhidu.Field{Name: "company_id", Type: zhidu.FieldText,
		Label: zhidu.Text{Zh: "统一社会信用代码（公司客户）", En: "Company ID (companies)"}, MaxLength: 60}
	customerContactField = zhidu.Field{Name: "contact", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "联系人、地址", En: "Contact details"},
		MaxLength: 2000}

	contactForm = zhidu.Form{Fields: []zhidu.Field{
		{Name: "kind", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "方式", En: "Kind"}, Required: true, Choices: zhidu.ContactKinds()},
		{Name: "outcome", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "结果", En: "Outcome"}, Required: true, Choices: zhidu.ContactOutcomes()},
		{Name: "note", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "备注", En: "Note"}, MaxLength: 1000},
	}}
	blacklistForm = zhidu.Form{Fields: []zhidu.Field{
		{Name: "reason", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "理由", En: "Reason"}, Required: true, MaxLength: 1000},
	}}
	problemForm = zhidu.Form{Fields: []zhidu.Field{
		{Name: "problem", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "问题", En: "Problem"}, Required: true, Choices: zhidu.CustomerProblems()},
		{Name: "description", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "情况说明", En: "Description"}, Required: true, MaxLength: 4000},
		{Name: "major_loss", Type: zhidu.FieldBoolean, Label: zhidu.Text{Zh: "造成重大损失（报市场部）", En: "Caused a major loss (reported to Marketing)"}},
	}}
	orderLinesField = zhidu.Field{Name: "lines", Type: zhidu.FieldRows, Label: zhidu.Text{Zh: "订单明细", En: "Order lines"}, Required: true,
		MinRows: 1, MaxRows: 100, Columns: []zhidu.Field{
			{Name: "item", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "品名", En: "Item"}, Required: true, MaxLength: 200},
			{Name: "quantity", Type: zhidu.FieldNumber, Label: zhidu.Text{Zh: "数量", En: "Quantity"}, Required: true},
			{Name: "unit_price", Type: zhidu.FieldNumber, Label: zhidu.Text{Zh: "单价（元）", En: "Unit price (CNY)"}, Required: true},
		}}
	paymentTermsField = zhidu.Field{Name: "payment_terms", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "付款条件", En: "Payment terms"},
		Required: true, MaxLength: 500}
	orderForm       = zhidu.Form{Fields: []zhidu.Field{orderLinesField, paymentTermsField}}
	orderChangeForm = zhidu.Form{Fields: []zhidu.Field{orderLinesField, paymentTermsField,
		{Name: "reason", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "修改理由", En: "Why change"}, Required: true, MaxLength: 2000}}}
	contestForm = zhidu.Form{Fields: []zhidu.Field{
		{Name: "reason", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "异议理由", En: "Why you contest"}, Required: true, MaxLength: 2000},
	}}
)

// levelField offers the levels from from up to the user's clearance (a
// file's level is only raised; top secret is the GM line's).
func levelField(from, clearance zhidu.Level) zhidu.Field {
	f := zhidu.Field{Name: "level", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "密级（默认内部）", En: "Level (default internal)"}}
	for _, l := range zhidu.Levels() {
		if l >= from && l <= clearance {
			f.Choices = append(f.Choices, l.String())
		}
	}
	return f
}

// registerForm is POST /api/v1/customers; the GM line registers for any
// department, everyone else for their own.
func (c *rc) registerForm() zhidu.Form {
	f := zhidu.Form{Fields: []zhidu.Field{customerNameField, customerClassField, customerPhoneField, customerCompanyField, customerContactField,
		levelField(zhidu.Public, c.me.Clearance)}}
	if c.me.actor().IsLeadership() {
		d := zhidu.Field{Name: "department", Type: zhidu.FieldChoice, Label: zhidu.Text{Zh: "所属部门", En: "Department"}}
		for _, dept := range zhidu.Departments() {
			d.Choices = append(d.Choices, string(dept))
		}
		f.Fields = append(f.Fields, d)
	}
	return f
}

// editForm is PATCH /api/v1/customers/{id}.
func (c *rc) editForm(cu zhidu.Customer) zhidu.Form {
	lf := levelField(cu.Level, c.me.Clearance)
	lf.Label = zhidu.Text{Zh: "密级（只能提高）", En: "Level (only raised)"}
	return zhidu.Form{Fields: []zhidu.Field{customerNameField, customerClassField, customerPhoneField, customerCompanyField, customerContactField, lf}}
}

// businessRole reports whether the user holds a business role: they may
// have customer files to read (the API answers which).
func (m *me) businessRole() bool {
	return slices.ContainsFunc(m.Roles, func(g zhidu.RoleGrant) bool { return !g.Role.Administrative() })
}

// customerCard is one of the customer pages' forms, filled with values
// (what a failed post left, when it was this form), its inputs' ids
// prefixed with its name: a page has several forms with a reason.
func (c *rc) customerCard(in probationForms, name, action string, f zhidu.Form, title, hint, submit string, values map[string]any) *formCard {
	fc := &formCard{Name: name, Action: action, Title: title, Hint: hint, Submit: submit, CSRF: c.sess.CSRF}
	if in.form == name {
		fc.Form = buildForm(c.lang, f, in.values, in.errs, "", false, nil)
		fc.Form.Error = in.msg
	} else {
		fc.Form = buildForm(c.lang, f, values, nil, "", false, nil)
	}
	prefixIDs(&fc.Form, name+"-")
	return fc
}

// prefixIDs prefixes the ids of a form's inputs (and a rows field's cells).
func prefixIDs(f *formView, prefix string) {
	cells := func(cs []fieldView) {
		for i := range cs {
			cs[i].ID = prefix + cs[i].ID
		}
	}
	for i := range f.Fields {
		fv := &f.Fields[i]
		fv.ID = prefix + fv.ID
		for r := range fv.Rows {
			cells(fv.Rows[r].Cells)
		}
		cells(fv.NewRow.Cells)
	}
}

// customerRow is a file in the list.
type customerRow struct {
	zhidu.Customer
	Department, Class string
}

// customersView is the list page.
type customersView struct {
	Filters   []filterView
	FilterOn  bool
	Rows      []customerRow
	Total     int
	Register  *formCard
	Notice    string // the API's answer to a registration of a customer on file
	NoticeURL string // the file, when the API named it to this user
	Blacklist bool   // link the blacklist: the user is of sales or marketing (the API decides)
	Report    bool   // link the statistics: a department head or the GM line (the API decides)
	// Cases are the crossing cases the user is a party to (GET
	// /api/v1/crossings), an open one with its contest form: a second
	// registrant who may not read the file contests from here.
	Cases []caseRow
}

func (s *server) customers(c *rc) { c.renderCustomers(probationForms{status: http.StatusOK}, "", "") }

// renderCustomers renders the list (GET /api/v1/customers with the
// filters) and the registration form.
func (c *rc) renderCustomers(in probationForms, notice, noticeURL string) {
	q := c.r.URL.Query()
	v := customersView{Notice: notice, NoticeURL: noticeURL}
	classes := []choiceView{}
	for _, cl := range zhidu.CustomerClasses() {
		classes = append(classes, choiceView{Value: cl, Label: label(c.lang, "value", cl), Selected: q.Get("class") == cl})
	}
	v.Filters = []filterView{
		{Param: "q", ID: "filter-q", Label: c.T("customers.filter.q"), Input: "text", Value: q.Get("q")},
		{Param: "phone", ID: "filter-phone", Label: c.T("customers.filter.phone"), Input: "text", Value: q.Get("phone")},
		{Param: "class", ID: "filter-class", Label: c.T("customers.filter.class"), Input: "select", Value: q.Get("class"), Choices: classes},
	}
	query := url.Values{"limit": {"100"}}
	for _, f := range v.Filters {
		if f.Value != "" {
			query.Set(f.Param, f.Value)
			v.FilterOn = true
		}
	}
	var list struct {
		Items []zhidu.Customer `json:"items"`
		Total int              `json:"total"`
	}
	res := c.get("/api/v1/customers", query, &list)
	switch {
	case res.ok():
	case res.Status == http.StatusBadRequest && len(res.fields()) > 0:
		for i, f := range v.Filters {
			if m, ok := res.fields()[f.Param]; ok {
				v.Filters[i].Error = translateMessage(c.lang, m)
			}
		}
		v.FilterOn = true
	default:
		c.apiFail(res)
		return
	}
	for _, cu := range list.Items {
		v.Rows = append(v.Rows, customerRow{Customer: cu, Department: label(c.lang, "dept", string(cu.Department)),
			Class: label(c.lang, "value", cu.Class)})
	}
	v.Total = list.Total
	u := c.me.actor()
	v.Blacklist = zhidu.SalesOrMarketing(u) || u.IsLeadership()
	v.Report = u.IsLeadership() || slices.ContainsFunc(u.Roles, func(g zhidu.RoleGrant) bool { return g.Role == zhidu.RoleDeptHead })
	v.Register = c.customerCard(in, "register", "/customers", c.registerForm(), c.T("customers.register"), c.T("customers.register_hint"),
		c.T("customers.submit_register"), nil)
	var cases struct {
		Items []zhidu.CrossingCase `json:"items"`
	}
	if res := c.get("/api/v1/crossings", nil, &cases); res.ok() {
		for _, cc := range cases.Items {
			row := caseRow{CrossingCase: cc, State: label(c.lang, "customer.case", cc.State)}
			if cc.State == zhidu.CrossingOpen {
				row.Contest = c.customerCard(in, "contest-"+cc.ID, "/crossings/"+url.PathEscape(cc.ID)+"/contest", contestForm,
					c.T("customer.contest"), c.T("customer.contest_hint"), c.T("customer.submit_contest"), nil)
			}
			v.Cases = append(v.Cases, row)
		}
	}
	pg := pageFor(c, "customers", c.T("customers.title"))
	pg.Data = v
	c.render(in.status, "customers", pg)
}

// registerCustomer registers a customer: the new file's page, the API's
// field messages by the form, or — for a phone number or company ID on
// file — the API's answer as a notice (it names the file only to a user
// who may read it).
func (s *server) registerCustomer(c *rc) {
	data := parseForm(c.registerForm(), c.r.PostForm)
	var cu zhidu.Customer
	res := c.post("/api/v1/customers", data, &cu)
	if res.ok() {
		http.Redirect(c.w, c.r, "/customers/"+url.PathEscape(cu.ID)+"?ok=customer_registered", http.StatusSeeOther)
		return
	}
	if res.Status == http.StatusConflict && res.Err != nil {
		m := res.Err.Said()
		link := ""
		if id, ok := m.Params["id"].(string); ok && m.Code == "customer.registered_as" {
			link = "/customers/" + url.PathEscape(id)
		}
		c.renderCustomers(probationForms{status: http.StatusConflict}, translateMessage(c.lang, m), link)
		return
	}
	if in, ok := c.failed(res, "register", data); ok {
		c.renderCustomers(in, "", "")
	}
}

// customerView is a file's page.
type customerView struct {
	File        customerFile
	Department  string
	Class       string
	Responsible string
	Credit      string
	Write       bool
	History     []historyRow
	Contacts    []contactRow
	Cases       []caseRow
	Orders      []orderRow
	OrdersError string
	Edit        *formCard
	Contact     *formCard
	Order       *formCard
	Change      *formCard // the change of a signed order asked for (?change=ID), or a draft's edit (?draft=ID)
	Problem     *formCard
	Blacklist   *formCard
}

// historyRow is one change of the file, labelled.
type historyRow struct {
	zhidu.CustomerChange
	Field, Before, After, Via string
}

// contactRow is a visit, call or test drive, labelled.
type contactRow struct {
	zhidu.CustomerContact
	Kind, Outcome string
}

// caseRow is a crossing case, with a contest form for its registrant
// while it is open.
type caseRow struct {
	zhidu.CrossingCase
	State, Decision, Credit string
	Contest                 *formCard
}

// orderRow is an order of the file.
type orderRow struct {
	zhidu.Order
	State, Total string
	Lines        []string
	Sign         bool   // a draft the user may sign
	EditURL      string // a draft the user may edit
	ChangeURL    string // a signed order the user may ask to change
}

func (s *server) customerPage(c *rc) {
	c.renderCustomer(c.r.PathValue("id"), probationForms{status: http.StatusOK})
}

// renderCustomer renders a file's page from GET /api/v1/customers/{id}
// and its orders; in is what a refused post left for its form.
func (c *rc) renderCustomer(id string, in probationForms) {
	var f customerFile
	if res := c.get("/api/v1/customers/"+url.PathEscape(id), nil, &f); !res.ok() {
		c.apiFail(res)
		return
	}
	base := "/customers/" + url.PathEscape(f.ID)
	v := customerView{File: f, Department: label(c.lang, "dept", string(f.Department)), Class: label(c.lang, "value", f.Class),
		Responsible: f.Responsible, Credit: f.Credit, Write: f.Permissions[zhidu.ActWrite]}
	if v.Credit == "" {
		v.Credit = c.T("customer.credit_department")
	}
	for _, h := range slices.Backward(f.History) {
		v.History = append(v.History, historyRow{CustomerChange: h, Field: c.historyField(h.Field),
			Before: c.historyValue(h.Field, h.Before), After: c.historyValue(h.Field, h.After), Via: c.viaLabel(h.Via)})
	}
	for _, k := range f.Contacts {
		v.Contacts = append(v.Contacts, contactRow{CustomerContact: k, Kind: label(c.lang, "value", k.Kind),
			Outcome: label(c.lang, "value", k.Outcome)})
	}
	for _, cc := range f.CrossingCases {
		row := caseRow{CrossingCase: cc, State: label(c.lang, "customer.case", cc.State), Credit: cc.Credit}
		if cc.Decision != nil {
			row.Decision = label(c.lang, "outcome", *cc.Decision)
		}
		if row.Credit == "" {
			row.Credit = c.T("customer.credit_department")
		}
		if cc.State == zhidu.CrossingOpen && (cc.Registrant == c.me.Username || cc.Credit == c.me.Username) {
			name := "contest-" + cc.ID
			row.Contest = c.customerCard(in, name, base+"/crossings/"+url.PathEscape(cc.ID)+"/contest", contestForm, c.T("customer.contest"),
				c.T("customer.contest_hint"), c.T("customer.submit_contest"), nil)
		}
		v.Cases = append(v.Cases, row)
	}

	var orders struct {
		Items []zhidu.Order `json:"items"`
	}
	if res := c.get("/api/v1"+base+"/orders", nil, &orders); !res.ok() {
		c.apiFail(res)
		return
	}
	change, draft := c.r.URL.Query().Get("change"), c.r.URL.Query().Get("draft")
	if rest, ok := strings.CutPrefix(in.form, "change-"); ok {
		change = rest
	}
	if rest, ok := strings.CutPrefix(in.form, "draft-"); ok {
		draft = rest
	}
	for _, o := range orders.Items {
		row := orderRow{Order: o, State: label(c.lang, "customer.order", o.State), Total: yuan(o.Total)}
		for _, l := range o.Lines {
			row.Lines = append(row.Lines, c.lineText(l))
		}
		if v.Write {
			ob := base + "/orders/" + url.PathEscape(o.ID)
			row.Sign = o.State == zhidu.OrderStateDraft
			if row.Sign {
				row.EditURL = base + "?draft=" + url.QueryEscape(o.ID) + "#form-draft-" + o.ID
				if draft == o.ID {
					v.Change = c.customerCard(in, "draft-"+o.ID, ob+"/edit", orderForm, c.T("customer.edit_order", o.ID),
						c.T("customer.order_hint"), c.T("customer.submit_draft"), orderValues(o))
				}
			}
			if o.State == zhidu.OrderStateSigned {
				row.ChangeURL = base + "?change=" + url.QueryEscape(o.ID) + "#form-change-" + o.ID
				if change == o.ID {
					v.Change = c.customerCard(in, "change-"+o.ID, ob+"/changes", orderChangeForm, c.T("customer.change_order", o.ID),
						c.T("customer.change_hint"), c.T("customer.submit_change"), orderValues(o))
				}
			}
		}
		v.Orders = append(v.Orders, row)
	}
	if in.form == "sign" {
		v.OrdersError = in.msg
	}

	if v.Write {
		v.Edit = c.customerCard(in, "edit", base+"/edit", c.editForm(f.Customer), c.T("customer.edit"), c.T("customer.edit_hint"),
			c.T("customer.submit_edit"), fileValues(f.Customer))
		v.Contact = c.customerCard(in, "contact", base+"/contacts", contactForm, c.T("customer.contact"), c.T("customer.contact_hint"),
			c.T("customer.submit_contact"), nil)
		v.Order = c.customerCard(in, "order", base+"/orders", orderForm, c.T("customer.new_order"), c.T("customer.order_hint"),
			c.T("customer.submit_order"), nil)
	}
	if f.Class == zhidu.ClassVIP {
		v.Problem = c.customerCard(in, "problem", base+"/problems", problemForm, c.T("customer.problem"), c.T("customer.problem_hint"),
			c.T("customer.submit_problem"), nil)
	}
	if zhidu.Marketing(c.me.actor()) {
		if f.Blacklist == nil {
			v.Blacklist = c.customerCard(in, "blacklist", base+"/blacklist/add", blacklistForm, c.T("customer.blacklist_add"),
				c.T("customer.blacklist_hint"), c.T("customer.submit_blacklist"), nil)
		} else {
			v.Blacklist = c.customerCard(in, "blacklist", base+"/blacklist/remove", blacklistForm, c.T("customer.blacklist_remove"),
				c.T("customer.blacklist_hint"), c.T("customer.submit_unblacklist"), nil)
		}
	}
	pg := pageFor(c, "customers", f.Name)
	if f.Level == zhidu.TopSecret {
		pg.Watermark = c.watermark()
	}
	pg.Data = v
	c.render(in.status, "customer", pg)
}

// viaLabel says how a change was made: the catalogue's word, else the
// word of the process that made it (its descriptor's value labels).
func (c *rc) viaLabel(via string) string {
	if hasKey("customer.via." + via) {
		return c.T("customer.via." + via)
	}
	return label(c.lang, "value", via)
}

// orderFieldKey is the catalogue's family of an order's fields.
const orderFieldKey = "customer.field.order_"

// historyField labels a field of the file's history; an order's field
// is order:ID.lines, order:ID.payment_terms or order:ID.state.
func (c *rc) historyField(field string) string {
	if rest, ok := strings.CutPrefix(field, "order:"); ok {
		if id, part, ok := strings.Cut(rest, "."); ok && hasKey(orderFieldKey+part) {
			return c.T(orderFieldKey+part, id)
		}
	}
	return label(c.lang, "customer.field", field)
}

// historyValue labels a recorded value of a file's field (a class, a
// level, a department, the blacklist, an order's state; an order's lines
// as text) or shows it as recorded.
func (c *rc) historyValue(field string, v *string) string {
	if v == nil {
		return ""
	}
	switch {
	case field == "class":
		return label(c.lang, "value", *v)
	case field == "level":
		return label(c.lang, "level", *v)
	case field == "department":
		return label(c.lang, "dept", *v)
	case field == "blacklist":
		return label(c.lang, "customer.blacklist", *v)
	case field == "credit" && *v == "":
		return c.T("customer.credit_department")
	case strings.HasPrefix(field, "order:") && strings.HasSuffix(field, ".state"):
		return label(c.lang, "customer.order", *v)
	case strings.HasPrefix(field, "order:") && strings.HasSuffix(field, ".lines"):
		var lines []zhidu.OrderLine
		if json.Unmarshal([]byte(*v), &lines) != nil {
			return *v
		}
		parts := make([]string, len(lines))
		for i, l := range lines {
			parts[i] = c.lineText(l)
		}
		return strings.Join(parts, "; ")
	}
	return *v
}

// lineText is an order line as text: item × quantity @ unit price = amount.
func (c *rc) lineText(l zhidu.OrderLine) string {
	return c.T("customer.o.line", l.Item, strconv.FormatFloat(l.Quantity, 'f', -1, 64), yuan(l.UnitPrice),
		yuan(zhidu.OrderTerms{Lines: []zhidu.OrderLine{l}}.Total()))
}

// fileValues fill the edit form with the file as it is.
func fileValues(cu zhidu.Customer) map[string]any {
	return map[string]any{"name": cu.Name, "class": cu.Class, "phone": cu.Phone, "company_id": deref(cu.CompanyID), "contact": cu.Contact,
		"level": cu.Level.String()}
}

// orderValues fill the change form with the order's terms.
func orderValues(o zhidu.Order) map[string]any {
	lines := []any{}
	for _, l := range o.Lines {
		lines = append(lines, map[string]any{"item": l.Item, "quantity": l.Quantity, "unit_price": l.UnitPrice})
	}
	return map[string]any{"lines": lines, "payment_terms": o.PaymentTerms}
}

// customerPost sends a form of a file's page to the API: back to the page
// with a note when it is done, else the page again with the API's answer
// by the form (a file the user may not read stays not found).
func (c *rc) customerPost(method, apiPath, form, flash string, data map[string]any) {
	id := c.r.PathValue("id")
	var body any
	if data != nil {
		body = data
	}
	res := c.call(method, apiPath, nil, body)
	if res.ok() {
		http.Redirect(c.w, c.r, "/customers/"+url.PathEscape(id)+"?ok="+flash, http.StatusSeeOther)
		return
	}
	if res.Status == http.StatusNotFound {
		c.apiFail(res)
		return
	}
	if in, ok := c.failed(res, form, data); ok {
		c.renderCustomer(id, in)
	}
}

func customerAPI(c *rc, rest string) string {
	return "/api/v1/customers/" + url.PathEscape(c.r.PathValue("id")) + rest
}

// editCustomer sends the edit form: every text as typed (an emptied
// company ID or contact clears it), the level when one is chosen.
func (s *server) editCustomer(c *rc) {
	data := map[string]any{}
	for _, name := range []string{"name", "class", "phone", "company_id", "contact"} {
		data[name] = strings.ReplaceAll(strings.TrimSpace(c.r.PostFormValue(fieldPrefix+name)), "\r\n", "\n")
	}
	if l := strings.TrimSpace(c.r.PostFormValue(fieldPrefix + "level")); l != "" {
		data["level"] = l
	}
	c.customerPost(http.MethodPatch, customerAPI(c, ""), "edit", "customer_saved", data)
}

func (s *server) customerContact(c *rc) {
	c.customerPost(http.MethodPost, customerAPI(c, "/contacts"), "contact", "contact", parseForm(contactForm, c.r.PostForm))
}

func (s *server) customerProblem(c *rc) {
	c.customerPost(http.MethodPost, customerAPI(c, "/problems"), "problem", "problem", parseForm(problemForm, c.r.PostForm))
}

func (s *server) customerOrder(c *rc) {
	c.customerPost(http.MethodPost, customerAPI(c, "/orders"), "order", "order", parseForm(orderForm, c.r.PostForm))
}

// customerBlacklist puts the customer on the blacklist (add) or takes it
// off (remove): the Marketing Division's decision, the API's to allow.
func (s *server) customerBlacklist(c *rc) {
	data := parseForm(blacklistForm, c.r.PostForm)
	switch c.r.PathValue("op") {
	case "add":
		c.customerPost(http.MethodPost, customerAPI(c, "/blacklist"), "blacklist", "blacklisted", data)
	case "remove":
		if c.r.PostFormValue("from") == "blacklist" {
			c.blacklistRemove(data)
			return
		}
		c.customerPost(http.MethodDelete, customerAPI(c, "/blacklist"), "blacklist", "unblacklisted", data)
	default:
		c.notFound()
	}
}

func (s *server) orderSign(c *rc) {
	c.customerPost(http.MethodPost, "/api/v1/orders/"+url.PathEscape(c.r.PathValue("order"))+"/sign", "sign", "order_signed", nil)
}

// orderEdit edits a draft order's terms (PATCH /api/v1/orders/{id}).
func (s *server) orderEdit(c *rc) {
	order := c.r.PathValue("order")
	c.customerPost(http.MethodPatch, "/api/v1/orders/"+url.PathEscape(order), "draft-"+order, "order_saved", parseForm(orderForm, c.r.PostForm))
}

func (s *server) orderChange(c *rc) {
	order := c.r.PathValue("order")
	c.customerPost(http.MethodPost, "/api/v1/orders/"+url.PathEscape(order)+"/changes", "change-"+order, "change_asked",
		parseForm(orderChangeForm, c.r.PostForm))
}

// myCrossingContest contests a case from the customers page (the user may
// not read its file): back to the list, or the API's answer by the form.
func (s *server) myCrossingContest(c *rc) {
	cc := c.r.PathValue("case")
	data := parseForm(contestForm, c.r.PostForm)
	res := c.call(http.MethodPost, "/api/v1/crossings/"+url.PathEscape(cc)+"/contest", nil, data)
	if res.ok() {
		http.Redirect(c.w, c.r, "/customers?ok=contested", http.StatusSeeOther)
		return
	}
	if res.Status == http.StatusNotFound {
		c.apiFail(res)
		return
	}
	if in, ok := c.failed(res, "contest-"+cc, data); ok {
		c.renderCustomers(in, "", "")
	}
}

func (s *server) crossingContest(c *rc) {
	cc := c.r.PathValue("case")
	c.customerPost(http.MethodPost, "/api/v1/crossings/"+url.PathEscape(cc)+"/contest", "contest-"+cc, "contested",
		parseForm(contestForm, c.r.PostForm))
}

// blacklistView is the blacklist page.
type blacklistView struct {
	Items     []blacklistRow
	Marketing bool
}

type blacklistRow struct {
	zhidu.BlacklistEntry
	Remove *formCard // the Marketing Division's form to take it off
}

func (s *server) blacklistPage(c *rc) { c.renderBlacklist(probationForms{status: http.StatusOK}) }

// renderBlacklist renders GET /api/v1/blacklist; a user who may not read
// it gets the API's 403 as a page.
func (c *rc) renderBlacklist(in probationForms) {
	var list struct {
		Items []zhidu.BlacklistEntry `json:"items"`
	}
	if res := c.get("/api/v1/blacklist", nil, &list); !res.ok() {
		c.apiFail(res)
		return
	}
	v := blacklistView{Marketing: zhidu.Marketing(c.me.actor())}
	for _, e := range list.Items {
		row := blacklistRow{BlacklistEntry: e}
		if v.Marketing {
			row.Remove = c.customerCard(in, "remove-"+e.CustomerID, "/customers/"+url.PathEscape(e.CustomerID)+"/blacklist/remove",
				blacklistForm, c.T("customer.blacklist_remove"), "", c.T("customer.submit_unblacklist"), nil)
		}
		v.Items = append(v.Items, row)
	}
	pg := pageFor(c, "customers", c.T("blacklist.title"))
	pg.Data = v
	c.render(in.status, "blacklist", pg)
}

// blacklistRemove takes a customer off the blacklist from the blacklist
// page, whose files the Marketing Division may not read.
func (c *rc) blacklistRemove(data map[string]any) {
	id := c.r.PathValue("id")
	res := c.call(http.MethodDelete, customerAPI(c, "/blacklist"), nil, data)
	if res.ok() {
		http.Redirect(c.w, c.r, "/blacklist?ok=unblacklisted", http.StatusSeeOther)
		return
	}
	if in, ok := c.failed(res, "remove-"+id, data); ok {
		c.renderBlacklist(in)
	}
}

// customerPageLabels are the customer pages' labels, each key's Chinese
// and English side by side; init (i18n.go) adds them to the catalogue.
var customerPageLabels = map[string]zhidu.Text{
	"nav.customers": {Zh: "客户档案", En: "Customers"},

	"value.call": {Zh: "来电", En: "Call"}, "value.test_drive": {Zh: "试驾", En: "Test drive"},
	"value.deal": {Zh: "成交", En: "Deal"}, "value.follow_up": {Zh: "待跟进", En: "Follow up"}, "value.no_deal": {Zh: "未成交", En: "No deal"},

	"customer.field.name": {Zh: "客户名称", En: "Name"}, "customer.field.class": {Zh: "客户分类", En: "Class"},
	"customer.field.phone": {Zh: "电话", En: "Phone"}, "customer.field.company_id": {Zh: "统一社会信用代码", En: "Company ID"},
	"customer.field.contact": {Zh: "联系人、地址", En: "Contact details"}, "customer.field.level": {Zh: "密级", En: "Level"},
	"customer.field.department": {Zh: "所属部门", En: "Department"}, "customer.field.responsible": {Zh: "负责人", En: "Responsible"},
	"customer.field.credit": {Zh: "业绩归属", En: "Credit"}, "customer.field.blacklist": {Zh: "黑名单", En: "Blacklist"},
	"customer.field.registered": {Zh: "登记", En: "Registered"}, "customer.field.order": {Zh: "新建订单", En: "New order"},
	"customer.field.order_lines": {Zh: "订单 %s 明细", En: "Order %s lines"}, "customer.field.order_payment_terms": {Zh: "订单 %s 付款条件", En: "Order %s payment terms"},
	"customer.field.order_state": {Zh: "订单 %s 状态", En: "Order %s state"},
	"customer.via.order":         {Zh: "订单", En: "Order"},
	"customer.blacklist.on":      {Zh: "在黑名单", En: "On the blacklist"}, "customer.blacklist.off": {Zh: "不在黑名单", En: "Off the blacklist"},
	"customer.via.edit": {Zh: "修改", En: "Edit"}, "customer.via.registered": {Zh: "登记", En: "Registration"},
	"customer.via.handover": {Zh: "交接", En: "Handover"}, "customer.via.blacklist": {Zh: "黑名单决定", En: "Blacklist decision"},
	"customer.via.crossing": {Zh: "客户交叉裁定", En: "Crossing decision"}, "customer.via.downgrade": {Zh: "降级", En: "Downgrade"},
	"customer.case.open": {Zh: "未处理", En: "Open"}, "customer.case.contested": {Zh: "有异议，待部门经理裁定", En: "Contested, with the head"},
	"customer.case.decided": {Zh: "已裁定", En: "Decided"},
	"customer.order.draft":  {Zh: "草稿", En: "Draft"}, "customer.order.signed": {Zh: "已签定", En: "Signed"},
	"customer.blacklist.added": {Zh: "列入黑名单", En: "Put on the blacklist"}, "customer.blacklist.removed": {Zh: "移出黑名单", En: "Taken off the blacklist"},

	"customers.title":           {Zh: "客户档案", En: "Customer files"},
	"customers.lead":            {Zh: "您有权查看的客户档案（本部门的档案，或经查阅授权的档案）。", En: "The customer files you may read: your department's, or those an access grant opens."},
	"customers.filters":         {Zh: "查找客户", En: "Find customers"},
	"customers.filter.q":        {Zh: "名称、联系人或信用代码", En: "Name, contact or company ID"},
	"customers.filter.phone":    {Zh: "电话", En: "Phone"},
	"customers.filter.class":    {Zh: "客户分类", En: "Class"},
	"customers.empty":           {Zh: "没有符合条件的客户档案。", En: "No customer file matches."},
	"customers.register":        {Zh: "登记客户", En: "Register a customer"},
	"customers.register_hint":   {Zh: "电话或信用代码已在档的客户不会重复建档：以第一次登记为准。", En: "A customer whose phone or company ID is on file gets no second file: the first registration counts."},
	"customers.submit_register": {Zh: "登记", En: "Register"},
	"customers.registered_link": {Zh: "打开该档案", En: "Open the file"},
	"customers.blacklist_link":  {Zh: "客户黑名单", En: "Customer blacklist"},
	"customers.report_link":     {Zh: "月度统计", En: "Monthly statistics"},

	"customer.file":               {Zh: "客户档案", En: "Customer file"},
	"customer.id":                 {Zh: "档案编号", En: "File"},
	"customer.credit_department":  {Zh: "归部门", En: "The department"},
	"customer.blacklisted":        {Zh: "黑名单", En: "Blacklisted"},
	"customer.blacklisted_since":  {Zh: "已列入公司黑名单：%s（%s，%s）", En: "On the company blacklist: %s (%s, %s)"},
	"customer.history":            {Zh: "变更记录", En: "Change history"},
	"customer.history_empty":      {Zh: "尚无变更记录。", En: "No change recorded."},
	"customer.contacts":           {Zh: "来人来电", En: "Visits and calls"},
	"customer.contacts_empty":     {Zh: "尚无来人来电记录。", En: "No visit or call recorded."},
	"customer.k.kind":             {Zh: "方式", En: "Kind"},
	"customer.k.outcome":          {Zh: "结果", En: "Outcome"},
	"customer.k.note":             {Zh: "备注", En: "Note"},
	"customer.h.at":               {Zh: "时间", En: "When"},
	"customer.h.actor":            {Zh: "操作人", En: "Who"},
	"customer.h.field":            {Zh: "字段", En: "Field"},
	"customer.h.change":           {Zh: "变更（前 → 后）", En: "Before → after"},
	"customer.h.via":              {Zh: "方式", En: "Via"},
	"customer.h.reason":           {Zh: "理由", En: "Reason"},
	"customer.cases":              {Zh: "客户交叉（重卡）", En: "Crossing cases (duplicate cards)"},
	"customer.cases_empty":        {Zh: "没有客户交叉记录。", En: "No crossing case."},
	"customer.c.registrant":       {Zh: "再次登记人", En: "Second registrant"},
	"customer.c.matched":          {Zh: "重复项", En: "Matched"},
	"customer.c.state":            {Zh: "状态", En: "State"},
	"customer.c.decision":         {Zh: "裁定", En: "Decision"},
	"customer.c.credit":           {Zh: "业绩归属", En: "Credit"},
	"customer.contest":            {Zh: "提出异议", En: "Contest"},
	"customers.my_cases":          {Zh: "我的交叉客户案例", En: "My crossing cases"},
	"customer.contest_hint":       {Zh: "由档案所属部门经理裁定，裁定为最终决定。", En: "The head of the file's department decides; the decision is final."},
	"customer.submit_contest":     {Zh: "提出异议", En: "Contest"},
	"customer.blacklisting":       {Zh: "黑名单决定", En: "Blacklist decisions"},
	"customer.b.decision":         {Zh: "决定", En: "Decision"},
	"customer.b.by":               {Zh: "决定人", En: "By"},
	"customer.orders":             {Zh: "订单", En: "Orders"},
	"customer.orders_empty":       {Zh: "尚无订单。", En: "No order yet."},
	"customer.o.id":               {Zh: "订单号", En: "Order"},
	"customer.o.state":            {Zh: "状态", En: "State"},
	"customer.o.lines":            {Zh: "明细", En: "Lines"},
	"customer.o.terms":            {Zh: "付款条件", En: "Payment terms"},
	"customer.o.total":            {Zh: "合计（元）", En: "Total (CNY)"},
	"customer.o.created":          {Zh: "制单", En: "Filed"},
	"customer.o.signed":           {Zh: "签定", En: "Signed"},
	"customer.o.actions":          {Zh: "操作", En: "Actions"},
	"customer.o.line":             {Zh: "%s × %s @ %s = %s", En: "%s × %s @ %s = %s"},
	"customer.sign":               {Zh: "签定订单", En: "Sign"},
	"customer.edit_draft":         {Zh: "修改草稿", En: "Edit the draft"},
	"customer.edit_order":         {Zh: "修改订单草稿 %s", En: "Edit draft order %s"},
	"customer.submit_draft":       {Zh: "保存草稿", En: "Save the draft"},
	"customer.request_change":     {Zh: "申请修改", En: "Request a change"},
	"customer.change_order":       {Zh: "申请修改订单 %s", En: "Request a change of order %s"},
	"customer.change_hint":        {Zh: "订单签定后，明细和付款条件的修改须经部门经理或组长签字同意。", En: "Once signed, an order's lines and payment terms change only with the signature of the department head or a team lead."},
	"customer.submit_change":      {Zh: "提交修改申请", En: "Ask for the change"},
	"customer.edit":               {Zh: "修改档案", En: "Edit the file"},
	"customer.edit_hint":          {Zh: "每项修改都会记录修改人、时间及修改前后的内容。", En: "Every change records who, when, and the value before and after."},
	"customer.submit_edit":        {Zh: "保存", En: "Save"},
	"customer.contact":            {Zh: "登记来人来电", En: "Record a visit or call"},
	"customer.contact_hint":       {Zh: "来访、来电或试驾，以及结果；计入月度统计。", En: "A visit, call or test drive and its outcome; counted in the monthly statistics."},
	"customer.submit_contact":     {Zh: "登记", En: "Record"},
	"customer.new_order":          {Zh: "新建订单（草稿）", En: "File a draft order"},
	"customer.order_hint":         {Zh: "草稿可以签定；签定后修改须走签字流程。", En: "A draft can be signed; once signed, changes need a signature."},
	"customer.submit_order":       {Zh: "保存草稿", En: "Save the draft"},
	"customer.problem":            {Zh: "报告问题（VIP 客户）", En: "Report a problem (VIP customer)"},
	"customer.problem_hint":       {Zh: "合同履行差、回款不及时或重大危机：所属部门须在 5 天内决定是否降级。", En: "Poor contract performance, late payment or a major crisis: the owning department decides a downgrade within 5 days."},
	"customer.submit_problem":     {Zh: "报告", En: "Report"},
	"customer.blacklist_add":      {Zh: "列入黑名单", En: "Put on the blacklist"},
	"customer.blacklist_remove":   {Zh: "移出黑名单", En: "Take off the blacklist"},
	"customer.blacklist_hint":     {Zh: "市场部的决定，须说明理由，并记录在档。", En: "The Marketing Division's decision, with a reason, recorded on the file."},
	"customer.submit_blacklist":   {Zh: "列入黑名单", En: "Blacklist"},
	"customer.submit_unblacklist": {Zh: "移出黑名单", En: "Remove"},

	"blacklist.title":    {Zh: "客户黑名单", En: "Customer blacklist"},
	"blacklist.lead":     {Zh: "市场部列入公司黑名单的客户（您密级范围内的档案）。黑名单客户不能新开退货单、签定新订单或获得赔偿。", En: "The customers the Marketing Division put on the company blacklist (files within your clearance). A blacklisted customer gets no new return slip, no new signed order and no compensation."},
	"blacklist.empty":    {Zh: "黑名单为空。", En: "The blacklist is empty."},
	"blacklist.customer": {Zh: "客户", En: "Customer"},
	"blacklist.reason":   {Zh: "理由", En: "Reason"},
	"blacklist.by":       {Zh: "决定人", En: "Decided by"},
	"blacklist.at":       {Zh: "时间", En: "When"},

	"flash.customer_registered": {Zh: "客户已登记。", En: "The customer is registered."},
	"flash.customer_saved":      {Zh: "档案已保存，修改已记录。", En: "The file is saved; the changes are recorded."},
	"flash.contact":             {Zh: "来人来电已登记。", En: "The contact is recorded."},
	"flash.problem":             {Zh: "问题已报告，所属部门的降级任务已创建。", En: "The problem is reported; the department's downgrade task is created."},
	"flash.order":               {Zh: "订单草稿已保存。", En: "The draft order is saved."},
	"flash.order_saved":         {Zh: "订单草稿已修改。", En: "The draft order is changed."},
	"flash.order_signed":        {Zh: "订单已签定。", En: "The order is signed."},
	"flash.change_asked":        {Zh: "修改申请已提交，待部门经理或组长签字。", En: "The change is with the department head or a team lead for signature."},
	"flash.contested":           {Zh: "异议已提交，由部门经理裁定。", En: "The contest is with the department head."},
	"flash.blacklisted":         {Zh: "客户已列入黑名单。", En: "The customer is on the blacklist."},
	"flash.unblacklisted":       {Zh: "客户已移出黑名单。", En: "The customer is off the blacklist."},
}
