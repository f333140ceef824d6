package web

import (
	"encoding/json"
	"maps"
	"strconv"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// A purchase requisition's pages (采购申请, issue 14). Its process page and
// its tasks' pages show the requisition in cards of its own: the items
// with their line amounts and the total; the route the approval matrix
// gave it (the version, the rule and why it matched, each step with where
// it stands); the quotes side by side with the one chosen marked and why;
// on a sourcing task the suppliers it may quote. All of it is what the API
// answers for the process: the stored input (the descriptor's Record:
// the requisition, total, matrix_version, matrix_rule, matrix_why,
// route_steps) and the process's tasks (the sourcing step's quotes, choice
// and reason, and the suppliers its context names); the register entry
// adds the order, the delivery, receiving and payment.

// purchaseView is a requisition's cards.
type purchaseView struct {
	Items   []itemView
	Total   string
	Details []kv // the requisition's other fields: reason, kind, urgency, project, level
	Route   takenRoute
	Quotes  *quotesView // nil until the buyer has sourced
	// A sourcing task's: the suppliers it may quote, and how many
	// qualified ones important material needs (0: no minimum).
	Suppliers []supplierView
	MinQuotes int
	// names are the suppliers by name, for the choices of the sourcing
	// form and of its submitted data.
	names choiceNames
}

// itemView is one line of the requisition.
type itemView struct {
	Name, Spec, Quantity, Unit, UnitPrice, Amount string
}

// takenRoute is the route a requisition took.
type takenRoute struct {
	Version, Rule int    // the matrix version and the rule that matched
	Why           string // why it matched, said in the language
	Steps         []takenStep
	Text          string // a route recorded without its steps, as text
}

// takenStep is one approver step of the route and where it stands:
// State is approved, rejected, open, claimed, cancelled or pending (not
// reached), Status its label.
type takenStep struct {
	Step, Label, Department, User string
	State, Status, By             string
	Current                       bool // the task page's own step
}

// quotesView is a sourcing round's quotes and the choice.
type quotesView struct {
	Lines  []quoteView
	Chosen string // the supplier chosen, by name
	Reason string
	By     string // who sourced
}

type quoteView struct {
	ID, Supplier, UnitPrice, Amount, DeliveryDate, Terms string
	Chosen                                               bool
}

// supplierView is a supplier as a sourcing task offers it.
type supplierView struct {
	ID, Name, SupplyState, BlacklistReason string
	Qualified, Blacklisted                 bool
}

// purchaseInput is a purchase's stored input (workflows' Record).
type purchaseInput struct {
	workflows.Requisition
	Total         *float64       `json:"total"`
	MatrixVersion int            `json:"matrix_version"`
	MatrixRule    int            `json:"matrix_rule"`
	MatrixWhy     *zhidu.Message `json:"matrix_why"`
	Route         string         `json:"route"`
	RouteSteps    []struct {
		Step       string `json:"step"`
		Department string `json:"department"`
		User       string `json:"user"` // the project's first responsible person
	} `json:"route_steps"`
}

// purchaseShown are the input's keys the cards show; the requisition's
// other fields are listed under its items.
var purchaseShown = []string{"items", "total", "matrix_version", "matrix_rule", "matrix_why", "route", "route_steps"}

// purchaseContextShown are the keys of a task's context the cards show
// (or that the route's marks and the supplier names say already).
var purchaseContextShown = []string{"requisition", "total", "route", "project", "quotes", "chosen", "chosen_name", "amount",
	"suppliers", "min_quotes", "round", "step", "steps"}

// sourcingData is what the buyer recorded (the sourcing form's data).
type sourcingData struct {
	Quotes []workflows.Quote `json:"quotes"`
	Chosen string            `json:"chosen"`
	Reason string            `json:"reason"`
}

// recode converts a JSON value the API sent into a Go type.
func recode(from, to any) bool {
	b, err := json.Marshal(from)
	return err == nil && json.Unmarshal(b, to) == nil
}

// yuan says an amount in yuan to the fen, as the register does.
func yuan(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// purchaseCards builds a requisition's cards from its process as the API
// answered it. task is the task page's own task (nil on the process
// page): its step is marked on the route, a sourcing task shows the
// suppliers it offers, and a later step the quotes it was asked about.
func purchaseCards(lang string, p store.Process, task *store.Task) *purchaseView {
	var in purchaseInput
	recode(p.Input, &in)
	v := &purchaseView{names: choiceNames{}}
	for _, it := range in.Items {
		v.Items = append(v.Items, itemView{Name: it.Name, Spec: it.Spec, Quantity: strconv.FormatFloat(it.Quantity, 'f', -1, 64),
			Unit: it.Unit, UnitPrice: yuan(it.UnitPrice), Amount: yuan(it.Amount())})
	}
	total := in.Requisition.Total()
	if in.Total != nil {
		total = *in.Total // what the matrix routed
	}
	v.Total = yuan(total)
	rest := maps.Clone(p.Input)
	for _, k := range purchaseShown {
		delete(rest, k)
	}
	v.Details = describeWith(lang, startFormOf(p.Kind), rest)

	v.Route = takenRoute{Version: in.MatrixVersion, Rule: in.MatrixRule, Text: in.Route}
	if in.MatrixWhy != nil {
		v.Route.Why = translateReason(lang, *in.MatrixWhy)
	}
	for _, st := range in.RouteSteps {
		rs := takenStep{Step: st.Step, Label: label(lang, "step", st.Step), Department: label(lang, "dept", st.Department),
			User: st.User, State: "pending", Status: translate(lang, "purchase.route.pending")}
		if t := latestTask(p.Tasks, st.Step, nil); t != nil {
			rs.State, rs.Status, rs.By = taskStanding(lang, *t)
		}
		rs.Current = task != nil && task.Step == st.Step
		v.Route.Steps = append(v.Route.Steps, rs)
	}

	// The suppliers by name: as the sourcing tasks offered them, the page's
	// own task last.
	var suppliers []supplierView
	for _, t := range p.Tasks {
		if t.Step == workflows.StepSourcing {
			suppliers = contextSuppliers(t.Context)
			v.names.add(lang, suppliers)
		}
	}
	if task != nil {
		v.names.add(lang, contextSuppliers(task.Context))
		if task.Step == workflows.StepSourcing {
			v.Suppliers = contextSuppliers(task.Context)
			if n, ok := task.Context["min_quotes"].(float64); ok {
				v.MinQuotes = int(n)
			}
		}
	}
	v.Quotes = quotes(lang, p.Tasks, task, in.Requisition, v.names)
	return v
}

// quotes are the quotes of the sourcing the page shows: the latest one
// (on a task's page, the latest before the task; none on a sourcing
// task's own page, whose form or result shows them).
func quotes(lang string, tasks []store.Task, task *store.Task, req workflows.Requisition, names choiceNames) *quotesView {
	if task != nil && task.Step == workflows.StepSourcing {
		return nil
	}
	done := func(t store.Task) bool {
		return t.State == zhidu.TaskCompleted && (task == nil || t.CreatedAt.Before(task.CreatedAt) || t.CreatedAt.Equal(task.CreatedAt))
	}
	src := latestTask(tasks, workflows.StepSourcing, done)
	var d sourcingData
	if src == nil || !recode(src.Data, &d) || len(d.Quotes) == 0 {
		return nil
	}
	q := &quotesView{Chosen: names.label(lang, "chosen", d.Chosen), Reason: d.Reason, By: deref(src.CompletedBy)}
	for _, x := range d.Quotes {
		q.Lines = append(q.Lines, quoteView{ID: x.Supplier, Supplier: names.label(lang, "supplier", x.Supplier),
			UnitPrice: yuan(x.UnitPrice), Amount: yuan(req.QuoteAmount(x)), DeliveryDate: x.DeliveryDate, Terms: x.Terms,
			Chosen: x.Supplier == d.Chosen})
	}
	return q
}

// latestTask is the last task of a step (that ok accepts, if given).
func latestTask(tasks []store.Task, step string, ok func(store.Task) bool) *store.Task {
	var out *store.Task
	for i, t := range tasks {
		if t.Step == step && (ok == nil || ok(t)) && (out == nil || !t.CreatedAt.Before(out.CreatedAt)) {
			out = &tasks[i]
		}
	}
	return out
}

// taskStanding says where a route step's task stands: its outcome and who
// decided, or its state and who holds it.
func taskStanding(lang string, t store.Task) (state, status, by string) {
	switch {
	case t.State == zhidu.TaskCompleted && t.Outcome != nil:
		state = "approved"
		if *t.Outcome != workflows.OutcomeApprove {
			state = "rejected"
		}
		by = deref(t.CompletedBy)
		if o := deref(t.OnBehalfOf); o != "" {
			by = translate(lang, "purchase.for", by, o)
		}
		return state, label(lang, "outcome", *t.Outcome), by
	case t.State == zhidu.TaskClaimed:
		return string(t.State), label(lang, "state", string(t.State)), deref(t.Assignee)
	}
	return string(t.State), label(lang, "state", string(t.State)), ""
}

// contextSuppliers reads the suppliers a sourcing task's context offers.
func contextSuppliers(context map[string]any) []supplierView {
	var list []struct {
		ID              string `json:"id"`
		Name            string `json:"name"`
		Qualified       bool   `json:"qualified"`
		SupplyState     string `json:"supply_state"`
		Blacklisted     bool   `json:"blacklisted"`
		BlacklistReason string `json:"blacklist_reason"`
	}
	if context["suppliers"] == nil || !recode(context["suppliers"], &list) {
		return nil
	}
	out := make([]supplierView, len(list))
	for i, s := range list {
		out[i] = supplierView{ID: s.ID, Name: s.Name, Qualified: s.Qualified, SupplyState: s.SupplyState,
			Blacklisted: s.Blacklisted, BlacklistReason: s.BlacklistReason}
	}
	return out
}

// add names suppliers in the sourcing form's choices (supplier, chosen)
// — a blacklisted one as such.
func (n choiceNames) add(lang string, suppliers []supplierView) {
	for _, field := range []string{"supplier", "chosen"} {
		if n[field] == nil {
			n[field] = map[string]string{}
		}
		for _, s := range suppliers {
			n[field][s.ID] = s.Name
			if s.Blacklisted {
				n[field][s.ID] = translate(lang, "purchase.blacklisted", s.Name)
			}
		}
	}
}

// purchaseContext is what a purchase task's context shows besides the
// cards: the suppliers that failed their first supply by name, the
// delivery deadline as a time.
func purchaseContext(lang string, loc *time.Location, context map[string]any, names choiceNames) map[string]any {
	out := maps.Clone(context)
	for _, k := range purchaseContextShown {
		delete(out, k)
	}
	if failed, ok := out["failed"].([]any); ok {
		named := make([]any, len(failed))
		for i, id := range failed {
			s, _ := id.(string)
			named[i] = names.label(lang, "supplier", s)
		}
		out["failed"] = named
	}
	if s, ok := out["deadline"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			out["deadline"] = t.In(loc).Format("2006-01-02 15:04")
		}
	}
	return out
}

// purchaseEntry is a requisition's register entry without what its cards
// show: the route and the quotes.
func purchaseEntry(e *entryView) *entryView {
	if e == nil {
		return nil
	}
	out := *e
	out.Fields, out.Details = nil, nil
	for _, f := range e.Fields {
		if f.Name != "route" {
			out.Fields = append(out.Fields, f)
		}
	}
	for _, d := range e.Details {
		if d.Name != "quotes" {
			out.Details = append(out.Details, d)
		}
	}
	return &out
}

// purchasePageLabels are the requisition cards' labels and the words of
// its timeline, each key's Chinese and English side by side; init
// (i18n.go) adds them to the catalogue.
var purchasePageLabels = map[string]zhidu.Text{
	"action.order_issued": {Zh: "生成订单号", En: "Order number issued"},
	"action.recused":      {Zh: "回避", En: "Recused"},

	"purchase.requisition":    {Zh: "申购单", En: "Requisition"},
	"purchase.col.name":       {Zh: "品名", En: "Item"},
	"purchase.col.spec":       {Zh: "规格型号", En: "Specification"},
	"purchase.col.quantity":   {Zh: "数量", En: "Quantity"},
	"purchase.col.unit":       {Zh: "单位", En: "Unit"},
	"purchase.col.unit_price": {Zh: "预估单价（元）", En: "Est. unit price (CNY)"},
	"purchase.col.amount":     {Zh: "金额（元）", En: "Amount (CNY)"},
	"purchase.total":          {Zh: "预估合计（元）", En: "Estimated total (CNY)"},

	"purchase.route":         {Zh: "审批路径", En: "Approval route"},
	"purchase.matrix":        {Zh: "审批矩阵第 %d 版，规则 %d", En: "Approval matrix version %d, rule %d"},
	"purchase.route.pending": {Zh: "未开始", En: "Not reached"},
	"purchase.route.current": {Zh: "本步骤", En: "This step"},
	"purchase.for":           {Zh: "%s（代 %s）", En: "%s for %s"},

	"purchase.quotes":         {Zh: "报价比较", En: "Quotes compared"},
	"purchase.quote.supplier": {Zh: "供应商", En: "Supplier"},
	"purchase.quote.price":    {Zh: "单价（元）", En: "Unit price (CNY)"},
	"purchase.quote.amount":   {Zh: "报价总额（元）", En: "Total (CNY)"},
	"purchase.quote.delivery": {Zh: "交货日期", En: "Delivery date"},
	"purchase.quote.terms":    {Zh: "付款及其他条件", En: "Terms"},
	"purchase.chosen":         {Zh: "选定", En: "Chosen"},
	"purchase.chosen_name":    {Zh: "选定供应商", En: "Supplier chosen"},
	"purchase.chosen_reason":  {Zh: "选定理由", En: "Why this supplier"},
	"purchase.sourced_by":     {Zh: "询价人", En: "Sourced by"},

	"purchase.suppliers":          {Zh: "可报价的供应商", En: "Suppliers to quote"},
	"purchase.supplier.id":        {Zh: "编号", En: "ID"},
	"purchase.supplier.qualified": {Zh: "合格供应商", En: "Qualified"},
	"purchase.supplier.supply":    {Zh: "供货", En: "Supply"},
	"purchase.supplier.blacklist": {Zh: "黑名单", En: "Blacklist"},
	"purchase.supply.new":         {Zh: "首次供货（须样品检验和小批量试用）", En: "First supply (sample test and trial batch)"},
	"purchase.supply.approved":    {Zh: "已供货", En: "Has supplied"},
	"purchase.blacklisted":        {Zh: "%s（黑名单）", En: "%s (blacklisted)"},
	"purchase.min_quotes":         {Zh: "重要物资须至少 %d 家合格供应商报价。", En: "Important material needs quotes from at least %d qualified suppliers."},
}

// The requisition's cards are those of the processes that take supplier
// facts (the purchase).
func init() {
	for _, d := range workflows.Taking(workflows.UpdateSupplierFacts) {
		addPurchasePages(d.Kind)
	}
}

func addPurchasePages(kind string) {
	kindPages[kind] = func(c *rc, v *processView, _ probationForms) {
		// A requisition is its department's (its readers), but not in
		// copies as a return slip is.
		v.Purchase, v.Summary, v.Entry, v.Copies = purchaseCards(c.lang, v.Process.Process, nil), nil, purchaseEntry(v.Entry), nil
	}
	kindTasks[kind] = func(c *rc, v *taskView, t taskJSON, p processJSON) (map[string]any, choiceNames) {
		v.Purchase = purchaseCards(c.lang, p.Process, &t.Task)
		v.Summary = nil // the requisition card shows the summary
		return purchaseContext(c.lang, c.cfg.Location, t.Context, v.Purchase.names), v.Purchase.names
	}
}
