package zhidu_test

import "github.com/zhidu/zhidu"

// The examples of the customer processes' messages (TestMessageEnglish).
func init() {
	messageExamples = append(messageExamples, []struct {
		m    zhidu.Message
		want string
	}{
		{zhidu.CrossingNotParty(), "only the registrants of a crossing case contest it"},
		{zhidu.CustomerNotVIP("cus-1"), "customer cus-1 is not a VIP customer: only a VIP customer's problem is a downgrade"},
		{zhidu.CannotReport(), "cannot report the problem"},
		{zhidu.CannotContest(), "cannot contest the crossing"},
		{zhidu.DowngradeUnderway("cus-1", "customer_downgrade-1"), "a downgrade of customer cus-1 is under way: customer_downgrade-1"},
		{zhidu.CrossingUnderway("cx-1", "customer_crossing-1"), "crossing case cx-1 is contested already: customer_crossing-1"},
		{zhidu.CustomerProblem(), "must be contract, late_payment or crisis"},
		{zhidu.OrderSigned("ord-1"), "order ord-1 is signed: its lines and payment terms change only through a change signed by the department head or a team lead (POST /api/v1/orders/ord-1/changes)"},
		{zhidu.OrderMoved("ord-1"), "order ord-1 has changed since the change was asked for"},
		{zhidu.OrderNotSigned("ord-1"), "order ord-1 is a draft: edit it directly"},
		{zhidu.OrderUnchanged(), "the change changes nothing"},
		{zhidu.CannotOrder(), "cannot take the order"},
		{zhidu.OrderChangeUnderway("ord-1", "order_change-1"), "a change of order ord-1 is under way: order_change-1"},
		{zhidu.OrderQuantity(), "must be more than zero"},
		{zhidu.HandoverNeeded("newhire"), "newhire is responsible for customer files: name the colleague who takes them over"},
		{zhidu.HandoverOnlyLeaving(), "a handover goes with disabling the account"},
		{zhidu.OrderPrice(), "must be zero or more, in yuan and fen (at most 2 decimal places)"},
	}...)
}
