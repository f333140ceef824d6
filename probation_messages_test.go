package zhidu_test

import "github.com/zhidu/zhidu"

// The examples of the probation routes' messages (TestMessageEnglish).
func init() {
	messageExamples = append(messageExamples, []struct {
		m    zhidu.Message
		want string
	}{
		{zhidu.NoProbation("newhire"), "no probation of newhire"},
		{zhidu.ProbationSaleDenied(), "only the employee, their department head or HR records the employee's sales"},
		{zhidu.ProbationLeaveDenied(), "only the employee or HR asks for the employee's leave"},
		{zhidu.ProbationMentorDenied(), "only HR or the employee's department head changes the mentor"},
		{zhidu.ProbationReportDenied(), "only HR and the GM's office read the probation report"},
		{zhidu.BadReportWindow(), "bad report window"},
		{zhidu.WindowOrder(), "must not be before from"},
	}...)
}
