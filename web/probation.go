package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// A probation's pages (试用期, issue 15). Its process page shows the file
// in cards of its own instead of the summary: the employee, the
// department, the mentor (the register entry's, which records a change),
// the start, the end of the period (extended or not) and the next
// deadline; the sales against the target as a progress bar and the sales
// the timeline records (sale_recorded) as a table; the day-1 test score
// and the day-15 evaluations from their tasks. HR and the employee's
// department head get forms to record a sale (POST
// /api/v1/employees/{u}/sales) and to propose a change of mentor (POST
// /api/v1/processes/{id}/mentor). The employee, who may not read the file,
// has /me/probation: their own status (GET /api/v1/me/probation) with forms
// to record a sale and to request leave. Every answer is the API's; the
// web only chooses whom to offer a form.

// myProbationPath is the employee's own page.
const myProbationPath = "/me/probation"

// The forms' definitions: the API's bodies, labelled.
var (
	saleForm = zhidu.Form{Fields: []zhidu.Field{
		{Name: "reference", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "单号", En: "Reference"}, Required: true, MaxLength: 100},
		{Name: "amount", Type: zhidu.FieldNumber, Label: zhidu.Text{Zh: "金额（元）", En: "Amount (CNY)"}, Required: true},
		{Name: "customer", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "客户", En: "Customer"}, Required: true, MaxLength: 200},
	}}
	leaveForm = zhidu.Form{Fields: []zhidu.Field{
		{Name: "from", Type: zhidu.FieldDate, Label: zhidu.Text{Zh: "开始日期", En: "From"}, Required: true},
		{Name: "days", Type: zhidu.FieldNumber, Label: zhidu.Text{Zh: "天数", En: "Days"}, Required: true},
		{Name: "reason", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "请假事由", En: "Reason"}, Required: true, MaxLength: 2000},
	}}
	mentorForm = zhidu.Form{Fields: []zhidu.Field{
		{Name: "mentor", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "新带教（用户名）", En: "New mentor (username)"}, Required: true, MaxLength: 100},
		{Name: "reason", Type: zhidu.FieldText, Label: zhidu.Text{Zh: "更换理由", En: "Why change"}, Required: true, MaxLength: 2000},
	}}
)

// probationInput is a probation's stored input (its descriptor's Record).
type probationInput struct {
	Employee     string     `json:"employee"`
	Department   string     `json:"department"`
	Mentor       string     `json:"mentor"`
	StartDate    string     `json:"start_date"`
	Target       int        `json:"target"`
	TestAt       *time.Time `json:"test_at"`
	EvaluationAt *time.Time `json:"evaluation_at"`
	EndsAt       *time.Time `json:"ends_at"`
}

// probationRow is what the cards read of the probation's register entry.
type probationRow struct {
	Stage      string     `json:"stage"`
	Mentor     string     `json:"mentor"`
	EndsAt     *time.Time `json:"ends_at"`
	SalesCount *int       `json:"sales_count"`
	TestScore  *float64   `json:"test_score"`
	Extended   bool       `json:"extended"`
}

// probationShown are the register columns the cards show.
var probationShown = []string{"stage", "employee", "employee_department", "mentor", "start_date", "ends_at", "target",
	"sales_count", "test_score", "extended"}

// probationView is a probation file's cards.
type probationView struct {
	Employee    string
	Department  string
	Mentor      string
	Asked       []mentorAsk // changes of mentor awaiting the head
	StartDate   string
	EndsAt      *time.Time
	Extended    bool
	Stage       string
	Next        *deadlineView
	Progress    progressView
	Sales       []saleView
	SalesTotal  string
	Test        testView
	Evaluations []evaluationView
	// The forms HR and the department head get while it runs (nil: none).
	SaleForm, MentorForm *formCard
}

// mentorAsk is a change of mentor awaiting the head's decision.
type mentorAsk struct{ To, AskedBy, TaskID string }

// deadlineView is the next date of a probation: what, and when.
type deadlineView struct {
	Key   string // test, evaluation or end
	Label string
	At    time.Time
}

