// Package demo seeds the demo organisation of DOMAIN.md, so every example,
// test and demo speaks of the same people.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

type (
	l = zhidu.Level
	d = zhidu.Department
)

func roles(role zhidu.Role, depts ...d) []zhidu.RoleGrant {
	out := make([]zhidu.RoleGrant, len(depts))
	for i, dep := range depts {
		out[i] = zhidu.RoleGrant{Role: role, Department: dep}
	}
	return out
}

func user(username, name, nameEn string, dept d, clearance l, grants []zhidu.RoleGrant) store.User {
	return store.User{Username: username, Name: name, NameEn: nameEn, Department: dept, Clearance: clearance, Roles: grants}
}

// Users returns the demo organisation.
func Users() []store.User {
	return []store.User{
		user("gm", "王建国", "Wang Jianguo", zhidu.DeptGMO, zhidu.TopSecret, roles(zhidu.RoleGM, zhidu.DeptGMO)),
		user("deputy", "赵敏", "Zhao Min", zhidu.DeptGMO, zhidu.TopSecret, roles(zhidu.RoleDeputyGM, zhidu.DeptGMO)),
		user("vp.ops", "孙立", "Sun Li", zhidu.DeptGMO, zhidu.Confidential,
			roles(zhidu.RoleVP, zhidu.DeptCS, zhidu.DeptQuality, zhidu.DeptWH, zhidu.DeptSales)),
		user("vp.admin", "钱芳", "Qian Fang", zhidu.DeptGMO, zhidu.Confidential,
			roles(zhidu.RoleVP, zhidu.DeptPur, zhidu.DeptFin, zhidu.DeptHR)),
		user("cs.head", "周强", "Zhou Qiang", zhidu.DeptCS, zhidu.Secret, roles(zhidu.RoleDeptHead, zhidu.DeptCS)),
		user("cs.super", "吴丽", "Wu Li", zhidu.DeptCS, zhidu.Secret, roles(zhidu.RoleSupervisor, zhidu.DeptCS)),
		user("cs.agent", "郑晓", "Zheng Xiao", zhidu.DeptCS, zhidu.Internal, roles(zhidu.RoleStaff, zhidu.DeptCS)),
		user("quality.head", "冯涛", "Feng Tao", zhidu.DeptQuality, zhidu.Secret, roles(zhidu.RoleDeptHead, zhidu.DeptQuality)),
		user("quality.eng", "陈静", "Chen Jing", zhidu.DeptQuality, zhidu.Internal, roles(zhidu.RoleStaff, zhidu.DeptQuality)),
		user("sales.head", "褚明", "Chu Ming", zhidu.DeptSales, zhidu.Secret, roles(zhidu.RoleDeptHead, zhidu.DeptSales)),
		user("sales.rep", "卫东", "Wei Dong", zhidu.DeptSales, zhidu.Internal, roles(zhidu.RoleStaff, zhidu.DeptSales)),
		// A senior sales consultant, newhire's mentor (带教) in the examples:
		// cleared for a probation file.
		user("sales.mentor", "柳青", "Liu Qing", zhidu.DeptSales, zhidu.Secret, roles(zhidu.RoleStaff, zhidu.DeptSales)),
		user("mkt.head", "吕红", "Lv Hong", zhidu.DeptMkt, zhidu.Secret, roles(zhidu.RoleDeptHead, zhidu.DeptMkt)),
		user("rnd.eng", "施杰", "Shi Jie", zhidu.DeptRnD, zhidu.Internal, roles(zhidu.RoleStaff, zhidu.DeptRnD)),
		user("wh.clerk", "蒋伟", "Jiang Wei", zhidu.DeptWH, zhidu.Internal, roles(zhidu.RoleStaff, zhidu.DeptWH)),
		user("fin.clerk", "沈玉", "Shen Yu", zhidu.DeptFin, zhidu.Secret, roles(zhidu.RoleStaff, zhidu.DeptFin)),
		user("fin.head", "韩磊", "Han Lei", zhidu.DeptFin, zhidu.Confidential, roles(zhidu.RoleDeptHead, zhidu.DeptFin)),
		user("pur.buyer", "杨帆", "Yang Fan", zhidu.DeptPur, zhidu.Internal, roles(zhidu.RoleStaff, zhidu.DeptPur)),
		user("pur.head", "朱刚", "Zhu Gang", zhidu.DeptPur, zhidu.Secret, roles(zhidu.RoleDeptHead, zhidu.DeptPur)),
		user("hr.head", "秦岚", "Qin Lan", zhidu.DeptHR, zhidu.Confidential, roles(zhidu.RoleDeptHead, zhidu.DeptHR)),
		user("hr.trainer", "尤佳", "You Jia", zhidu.DeptHR, zhidu.Secret, roles(zhidu.RoleSupervisor, zhidu.DeptHR)),
		user("bmo.auditor", "许诺", "Xu Nuo", zhidu.DeptBMO, zhidu.Confidential, roles(zhidu.RoleCompliance, zhidu.DeptBMO)),
		user("sysadmin", "何平", "He Ping", zhidu.DeptGMO, zhidu.Internal, roles(zhidu.RoleSysAdmin, zhidu.DeptGMO)),
		user("secadmin", "林安", "Lin An", zhidu.DeptGMO, zhidu.Internal, roles(zhidu.RoleSecAdmin, zhidu.DeptGMO)),
		user("secaudit", "陆审", "Lu Shen", zhidu.DeptGMO, zhidu.Internal, roles(zhidu.RoleSecAudit, zhidu.DeptGMO)),
		user("newhire", "张新", "Zhang Xin", zhidu.DeptSales, zhidu.Internal, roles(zhidu.RoleStaff, zhidu.DeptSales)),
	}
}

