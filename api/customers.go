package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
	"github.com/zhidu/zhidu/workflows"
)

// Customer files (客户档案, issue 16). Who may read and edit a file is the
// read rule of authz.Decide for customer:ID (members of the owning
// department cleared for its level, the GM line, the grantees of an
// access grant for reading), the same in SQL for lists; a file the caller
// may not read answers 404 like a missing one. Besides:
//
//   - a member of a department registers customers for it (the GM line for
//     any); a phone number or company ID on file already makes no second
//     file: 409 customer.registered — naming the file only to a caller who
//     may read it — and a crossing case for the file;
//   - the Marketing Division (its head or supervisors, zhidu.Marketing)
//     puts a customer on the company blacklist and takes it off, with a
//     reason: a recorded decision each way. Anyone else: 403 when they may
//     read the file, 404 otherwise;
//   - the blacklist is read by the employees of sales and marketing and
//     the GM line; others get 403 (audited);
//   - the monthly statistics are read by department heads for their
//     departments and the GM line for all; others 403 (audited).

// customerStore keeps customer files (store/customers.go).
type customerStore interface {
	Customer(ctx context.Context, id string) (zhidu.Customer, zhidu.ObjectFacts, error)
	CustomerFacts(ctx context.Context, id string) (zhidu.ObjectFacts, error)
	Customers(ctx context.Context, v store.Viewer, f store.CustomerFilter) (store.Page[zhidu.Customer], error)
	RegisterCustomer(ctx context.Context, c store.AdminChange, in zhidu.Customer, at time.Time) (store.Registration, error)
	UpdateCustomer(ctx context.Context, c store.AdminChange, id string, p store.CustomerPatch, at time.Time) (zhidu.Customer, bool, error)
	CustomerHistory(ctx context.Context, id string) ([]zhidu.CustomerChange, error)
	CrossingCases(ctx context.Context, id string) ([]zhidu.CrossingCase, error)
	RecordContact(ctx context.Context, c store.AdminChange, k zhidu.CustomerContact) (zhidu.CustomerContact, error)
	Contacts(ctx context.Context, id string) ([]zhidu.CustomerContact, error)
	SetBlacklist(ctx context.Context, c store.AdminChange, id string, on bool, reason string, at time.Time) (zhidu.BlacklistEntry, error)
	Blacklist(ctx context.Context, level zhidu.Level) ([]zhidu.BlacklistEntry, error)
	BlacklistDecisions(ctx context.Context, id string) ([]zhidu.BlacklistEntry, error)
	Blacklisted(ctx context.Context, values []string) ([]zhidu.BlacklistEntry, error)
	CustomerReport(ctx context.Context, v store.Viewer, depts []string, from, to time.Time) ([]store.CustomerFigures, error)
}

// Limits of a file's texts.
const (
	maxCustomerName    = 200
	maxCustomerContact = 2000
	maxContactNote     = 1000
)

// companyLocation is the company's time zone: the months of the customer
// statistics are its months.
func companyLocation() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

func customerRef(id string) zhidu.ObjectRef {
	return zhidu.ObjectRef{Type: zhidu.ObjectCustomer, ID: id}
}

// customerBody is a new customer file.
type customerBody struct {
	Name       string           `json:"name" text:"line"`
	Class      string           `json:"class" text:"line"`
	Phone      string           `json:"phone" text:"line"`
	CompanyID  *string          `json:"company_id" text:"line"`
	Contact    string           `json:"contact"`
	Level      *zhidu.Level     `json:"level"`
	Department zhidu.Department `json:"department" text:"line"`
}

// customerPatchBody is an edit of a file; a field left out stays as it is.
type customerPatchBody struct {
	Name      *string      `json:"name" text:"line"`
	Class     *string      `json:"class" text:"line"`
	Phone     *string      `json:"phone" text:"line"`
	CompanyID *string      `json:"company_id" text:"line"`
	Contact   *string      `json:"contact"`
	Level     *zhidu.Level `json:"level"`
}