// progressView is the sales against the target.
type progressView struct {
	Count, Target int
	Reached       bool
}

// saleView is one sale the timeline records.
type saleView struct {
	Reference, Amount, Customer, By string
	At                              time.Time
}

// testView is the day-1 written test: its score once recorded, else when
// it is.
type testView struct {
	Score string
	By    string
	At    *time.Time
	Due   *time.Time
}

// evaluationView is one signature of the day-15 evaluation.
type evaluationView struct {
	Step, Label, By, Progress string
	At                        *time.Time
	Due                       *time.Time // not signed yet: when it is due
}

// probationForms is what a failed form leaves to show again: which form,
// what was typed and the API's answer.
type probationForms struct {
	status int
	form   string // sale, leave or mentor
	values map[string]any
	errs   map[string]zhidu.Message
	msg    string
}

// formCard is one of the probation pages' forms: where it posts, its
// heading, hint and button, its fields with what a failed post left.
type formCard struct {
	Name, Action, Title, Hint, Submit, CSRF string
	Form                                    formView
}

// card renders one of the page's forms, with what a failed post left if
// it was this one.
func (c *rc) card(in probationForms, name, action string, f zhidu.Form, title, hint, submit string) *formCard {
	fc := &formCard{Name: name, Action: action, Title: title, Hint: hint, Submit: submit, CSRF: c.sess.CSRF}
	if in.form != name {
		fc.Form = buildForm(c.lang, f, nil, nil, "", false, nil)
		return fc
	}
	fc.Form = buildForm(c.lang, f, in.values, in.errs, "", false, nil)
	fc.Form.Error = in.msg
	return fc
}

func (c *rc) saleCard(in probationForms, action string) *formCard {
	return c.card(in, "sale", action, saleForm, c.T("probation.record_sale"), c.T("probation.record_hint"), c.T("probation.submit_sale"))
}

// progress is the sales against the target.
func progress(count, target int) progressView {
	return progressView{Count: count, Target: target, Reached: target > 0 && count >= target}
}

// probationCards builds a probation file's cards from what the API
// answered: the process, with its tasks and timeline, and its register
// entry's row (nil when there is none yet).
func (c *rc) probationCards(p store.Process, row map[string]any, in probationForms) *probationView {
	var pi probationInput
	recode(p.Input, &pi)
	var r probationRow
	if row != nil {
		recode(row, &r)
	}
	v := &probationView{Employee: pi.Employee, Department: label(c.lang, "dept", pi.Department), Mentor: pi.Mentor,
		StartDate: pi.StartDate, EndsAt: pi.EndsAt, Extended: r.Extended, Stage: vocabulary(c.lang, "stage", r.Stage)}
	if r.Mentor != "" {
		v.Mentor = r.Mentor // after a change
	}
	if r.EndsAt != nil {
		v.EndsAt = r.EndsAt // after an extension
	}
	if r.Stage == "" {
		v.Stage = vocabulary(c.lang, "stage", workflows.StageProbation)
	}

	var total float64
	for _, e := range p.Timeline {
		if e.Action != "sale_recorded" {
			continue
		}
		s := saleView{By: e.Actor, At: e.At}
		s.Reference, _ = e.Detail["reference"].(string)
		s.Customer, _ = e.Detail["customer"].(string)
		if a, ok := e.Detail["amount"].(float64); ok {
			s.Amount, total = yuan(a), total+a
		}
		v.Sales = append(v.Sales, s)
	}
	v.SalesTotal = yuan(total)
	count := len(v.Sales)
	if r.SalesCount != nil {
		count = *r.SalesCount
	}
	v.Progress = progress(count, pi.Target)

	v.Test = testView{Due: pi.TestAt}
	if t := latestTask(p.Tasks, workflows.StepWrittenTest, completed); t != nil {
		if score, ok := t.Data["score"].(float64); ok {
			v.Test.Score = strconv.FormatFloat(score, 'f', -1, 64)
		}
		v.Test.By, v.Test.At = deref(t.CompletedBy), t.CompletedAt
	} else if r.TestScore != nil {
		v.Test.Score = strconv.FormatFloat(*r.TestScore, 'f', -1, 64)
	}
	for _, step := range []string{workflows.StepEvaluationHead, workflows.StepEvaluationMentor} {
		ev := evaluationView{Step: step, Label: label(c.lang, "step", step), Due: pi.EvaluationAt}
		if t := latestTask(p.Tasks, step, completed); t != nil {
			ev.Progress, _ = t.Data["progress"].(string)
			ev.By, ev.At, ev.Due = deref(t.CompletedBy), t.CompletedAt, nil
		}
		v.Evaluations = append(v.Evaluations, ev)
	}
	for _, t := range p.Tasks {
		if t.Step == workflows.StepMentorChange && (t.State == zhidu.TaskOpen || t.State == zhidu.TaskClaimed) {
			to, _ := t.Context["new_mentor"].(string)
			by, _ := t.Context["asked_by"].(string)
			v.Asked = append(v.Asked, mentorAsk{To: to, AskedBy: by, TaskID: t.ID})
		}
	}

	if p.State == zhidu.ProcessRunning {
		v.Next = c.nextDeadline(p.Tasks, pi, v.EndsAt)
		if c.me != nil && api.MayActForEmployee(c.me.actor(), zhidu.Department(pi.Department)) {
			base := "/processes/" + url.PathEscape(p.ID)
			v.SaleForm = c.saleCard(in, base+"/sales")
			v.MentorForm = c.card(in, "mentor", base+"/mentor", mentorForm, c.T("probation.change_mentor"), c.T("probation.mentor_hint"),
				c.T("probation.submit_mentor"))
		}
	}
	return v
}

