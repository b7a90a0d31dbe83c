package abi

import "strings"

// Phase is one stage of a request's life, or one of the contexts outside a
// request (init, init_worker, timer), named as ngx.get_phase names them.
type Phase uint8

// The phases, in the order a request passes through them.
const (
	PhaseNone Phase = iota
	PhaseInit
	PhaseInitWorker
	PhaseSet
	PhaseRewrite
	PhaseAccess
	PhaseContent
	PhaseBalancer
	PhaseHeaderFilter
	PhaseBodyFilter
	PhaseLog
	PhaseTimer
	phaseCount
)

var phaseNames = [phaseCount]string{
	PhaseNone:         "none",
	PhaseInit:         "init",
	PhaseInitWorker:   "init_worker",
	PhaseSet:          "set",
	PhaseRewrite:      "rewrite",
	PhaseAccess:       "access",
	PhaseContent:      "content",
	PhaseBalancer:     "balancer",
	PhaseHeaderFilter: "header_filter",
	PhaseBodyFilter:   "body_filter",
	PhaseLog:          "log",
	PhaseTimer:        "timer",
}

// contextNames are the names OpenResty puts in "API disabled in the context
// of ..." errors.
var contextNames = [phaseCount]string{
	PhaseNone:         "none",
	PhaseInit:         "init_by_lua*",
	PhaseInitWorker:   "init_worker_by_lua*",
	PhaseSet:          "set_by_lua*",
	PhaseRewrite:      "rewrite_by_lua*",
	PhaseAccess:       "access_by_lua*",
	PhaseContent:      "content_by_lua*",
	PhaseBalancer:     "balancer_by_lua*",
	PhaseHeaderFilter: "header_filter_by_lua*",
	PhaseBodyFilter:   "body_filter_by_lua*",
	PhaseLog:          "log_by_lua*",
	PhaseTimer:        "ngx.timer",
}

// String returns the phase's name as ngx.get_phase() returns it.
func (p Phase) String() string {
	if p >= phaseCount {
		return "unknown"
	}
	return phaseNames[p]
}

// ContextName returns the name OpenResty uses for the phase in error
// messages, such as "log_by_lua*".
func (p Phase) ContextName() string {
	if p >= phaseCount {
		return "unknown"
	}
	return contextNames[p]
}

// ParsePhase returns the phase named name ("access", "header_filter", ...).
func ParsePhase(name string) (Phase, bool) {
	for p, n := range phaseNames {
		if n == name && Phase(p) != PhaseNone {
			return Phase(p), true
		}
	}
	return PhaseNone, false
}

// Phases is a set of phases.
type Phases uint32

// Has reports whether p is in the set.
func (s Phases) Has(p Phase) bool { return s&(1<<p) != 0 }

// SetOf builds a set from its members.
func SetOf(ps ...Phase) Phases {
	var s Phases
	for _, p := range ps {
		s |= 1 << p
	}
	return s
}

// String lists the set's phases, comma-separated.
func (s Phases) String() string {
	var names []string
	for p := PhaseInit; p < phaseCount; p++ {
		if s.Has(p) {
			names = append(names, p.String())
		}
	}
	return strings.Join(names, ",")
}

// RequestPhases are the phases that run inside a request.
const RequestPhases = Phases(1<<PhaseSet | 1<<PhaseRewrite | 1<<PhaseAccess | 1<<PhaseContent |
	1<<PhaseBalancer | 1<<PhaseHeaderFilter | 1<<PhaseBodyFilter | 1<<PhaseLog)
