package zhidu

import (
	"slices"
	"time"
)

// Substitution is an out-of-office window (委托代理): from Starts until Ends
// the substitute may see and work Absent's tasks whose department and
// process kind are in scope (empty lists: all), as far as the substitute's
// own clearance and need-to-know allow. It does not cascade: only the
// substitute named gets anything of it. A user's Actor carries the windows
// in which they are the substitute (Actor.Substituting), with Absent as it
// was when the user was read, so that the workflows check the window too.
type Substitution struct {
	ID          int64        `json:"id"`
	Absent      Actor        `json:"absent"`
	Substitute  string       `json:"substitute"`
	Starts      time.Time    `json:"from"`
	Ends        time.Time    `json:"to"`
	Departments []Department `json:"departments"`
	Kinds       []string     `json:"kinds"`
}

// Open says whether the window is open at now.
func (s Substitution) Open(now time.Time) bool { return !now.Before(s.Starts) && now.Before(s.Ends) }

// Covers says whether the window is open at now for an object of the
// department and kind.
func (s Substitution) Covers(now time.Time, dept Department, kind string) bool {
	return s.Open(now) &&
		(len(s.Departments) == 0 || slices.Contains(s.Departments, dept)) &&
		(len(s.Kinds) == 0 || slices.Contains(s.Kinds, kind))
}

// SubstituteFor returns the window in which a substitutes for absent on
// an object of the department and kind at now, if any.
func (a Actor) SubstituteFor(absent string, now time.Time, dept Department, kind string) (Substitution, bool) {
	for _, s := range a.Substituting {
		if s.Absent.Username == absent && s.Covers(now, dept, kind) {
			return s, true
		}
	}
	return Substitution{}, false
}