// completed accepts a completed task.
func completed(t store.Task) bool { return t.State == zhidu.TaskCompleted }

// nextDeadline is a running probation's next date: the written test until
// its score is recorded, the day-15 evaluation until both have signed,
// then the end of the period.
func (c *rc) nextDeadline(tasks []store.Task, pi probationInput, ends *time.Time) *deadlineView {
	done := func(step string) bool { return latestTask(tasks, step, completed) != nil }
	switch {
	case !done(workflows.StepWrittenTest) && pi.TestAt != nil:
		return &deadlineView{Key: "test", Label: c.T("probation.next.test"), At: *pi.TestAt}
	case !(done(workflows.StepEvaluationHead) && done(workflows.StepEvaluationMentor)) && pi.EvaluationAt != nil:
		return &deadlineView{Key: "evaluation", Label: c.T("probation.next.evaluation"), At: *pi.EvaluationAt}
	case ends != nil:
		return &deadlineView{Key: "end", Label: c.T("probation.next.end"), At: *ends}
	}
	return nil
}

// probationEntry is a probation's register entry without what its cards
// show.
func probationEntry(e *entryView) *entryView {
	if e == nil {
		return nil
	}
	out := *e
	out.Fields = nil
	for _, f := range e.Fields {
		if !slices.Contains(probationShown, f.Name) {
			out.Fields = append(out.Fields, f)
		}
	}
	return &out
}

// probationProcess reads a probation's process for one of its page's
// forms; ok is false when a page was written (the API's 404 stays a
// 404, and a process of another kind has no such form).
func (c *rc) probationProcess(id string) (processJSON, bool) {
	var p processJSON
	if res := c.get("/api/v1/processes/"+url.PathEscape(id), nil, &p); !res.ok() {
		c.apiFail(res)
		return p, false
	}
	if d, ok := workflows.Lookup(p.Kind); !ok || !slices.Contains(d.Takes, workflows.UpdateRecordSale) {
		c.notFound()
		return p, false
	}
	return p, true
}

// saleResult is the API's answer to a sale.
type saleResult struct {
	Recorded bool `json:"recorded"`
	Count    int  `json:"count"`
	Target   int  `json:"target"`
}

