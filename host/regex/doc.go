// Package regex is the engine-neutral implementation of OpenResty's
// ngx.re.* regular expressions, shared by the Lua and Wasm bindings: option
// letters, a compiled-pattern cache, matching at a byte offset, the
// gmatch/gsub iteration rules, replacement templates and split.
//
// Patterns run on Go's regexp (RE2: linear time, no catastrophic
// backtracking). A pattern RE2 rejects, typically because it uses a
// PCRE-only feature (back-references, look-around, atomic groups,
// possessive quantifiers, \G, \Z), is compiled with regexp2, a
// backtracking engine, whose matches are bounded by a time limit: a match
// that exceeds it fails with ErrMatchLimit instead of running away.
//
// Differences from PCRE that remain (documented, not emulated):
//   - Subjects are always UTF-8: without the u flag PCRE's "." matches one
//     byte, here one UTF-8 character; invalid UTF-8 is matched as U+FFFD
//     where PCRE with u fails with "pcre_exec() failed: -10".
//   - The d flag (DFA: longest match) is accepted and ignored.
//   - In patterns that need the backtracking engine, duplicate group names
//     (the D flag) share one group, as in .NET, and \d, \w, \s match Unicode
//     characters.
//   - The error texts are moongate's: `failed to compile regex "<pattern>":
//     <reason>` where OpenResty says `pcre_compile() failed: ...`, and
//     ErrMatchLimit where it says `pcre_exec() failed: -8`.
//
// A "$" without the m flag matches at the end of the subject or before a
// final "\n", as in PCRE, on RE2 too: the pattern is rewritten so that "$"
// may consume that "\n", and the match is cut before it.
//
// It imports only the standard library, regexp2 and golang-lru: it knows
// nothing of Lua, Wasm or requests.
package regex
