package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/zhidu/zhidu"
)

// The approval matrix change: its kind, workflow name, step and activity.
const (
	KindMatrixChange     = "matrix_change"
	WorkflowMatrixChange = "MatrixChange"
	StepMatrixApproval   = "matrix_approval"
	ActivityDecideMatrix = "DecideApprovalMatrix"
)

// MatrixChangeConfig holds the GM's deadline for deciding a proposal.
type MatrixChangeConfig struct {
	Approval SLA `json:"approval"`
}

// DefaultMatrixChangeConfig gives the GM three days, with a reminder
// after one. Nobody else decides, so there is no escalation.
func DefaultMatrixChangeConfig() MatrixChangeConfig {
	return MatrixChangeConfig{Approval: SLA{Due: 72 * time.Hour, Reminder: 24 * time.Hour}}
}

// MatrixChangeInput starts the decision on a proposed version of the
// approval matrix: its number, the version it changes, the proposer's
// note and the changes, one per line (matrix.Lines), which the GM's task
// shows.
type MatrixChangeInput struct {
	Process     zhidu.ProcessInfo  `json:"process"`
	Version     int                `json:"version"`
	BaseVersion int                `json:"base_version"`
	Note        string             `json:"note,omitempty"`
	Changes     []string           `json:"changes"`
	Config      MatrixChangeConfig `json:"config"`
}

// NewMatrixChange is the input of the process in which the GM decides
// version of the approval matrix, proposed by proposer: the API starts it
// when the security administrator proposes a version, with ID id and the
// kind's configuration (a *MatrixChangeConfig). The process belongs to the
// GM's office and is internal.
func NewMatrixChange(id, proposer string, version, base int, note string, changes []string, config any) MatrixChangeInput {
	return MatrixChangeInput{
		Process: zhidu.ProcessInfo{ID: id, Kind: KindMatrixChange, Level: zhidu.Internal, Department: zhidu.DeptGMO, StartedBy: proposer,
			Title: fmt.Sprintf("审批矩阵 v%d (approval matrix v%d)", version, version)},
		Version: version, BaseVersion: base, Note: note, Changes: changes, Config: *config.(*MatrixChangeConfig),
	}
}

