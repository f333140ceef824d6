package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The customer handover (客户交接, DOMAIN.md "Customer files"): when an
// employee responsible for customers leaves, their files go to a colleague
// at once, and the company tells the customers: one "notify the customer"
// task for the new owner per file handed over, escalating to their
// department head. A probation's separation moves the files itself and
// starts the notices as its child; an account the system administrator
// disables with a colleague to hand over to (PATCH
// /api/v1/admin/users/{username}) starts the whole handover (Leaving):
// the files first, then the employee's open tasks, through the processes
// they belong to, then the notices.
const (
	KindCustomerHandover     = "customer_handover"
	WorkflowCustomerHandover = "CustomerHandover"

	StepNotifyCustomer = "notify_customer"

	OutcomeNotified = "notified"

	ActivityHandedCustomers = "HandedCustomers"
	ActivityRecordHandover  = "RecordHandover"
)

// CustomerHandoverConfig is the handover's configuration.
type CustomerHandoverConfig struct {
	// Notify is each notice's SLA, escalating to the department head.
	Notify SLA `json:"notify"`
}

// DefaultCustomerHandoverConfig returns the defaults.
func DefaultCustomerHandoverConfig() CustomerHandoverConfig {
	const day = 24 * time.Hour
	return CustomerHandoverConfig{Notify: SLA{Due: 3 * day, Reminder: 2 * day, Escalate: []time.Duration{3 * day}}}
}

// CustomerHandoverInput names the handover: the process that recorded
// it (the separation), who left and who took over.
type CustomerHandoverInput struct {
	Process   zhidu.ProcessInfo `json:"process"`
	Handover  string            `json:"handover"`
	Employee  string            `json:"employee"`
	Colleague string            `json:"colleague"`
	Parent    string            `json:"parent"`
	// Leaving: the employee left (their account disabled): the handover
	// moves their files and tasks itself before the notices.
	Leaving bool                   `json:"leaving,omitempty"`
	Config  CustomerHandoverConfig `json:"config"`
}

// CustomerHandoverResult counts the customers notified.
type CustomerHandoverResult struct {
	Outcome   string `json:"outcome"`
	Customers int    `json:"customers"`
}

// HandedCustomersRequest asks which files a handover moved.
type HandedCustomersRequest struct {
	Handover string `json:"handover"`
}

func customerHandoverDescriptor() Descriptor {
	return Descriptor{
		Kind: KindCustomerHandover, Workflow: WorkflowCustomerHandover, Func: CustomerHandover, Internal: true,
		Label: text("客户交接通知", "Customer handover notices"),
		Description: text("负责客户的员工离职：客户档案即时交接给同事，由新负责人逐一通知客户。",
			"An employee responsible for customers leaves: the files go to a colleague at once, who tells each customer."),
		Steps:    []Step{{StepNotifyCustomer, text("通知客户交接", "Tell the customer")}},
		Owner:    func(u zhidu.Actor) zhidu.Department { return u.Department },
		Defaults: func() any { return DefaultCustomerHandoverConfig() },
		Record: func(input any) map[string]any {
			in, _ := input.(CustomerHandoverInput)
			return map[string]any{"employee": in.Employee, "colleague": in.Colleague, "handover": in.Handover}
		},
		Labels: map[string]zhidu.Text{
			"outcome." + OutcomeNotified: text("已通知", "Told"),
			"field.method":               text("方式", "How"),
			"value.phone":                text("电话", "Phone"), "value.visit": text("来访", "Visit"), "value.message": text("短信/信函", "Message"),
		},
	}
}

var notifyForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "method", Type: zhidu.FieldChoice, Label: text("方式", "How"), Required: true, Choices: []string{"phone", "visit", "message"}},
		{Name: "notes", Type: zhidu.FieldText, Label: text("备注", "Notes"), MaxLength: 2000},
	},
	Outcomes: []string{OutcomeNotified},
}

// newCustomerHandover is the handover child of the separation sep.
func newCustomerHandover(parent zhidu.ProcessInfo, sep zhidu.SeparationRecord, dept zhidu.Department) CustomerHandoverInput {
	return CustomerHandoverInput{
		Process: zhidu.ProcessInfo{ID: ProcessID(KindCustomerHandover, parent.ID, "child"), Kind: KindCustomerHandover,
			Title: sep.Employee + " → " + sep.Colleague, Level: zhidu.Internal, Department: dept, StartedBy: sep.Actor},
		Handover: sep.ProcessID, Employee: sep.Employee, Colleague: sep.Colleague, Parent: parent.ID,
		Config: DefaultCustomerHandoverConfig(),
	}
}

