package zhidu_test

import "github.com/zhidu/zhidu"

// The examples of purchasing's messages (TestMessageEnglish).
func init() {
	messageExamples = append(messageExamples, []struct {
		m    zhidu.Message
		want string
	}{
		{zhidu.SupplierExists("华东精密机械有限公司"), "a supplier named 华东精密机械有限公司 exists already"},
		{zhidu.ProjectExists("line-2"), "project line-2 exists already"},
		{zhidu.CannotAddSupplier(), "cannot add the supplier"},
		{zhidu.CannotChangeSupplier(), "cannot change the supplier"},
		{zhidu.CannotDeclareConflict(), "cannot record the conflict of interest"},
		{zhidu.CannotAddProject(), "cannot add the project"},
		{zhidu.NothingToChange([]string{"qualified", "documents"}), "nothing to change: give at least one of qualified, documents"},
		{zhidu.WithBlacklisted(), "goes only with blacklisted"},
		{zhidu.NotAProjectID(), "must be 1 to 40 of a-z, 0-9, '.', '_', '-', starting with a letter or digit"},
		{zhidu.PurchasingReadDenied(), "only holders of a business role read suppliers and projects"},
		{zhidu.SupplierAddDenied(), "only the purchasing department adds suppliers"},
		{zhidu.SupplierQualifyDenied(), "only the purchasing head qualifies a supplier or approves its supply"},
		{zhidu.SupplierBlacklistDenied(), "only the purchasing head or compliance puts a supplier on the blacklist or takes it off"},
		{zhidu.SupplierChangeDenied(), "only the purchasing department and compliance change suppliers"},
		{zhidu.SupplierDocumentsDenied(), "only the purchasing department changes a supplier's documents"},
		{zhidu.ConflictOtherDenied(), "only compliance records a conflict of interest for someone else"},
		{zhidu.ProjectAddDenied(), "only the GM or a deputy GM adds projects"},
	}...)
}
