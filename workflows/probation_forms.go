package workflows

import (
	"math"

	"github.com/zhidu/zhidu"
)

// Outcomes of the probation's steps (OutcomeDone, OutcomeApprove and
// OutcomeReject are other processes' too).
const (
	OutcomeFiled    = "filed"    // conversion_file
	OutcomeApply    = "apply"    // conversion_application
	OutcomeSeparate = "separate" // separation_confirm
	OutcomeExtend   = "extend"   // separation_confirm
	OutcomeRecorded = "recorded" // written_test
	OutcomeSigned   = "signed"   // the day-15 evaluations
)

// notesFormFor is a step done with one outcome and optional notes.
func notesFormFor(outcome string) zhidu.Form {
	return zhidu.Form{
		Fields:   []zhidu.Field{{Name: "notes", Type: zhidu.FieldText, Label: text("备注", "Notes"), MaxLength: 4000}},
		Outcomes: []string{outcome},
	}
}

type notesResult struct {
	Notes string `json:"notes"`
}

// opinionResult is what an approval form records.
type opinionResult struct {
	Opinion string `json:"opinion"`
}

// scoreForm: the training supervisor records the written test's score.
var scoreForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "score", Type: zhidu.FieldNumber, Label: text("笔试成绩（0–100）", "Score (0–100)"), Required: true},
		{Name: "notes", Type: zhidu.FieldText, Label: text("备注", "Notes"), MaxLength: 4000},
	},
	Outcomes: []string{OutcomeRecorded},
}

type scoreResult struct {
	Score float64 `json:"score"`
	Notes string  `json:"notes"`
}

func checkScore(_ string, d scoreResult) map[string]zhidu.Message {
	if math.IsNaN(d.Score) || d.Score < 0 || d.Score > 100 {
		return map[string]zhidu.Message{"data.score": zhidu.Say(msgScore)}
	}
	return nil
}

// progressForm: the day-15 evaluation of learning progress, signed.
var progressForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "progress", Type: zhidu.FieldText, Label: text("学习进度评估", "Learning progress"), Required: true, MaxLength: 4000},
	},
	Outcomes: []string{OutcomeSigned},
}

type evaluationNotes struct {
	Progress string `json:"progress"`
}

// applicationForm: the employee's conversion application (转正申请).
var applicationForm = zhidu.Form{
	Fields: []zhidu.Field{
		{Name: "statement", Type: zhidu.FieldText, Label: text("转正申请陈述", "Statement"), Required: true, MaxLength: 4000},
	},
	Outcomes: []string{OutcomeApply},
}

type applicationResult struct {
	Statement string `json:"statement"`
}

// separationForm: HR confirms the separation, naming the colleague who
// takes over the employee's tasks and customers, or (once) extends.
func separationForm(colleagues []string, mayExtend bool) zhidu.Form {
	outcomes := []string{OutcomeSeparate}
	if mayExtend {
		outcomes = append(outcomes, OutcomeExtend)
	}
	return zhidu.Form{
		Fields: []zhidu.Field{
			{Name: "colleague", Type: zhidu.FieldChoice, Label: text("工作及客户交接给", "Hand over to"), RequiredFor: []string{OutcomeSeparate},
				Choices: colleagues},
			{Name: "reason", Type: zhidu.FieldText, Label: text("延期理由", "Why extend"), RequiredFor: []string{OutcomeExtend}, MaxLength: 2000},
			{Name: "new_end", Type: zhidu.FieldDate, Label: text("延至（最后一天）", "Extended to (last day)"), RequiredFor: []string{OutcomeExtend}},
		},
		Outcomes: outcomes,
	}
}

type separationResult struct {
	Colleague string `json:"colleague"`
	Reason    string `json:"reason"`
	NewEnd    string `json:"new_end"`
}

// probationLabels are the web's labels of the probation's own words.
var probationLabels = map[string]zhidu.Text{
	"outcome." + OutcomeFiled:    text("已备案", "Filed"),
	"outcome." + OutcomeApply:    text("提交转正申请", "Apply"),
	"outcome." + OutcomeSeparate: text("确认离职", "Confirm the separation"),
	"outcome." + OutcomeExtend:   text("延期一次", "Extend once"),
	"outcome." + OutcomeRecorded: text("已登记", "Recorded"),
	"outcome." + OutcomeSigned:   text("已签字", "Signed"),
	"outcome." + ResultConverted: text("已转正", "Converted"),
	"outcome." + ResultSeparated: text("已离职", "Separated"),
	"value.probation":            text("试用中", "On probation"),
	"value.evaluation":           text("评审", "Evaluation"),
	"value.conversion":           text("转正办理中", "Conversion"),
	"value.confirmation":         text("待确认", "Awaiting confirmation"),
	"field.progress":             text("学习进度评估", "Learning progress"),
	"field.statement":            text("转正申请陈述", "Statement"),
	"field.colleague":            text("交接给", "Hand over to"),
	"field.new_end":              text("延至", "Extended to"),
	"field.score":                text("笔试成绩", "Score"),
}
