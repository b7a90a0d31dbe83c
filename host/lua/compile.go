package lua

import (
	"fmt"
	"strings"

	glua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Chunk is compiled Lua source, ready to be loaded into any VM.
type Chunk struct {
	// Name is the chunk name used in error messages and tracebacks.
	Name  string
	proto *glua.FunctionProto
}

// Compile parses and compiles source. name is the chunk name shown in
// errors ("moongate.yaml:12" for inline code, a file path for lua_file).
// A syntax error reads "<name>:<line>: <reason>".
func Compile(name, source string) (*Chunk, error) {
	stmts, err := parse.Parse(strings.NewReader(source), name)
	if err != nil {
		return nil, syntaxError(name, err)
	}
	proto, err := glua.Compile(stmts, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// A main chunk is a vararg function, and gopher-lua gives such
	// functions Lua 5.0's implicit `arg` table: a table built on every
	// call. LuaJIT, the dialect of OpenResty scripts, has no `arg`, so the
	// hook's chunk does without it.
	proto.IsVarArg &^= glua.VarArgNeedsArg
	return &Chunk{Name: name, proto: proto}, nil
}

// syntaxError rewrites gopher-lua's "name line:3(column:7) near 'x': msg"
// as "name:3: near 'x': msg".
func syntaxError(name string, err error) error {
	if perr, ok := err.(*parse.Error); ok {
		return fmt.Errorf("%s:%d: %s near '%s'", name, perr.Pos.Line, perr.Message, perr.Token)
	}
	return fmt.Errorf("%s: %w", name, err)
}
