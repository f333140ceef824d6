package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
)

// PurchaseConfig holds every duration and threshold of the purchase
// process (采购审批); none is a literal in the workflow.
type PurchaseConfig struct {
	Sourcing   SLA `json:"sourcing"`    // 询价比价议价: the buyer's quotes
	Approval   SLA `json:"approval"`    // each step of the route the matrix gave
	SampleTest SLA `json:"sample_test"` // a first-time supplier's sample test (Quality)
	TrialBatch SLA `json:"trial_batch"` // and its trial batch
	Order      SLA `json:"order"`       // the purchase order
	Receiving  SLA `json:"receiving"`   // 验收 and 入库
	Payment    SLA `json:"payment"`
	// MinQuotes is how many qualified suppliers' quotes important
	// material needs before sourcing can complete (DOMAIN.md: 3).
	MinQuotes int `json:"min_quotes"`
	// DeliveryReminder is how long before the confirmed delivery date the
	// buyer is reminded; at the date the delivery task escalates to the
	// purchasing head.
	DeliveryReminder time.Duration `json:"delivery_reminder"`
	// TimeZone is the company's (a delivery date ends at midnight there).
	TimeZone string `json:"time_zone"`
	// SupplierReturn configures the supplier returns that rejected goods
	// start.
	SupplierReturn SupplierReturnConfig `json:"supplier_return"`
}

// DefaultPurchaseConfig returns the defaults of DOMAIN.md.
func DefaultPurchaseConfig() PurchaseConfig {
	day := 24 * time.Hour
	return PurchaseConfig{
		Sourcing:         SLA{Due: 5 * day, Reminder: 3 * day, Escalate: []time.Duration{5 * day}},
		Approval:         SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{3 * day, 4 * day}}, // the VP in charge, then leadership
		SampleTest:       SLA{Due: 5 * day, Reminder: 3 * day, Escalate: []time.Duration{5 * day}},
		TrialBatch:       SLA{Due: 10 * day, Reminder: 7 * day, Escalate: []time.Duration{10 * day}},
		Order:            SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day}},
		Receiving:        SLA{Due: 2 * day, Reminder: day, Escalate: []time.Duration{2 * day}},
		Payment:          SLA{Due: 5 * day, Reminder: 3 * day, Escalate: []time.Duration{5 * day}},
		MinQuotes:        3,
		DeliveryReminder: day,
		TimeZone:         "Asia/Shanghai",
		SupplierReturn:   DefaultSupplierReturnConfig(),
	}
}

// location is the company's time zone.
func (c PurchaseConfig) location() *time.Location { return companyZone(c.TimeZone) }

// Urgencies of a requisition.
const (
	UrgencyNormal = "normal"
	UrgencyUrgent = "urgent"
)

// Bounds of a requisition.
const (
	MaxRequisitionItems = 100
	MaxItemQuantity     = 1_000_000_000
)

// RequisitionItem is one line of a requisition (申购单).
type RequisitionItem struct {
	Name      string  `json:"name" text:"line"`
	Spec      string  `json:"spec" text:"line"` // 规格型号
	Quantity  float64 `json:"quantity"`
	Unit      string  `json:"unit" text:"line"`
	UnitPrice float64 `json:"unit_price"` // estimated, CNY
}

// Amount is the line's estimated value, to the fen.
func (it RequisitionItem) Amount() float64 { return math.Round(it.Quantity*it.UnitPrice*100) / 100 }

// Requisition is what a purchase starts with. Its total is computed
// (Total), never sent.
type Requisition struct {
	Items   []RequisitionItem `json:"items"`
	Reason  string            `json:"reason"`
	Kind    string            `json:"kind"` // matrix.Kinds
	Urgency string            `json:"urgency"`
	// Project is the project the material is for: required for important
	// and project material, whose route may name its first responsible
	// person.
	Project string `json:"project,omitempty" text:"line"`
}

// Total is the requisition's estimated value: the sum of its lines.
func (r Requisition) Total() float64 {
	var fen int64
	for _, it := range r.Items {
		fen += int64(math.Round(it.Amount() * 100))
	}
	return float64(fen) / 100
}

// Quantity is the requisition's total quantity (a quote's default
// multiplier).
func (r Requisition) Quantity() float64 {
	var q float64
	for _, it := range r.Items {
		q += it.Quantity
	}
	return q
}

// needsProject says whether a kind of purchase is for a project.
func needsProject(kind string) bool {
	return kind == matrix.KindImportant || kind == matrix.KindProject
}

