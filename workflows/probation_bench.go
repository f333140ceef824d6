package workflows

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/matrix"
)

// The bench's probation: demo users as they work it (demo/demo.go).
const (
	benchMentor    = "sales.mentor"
	benchSalesHead = "sales.head"
	benchSales     = 5 // the default target
)

// probationBench: HR registers a new sales consultant (a user the bench
// creates for each process: one person is on one probation at a time);
// the day-1 induction and written test, the day-15 evaluation signed by
// the head and the mentor, five sales the employee records over the API,
// the employee's conversion application, the sales manager's signature
// and HR's filing (eight human steps and five sales). Bench runs compress
// the calendar (a day lasts a millisecond, a month an hour: DayLength,
// MonthLength), so the day-1 and day-15 steps come at once and the period
// never ends first.
func probationBench() *BenchScenario {
	var steps []BenchStep
	steps = append(steps,
		BenchStep{Step: StepInduction, User: "hr.trainer", Outcome: OutcomeDone, Data: map[string]any{}},
		BenchStep{Step: StepWrittenTest, User: "hr.trainer", Outcome: OutcomeRecorded, Data: map[string]any{"score": 90}},
		BenchStep{Step: StepEvaluationHead, User: benchSalesHead, Outcome: OutcomeSigned, Data: map[string]any{"progress": "进步明显"}},
		BenchStep{Step: StepEvaluationMentor, User: benchMentor, Outcome: OutcomeSigned, Data: map[string]any{"progress": "良好"}},
	)
	for n := range benchSales {
		steps = append(steps, BenchStep{Step: "sale", User: BenchSubjectUser, Call: "/api/v1/employees/{subject}/sales",
			Update: UpdateRecordSale, Arg: benchArg[zhidu.SaleRequest], Data: map[string]any{"reference": fmt.Sprintf("S-%d", n+1), "amount": 1000, "customer": "华联超市"}})
	}
	steps = append(steps,
		BenchStep{Step: StepConversionApply, User: BenchSubjectUser, Outcome: OutcomeApply, Data: map[string]any{"statement": "已完成销售任务"}},
		BenchStep{Step: StepConversionSign, User: benchSalesHead, Outcome: OutcomeApprove, Data: map[string]any{"opinion": "同意转正"}},
		BenchStep{Step: StepConversionFile, User: "hr.trainer", Outcome: OutcomeFiled, Data: map[string]any{}},
	)
	return &BenchScenario{
		Starter: "hr.trainer",
		Start: func(i int) map[string]any {
			return map[string]any{"employee": fmt.Sprintf("bench.hire.%d", i), "mentor": benchMentor}
		},
		Subject: &BenchSubject{Field: "employee", Department: zhidu.DeptSales, Clearance: zhidu.Internal,
			Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptSales}}},
		Input: func(body map[string]any, info zhidu.ProcessInfo, config any) (any, error) {
			b, err := benchBody[probationStart](body)
			if err != nil {
				return nil, err
			}
			cfg, ok := config.(ProbationConfig)
			if !ok {
				return nil, fmt.Errorf("probation configuration is a %T, want a ProbationConfig", config)
			}
			org := benchOrg{users: []zhidu.Actor{
				{Username: b.Employee, Department: zhidu.DeptSales, Clearance: zhidu.Internal,
					Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptSales}}},
				{Username: benchMentor, Department: zhidu.DeptSales, Clearance: zhidu.Secret,
					Roles: []zhidu.RoleGrant{{Role: zhidu.RoleStaff, Department: zhidu.DeptSales}}},
				{Username: benchSalesHead, Department: zhidu.DeptSales, Clearance: zhidu.Secret,
					Roles: []zhidu.RoleGrant{{Role: zhidu.RoleDeptHead, Department: zhidu.DeptSales}}},
			}}
			return prepareProbation(context.Background(), b, StartContext{Process: &info, Config: &cfg, Users: org, Data: org, Now: time.Now()})
		},
		Config: func(config any) any {
			c, ok := config.(ProbationConfig)
			if !ok {
				return config // Input says what is wrong with it
			}
			c.DayLength, c.MonthLength = time.Millisecond, time.Hour
			return c
		},
		Deployment: "start it with ZHIDU_PROBATION_DAY_LENGTH=1ms and ZHIDU_PROBATION_MONTH_LENGTH=1h (a compressed " +
			"calendar, for a test deployment only); on the real calendar its probations wait for day 1's 17:00 test",
		Steps: steps,
	}
}

// benchOrg answers a bench start's lookups from fixed users, as the API's
// store would in the demo organisation.
type benchOrg struct{ users []zhidu.Actor }

func (o benchOrg) User(_ context.Context, name string) (zhidu.Actor, error) {
	i := slices.IndexFunc(o.users, func(a zhidu.Actor) bool { return a.Username == name })
	if i < 0 {
		return zhidu.Actor{}, zhidu.Errorf(zhidu.CodeNotFound, "no user %s", name)
	}
	return o.users[i], nil
}

func (benchOrg) ApprovalMatrix(context.Context) (int, matrix.Matrix, error) {
	return 1, matrix.Seed(), nil
}

func (benchOrg) Project(_ context.Context, id string) (zhidu.Project, error) {
	return zhidu.Project{}, zhidu.Errorf(zhidu.CodeNotFound, "no project %s", id)
}

func (benchOrg) Running(context.Context, string, string, string) ([]string, error) { return nil, nil }

func (o benchOrg) Holders(_ context.Context, r zhidu.Role, d zhidu.Department) ([]string, error) {
	var out []string
	for _, u := range o.users {
		if u.Has(r, d) {
			out = append(out, u.Username)
		}
	}
	return out, nil
}
