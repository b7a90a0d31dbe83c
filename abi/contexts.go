package abi

import "fmt"

// Contexts returns the phases in which the API named api (such as
// "ngx.req.get_headers") may be called. A binding asks once, when it is
// built, and keeps the answer. It panics for an API missing from the table:
// every binding must be listed there.
func Contexts(api string) Phases {
	s, ok := apiContexts[api]
	if !ok {
		panic(fmt.Sprintf("abi: API %q is missing from the phase-permission table", api))
	}
	return s
}

// APIs lists every API in the phase-permission table.
func APIs() []string {
	names := make([]string, 0, len(apiContexts))
	for name := range apiContexts {
		names = append(names, name)
	}
	return names
}
