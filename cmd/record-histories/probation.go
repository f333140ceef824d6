package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// More demo people, for probations.
var (
	hrTrainer   = actor("hr.trainer", zhidu.DeptHR, zhidu.Secret, zhidu.RoleSupervisor, zhidu.DeptHR)
	hrHead      = actor("hr.head", zhidu.DeptHR, zhidu.Confidential, zhidu.RoleDeptHead, zhidu.DeptHR)
	newhire     = actor("newhire", zhidu.DeptSales, zhidu.Internal, zhidu.RoleStaff, zhidu.DeptSales)
	salesMentor = actor("sales.mentor", zhidu.DeptSales, zhidu.Secret, zhidu.RoleStaff, zhidu.DeptSales)
)

// probationScenarios drive the probation on a compressed calendar
// (ProbationConfig.DayLength, MonthLength), so that day 1, day 15 and the
// end of the period come within seconds of recording.
func init() { scenarios = append(scenarios, probationScenarios...) }

var probationScenarios = []scenario{
	{name: "probation-converted", start: probationStart(time.Minute), outcome: workflows.ResultConverted,
		drive: func(ctx context.Context, d *driver) error {
			// Leave in the first month is refused; after it, the head's
			// task. A mentor change, two sales and a repeat, the
			// conversion.
			if err := d.refusedUpdate(ctx, workflows.UpdateRequestLeave, zhidu.LeaveRequest{From: time.Now().Format(time.DateOnly),
				Days: 1, Reason: "家事", Actor: newhire}, zhidu.CodeConflict); err != nil {
				return fmt.Errorf("leave in the first month: %w", err)
			}
			if err := d.update(ctx, workflows.UpdateRequestLeave, zhidu.LeaveRequest{From: time.Now().AddDate(0, 0, 3).Format(time.DateOnly),
				Days: 1, Reason: "体检", Actor: newhire}); err != nil {
				return err
			}
			if err := d.moves(ctx, []move{
				{"induction", hrTrainer, workflows.OutcomeDone, nil},
				{"written_test", hrTrainer, workflows.OutcomeRecorded, map[string]any{"score": 88}},
				{"leave#1", salesHead, workflows.OutcomeApprove, nil},
			}); err != nil {
				return err
			}
			if err := d.update(ctx, workflows.UpdateChangeMentor, zhidu.MentorChangeRequest{Mentor: csSuper, Reason: "原带教调岗",
				Actor: hrTrainer}); err != nil {
				return err
			}
			if err := d.act(ctx, "mentor#1", salesHead, workflows.OutcomeApprove, nil); err != nil {
				return err
			}
			for _, ref := range []string{"S-1", "S-1", "S-2"} {
				if err := d.update(ctx, workflows.UpdateRecordSale, zhidu.SaleRequest{Reference: ref, Amount: 1000, Customer: "华联超市",
					Actor: newhire}); err != nil {
					return err
				}
			}
			return d.moves(ctx, []move{
				{"evaluation_head", salesHead, workflows.OutcomeSigned, map[string]any{"progress": "进步明显"}},
				{"evaluation_mentor", csSuper, workflows.OutcomeSigned, map[string]any{"progress": "良好"}},
				{"conversion_application", newhire, workflows.OutcomeApply, map[string]any{"statement": "已完成销售任务"}},
				{"conversion_sign", salesHead, workflows.OutcomeApprove, map[string]any{"opinion": "同意转正"}},
				{"conversion_file", hrTrainer, workflows.OutcomeFiled, nil},
			})
		}},
	{name: "probation-separated", start: probationStart(2 * time.Second), outcome: workflows.ResultSeparated,
		drive: func(ctx context.Context, d *driver) error {
			if err := d.update(ctx, workflows.UpdateRecordSale, zhidu.SaleRequest{Reference: "S-1", Amount: 1000, Customer: "华联超市",
				Actor: newhire}); err != nil {
				return err
			}
			if err := d.moves(ctx, []move{
				{"induction", hrTrainer, workflows.OutcomeDone, nil},
				{"written_test", hrTrainer, workflows.OutcomeRecorded, map[string]any{"score": 60}},
				{"evaluation_head", salesHead, workflows.OutcomeSigned, map[string]any{"progress": "一般"}},
				{"evaluation_mentor", salesMentor, workflows.OutcomeSigned, map[string]any{"progress": "一般"}},
			}); err != nil {
				return err
			}
			if err := d.refused(ctx, "separation#1", hrHead, workflows.OutcomeSeparate, nil, zhidu.CodeInvalid); err != nil {
				return fmt.Errorf("a separation without a colleague: %w", err)
			}
			return d.act(ctx, "separation#1", hrHead, workflows.OutcomeSeparate, map[string]any{"colleague": "sales.rep"})
		}},
}

// probationStart registers newhire's one-month probation with the mentor
// sales.mentor on a calendar whose days last 100 ms and whose month lasts
// month, as the API's start would (target 2).
func probationStart(month time.Duration) func(id string) (string, any) {
	return func(id string) (string, any) {
		cfg := workflows.DefaultProbationConfig()
		cfg.DayLength, cfg.MonthLength = 100*time.Millisecond, month
		now := time.Now().In(cfg.Location())
		atHour := func(day time.Time, h int) time.Time { return day.Add(time.Duration(h) * cfg.DayLength / 24) }
		in := workflows.ProbationInput{
			Process: zhidu.ProcessInfo{ID: id, Kind: workflows.KindProbation, Title: "张新 (newhire)", Level: zhidu.Secret,
				Department: zhidu.DeptHR, StartedBy: hrTrainer.Username, Readers: []zhidu.Department{zhidu.DeptHR},
				Members: []string{salesMentor.Username, salesHead.Username}},
			Employee: newhire.Username, Department: zhidu.DeptSales, Mentor: salesMentor.Username,
			StartDate: now.Format(time.DateOnly), Months: 1, Target: 2, Start: now,
			TestAt:       atHour(now, cfg.TestHour),
			EvaluationAt: atHour(now.Add(time.Duration(cfg.EvaluationDay-1)*cfg.DayLength), 9),
			End:          now.Add(month), Config: cfg,
		}
		return workflows.WorkflowProbation, in
	}
}

// refusedUpdate checks that an update is rejected with code.
func (d *driver) refusedUpdate(ctx context.Context, name string, arg any, code zhidu.Code) error {
	err := d.update(ctx, name, arg)
	if err == nil {
		return fmt.Errorf("accepted, want a %s rejection", code)
	}
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != string(code) {
		return fmt.Errorf("got %v, want a %s rejection", err, code)
	}
	return nil
}