// saleFlash is the note after a sale: recorded now, or its reference
// was recorded before.
func saleFlash(r saleResult) string {
	if r.Recorded {
		return "sale"
	}
	return "sale_repeated"
}

// failed keeps a refused post's answer for the form that sent it; ok is
// false when the answer is a page of its own (401, 5xx).
func (c *rc) failed(res apiResult, form string, values map[string]any) (probationForms, bool) {
	if res.Status == http.StatusUnauthorized || res.Status >= 500 || res.Status < 400 {
		c.apiFail(res)
		return probationForms{}, false
	}
	return probationForms{status: res.Status, form: form, values: values, errs: res.fields(), msg: c.errMessage(res)}, true
}

// probationSale records a sale of the file's employee, as HR or their
// head, from the process page.
// navMyProbation is the nav entry of one's own probation page.
const navMyProbation = "my-probation"

func (s *server) probationSale(c *rc) {
	id := c.r.PathValue("id")
	p, ok := c.probationProcess(id)
	if !ok {
		return
	}
	employee, _ := p.Input["employee"].(string)
	data := parseForm(saleForm, c.r.PostForm)
	var r saleResult
	res := c.post("/api/v1/employees/"+url.PathEscape(employee)+"/sales", data, &r)
	if res.ok() {
		http.Redirect(c.w, c.r, "/processes/"+url.PathEscape(id)+"?ok="+saleFlash(r), http.StatusSeeOther)
		return
	}
	if in, ok := c.failed(res, "sale", data); ok {
		c.renderProcess(id, in)
	}
}

// probationMentor proposes a change of the file's mentor.
func (s *server) probationMentor(c *rc) {
	id := c.r.PathValue("id")
	if _, ok := c.probationProcess(id); !ok {
		return
	}
	data := parseForm(mentorForm, c.r.PostForm)
	res := c.post("/api/v1/processes/"+url.PathEscape(id)+"/mentor", data, nil)
	if res.ok() {
		http.Redirect(c.w, c.r, "/processes/"+url.PathEscape(id)+"?ok=mentor", http.StatusSeeOther)
		return
	}
	if res.Status == http.StatusNotFound {
		c.apiFail(res)
		return
	}
	if in, ok := c.failed(res, "mentor", data); ok {
		c.renderProcess(id, in)
	}
}

// myProbationView is the employee's own page: their status, nothing of
// the file.
type myProbationView struct {
	Status    store.ProbationStatus
	Stage     string
	Result    string
	Running   bool
	Progress  progressView
	EndsAt    *time.Time
	SaleForm  *formCard
	LeaveForm *formCard
}

func (s *server) myProbation(c *rc) { c.renderMyProbation(probationForms{status: http.StatusOK}) }

// renderMyProbation renders the employee's page from GET
// /api/v1/me/probation (404 when they have had no probation).
func (c *rc) renderMyProbation(in probationForms) {
	var st store.ProbationStatus
	if res := c.get("/api/v1/me/probation", nil, &st); !res.ok() {
		c.apiFail(res)
		return
	}
	v := myProbationView{Status: st, Stage: vocabulary(c.lang, "stage", st.Stage), Running: st.State == string(zhidu.ProcessRunning),
		Progress: progress(st.Sales, st.Target)}
	if st.Result != "" {
		v.Result = label(c.lang, "outcome", st.Result)
	}
	if !st.EndsAt.IsZero() {
		v.EndsAt = &st.EndsAt
	}
	if v.Running {
		v.SaleForm = c.saleCard(in, myProbationPath+"/sales")
		v.LeaveForm = c.card(in, "leave", myProbationPath+"/leave", leaveForm, c.T("probation.request_leave"), c.T("probation.leave_hint"),
			c.T("probation.submit_leave"))
	}
	pg := pageFor(c, navMyProbation, c.T("probation.mine"))
	if in.form != "" && !v.Running {
		pg.Error = in.msg // the form is gone: the probation has ended
	}
	pg.Data = v
	c.render(in.status, "my_probation", pg)
}