// Validate returns the requisition's field errors (paths items[1].quantity),
// or nil.
func (r Requisition) Validate() map[string]zhidu.Message {
	errs := map[string]zhidu.Message{}
	switch {
	case len(r.Items) == 0:
		errs["items"] = zhidu.Required()
	case len(r.Items) > MaxRequisitionItems:
		errs["items"] = zhidu.Say(msgTooManyItems, "max", MaxRequisitionItems)
	}
	for i, it := range r.Items {
		path := fmt.Sprintf("items[%d].", i)
		checkText(errs, path+"name", it.Name, true, false, 200)
		checkText(errs, path+"spec", it.Spec, false, false, 200)
		checkText(errs, path+"unit", it.Unit, true, false, 20)
		switch {
		case math.IsNaN(it.Quantity) || it.Quantity <= 0:
			errs[path+"quantity"] = zhidu.Say(msgPositiveNumber)
		case it.Quantity > MaxItemQuantity:
			errs[path+"quantity"] = zhidu.NumberMax(MaxItemQuantity)
		}
		if m := yuanFen(it.UnitPrice); !m.IsZero() {
			errs[path+"unit_price"] = m
		}
	}
	checkText(errs, "reason", r.Reason, true, true, 4000)
	if !slices.Contains(matrix.Kinds(), r.Kind) {
		errs["kind"] = zhidu.OneOf(matrix.Kinds())
	}
	if !slices.Contains(purchaseUrgencies, r.Urgency) {
		errs["urgency"] = zhidu.OneOf(purchaseUrgencies)
	}
	checkText(errs, "project", r.Project, needsProject(r.Kind), false, 100)
	if len(errs) == 0 && r.Total() > matrix.MaxAmount {
		errs["items"] = zhidu.Say(msgAmountAbove, "max", fmt.Sprintf("%.2f", matrix.MaxAmount))
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// yuanFen says what is wrong with a price: negative, or finer than a fen.
func yuanFen(v float64) zhidu.Message {
	switch {
	case math.IsNaN(v) || v < 0:
		return zhidu.Negative()
	case math.Round(v*100)/100 != v:
		return zhidu.Say(msgYuanFen)
	case v > matrix.MaxAmount:
		return zhidu.NumberMax(matrix.MaxAmount)
	}
	return zhidu.Message{}
}

var purchaseUrgencies = []string{UrgencyNormal, UrgencyUrgent}

// RouteStep is one approver step of a purchase's route as the matrix gave
// it at submission: the matrix's step, the step name it is asked under and
// who may work it.
type RouteStep struct {
	matrix.Step
	Name       string            `json:"name"` // the task's step, e.g. approval_dept_head
	Candidates []zhidu.Candidate `json:"candidates"`
	Department zhidu.Department  `json:"department_code"` // where the task sits
}

// Route is how a purchase is approved: the matrix version current at its
// submission, the rule that matched and why, and the steps in order. A
// later edit of the matrix never reroutes it.
type Route struct {
	MatrixVersion int           `json:"matrix_version"`
	Rule          int           `json:"rule"`
	Why           zhidu.Message `json:"why"`
	Steps         []RouteStep   `json:"steps"`
}

// PurchaseInput starts a purchase.
type PurchaseInput struct {
	Process     zhidu.ProcessInfo `json:"process"`
	Requisition Requisition       `json:"requisition"`
	Project     *zhidu.Project    `json:"project,omitempty"`
	Route       Route             `json:"route"`
	Config      PurchaseConfig    `json:"config"`
}

// Matrices finds the approval matrix a purchase is routed by.
type Matrices interface {
	// ApprovalMatrix returns the active version of the approval matrix.
	ApprovalMatrix(ctx context.Context) (version int, m matrix.Matrix, err error)
}

// Projects finds the project a requisition names.
type Projects interface {
	// Project returns a project, or an error of code zhidu.CodeNotFound.
	Project(ctx context.Context, id string) (zhidu.Project, error)
}

// purchaseStart is a purchase's start body: the requisition and an
// optional level (涉密采购: secret and above).
type purchaseStart struct {
	Requisition
	Level *zhidu.Level `json:"level"`
}

// preparePurchase validates the requisition and routes it by the matrix
// version active now. The requisition is its department's; the steps'
// departments read it as they come (their tasks), finance and the
// warehouse once they work it.
func preparePurchase(ctx context.Context, b purchaseStart, s StartContext) (any, error) {
	errs := b.Validate()
	if errs == nil {
		errs = map[string]zhidu.Message{}
	}
	info := s.Process
	info.Level = chosenLevel(b.Level, s.Starter, errs)
	var project *zhidu.Project
	if b.Project != "" && errs["project"].IsZero() {
		p, err := s.Data.Project(ctx, b.Project)
		switch {
		case err != nil && zhidu.ErrorCode(err) == zhidu.CodeNotFound:
			errs["project"] = zhidu.Say(msgNoSuchProject, "project", b.Project)
		case err != nil:
			return nil, err
		default:
			project = &p
		}
	}
	if len(errs) > 0 {
		return nil, zhidu.Invalid(zhidu.Say(msgCannotRequisition), errs)
	}
	version, m, err := s.Data.ApprovalMatrix(ctx)
	if err != nil {
		return nil, err
	}
	route, err := routePurchase(m, version, b.Requisition, info.Department, info.Level, project)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(b.Items))
	for i, it := range b.Items {
		names[i] = it.Name
	}
	info.Title = strings.Join(names, ", ")
	if len([]rune(info.Title)) > 200 {
		info.Title = string([]rune(info.Title)[:199]) + "…"
	}
	info.Readers = []zhidu.Department{info.Department}
	cfg := *s.Config.(*PurchaseConfig)
	return PurchaseInput{Process: *info, Requisition: b.Requisition, Project: project, Route: route, Config: cfg}, nil
}

// routePurchase asks the matrix for a requisition's steps and names who
// works each: the role in its department, or the project's first
// responsible person.
func routePurchase(m matrix.Matrix, version int, r Requisition, dept zhidu.Department, level zhidu.Level,
	project *zhidu.Project) (Route, error) {
	steps, rule, why := m.Route(r.Kind, r.Total(), dept, level)
	if rule < 0 {
		return Route{}, zhidu.Fail(zhidu.CodeConflict, zhidu.Say(msgNotRouted, "why", why))
	}
	route := Route{MatrixVersion: version, Rule: rule, Why: why}
	for _, st := range steps {
		rs := RouteStep{Step: st}
		if st.ProjectLead {
			if project == nil || project.Lead == "" {
				return Route{}, zhidu.Invalid(zhidu.Say(msgCannotRequisition),
					map[string]zhidu.Message{"project": zhidu.Say(msgProjectLeadNeeded)})
			}
			rs.Name, rs.Department = StepApprovalProjectLead, project.Department
			rs.Candidates = []zhidu.Candidate{{User: project.Lead}}
		} else {
			rs.Name, rs.Department = approvalStep(st.Role), zhidu.Department(st.Department)
			rs.Candidates = []zhidu.Candidate{role(st.Role, rs.Department)}
		}
		route.Steps = append(route.Steps, rs)
	}
	return route, nil
}

// purchaseStartForm is the requisition's form (Requisition, plus the
// level); Requisition.Validate holds the rules the form cannot say.
var purchaseStartForm = zhidu.Form{Fields: []zhidu.Field{
	{Name: "items", Type: zhidu.FieldRows, Label: text("申购明细", "Items"), Required: true, MaxRows: MaxRequisitionItems,
		Columns: []zhidu.Field{
			{Name: "name", Type: zhidu.FieldText, Label: text("品名", "Name"), Required: true, MaxLength: 200},
			{Name: "spec", Type: zhidu.FieldText, Label: text("规格型号", "Specification"), MaxLength: 200},
			{Name: "quantity", Type: zhidu.FieldNumber, Label: text("数量", "Quantity"), Required: true},
			{Name: "unit", Type: zhidu.FieldText, Label: text("单位", "Unit"), Required: true, MaxLength: 20},
			{Name: "unit_price", Type: zhidu.FieldNumber, Label: text("预估单价（元）", "Estimated unit price (CNY)"), Required: true},
		}},
	{Name: "reason", Type: zhidu.FieldText, Label: text("申购理由", "Reason"), Required: true, MaxLength: 4000},
	{Name: "kind", Type: zhidu.FieldChoice, Label: text("采购类别", "Kind"), Required: true, Choices: matrix.Kinds()},
	{Name: "urgency", Type: zhidu.FieldChoice, Label: text("紧急程度", "Urgency"), Required: true, Choices: purchaseUrgencies},
	{Name: "project", Type: zhidu.FieldText, Label: text("所属项目（重要物资、项目物资必填）", "Project (important and project material)"), MaxLength: 100},
	{Name: "level", Type: zhidu.FieldChoice, Label: text("密级（默认内部；秘密及以上为涉密采购）", "Level (default internal; secret and above: secret procurement)"),
		Choices: levelChoices()},
}}

// purchaseSettings are the purchase's configuration values operators set.
var purchaseSettings = []Setting{
	{Flag: "purchase-min-quotes", Env: "ZHIDU_PURCHASE_MIN_QUOTES", Field: "MinQuotes",
		Usage: "purchase: quotes from qualified suppliers that important material needs"},
	{Flag: "purchase-delivery-reminder", Env: "ZHIDU_PURCHASE_DELIVERY_REMINDER", Field: "DeliveryReminder",
		Usage: "purchase: remind the buyer this long before the confirmed delivery date"},
	{Flag: "purchase-time-zone", Env: "ZHIDU_PURCHASE_TIME_ZONE", Field: "TimeZone",
		Usage: "purchase: the company's time zone (a delivery date ends at midnight there)"},
	{Flag: "purchase-approval-due", Env: "ZHIDU_PURCHASE_APPROVAL_DUE", Field: "Approval.Due",
		Usage: "purchase: each approval step is due after"},
	{Flag: "purchase-sourcing-due", Env: "ZHIDU_PURCHASE_SOURCING_DUE", Field: "Sourcing.Due",
		Usage: "purchase: the buyer's sourcing is due after"},
}

// purchaseDescriptor: anyone of a department requisitions for it; the
// requisition is the department's.
func purchaseDescriptor() Descriptor {
	steps := []Step{{StepSourcing, text("询价比价", "Sourcing")}}
	for _, r := range approvalRoles {
		steps = append(steps, Step{approvalStep(r), approvalLabel(r)})
	}
	steps = append(steps,
		Step{StepApprovalProjectLead, text("项目第一责任人审批", "Project lead approval")},
		Step{StepSampleTest, text("样品检验", "Sample test")},
		Step{StepTrialBatch, text("小批量试用", "Trial batch")},
		Step{StepPurchaseOrder, text("下达采购订单", "Purchase order")},
		Step{StepDelivery, text("跟催到货", "Delivery")},
		Step{StepReceiving, text("验收入库", "Receiving inspection")},
		Step{StepPayment, text("付款", "Payment")},
	)
	return Descriptor{
		Kind: KindPurchase, Workflow: WorkflowPurchase, Func: Purchase,
		Label: text("采购申请", "Purchase requisition"),
		Description: text("填写申购单：按审批矩阵逐级审批，采购部询价比价（重要物资至少三家合格供应商），首次供货的重要物资先经质量部样品检验和小批量试用，下达采购订单，仓储部验收入库，财务部付款。有利害关系者回避。",
			"Fill in a requisition: approved step by step as the approval matrix routes it; Purchasing sources quotes (at least three qualified suppliers for important material); a first-time supplier of important material passes Quality's sample test and trial batch; then the purchase order, the warehouse's receiving inspection and finance's payment. Anyone with an interest in a supplier recuses."),
		Submit:    text("提交申购单", "Submit the requisition"),
		Steps:     steps,
		StartForm: purchaseStartForm,
		Starters: []Starter{{Roles: []zhidu.Role{zhidu.RoleStaff, zhidu.RoleSupervisor, zhidu.RoleDeptHead},
			Department: OwnDepartment}},
		Owner:    func(u zhidu.Actor) zhidu.Department { return u.Department },
		Defaults: func() any { return DefaultPurchaseConfig() },
		Settings: purchaseSettings,
		Register: purchaseRegister(),
		Bench:    purchaseBench(),
		Labels:   purchaseLabels,
		Takes:    []string{UpdateSupplierFacts},
		Body:     func() any { return new(purchaseStart) },
		Prepare: func(ctx context.Context, b any, s StartContext) (any, error) {
			return preparePurchase(ctx, *b.(*purchaseStart), s)
		},
		Record: func(input any) map[string]any {
			in, _ := input.(PurchaseInput)
			m := map[string]any{}
			b, _ := json.Marshal(in.Requisition)
			_ = json.Unmarshal(b, &m)
			m["level"] = in.Process.Level.String()
			m["total"] = in.Requisition.Total()
			m["matrix_version"] = in.Route.MatrixVersion
			m["matrix_rule"] = in.Route.Rule
			m["route"] = routeText(in.Route)
			m["gm_approval"] = in.Route.needsGM()
			m["route_steps"] = routeSteps(in.Route)
			m["matrix_why"] = in.Route.Why
			return m
		},
	}
}

// routeSteps are a route's steps as the stored input keeps them, for the
// requisition's page: each step's name, the department it sits in and,
// for the project's first responsible person, who that is.
func routeSteps(rt Route) []map[string]any {
	out := make([]map[string]any, len(rt.Steps))
	for i, st := range rt.Steps {
		out[i] = map[string]any{"step": st.Name, "department": string(st.Department)}
		if st.ProjectLead && len(st.Candidates) > 0 {
			out[i]["user"] = st.Candidates[0].User
		}
	}
	return out
}
