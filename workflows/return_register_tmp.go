package workflows

// TEMP: replaced at merge by the generic register.

// ActivityRecordRegister writes a zhidu.RegisterRecord to the register of
// its process's kind.
const ActivityRecordRegister = "RecordRegister"