// checkCustomerFields checks and normalises the fields of a file given
// (nil: not given) into errs.
func checkCustomerFields(name, class, phone, companyID, contact *string, errs map[string]zhidu.Message) {
	if name != nil {
		*name = strings.TrimSpace(*name)
		if n := utf8.RuneCountInString(*name); n == 0 || n > maxCustomerName {
			errs["name"] = zhidu.CharRange(1, maxCustomerName)
		}
	}
	if class != nil && !oneOfStrings(*class, zhidu.CustomerClasses()) {
		errs["class"] = zhidu.OneOf(zhidu.CustomerClasses())
	}
	if phone != nil {
		if p, ok := zhidu.NormalizePhone(*phone); ok {
			*phone = p
		} else {
			errs["phone"] = zhidu.NotAPhone()
		}
	}
	if companyID != nil && strings.TrimSpace(*companyID) != "" {
		if id, ok := zhidu.NormalizeCompanyID(*companyID); ok {
			*companyID = id
		} else {
			errs["company_id"] = zhidu.NotACompanyID()
		}
	}
	if contact != nil {
		*contact = strings.TrimSpace(*contact)
		if utf8.RuneCountInString(*contact) > maxCustomerContact {
			errs["contact"] = zhidu.MaxChars(maxCustomerContact)
		}
	}
}

func oneOfStrings(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// createCustomer registers a customer (201), or answers 409 when the
// phone number or company ID is on file already (a crossing case is
// recorded then).
func (s *Server) createCustomer(c *gin.Context) {
	u := currentUser(c).Actor()
	var b customerBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	errs := map[string]zhidu.Message{}
	checkCustomerFields(&b.Name, &b.Class, &b.Phone, b.CompanyID, &b.Contact, errs)
	if b.Department == "" {
		b.Department = u.Department
	}
	if !b.Department.Valid() {
		errs["department"] = zhidu.OneOf(departmentNames())
	}
	level := zhidu.Internal
	if b.Level != nil {
		level = *b.Level
	}
	if level > u.Clearance {
		errs["level"] = zhidu.LevelAboveClearance(u.Clearance)
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.CannotRegisterCustomer(), errs))
		return
	}
	if !u.IsLeadership() && !zhidu.CustomerMember(u, b.Department) {
		s.deny(c, "customer.register", "department:"+string(b.Department), zhidu.CustomerOtherDepartment())
		return
	}
	var companyID *string
	if b.CompanyID != nil && *b.CompanyID != "" {
		companyID = b.CompanyID
	}
	ctx := c.Request.Context()
	r, err := s.Store.RegisterCustomer(ctx, s.change(c), zhidu.Customer{Name: b.Name, Class: b.Class, Phone: b.Phone, CompanyID: companyID,
		Contact: b.Contact, Department: b.Department, Level: level}, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	if !r.Created {
		// Name the file only to a caller who may read it.
		_, f, err := s.Store.Customer(ctx, r.Customer.ID)
		if err != nil {
			fail(c, err)
			return
		}
		d, err := s.Authz.Decide(u, f, zhidu.ActRead)
		if err != nil {
			fail(c, err)
			return
		}
		m := zhidu.CustomerRegistered()
		if d.Allowed {
			m = zhidu.CustomerRegisteredAs(r.Customer.ID)
		}
		fail(c, zhidu.Fail(zhidu.CodeConflict, m))
		return
	}
	c.JSON(http.StatusCreated, r.Customer)
}

