package zhidu

import "time"

// ShareRecord records that a process's copies went to more departments
// (the return slip's copies 2–4: 退货单第二至四联): from At, those
// departments may read the process and its tasks' context, level rules
// still applying on top. Sharing is only ever added, never taken back.
type ShareRecord struct {
	EventKey    string       `json:"event_key"`
	ProcessID   string       `json:"process_id"`
	Departments []Department `json:"departments"`
	Reason      string       `json:"reason"`
	At          time.Time    `json:"at"`
}

// VoucherRequest asks for a process's voucher (传票) number. Numbers are
// unique and sequential per year (PZ-2026-000123); asked again with the
// same Key, the answer is the number first issued.
type VoucherRequest struct {
	ProcessID string `json:"process_id"`
	Year      int    `json:"year"`
	Key       string `json:"key"`
}
