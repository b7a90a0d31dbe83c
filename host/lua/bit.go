package lua

import (
	"fmt"
	"math"

	glua "github.com/yuin/gopher-lua"
)

// newBitModule builds LuaJIT's bit module: 32-bit operations on numbers,
// results as signed 32-bit integers.
func newBitModule(L *glua.LState) *glua.LTable {
	fold := func(op func(a, b int32) int32) glua.LGFunction {
		return func(L *glua.LState) int {
			acc := tobit(L, 1)
			for i := 2; i <= L.GetTop(); i++ {
				acc = op(acc, tobit(L, i))
			}
			L.Push(glua.LNumber(acc))
			return 1
		}
	}
	shift := func(op func(a int32, n uint) int32) glua.LGFunction {
		return func(L *glua.LState) int {
			L.Push(glua.LNumber(op(tobit(L, 1), uint(tobit(L, 2))&31)))
			return 1
		}
	}
	m := L.NewTable()
	L.SetFuncs(m, map[string]glua.LGFunction{
		"tobit":   func(L *glua.LState) int { L.Push(glua.LNumber(tobit(L, 1))); return 1 },
		"bnot":    func(L *glua.LState) int { L.Push(glua.LNumber(^tobit(L, 1))); return 1 },
		"band":    fold(func(a, b int32) int32 { return a & b }),
		"bor":     fold(func(a, b int32) int32 { return a | b }),
		"bxor":    fold(func(a, b int32) int32 { return a ^ b }),
		"lshift":  shift(func(a int32, n uint) int32 { return a << n }),
		"rshift":  shift(func(a int32, n uint) int32 { return int32(uint32(a) >> n) }),
		"arshift": shift(func(a int32, n uint) int32 { return a >> n }),
		"rol": shift(func(a int32, n uint) int32 {
			u := uint32(a)
			return int32(u<<n | u>>((32-n)&31))
		}),
		"ror": shift(func(a int32, n uint) int32 {
			u := uint32(a)
			return int32(u>>n | u<<((32-n)&31))
		}),
		"bswap": func(L *glua.LState) int {
			u := uint32(tobit(L, 1))
			L.Push(glua.LNumber(int32(u>>24 | u>>8&0xff00 | u<<8&0xff0000 | u<<24)))
			return 1
		},
		"tohex": func(L *glua.LState) int {
			v := uint32(tobit(L, 1))
			n := L.OptInt(2, 8)
			digits := "%0*x"
			if n < 0 {
				n, digits = -n, "%0*X"
			}
			if n > 8 {
				n = 8
			}
			s := fmt.Sprintf(digits, 8, v)
			L.Push(glua.LString(s[8-n:]))
			return 1
		},
	})
	return m
}

// tobit normalises argument i to a signed 32-bit integer, as LuaJIT does
// (modulo 2^32).
func tobit(L *glua.LState, i int) int32 {
	f := float64(L.CheckNumber(i))
	return int32(uint32(int64(math.Mod(math.Trunc(f), 4294967296))))
}