// MatrixDecision is the argument of the DecideApprovalMatrix activity: the
// GM's decision on a version (or its withdrawal when the process is
// cancelled), which activates or rejects it.
type MatrixDecision struct {
	Version    int       `json:"version"`
	ProcessID  string    `json:"process_id"`
	Approve    bool      `json:"approve"`
	Actor      string    `json:"actor"`
	OnBehalfOf string    `json:"on_behalf_of,omitempty"`
	Address    string    `json:"address,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	At         time.Time `json:"at"`
}

// MatrixChangeResult is how a change ended: approved (the version is
// active), rejected, or cancelled (withdrawn: rejected as well).
type MatrixChangeResult struct {
	Outcome   string `json:"outcome"`
	Version   int    `json:"version"`
	DecidedBy string `json:"decided_by,omitempty"`
}

// matrixOpinion is the data of the GM's step (approvalForm).
type matrixOpinion struct {
	Opinion string `json:"opinion"`
}

// matrixChangeDescriptor: nobody starts a change by the start route; the
// security administrator's proposal (PUT /admin/approval-matrix) does.
func matrixChangeDescriptor() Descriptor {
	return Descriptor{
		Kind: KindMatrixChange, Workflow: WorkflowMatrixChange, Func: MatrixChange, Internal: true,
		Label: text("审批矩阵变更", "Approval matrix change"),
		Description: text("安全保密管理员提出的审批矩阵新版本，总经理批准后生效。",
			"A new version of the approval matrix, proposed by the security administrator; it takes effect when the GM approves it."),
		Steps:    []Step{{StepMatrixApproval, text("总经理批准审批矩阵", "GM approval of the approval matrix")}},
		Owner:    func(zhidu.Actor) zhidu.Department { return zhidu.DeptGMO },
		Defaults: func() any { return DefaultMatrixChangeConfig() },
		Settings: []Setting{
			{Flag: "matrix-approval-due", Env: "ZHIDU_MATRIX_APPROVAL_DUE", Field: "Approval.Due",
				Usage: "approval matrix change: the GM's decision is due after"},
			{Flag: "matrix-approval-reminder", Env: "ZHIDU_MATRIX_APPROVAL_REMINDER", Field: "Approval.Reminder",
				Usage: "approval matrix change: remind the GM after"},
		},
		Record: func(input any) map[string]any {
			in, _ := input.(MatrixChangeInput)
			out := map[string]any{"matrix_version": in.Version, "base_version": in.BaseVersion}
			if in.Note != "" {
				out["proposal_note"] = in.Note
			}
			return out
		},
	}
}

// MatrixChange is the GM's decision on a proposed version of the approval
// matrix (采购审批矩阵): one approval step for the GM, whose task shows the
// changes from the active version. Approved, the DecideApprovalMatrix
// activity makes the version active (the one before superseded); rejected
// — or withdrawn, when the process is cancelled — it is kept as rejected.
// The proposer (the requester) never decides it.
//
// Updates: CompleteTask, AssignTask, SetLevel, CancelProcess. Query: State.
func MatrixChange(ctx workflow.Context, in MatrixChangeInput) (MatrixChangeResult, error) {
	p := newProcess(ctx, in.Process)
	p.checks = map[string]func(zhidu.CompleteTaskRequest) map[string]zhidu.Message{
		StepMatrixApproval: rule[matrixOpinion](nil),
	}
	if err := p.setup(ctx); err != nil {
		return MatrixChangeResult{}, err
	}
	res, err := decideMatrix(ctx, p, in)
	if err != nil {
		return res, err
	}
	return res, p.wrapUp(ctx)
}

func decideMatrix(ctx workflow.Context, p *process, in MatrixChangeInput) (MatrixChangeResult, error) {
	spec := p.task("gm", StepMatrixApproval, text("总经理批准审批矩阵", "GM approval of the approval matrix"), zhidu.DeptGMO,
		in.Config.Approval, approvalForm, []zhidu.Candidate{role(zhidu.RoleGM, zhidu.DeptGMO)})
	spec.Approval = true
	spec.Context = map[string]any{"matrix_version": in.Version, "base_version": in.BaseVersion, "changes": in.Changes}
	if in.Note != "" {
		spec.Context["proposal_note"] = in.Note
	}
	done, opinion, err := askFor[matrixOpinion](ctx, p, spec)
	d := MatrixDecision{Version: in.Version, ProcessID: p.Info.ID}
	res := MatrixChangeResult{Version: in.Version}
	switch {
	case errors.Is(err, errCancelled):
		c := p.Cancelled
		d.Actor, d.Address, d.Reason = c.Actor.Username, c.Actor.Address, "withdrawn: "+c.Reason
		res.Outcome, res.DecidedBy = ResultCancelled, c.Actor.Username
	case err != nil:
		return res, err
	default:
		d.Approve = done.Outcome == OutcomeApprove
		d.Actor, d.OnBehalfOf, d.Address, d.Reason = done.Actor.Username, done.OnBehalfOf, done.Actor.Address, opinion.Opinion
		res.Outcome, res.DecidedBy = ResultRejected, done.Actor.Username
		if d.Approve {
			res.Outcome = ResultApproved
		}
	}
	d.At = workflow.Now(ctx)
	if err := workflow.ExecuteActivity(activityCtx(ctx), ActivityDecideMatrix, d).Get(ctx, nil); err != nil {
		return res, fmt.Errorf("decide approval matrix version %d: %w", in.Version, err)
	}
	if res.Outcome == ResultCancelled {
		return res, nil // the cancellation ended the process
	}
	return res, p.finish(ctx, zhidu.FinishRecord{State: zhidu.ProcessCompleted, Result: res.Outcome})
}