// NewLeavingHandover is the handover of a leaving employee's files and
// tasks to colleague, asked by the system administrator by.
func NewLeavingHandover(id, by, employee, colleague string, dept zhidu.Department, config any) CustomerHandoverInput {
	cfg := configOr(config, DefaultCustomerHandoverConfig)
	return CustomerHandoverInput{
		Process: zhidu.ProcessInfo{ID: id, Kind: KindCustomerHandover, Title: employee + " → " + colleague, Level: zhidu.Internal,
			Department: dept, StartedBy: by},
		Handover: id, Employee: employee, Colleague: colleague, Leaving: true, Config: cfg,
	}
}

// CustomerHandover asks the new owner to tell each customer handed over,
// each task at its file's level.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func CustomerHandover(ctx workflow.Context, in CustomerHandoverInput) (CustomerHandoverResult, error) {
	p := newProcess(ctx, in.Process)
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{StepNotifyCustomer: rule[notesResult](nil)}
	if err := p.setup(ctx); err != nil {
		return CustomerHandoverResult{}, err
	}
	if in.Parent != "" {
		start := zhidu.ChildStart{Process: p.Info, Input: customerHandoverDescriptor().Record(in), Parent: in.Parent,
			Actor: in.Process.StartedBy, At: workflow.Now(ctx)}
		if err := p.project(ctx, ActivityRecordChild, start).Get(ctx, nil); err != nil {
			return CustomerHandoverResult{}, err
		}
	}
	if in.Leaving {
		rec := zhidu.SeparationRecord{EventKey: p.Info.ID + ":handover", Employee: in.Employee, Colleague: in.Colleague,
			ProcessID: p.Info.ID, Actor: in.Process.StartedBy, Reason: "离职交接", At: workflow.Now(ctx)}
		if err := p.project(ctx, ActivityRecordHandover, rec).Get(ctx, nil); err != nil {
			return CustomerHandoverResult{}, fmt.Errorf("hand %s's customers to %s: %w", in.Employee, in.Colleague, err)
		}
		if err := handOverTasks(ctx, p, rec); err != nil {
			return CustomerHandoverResult{}, err
		}
	}
	var customers []zhidu.CustomerRef
	if err := p.project(ctx, ActivityHandedCustomers, HandedCustomersRequest{Handover: in.Handover}).Get(ctx, &customers); err != nil {
		return CustomerHandoverResult{}, fmt.Errorf("customers handed over by %s: %w", in.Handover, err)
	}
	pending, failed := len(customers), error(nil)
	for _, c := range customers {
		s := p.task("notify_customer#"+c.ID, StepNotifyCustomer, text("通知客户交接（"+c.ID+"）", "Tell the customer of the handover ("+c.ID+")"), c.Department,
			in.Config.Notify, notifyForm, []zhidu.Candidate{{User: in.Colleague}}, []zhidu.Candidate{role(zhidu.RoleDeptHead, c.Department)})
		s.Level = max(c.Level, p.Info.Level)
		s.Context = map[string]any{"customer": c.Name, "customer_id": c.ID, "from": in.Employee}
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer func() { pending-- }()
			if _, err := p.ask(ctx, s); err != nil && failed == nil {
				failed = err
			}
		})
	}
	if err := workflow.Await(ctx, func() bool { return pending == 0 }); err != nil {
		return CustomerHandoverResult{}, err
	}
	if errors.Is(failed, errCancelled) {
		return CustomerHandoverResult{Outcome: ResultCancelled}, p.wrapUp(ctx)
	}
	if failed != nil {
		return CustomerHandoverResult{}, failed
	}
	res := CustomerHandoverResult{Outcome: OutcomeNotified, Customers: len(customers)}
	if err := p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: res.Outcome}); err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

// handOverTasks tells every process where a leaving employee holds or is
// named for an open task to hand it to the colleague (HandOverRequest),
// which each does where the step's authority reaches the colleague. A
// process that ended meanwhile has nothing left to hand over.
func handOverTasks(ctx workflow.Context, p *process, sep zhidu.SeparationRecord) error {
	var plan zhidu.HandOverPlan
	if err := p.project(ctx, ActivityHandOverPlan, zhidu.HandOverPlanRequest{Employee: sep.Employee, Colleague: sep.Colleague}).
		Get(ctx, &plan); err != nil {
		return fmt.Errorf("find the tasks of %s: %w", sep.Employee, err)
	}
	for _, target := range plan.Processes {
		if target.ProcessID == p.Info.ID {
			continue
		}
		req := zhidu.HandOverRequest{EventKey: sep.EventKey, Employee: sep.Employee, Colleague: plan.Colleague,
			By: sep.Actor, Reason: sep.Reason, Held: target.Held}
		if err := workflow.SignalExternalWorkflow(ctx, target.ProcessID, "", SignalHandOver, req).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("hand-over not delivered", "process", target.ProcessID, "error", err)
		}
	}
	return nil
}