// The demo suppliers' IDs.
const (
	SupplierHuadong  = "sup-huadong"  // 华东精密机械有限公司: qualified, approved
	SupplierHengtong = "sup-hengtong" // 苏州恒通电子有限公司: qualified, approved; quality.head declared an interest
	SupplierJincheng = "sup-jincheng" // 宁波金诚五金制品厂: qualified, approved
	SupplierLiantuo  = "sup-liantuo"  // 上海联拓工业材料有限公司: qualified, approved
	SupplierXinrui   = "sup-xinrui"   // 杭州新锐包装材料有限公司: qualified, new (首次供货 ahead)
	SupplierShunda   = "sup-shunda"   // 广州顺达塑胶制品有限公司: blacklisted
)

// Suppliers returns the demo suppliers as of at, added by the purchasing
// head, with their declared conflicts of interest.
func Suppliers(at time.Time) []zhidu.Supplier {
	sup := func(id, name string, qualified bool, state string, docs ...string) zhidu.Supplier {
		return zhidu.Supplier{ID: id, Name: name, Qualified: qualified, SupplyState: state, Documents: docs,
			CreatedBy: "pur.head", CreatedAt: at, UpdatedAt: at}
	}
	hengtong := sup(SupplierHengtong, "苏州恒通电子有限公司", true, zhidu.SupplyApproved, "营业执照", "ISO 9001 质量管理体系认证证书", "3C 认证证书")
	hengtong.Conflicts = []zhidu.Conflict{{User: "quality.head", Supplier: SupplierHengtong, Reason: "亲属任该公司销售经理",
		DeclaredBy: "quality.head", DeclaredAt: at}}
	shunda := sup(SupplierShunda, "广州顺达塑胶制品有限公司", false, zhidu.SupplyApproved, "营业执照")
	shunda.Blacklisted, shunda.BlacklistReason = true, "以次充好：2026 年两批原料检验不合格，拒不退换"
	return []zhidu.Supplier{
		sup(SupplierHuadong, "华东精密机械有限公司", true, zhidu.SupplyApproved, "营业执照", "ISO 9001 质量管理体系认证证书", "产品检验报告"),
		hengtong,
		sup(SupplierJincheng, "宁波金诚五金制品厂", true, zhidu.SupplyApproved, "营业执照", "产品检验报告"),
		sup(SupplierLiantuo, "上海联拓工业材料有限公司", true, zhidu.SupplyApproved, "营业执照", "ISO 9001 质量管理体系认证证书"),
		sup(SupplierXinrui, "杭州新锐包装材料有限公司", true, zhidu.SupplyNew, "营业执照", "样品检测报告"),
		shunda,
	}
}

