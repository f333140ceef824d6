package zhidu_test

import (
	"time"

	"github.com/zhidu/zhidu"
)

// The examples of the grants' messages (TestMessageEnglish).
func init() {
	messageExamples = append(messageExamples, []struct {
		m    zhidu.Message
		want string
	}{
		{zhidu.ReasonGranted(zhidu.Grant{ID: "file-access-1", ApprovedBy: "gm", ExpiresAt: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}),
			"read grant file-access-1 approved by gm, expires 2026-12-05T09:00:00Z"},
		{zhidu.NoGrant("file-access-1"), "no grant file-access-1"},
		{zhidu.GrantListDenied(), "only compliance and the GM's office list other people's grants"},
	}...)
}