// mySale records a sale of the employee's own.
func (s *server) mySale(c *rc) {
	data := parseForm(saleForm, c.r.PostForm)
	var r saleResult
	res := c.post("/api/v1/employees/"+url.PathEscape(c.me.Username)+"/sales", data, &r)
	if res.ok() {
		http.Redirect(c.w, c.r, myProbationPath+"?ok="+saleFlash(r), http.StatusSeeOther)
		return
	}
	if in, ok := c.failed(res, "sale", data); ok {
		c.renderMyProbation(in)
	}
}

// myLeave requests leave: the head's task, or the API's refusal (in the
// first month: 试用期内一个月不允许休息) next to the form.
func (s *server) myLeave(c *rc) {
	data := parseForm(leaveForm, c.r.PostForm)
	res := c.post("/api/v1/employees/"+url.PathEscape(c.me.Username)+"/leave", data, nil)
	if res.ok() {
		http.Redirect(c.w, c.r, myProbationPath+"?ok=leave", http.StatusSeeOther)
		return
	}
	if in, ok := c.failed(res, "leave", data); ok {
		c.renderMyProbation(in)
	}
}

// onProbation reports whether the signed-in user is on probation, for
// the navigation's link to their own page (the page asks the API).
func (c *rc) onProbation() bool {
	on, err := c.st.OnProbation(c.r.Context(), c.me.Username)
	if err != nil {
		logErr(c.r, "probation flag", err)
	}
	return on
}

