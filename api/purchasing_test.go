package api

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// runningStore answers the running processes of a kind; nothing else.
type runningStore struct {
	Store
	running map[string][]string
}

func (r runningStore) RunningProcessIDs(_ context.Context, kind string) ([]string, error) {
	return r.running[kind], nil
}

// recordingEngine records the updates it is sent and fails those to
// processes in failing.
type recordingEngine struct {
	Engine
	failing []string
	sent    []string
	args    []any
}

func (e *recordingEngine) Update(_ context.Context, processID, name string, arg, _ any) error {
	e.sent, e.args = append(e.sent, processID+" "+name), append(e.args, arg)
	if slices.Contains(e.failing, processID) {
		return errors.New("workflow unreachable")
	}
	return nil
}

// TestTellPurchases: every running purchase, and only purchases, is sent
// the SupplierFacts update with the supplier as it stands (every
// conflict); one that cannot be told does not stop the others.
func TestTellPurchases(t *testing.T) {
	en := &recordingEngine{failing: []string{"purchase-b"}}
	s := &Server{Store: runningStore{running: map[string][]string{
		workflows.KindPurchase: {"purchase-a", "purchase-b", "purchase-c"},
		"approval":             {"approval-a"},
	}}, Engine: en}
	sup := zhidu.Supplier{ID: "sup-1", Name: "华东精密机械有限公司", Blacklisted: true, BlacklistReason: "以次充好",
		Conflicts: []zhidu.Conflict{{User: "quality.head", Supplier: "sup-1", Reason: "亲属任该公司销售经理"}}}
	s.tellPurchases(context.Background(), sup)
	want := []string{"purchase-a SupplierFacts", "purchase-b SupplierFacts", "purchase-c SupplierFacts"}
	if !slices.Equal(en.sent, want) {
		t.Fatalf("sent %q, want %q", en.sent, want)
	}
	for _, arg := range en.args {
		facts, ok := arg.(zhidu.SupplierFacts)
		if !ok || facts.Supplier.ID != "sup-1" || !facts.Supplier.Blacklisted || !slices.Equal(facts.Supplier.Recused(), []string{"quality.head"}) {
			t.Errorf("sent %#v", arg)
		}
	}
}
