package zhidu_test

import (
	"testing"
	"time"

	"github.com/zhidu/zhidu"
)

// The examples of customer files' messages (TestMessageEnglish).
func init() {
	g := zhidu.Grant{ID: "access-1", Target: "department:sales", ExpiresAt: time.Date(2026, 12, 9, 9, 0, 0, 0, time.UTC)}
	messageExamples = append(messageExamples, []struct {
		m    zhidu.Message
		want string
	}{
		{zhidu.CustomerRegistered(), "the customer is registered already: the first registration keeps the customer and the credit"},
		{zhidu.CustomerRegisteredAs("cus-1"), "the customer is registered already as cus-1: the first registration keeps the customer and the credit"},
		{zhidu.CustomerBlacklisted("cus-1", 3, "拖欠货款"), "customer cus-1 is on the company blacklist (entry 3: 拖欠货款)"},
		{zhidu.CustomerBlacklistedAlready("cus-1"), "customer cus-1 is on the blacklist already"},
		{zhidu.CustomerNotBlacklisted("cus-1"), "customer cus-1 is not on the blacklist"},
		{zhidu.HandoverToDisabled("sales.rep"), "the colleague sales.rep is disabled: customer files go to an active user"},
		{zhidu.NotAPhone(), "must be a phone number: 7 to 15 digits, an optional + first, spaces or dashes between"},
		{zhidu.NotACompanyID(), "must be 1 to 40 letters and digits (spaces and dashes are dropped)"},
		{zhidu.LevelLowered(zhidu.Secret), "a file's level is only raised, from secret"},
		{zhidu.LevelAboveClearance(zhidu.Internal), "above your clearance (internal)"},
		{zhidu.CustomerOtherDepartment(), "you register customers for your own department only"},
		{zhidu.NotAMonth(), "must be a month, YYYY-MM"},
		{zhidu.BlacklistDenied(), "only the Marketing Division puts a customer on the blacklist or takes it off"},
		{zhidu.BlacklistReadDenied(), "the blacklist is for the employees of sales and marketing"},
		{zhidu.CustomerReportDenied(), "the customer statistics are for department heads and the GM line"},
		{zhidu.CannotRegisterCustomer(), "cannot register the customer"},
		{zhidu.CannotChangeCustomer(), "cannot change the customer file"},
		{zhidu.CrossingIs("cx-1", "decided"), "crossing case cx-1 is decided"},
		{zhidu.ReasonCustomerMember(zhidu.DeptSales), "a member of sales, which owns the customer file"},
		{zhidu.ReasonCustomerGrant(g), "access grant access-1 opens department:sales until 2026-12-09 09:00 UTC"},
		{zhidu.ReasonCustomerOther(zhidu.DeptMkt), "customer files of mkt are read by its members only, or with an access grant"},
		{zhidu.ReasonCustomerReadOnly(), "an access grant opens a customer file for reading only"},
		{zhidu.ReasonCustomerAction("cancel"), "customer files are read and written, not cancel"},
	}...)
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"138 0013 8000": "13800138000", "+86 138-0013-8000": "13800138000", "0086 13800138000": "13800138000", "+1 415 555 0100": "+14155550100", "0571-8888888": "05718888888", "1234567": "1234567",
		"+86 0086 123456789": "123456789", // found by FuzzNormalizePhone: once normalised, stable
		"123456":             "", "1234567890123456": "", "138x0013": "", "+": "", "86+138": "", "": "", "１３８００１３８０００": "", "138\x000013": "",
	} {
		got, ok := zhidu.NormalizePhone(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for in, want := range map[string]string{"91330100 mA2 7-xxxx": "91330100MA27XXXX", "": "", "公司": "", "a_b": ""} {
		got, ok := zhidu.NormalizeCompanyID(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeCompanyID(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