// probationPageLabels are the probation pages' labels and the words of
// its timeline, each key's Chinese and English side by side; init
// (i18n.go) adds them to the catalogue.
var probationPageLabels = map[string]zhidu.Text{
	"nav.probation": {Zh: "我的试用期", En: "My probation"},

	"action.sale_recorded":          {Zh: "登记销售", En: "Sale recorded"},
	"action.mentor_changed":         {Zh: "更换带教", En: "Mentor changed"},
	"action.evaluation_archived":    {Zh: "评估记录归档人事部", En: "Evaluation archived with HR"},
	"action.leave_approve":          {Zh: "批准请假", En: "Leave approved"},
	"action.leave_reject":           {Zh: "驳回请假", En: "Leave refused"},
	"action.separated":              {Zh: "离职（交接）", En: "Separated (handed over)"},
	"action.probation_flag_set":     {Zh: "标记为试用期", En: "Marked on probation"},
	"action.probation_flag_cleared": {Zh: "解除试用期标记", En: "Probation mark cleared"},
	"field.reference":               {Zh: "单号", En: "Reference"},
	"field.customer":                {Zh: "客户", En: "Customer"},
	"field.days":                    {Zh: "请假天数", En: "Days of leave"},
	"field.archive":                 {Zh: "归档", En: "Archive"},
	"field.head":                    {Zh: "部门经理", En: "Department head"},
	"field.mentor":                  {Zh: "带教", En: "Mentor"},
	"field.employee":                {Zh: "员工", En: "Employee"},

	"flash.sale":          {Zh: "已登记该笔销售。", En: "The sale is recorded."},
	"flash.sale_repeated": {Zh: "该单号此前已登记，未重复计入。", En: "That reference was recorded before: nothing was added."},
	"flash.leave":         {Zh: "请假申请已提交，待部门经理审批。", En: "The leave request is with the department head."},
	"flash.mentor":        {Zh: "更换带教的申请已提交，待部门经理决定。", En: "The change of mentor is with the department head."},

	"probation.file":            {Zh: "试用期档案", En: "Probation file"},
	"probation.mine":            {Zh: "我的试用期", En: "My probation"},
	"probation.mine_lead":       {Zh: "这里只显示您本人的试用期状态：销售进度、期满时间和所处阶段。", En: "Your own probation only: sales against the target, the end of the period and the stage."},
	"probation.employee":        {Zh: "员工", En: "Employee"},
	"probation.department":      {Zh: "部门", En: "Department"},
	"probation.mentor":          {Zh: "带教", En: "Mentor"},
	"probation.mentor_asked":    {Zh: "已申请改为 %s（%s 提出），待部门经理决定", En: "Change to %s asked by %s, awaiting the department head"},
	"probation.start_date":      {Zh: "开始日期", En: "Start date"},
	"probation.ends_at":         {Zh: "试用期满", En: "End of the period"},
	"probation.extended":        {Zh: "已延期", En: "Extended"},
	"probation.stage":           {Zh: "阶段", En: "Stage"},
	"probation.state":           {Zh: "状态", En: "State"},
	"probation.result":          {Zh: "结果", En: "Result"},
	"probation.next":            {Zh: "下一个节点", En: "Next deadline"},
	"probation.next.test":       {Zh: "入职笔试", En: "Written test"},
	"probation.next.evaluation": {Zh: "第15天评估", En: "Day-15 evaluation"},
	"probation.next.end":        {Zh: "试用期满", En: "End of the period"},
	"probation.sales":           {Zh: "销售进度", En: "Sales"},
	"probation.sales_of":        {Zh: "已完成 %d 单 / 任务 %d 单", En: "%d of %d sales"},
	"probation.reached":         {Zh: "已完成销售任务，可提出转正申请。", En: "The target is reached: the conversion application is open."},
	"probation.sales_none":      {Zh: "尚未登记销售。", En: "No sale recorded yet."},
	"probation.sale.reference":  {Zh: "单号", En: "Reference"},
	"probation.sale.amount":     {Zh: "金额（元）", En: "Amount (CNY)"},
	"probation.sale.customer":   {Zh: "客户", En: "Customer"},
	"probation.sale.by":         {Zh: "登记人", En: "Recorded by"},
	"probation.sale.at":         {Zh: "登记时间", En: "Recorded at"},
	"probation.sales_total":     {Zh: "合计（元）", En: "Total (CNY)"},
	"probation.test":            {Zh: "入职笔试成绩", En: "Written test score"},
	"probation.test_due":        {Zh: "未登记（笔试时间 %s）", En: "Not recorded (the test is at %s)"},
	"probation.evaluations":     {Zh: "第15天学习进度评估", En: "Day-15 evaluation of learning progress"},
	"probation.unsigned":        {Zh: "未签字（应于 %s 评估）", En: "Not signed (due %s)"},
	"probation.signed_by":       {Zh: "%s 签字", En: "Signed by %s"},
	"probation.record_sale":     {Zh: "登记销售", En: "Record a sale"},
	"probation.record_hint":     {Zh: "每笔销售按单号登记一次；同一单号重复提交不会重复计入。", En: "Each sale is recorded once by its reference; sending a reference again adds nothing."},
	"probation.change_mentor":   {Zh: "申请更换带教", En: "Propose a change of mentor"},
	"probation.mentor_hint":     {Zh: "由部门经理决定；新带教须具有该档案的密级。", En: "The department head decides; the new mentor must be cleared for the file."},
	"probation.request_leave":   {Zh: "申请请假", En: "Request leave"},
	"probation.leave_hint":      {Zh: "试用期内一个月不允许休息；之后的请假由部门经理审批。", En: "No leave in the first month of probation; after it, the department head decides."},
	"probation.submit_sale":     {Zh: "登记", En: "Record"},
	"probation.submit_mentor":   {Zh: "提交申请", En: "Propose"},
	"probation.submit_leave":    {Zh: "提交请假", En: "Request"},
}

// A probation file's cards are those of the processes that take sales
// (the probation).
func init() {
	for _, d := range workflows.Taking(workflows.UpdateRecordSale) {
		addProbationPage(d.Kind)
	}
}

func addProbationPage(kind string) {
	kindPages[kind] = func(c *rc, v *processView, in probationForms) {
		var row map[string]any
		if v.Entry != nil {
			row = v.Entry.Row
		}
		// HR's file, read by HR and its named readers: not in copies.
		v.Probation, v.Summary, v.Entry, v.Copies = c.probationCards(v.Process.Process, row, in), nil, probationEntry(v.Entry), nil
	}
}