// listCustomers answers the files the caller may read, newest first,
// filtered by phone (any way of writing the number), class and q (a part
// of the name, the contact details or the company ID).
func (s *Server) listCustomers(c *gin.Context) {
	p := queryParams(c)
	f := store.CustomerFilter{Class: p.oneOf("class", zhidu.CustomerClasses()...), Q: p.str("q", maxCustomerName),
		Limit: p.integer("limit", 1, store.MaxLimit)}
	if phone := c.Query("phone"); phone != "" {
		if n, ok := zhidu.NormalizePhone(phone); ok {
			f.Phone = n
		} else {
			p.errs["phone"] = zhidu.NotAPhone()
		}
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	page, err := s.Store.Customers(c.Request.Context(), v, f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

// customerView is a file as its page shows it.
type customerView struct {
	zhidu.Customer
	History       []zhidu.CustomerChange `json:"history"`
	CrossingCases []zhidu.CrossingCase   `json:"crossing_cases"`
	Blacklisting  []zhidu.BlacklistEntry `json:"blacklisting"`
	// Contacts are the latest visits, calls and test drives (200 at most).
	Contacts    []zhidu.CustomerContact `json:"contacts"`
	Permissions map[string]bool         `json:"permissions"`
}

// customerPage reads what a file's page shows, for a caller who may read it.
func (s *Server) customerPage(c *gin.Context, cu zhidu.Customer, f zhidu.ObjectFacts) (customerView, error) {
	ctx := c.Request.Context()
	v := customerView{Customer: cu}
	var err error
	if v.History, err = s.Store.CustomerHistory(ctx, cu.ID); err != nil {
		return v, err
	}
	if v.CrossingCases, err = s.Store.CrossingCases(ctx, cu.ID); err != nil {
		return v, err
	}
	if v.Blacklisting, err = s.Store.BlacklistDecisions(ctx, cu.ID); err != nil {
		return v, err
	}
	if v.Contacts, err = s.Store.Contacts(ctx, cu.ID); err != nil {
		return v, err
	}
	d, err := s.Authz.Decide(currentUser(c).Actor(), f, zhidu.ActWrite)
	v.Permissions = map[string]bool{zhidu.ActWrite: d.Allowed}
	return v, err
}

// getCustomer answers a file with its history, crossing cases and
// blacklist decisions.
func (s *Server) getCustomer(c *gin.Context) {
	cu, f, err := s.Store.Customer(c.Request.Context(), c.Param("id"))
	if _, ok := s.decide(c, f, err, zhidu.ActRead); !ok {
		return
	}
	v, err := s.customerPage(c, cu, f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// updateCustomer edits a file (200, the page as it now stands).
func (s *Server) updateCustomer(c *gin.Context) {
	id := c.Param("id")
	ctx := c.Request.Context()
	before, f, err := s.Store.Customer(ctx, id)
	if _, ok := s.decide(c, f, err, zhidu.ActWrite, "customer.update"); !ok {
		return
	}
	var b customerPatchBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	if b.Name == nil && b.Class == nil && b.Phone == nil && b.CompanyID == nil && b.Contact == nil && b.Level == nil {
		fail(c, zhidu.Invalid(zhidu.NothingToChange([]string{"name", "class", "phone", "company_id", "contact", "level"}), nil))
		return
	}
	errs := map[string]zhidu.Message{}
	checkCustomerFields(b.Name, b.Class, b.Phone, b.CompanyID, b.Contact, errs)
	if b.CompanyID != nil && strings.TrimSpace(*b.CompanyID) == "" {
		*b.CompanyID = ""
	}
	u := currentUser(c).Actor()
	if b.Level != nil {
		switch {
		case *b.Level < before.Level:
			errs["level"] = zhidu.LevelLowered(before.Level)
		case *b.Level > u.Clearance:
			errs["level"] = zhidu.LevelAboveClearance(u.Clearance)
		}
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.CannotChangeCustomer(), errs))
		return
	}
	cu, _, err := s.Store.UpdateCustomer(ctx, s.change(c), id, store.CustomerPatch{Name: b.Name, Class: b.Class, Phone: b.Phone,
		CompanyID: b.CompanyID, Contact: b.Contact, Level: b.Level}, s.Now())
	if err != nil {
		fail(c, err)
		return
	}
	cu, f, err = s.Store.Customer(ctx, cu.ID)
	if err != nil {
		fail(c, err)
		return
	}
	v, err := s.customerPage(c, cu, f)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// contactBody is a visit, call or test drive.
type contactBody struct {
	Kind    string `json:"kind" text:"line"`
	Outcome string `json:"outcome" text:"line"`
	Note    string `json:"note"`
}

// recordContact records a contact with a file's customer (201): whoever
// may edit the file.
func (s *Server) recordContact(c *gin.Context) {
	id := c.Param("id")
	f, err := s.Store.CustomerFacts(c.Request.Context(), id)
	if _, ok := s.decide(c, f, err, zhidu.ActWrite, "customer.contact"); !ok {
		return
	}
	var b contactBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	errs := map[string]zhidu.Message{}
	if !oneOfStrings(b.Kind, zhidu.ContactKinds()) {
		errs["kind"] = zhidu.OneOf(zhidu.ContactKinds())
	}
	if !oneOfStrings(b.Outcome, zhidu.ContactOutcomes()) {
		errs["outcome"] = zhidu.OneOf(zhidu.ContactOutcomes())
	}
	b.Note = strings.TrimSpace(b.Note)
	if utf8.RuneCountInString(b.Note) > maxContactNote {
		errs["note"] = zhidu.MaxChars(maxContactNote)
	}
	if len(errs) > 0 {
		fail(c, zhidu.Invalid(zhidu.InvalidField("contact"), errs))
		return
	}
	k, err := s.Store.RecordContact(c.Request.Context(), s.change(c), zhidu.CustomerContact{CustomerID: id, Kind: b.Kind,
		Outcome: b.Outcome, Note: b.Note, At: s.Now()})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, k)
}

// blacklistBody is a decision about the blacklist.
type blacklistBody struct {
	Reason string `json:"reason"`
}

// blacklistCustomer puts a customer on the blacklist (201) or, for
// DELETE, takes it off (200): the Marketing Division's decision.
func (s *Server) blacklistCustomer(c *gin.Context) {
	id := c.Param("id")
	on := c.Request.Method == http.MethodPost
	ctx := c.Request.Context()
	u := currentUser(c).Actor()
	f, err := s.Store.CustomerFacts(ctx, id)
	if !zhidu.Marketing(u) {
		// Not the Marketing Division's: 404 to whoever may not read the
		// file, 403 (audited) to whoever may.
		if _, ok := s.decide(c, f, err, zhidu.ActRead, "customer.blacklist"); ok {
			s.deny(c, "customer.blacklist", store.CustomerObject(id), zhidu.BlacklistDenied())
		}
		return
	}
	if err == nil && !u.IsLeadership() && (f.Level > u.Clearance || f.Level == zhidu.TopSecret) {
		err = notFound(customerRef(id)) // a file above the caller's clearance does not exist for them
	}
	if err != nil {
		if zhidu.ErrorCode(err) == zhidu.CodeNotFound {
			err = notFound(customerRef(id))
		}
		fail(c, err)
		return
	}
	var b blacklistBody
	if err := decode(c, &b); err != nil {
		fail(c, err)
		return
	}
	b.Reason = strings.TrimSpace(b.Reason)
	switch n := utf8.RuneCountInString(b.Reason); {
	case n == 0:
		fail(c, invalid("reason", zhidu.Required()))
		return
	case n > maxReason:
		fail(c, invalid("reason", zhidu.MaxChars(maxReason)))
		return
	}
	e, err := s.Store.SetBlacklist(ctx, s.change(c), id, on, b.Reason, s.Now())
	if on && zhidu.ErrorCode(err) == zhidu.CodeConflict {
		// On the blacklist already: its notice may not have started (a
		// failed start answered 503), so make sure it has, then refuse.
		if decisions, derr := s.Store.BlacklistDecisions(ctx, id); derr == nil && len(decisions) > 0 {
			if _, ok := s.noticeBlacklisting(c, decisions[len(decisions)-1]); !ok {
				return
			}
		}
	}
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusOK
	if on {
		status = http.StatusCreated
		if _, ok := s.noticeBlacklisting(c, e); !ok {
			return
		}
	}
	c.JSON(status, e)
}

// noticeBlacklisting starts the notice of blacklist entry e to every sales
// department's head (once per entry: the process ID is the entry's); ok is
// false when an answer was written.
func (s *Server) noticeBlacklisting(c *gin.Context, e zhidu.BlacklistEntry) (int, bool) {
	if e.Decision != zhidu.BlacklistAdded {
		return 0, true
	}
	cust, _, err := s.Store.Customer(c.Request.Context(), e.CustomerID)
	if err != nil {
		fail(c, err)
		return 0, false
	}
	kind, _ := workflows.Lookup(workflows.KindBlacklistNotice)
	in := workflows.NewBlacklistNotice(e, cust.Ref(), s.Config.Processes[kind.Kind])
	return s.startInternalProcess(c, kind, in, in.Process, map[string]any{"entry": e.ID, "customer": e.CustomerID})
}

// readsBlacklist: the employees of sales and marketing, and the GM line.
func readsBlacklist(u zhidu.Actor) bool { return zhidu.SalesOrMarketing(u) || u.IsLeadership() }

// listBlacklist answers the customers on the company blacklist whose
// files are within the caller's clearance.
func (s *Server) listBlacklist(c *gin.Context) {
	u := currentUser(c).Actor()
	if !readsBlacklist(u) {
		s.deny(c, "customer.blacklist.read", "blacklist", zhidu.BlacklistReadDenied())
		return
	}
	level := min(u.Clearance, zhidu.Confidential)
	if u.IsLeadership() {
		level = zhidu.TopSecret
	}
	items, err := s.Store.Blacklist(c.Request.Context(), level)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

// customerReport answers the monthly statistics (《月来人来电统计成交状况分析表》)
// as JSON or, with format=csv, CSV.
func (s *Server) customerReport(c *gin.Context) {
	u := currentUser(c).Actor()
	var depts []string
	if !u.IsLeadership() {
		for _, g := range u.Roles {
			if g.Role == zhidu.RoleDeptHead {
				depts = append(depts, string(g.Department))
			}
		}
		if len(depts) == 0 {
			s.deny(c, "report.customers", "report:customers", zhidu.CustomerReportDenied())
			return
		}
	}
	p := queryParams(c)
	csv := p.oneOf("format", "json", "csv") == "csv"
	loc := companyLocation()
	now := s.Now().In(loc)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	if m := c.Query("month"); m != "" {
		t, err := time.ParseInLocation("2006-01", m, loc)
		if err != nil {
			p.errs["month"] = zhidu.NotAMonth()
		}
		from = t
	}
	if err := p.err(); err != nil {
		fail(c, err)
		return
	}
	v, err := s.viewer(c)
	if err != nil {
		fail(c, err)
		return
	}
	rows, err := s.Store.CustomerReport(c.Request.Context(), v, depts, from, from.AddDate(0, 1, 0))
	if err != nil {
		fail(c, err)
		return
	}
	month := from.Format("2006-01")
	if !csv {
		c.JSON(http.StatusOK, gin.H{"month": month, "rows": rows})
		return
	}
	c.Header("Content-Disposition", `attachment; filename="customers-`+month+`.csv"`)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Status(http.StatusOK)
	w := store.NewCSVWriter(c.Writer)
	_ = w.Write([]string{"month", "department", "salesperson", "visitors", "calls", "test_drives", "new_customers", "deals"})
	for _, r := range rows {
		_ = w.Write([]string{month, string(r.Department), r.Salesperson, strconv.Itoa(r.Visitors), strconv.Itoa(r.Calls),
			strconv.Itoa(r.TestDrives), strconv.Itoa(r.New), strconv.Itoa(r.Deals)})
	}
	if err := w.Flush(); err != nil {
		_ = c.Error(err)
	}
}

// refuseBlacklisted answers 409 customer.blacklisted, naming the entry,
// when the process kind refuses a blacklisted customer this step's
// completion with data (step "": the start, data the stored input record)
// and the customer its stored input names is on the blacklist. It reports
// whether it answered. The kind says what it refuses
// (Descriptor.Customer, RefusesBlacklisted); no kind is named here.
func (s *Server) refuseBlacklisted(c *gin.Context, kind workflows.Descriptor, record map[string]any, step string, data map[string]any) bool {
	if kind.RefusesBlacklisted == nil || !kind.RefusesBlacklisted(step, data) {
		return false
	}
	names := kind.Customers(record)
	if len(names) == 0 {
		return false
	}
	entries, err := s.Store.Blacklisted(c.Request.Context(), names)
	if err != nil {
		fail(c, err)
		return true
	}
	if len(entries) == 0 {
		return false
	}
	e := entries[0]
	fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.CustomerBlacklisted(e.CustomerID, e.ID, e.Reason)))
	return true
}