// The demo projects' IDs.
const (
	ProjectLine2 = "line-2" // 二号生产线改造
	ProjectERP   = "erp"    // ERP 系统升级
)

// Projects returns the demo projects.
func Projects() []zhidu.Project {
	return []zhidu.Project{
		{ID: ProjectLine2, Name: "二号生产线改造", Department: zhidu.DeptQuality, Manager: "quality.head", Lead: "vp.ops"},
		{ID: ProjectERP, Name: "ERP 系统升级", Department: zhidu.DeptFin, Manager: "fin.head", Lead: "vp.admin"},
	}
}

// Credential is one line of demo-users.json.
type Credential struct {
	Token      string            `json:"token"`
	Name       string            `json:"name"`
	Department zhidu.Department  `json:"department"`
	Roles      []zhidu.RoleGrant `json:"roles"`
	Clearance  zhidu.Level       `json:"clearance"`
}

// Credentials maps usernames to their demo credentials.
type Credentials map[string]Credential

// Password is every demo user's web inbox password. It is for the demo
// organisation only: real users get their own passwords.
const Password = "zhidu-demo"

var (
	hashOnce     sync.Once
	passwordHash []byte
	hashErr      error
)

// Seed creates the demo users with fresh bearer tokens and the demo
// password, and purchasing's demo suppliers and projects, and returns the
// tokens. Call it on an empty database only: it replaces tokens. Like the
// users, the suppliers and projects are seeded without audit entries.
func Seed(ctx context.Context, s *store.Store) (Credentials, error) {
	// One bcrypt hash (one salt) for every demo user: hashing 25 times
	// would slow every test that seeds the organisation.
	hashOnce.Do(func() { passwordHash, hashErr = store.HashPassword(Password) })
	if hashErr != nil {
		return nil, hashErr
	}
	creds := Credentials{}
	for _, u := range Users() {
		if err := s.PutUser(ctx, u); err != nil {
			return nil, fmt.Errorf("seed %s: %w", u.Username, err)
		}
		token := store.NewAPIToken()
		if err := s.SetToken(ctx, u.Username, token); err != nil {
			return nil, fmt.Errorf("seed %s: %w", u.Username, err)
		}
		if err := s.SetPasswordHash(ctx, u.Username, passwordHash); err != nil {
			return nil, fmt.Errorf("seed %s: %w", u.Username, err)
		}
		creds[u.Username] = Credential{Token: token, Name: u.Name + " " + u.NameEn, Department: u.Department, Roles: u.Roles, Clearance: u.Clearance}
	}
	for _, sup := range Suppliers(time.Now()) {
		if err := s.PutSupplier(ctx, sup); err != nil {
			return nil, fmt.Errorf("seed %s: %w", sup.ID, err)
		}
	}
	for _, p := range Projects() {
		if err := s.PutProject(ctx, p); err != nil {
			return nil, fmt.Errorf("seed %s: %w", p.ID, err)
		}
	}
	return creds, nil
}

// Save writes the credentials to path, readable by the owner only.
func (c Credentials) Save(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// Load reads credentials written by Save.
func Load(path string) (Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Credentials
	return c, json.Unmarshal(b, &c)
}

// Print writes the credentials as a table, in the order of Users.
func (c Credentials) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tNAME\tDEPT\tROLES\tCLEARANCE\tTOKEN")
	for _, u := range Users() {
		cr, ok := c[u.Username]
		if !ok {
			continue
		}
		var rs string
		for i, g := range cr.Roles {
			if i > 0 {
				rs += ","
			}
			rs += string(g.Role) + "@" + string(g.Department)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Username, cr.Name, cr.Department, rs, cr.Clearance, cr.Token)
	}
	tw.Flush()
}
