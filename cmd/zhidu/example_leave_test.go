//go:build example

package main

import (
	"flag"
	"strings"
	"testing"

	"github.com/zhidu/zhidu/api"
	"github.com/zhidu/zhidu/workflows"
)

// The example process is documented in the recipe, not in README.md: no
// production build has it.
func init() { configurationTables = append(configurationTables, "../../docs/ADDING_A_PROCESS.md") }

// TestExampleLeaveSetting: the example's one setting (its descriptor's
// Settings) is a flag and an environment variable, with its usage and
// default, sets the configuration the API passes to its starts, and is refused
// when it is no number.
func TestExampleLeaveSetting(t *testing.T) {
	vpAbove := func(args []string, env map[string]string) (int, error) {
		cfg, err := load("serve", args, func(k string) string { return env[k] })
		if err != nil {
			return 0, err
		}
		return cfg.API.Processes[workflows.KindExampleLeave].(*workflows.ExampleLeaveConfig).VPAbove, nil
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want int
	}{
		{nil, nil, workflows.DefaultExampleLeaveConfig().VPAbove},
		{nil, map[string]string{"ZHIDU_EXAMPLE_LEAVE_VP_ABOVE": "5"}, 5},
		{[]string{"--example-leave-vp-above", "7"}, map[string]string{"ZHIDU_EXAMPLE_LEAVE_VP_ABOVE": "5"}, 7},
	} {
		if got, err := vpAbove(tc.args, tc.env); err != nil || got != tc.want {
			t.Errorf("%v %v: VPAbove = %d, %v; want %d", tc.args, tc.env, got, err, tc.want)
		}
	}
	if _, err := vpAbove(nil, map[string]string{"ZHIDU_EXAMPLE_LEAVE_VP_ABOVE": "a week"}); err == nil {
		t.Error("a setting that is no number must be refused")
	}
	if _, err := vpAbove([]string{"--example-leave-vp-above", "2.5"}, nil); err == nil {
		t.Error("a flag that is no whole number must be refused")
	}
	all, err := settings(&config{API: api.DefaultConfig()})
	if err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("zhidu serve", flag.ContinueOnError)
	for _, s := range all {
		if s.flag == "example-leave-vp-above" && s.env == "ZHIDU_EXAMPLE_LEAVE_VP_ABOVE" {
			s.bind(fs, s.flag, s.usage)
		}
	}
	if f := fs.Lookup("example-leave-vp-above"); f == nil || !strings.Contains(f.Usage, "example leave") || f.DefValue != "3" {
		t.Errorf("flag = %+v, want the example's setting with its usage and default", f)
	}
}
